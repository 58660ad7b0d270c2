/**
 * Live counters over server-sent events (GET /api/events?db=N). Every POLL_MS the server reads
 * `PRAGMA data_version` (one cheap call); only when another connection (a running search, an
 * annotation) has committed does it send the run totals and the questions whose row changed
 * since the last message. One timer per open page; it stops when the page closes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ViewSource } from './view-source.ts';

export const POLL_MS = 500;

export function streamEvents(request: IncomingMessage, response: ServerResponse, source: ViewSource): void {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  let lastVersion = -1;
  // Changes are found by the question's updated_at (unix ms, written by the search); a margin
  // of one poll covers a commit stamped just before the previous read.
  let since = Date.now() - 60_000;
  const tick = () => {
    try {
      const version = source.queries.dataVersion();
      if (version === lastVersion) {
        response.write(': idle\n\n');
        return;
      }
      lastVersion = version;
      const now = Date.now();
      const changed = source.queries.changedSince(since);
      since = now - POLL_MS;
      response.write(`data: ${JSON.stringify({ totals: source.totals(), changed })}\n\n`);
    } catch (error) {
      response.write(`event: failure\ndata: ${JSON.stringify({ error: (error as Error).message })}\n\n`);
    }
  };
  tick();
  const timer = setInterval(tick, POLL_MS);
  request.on('close', () => clearInterval(timer));
}
