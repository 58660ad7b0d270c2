/**
 * `treecot view`'s HTTP server (node:http): static page and modules, the JSON API (api.ts) and
 * live events (live-events.ts), behind the rules of security.ts. Binds 127.0.0.1 by default;
 * any other host requires an access token.
 *
 *   const view = await startViewServer({ target: 'runs/lc.db' });
 *   console.log(view.url); ... await view.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../core/index.ts';
import { errorResult, handleGet, handlePost, type ApiContext, type ApiResult } from './api.ts';
import { streamEvents } from './live-events.ts';
import { resolveViewTarget } from './resolve-target.ts';
import {
  hasToken,
  hostHeaderAllowed,
  isLoopbackHost,
  REPORT_CONTENT_SECURITY_POLICY,
  setSecurityHeaders,
  TOKEN_COOKIE,
  writeRefusal,
} from './security.ts';
import { staticFile } from './static-files.ts';
import { ViewSource } from './view-source.ts';

export interface ViewServerOptions {
  /** A search database or a `treecot run` folder. */
  target: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Access token; required (generated when absent) off loopback, optional on it. */
  token?: string;
  /** Name stored with annotations. */
  reviewer: string;
  /** Run of the database to show (default the latest); only with a database file, not a folder. */
  runId?: number;
}

export interface ViewServer {
  /** The URL to open (with `?token=` when a token is set). */
  url: string;
  port: number;
  token: string | null;
  close(): Promise<void>;
}

/** Largest request body, bytes (an annotation import of ~20k lines fits). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ConfigError({ file: request.url ?? '', field: 'body' }, `larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: ApiResult): void {
  const text = result.contentType ? String(result.body) : JSON.stringify(result.body);
  response.writeHead(result.status, {
    'Content-Type': result.contentType ?? 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(text);
}

export async function startViewServer(options: ViewServerOptions): Promise<ViewServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  const token = options.token ?? (loopback ? null : randomBytes(24).toString('hex'));
  const target = resolveViewTarget(options.target);
  if (options.runId !== undefined && target.folder !== null) {
    throw new ConfigError({ file: options.target, field: '--run' }, 'a run id applies to one database file, not to a run folder');
  }
  const sources = new Map<number, ViewSource>();
  // Open the first database now so a bad file fails at start, not on the first page load.
  sources.set(0, new ViewSource(target.databases[0]!.file, options.runId));
  const context: ApiContext = {
    databases: target.databases,
    folder: target.folder,
    reviewer: options.reviewer,
    sources: (index) => {
      let source = sources.get(index);
      if (!source) sources.set(index, (source = new ViewSource(target.databases[index]!.file)));
      return source;
    },
  };
  let port = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    setSecurityHeaders(response);
    const url = new URL(request.url ?? '/', 'http://view.invalid');
    if (loopback && !hostHeaderAllowed(request, port)) {
      send(response, { status: 421, body: { error: 'unexpected Host header' } });
      return;
    }
    if (token !== null) {
      const given = url.searchParams.get('token');
      if (given !== null && url.pathname === '/' && given === token) {
        // Trade the URL token for a cookie, then drop it from the address bar.
        response.writeHead(303, { 'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`, Location: '/' });
        response.end();
        return;
      }
      if (!hasToken(request, token)) {
        send(response, { status: 401, body: { error: 'this view needs its access token: open the URL printed at start' } });
        return;
      }
    }
    try {
      if (request.method === 'GET' && url.pathname === '/api/events') {
        const db = Number(url.searchParams.get('db') ?? '0');
        if (!Number.isInteger(db) || db < 0 || db >= target.databases.length)
          throw new ConfigError({ file: url.pathname, field: 'db' }, 'no such database');
        streamEvents(request, response, context.sources(db));
        return;
      }
      if (request.method === 'GET' && url.pathname.startsWith('/api/')) {
        send(response, handleGet(context, url));
        return;
      }
      if (request.method === 'POST' && url.pathname.startsWith('/api/')) {
        const refusal = writeRefusal(request);
        if (refusal) {
          send(response, { status: 403, body: { error: refusal } });
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(await readBody(request));
        } catch (error) {
          if (error instanceof SyntaxError) throw new ConfigError({ file: url.pathname, field: 'body' }, `not JSON: ${error.message}`);
          throw error;
        }
        send(response, handlePost(context, url, body));
        return;
      }
      if (url.pathname === '/report.html' && target.folder !== null && existsSync(join(target.folder, 'report.html'))) {
        response.setHeader('Content-Security-Policy', REPORT_CONTENT_SECURITY_POLICY);
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
        createReadStream(join(target.folder, 'report.html')).pipe(response);
        return;
      }
      if (url.pathname === '/favicon.ico') {
        response.writeHead(204);
        response.end();
        return;
      }
      const file = request.method === 'GET' || request.method === 'HEAD' ? staticFile(url.pathname) : null;
      if (!file) {
        send(response, { status: 404, body: { error: 'not found' } });
        return;
      }
      // Revalidate by modification time: a reload costs one 304 per file instead of ~700 kB.
      const modified = statSync(file.file).mtime.toUTCString();
      if (request.headers['if-modified-since'] === modified) {
        response.writeHead(304, { 'Last-Modified': modified, 'Cache-Control': 'no-cache' });
        response.end();
        return;
      }
      response.writeHead(200, { 'Content-Type': file.contentType, 'Cache-Control': 'no-cache', 'Last-Modified': modified });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file.file).pipe(response);
    } catch (error) {
      const result = errorResult(error);
      if (!result) throw error;
      send(response, result);
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      process.stderr.write(`treecot view: ${(error as Error).stack ?? String(error)}\n`);
      if (!response.headersSent) send(response, { status: 500, body: { error: 'internal error (see the server log)' } });
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}/${token !== null ? `?token=${token}` : ''}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          for (const source of sources.values()) source.close();
          resolve();
        });
      }),
  };
}
