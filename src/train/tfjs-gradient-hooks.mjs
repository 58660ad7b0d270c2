// Module hooks that let Node load tfjs-core's gradient registrations (src/train/tf-backend.ts).
//
// Why: treecot depends on @tensorflow/tfjs-core + @tensorflow/tfjs-backend-wasm, not on the
// @tensorflow/tfjs umbrella (about 220 MB of layers, converter, data and WebGL it never uses). Node
// loads tfjs-core's CommonJS bundle (dist/tf-core.node.js), which has every op and kernel but no
// gradient: the umbrella's own bundle carries those. tfjs-core ships them only as ES modules for
// bundlers (dist/register_all_gradients.js and dist/gradients/*.js): extensionless relative imports
// ('./gradients/Abs_grad'), one of which names both a file and a folder ('./gradients'), in a
// package Node reads as CommonJS. These hooks resolve such imports as a bundler does (FILE.js before
// FILE/index.js) and load those files as ES modules; nothing outside tfjs-core's dist/ tree is touched.
// The gradient modules' ops run through the engine that both module copies share (tfjs-core keeps it
// in a global), so the gradients registered here are the ones the WASM backend's tapes use.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json')), 'dist') + '/').href;

/** A file of tfjs-core's ES-module tree (the CommonJS bundles end in .node.js and load as they are). */
const inEsmTree = (url) => typeof url === 'string' && url.startsWith(DIST) && !url.endsWith('.node.js');

export async function resolve(specifier, context, next) {
  if (!inEsmTree(context.parentURL) || !(specifier.startsWith('./') || specifier.startsWith('../'))) return next(specifier, context);
  const path = fileURLToPath(new URL(specifier, context.parentURL));
  for (const candidate of [path, `${path}.js`, join(path, 'index.js')]) {
    if (candidate.endsWith('.js') && statSync(candidate, { throwIfNoEntry: false })?.isFile())
      return { url: pathToFileURL(candidate).href, format: 'module', shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  return next(url, inEsmTree(url) ? { ...context, format: 'module' } : context);
}
