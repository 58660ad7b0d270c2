/**
 * The files the view serves: its own page and modules (src/view/public/) and, from the npm
 * packages themselves (no CDN, no build step), Preact + htm in one ES module and KaTeX with its
 * auto-render extension, stylesheet and fonts. Only names on this list are served; a request
 * path is matched against fixed patterns and never joined onto a folder unchecked.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');
const KATEX_DIST = dirname(fileURLToPath(import.meta.resolve('katex')));
const PREACT_STANDALONE = fileURLToPath(import.meta.resolve('htm/preact/standalone'));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

export interface StaticFile {
  file: string;
  contentType: string;
}

function typed(file: string): StaticFile | null {
  const ext = /\.[a-z0-9]+$/.exec(file)?.[0] ?? '';
  const contentType = TYPES[ext];
  return contentType && existsSync(file) ? { file, contentType } : null;
}

/** The file for a URL path, or null when the path is not one the view serves. */
export function staticFile(pathname: string): StaticFile | null {
  if (pathname === '/' || pathname === '/index.html') return typed(join(PUBLIC_DIR, 'index.html'));
  let m = /^\/app\/([a-z][a-z0-9-]*\.(?:js|css))$/.exec(pathname);
  if (m) return typed(join(PUBLIC_DIR, m[1]!));
  if (pathname === '/vendor/preact-htm.js') return typed(PREACT_STANDALONE);
  if (pathname === '/vendor/katex/katex.mjs') return typed(join(KATEX_DIST, 'katex.mjs'));
  if (pathname === '/vendor/katex/katex.min.css') return typed(join(KATEX_DIST, 'katex.min.css'));
  if (pathname === '/vendor/katex/contrib/auto-render.mjs') return typed(join(KATEX_DIST, 'contrib', 'auto-render.mjs'));
  m = /^\/vendor\/katex\/fonts\/(KaTeX_[A-Za-z0-9-]+\.(?:woff2|woff|ttf))$/.exec(pathname);
  if (m) return typed(join(KATEX_DIST, 'fonts', m[1]!));
  return null;
}
