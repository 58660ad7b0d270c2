// Bootstrap for VerifierPool workers: register tsx's ESM loader in this thread, then load the
// TypeScript worker. (tsx API: https://tsx.is/dev-api/register-esm)
import { register } from 'tsx/esm/api';

register();
await import('./verifier-worker.ts');
