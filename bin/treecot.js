#!/usr/bin/env node
// Entry point: treecot ships TypeScript sources and runs them through tsx, so there is no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
