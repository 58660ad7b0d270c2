/**
 * The safetensors container (huggingface/safetensors `docs/`, format section): an 8-byte
 * little-endian header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]},
 * "__metadata__": {string: string}}` (offsets relative to the byte after the header), then the
 * tensor bytes, row-major, little-endian. About 80 lines, so no dependency (npm has no maintained
 * writer for Node).
 *
 * Written: F32 only (treecot's models are F32). Read: F32, F16 and BF16 (a checkpoint saved by
 * another trainer in half precision), widened to F32.
 */
import { readFileSync, existsSync } from 'node:fs';
import { DataError } from '../../core/errors.ts';

export interface NamedTensor {
  /** Row-major shape (PyTorch order). */
  shape: number[];
  data: Float32Array;
}

/** Serialise tensors (in the given order) as one safetensors file. */
export function encodeSafetensors(tensors: ReadonlyMap<string, NamedTensor>, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new RangeError(`tensor ${name}: shape [${t.shape}] needs ${count} values, got ${t.data.length}`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  // The spec lets the header be padded with spaces; 8-byte alignment keeps the data aligned for mmap readers.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let at = 8 + head.length;
  for (const t of tensors.values()) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, at);
    at += t.data.byteLength;
  }
  return out;
}

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * Math.pow(2, -14) * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * Math.pow(2, exp - 15) * (1 + frac / 1024);
}

/**
 * Parse a safetensors file.
 * @throws DataError naming the file (and tensor) for a truncated file, bad header or a dtype other than F32/F16/BF16.
 */
export function readSafetensors(file: string): { tensors: Map<string, NamedTensor>; metadata: Record<string, string> } {
  if (!existsSync(file)) throw new DataError({ file }, 'file not found');
  const buf = readFileSync(file);
  if (buf.length < 8) throw new DataError({ file }, 'not a safetensors file (shorter than its 8-byte header length)');
  const n = Number(buf.readBigUInt64LE(0));
  if (8 + n > buf.length) throw new DataError({ file }, `header length ${n} runs past the end of the file (${buf.length} bytes)`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + n));
  } catch (error) {
    throw new DataError({ file }, `the safetensors header is not JSON (${(error as Error).message})`);
  }
  const base = 8 + n;
  const tensors = new Map<string, NamedTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const width = BYTES[dtype];
    if (!width) throw new DataError({ file, field: name }, `dtype ${dtype} is not supported (F32, F16 or BF16)`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * width || base + end > buf.length)
      throw new DataError({ file, field: name }, `data_offsets [${begin}, ${end}] do not hold ${count} ${dtype} values inside the file`);
    const data = new Float32Array(count);
    if (dtype === 'F32') Buffer.from(data.buffer).set(buf.subarray(base + begin, base + end));
    else if (dtype === 'BF16') {
      const bits = new Uint32Array(data.buffer);
      for (let i = 0; i < count; i++) bits[i] = buf.readUInt16LE(base + begin + 2 * i) << 16;
    } else for (let i = 0; i < count; i++) data[i] = halfToFloat(buf.readUInt16LE(base + begin + 2 * i));
    tensors.set(name, { shape, data });
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string> | undefined) ?? {} };
}
