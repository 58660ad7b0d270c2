/**
 * The view's HTTP safety rules, in one place:
 * - a strict Content-Security-Policy: scripts and styles only from this server, no inline
 *   script, no eval, no plugins, no framing. KaTeX positions glyphs with inline `style`
 *   attributes, so `style-src-attr 'unsafe-inline'` is allowed; style attributes cannot run script.
 * - Host header check on loopback (a DNS-rebinding page cannot reach 127.0.0.1 under its name).
 * - Writes need `Content-Type: application/json`, the `X-Treecot` header and a same-origin
 *   `Origin`, which a cross-site form or image cannot send.
 * - Off loopback, every request needs the access token (cookie set by `/?token=...`, or
 *   `Authorization: Bearer`). Compared in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "font-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const TOKEN_COOKIE = 'treecot_view_token';

export function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The Host header names this server by a loopback name (DNS-rebinding guard). */
export function hostHeaderAllowed(request: IncomingMessage, port: number): boolean {
  const host = request.headers.host ?? '';
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Whether the request carries the access token (cookie or bearer header). */
export function hasToken(request: IncomingMessage, token: string): boolean {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  const cookie = cookieValue(request, TOKEN_COOKIE);
  return (bearer !== undefined && safeEqual(bearer, token)) || (cookie !== null && safeEqual(cookie, token));
}

/** A write request from this page's own script (see file comment); returns the reason when not. */
export function writeRefusal(request: IncomingMessage): string | null {
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return 'writes need Content-Type: application/json';
  if (request.headers['x-treecot'] !== '1') return 'writes need the X-Treecot: 1 header';
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${request.headers.host ?? ''}`) return `cross-origin write refused (Origin ${origin})`;
  return null;
}

/**
 * CSP for a run folder's report.html (written by pipeline/report.ts, self-contained with inline
 * styles and SVG): `sandbox` without allow-scripts gives it an opaque origin where no script runs,
 * so it cannot call the API even if a report carried model text.
 */
export const REPORT_CONTENT_SECURITY_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";
