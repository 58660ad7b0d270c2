/**
 * Canonical JSON and its hash: object keys sorted, `undefined` members left out, so equal
 * configs give equal text and equal hashes wherever they are computed (search runs, data
 * builds, pipeline run folders).
 */
import { createHash } from 'node:crypto';

/** Sorted-key JSON of a JSON-like value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 hex (64 chars) of `canonicalJson(value)`. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
