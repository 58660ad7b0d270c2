/**
 * Checkpoints for resume: one binary file `checkpoint.bin` = "TCKP", u32 header length, a JSON
 * header (step, tokens seen, model config, train config, tokenizer tags, Adam step), zero
 * padding to 4 bytes, then params, Adam m and Adam v as F32 arrays. Written atomically.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.ts';
import { DataError } from '../core/errors.ts';
import type { LlamaConfig } from './model-config.ts';

export interface CheckpointHeader {
  step: number;
  tokensSeen: number;
  modelConfig: LlamaConfig;
  /** The effective train config (JSON), compared on resume. */
  trainConfig: Record<string, unknown>;
  tags: string[];
  adamStep: number;
}

export interface Checkpoint extends CheckpointHeader {
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

const MAGIC = 'TCKP';

export function checkpointPath(dir: string): string {
  return join(dir, 'checkpoint.bin');
}

export function saveCheckpoint(dir: string, c: Checkpoint): void {
  const { params, m, v, ...header } = c;
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headLen = 8 + json.length;
  const pad = (4 - (headLen % 4)) % 4;
  const out = Buffer.alloc(headLen + pad + 4 * (params.length * 3));
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  let o = headLen + pad;
  for (const a of [params, m, v]) {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, o);
    o += a.byteLength;
  }
  writeFileAtomic(checkpointPath(dir), out);
}

/** The checkpoint in `dir`, or undefined if there is none. @throws DataError for a broken file. */
export function loadCheckpoint(dir: string): Checkpoint | undefined {
  const file = checkpointPath(dir);
  if (!existsSync(file)) return undefined;
  const buf = readFileSync(file);
  if (buf.toString('latin1', 0, 4) !== MAGIC) throw new DataError({ file }, 'not a treecot checkpoint');
  const len = buf.readUInt32LE(4);
  const header = JSON.parse(buf.toString('utf8', 8, 8 + len)) as CheckpointHeader;
  const start = 8 + len + ((4 - ((8 + len) % 4)) % 4);
  const n = (buf.length - start) / 12;
  if (!Number.isInteger(n)) throw new DataError({ file }, 'truncated checkpoint');
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.length));
  return { ...header, params: all.slice(0, n), m: all.slice(n, 2 * n), v: all.slice(2 * n) };
}
