/** view/: `treecot view`, the local web app over search databases (docs/view.md). */
export { startViewServer, type ViewServer, type ViewServerOptions } from './server.ts';
export { resolveViewTarget, type ViewTarget } from './resolve-target.ts';
export { CONTENT_SECURITY_POLICY } from './security.ts';
