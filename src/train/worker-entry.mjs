// Worker-thread entry: treecot ships TypeScript run through tsx, and module hooks are not
// inherited by worker threads, so each worker registers tsx before loading the TS worker.
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
