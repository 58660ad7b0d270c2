/**
 * GGUF v2/v3 reader: metadata of every type, F32 tensor data. Other tensor types are listed
 * by name in the error (this trainer only reads F32 models, the kind it writes).
 */
import { readFileSync, existsSync } from 'node:fs';
import { DataError } from '../../core/errors.ts';
import {
  GGUF_MAGIC,
  DEFAULT_ALIGNMENT,
  GGML_TYPE_F32,
  GgufValueType,
  type GgufFile,
  type GgufScalarType,
  type GgufTensor,
  type GgufValue,
} from './format.ts';

const TYPE_NAMES = Object.fromEntries(Object.entries(GgufValueType).map(([k, v]) => [v, k])) as Record<number, keyof typeof GgufValueType>;

class ByteSource {
  pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly file: string,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length)
      throw new DataError({ file: this.file }, `truncated GGUF file (needs byte ${this.pos + n}, has ${this.buf.length})`);
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DataError({ file: this.file }, `u64 value ${v} too large`);
    return Number(v);
  }
  string(): string {
    const n = this.u64();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  scalar(type: GgufScalarType): number | bigint | string | boolean {
    const b = this.buf;
    const take = (n: number): number => {
      this.need(n);
      const p = this.pos;
      this.pos += n;
      return p;
    };
    switch (type) {
      case 'u8':
        return b.readUInt8(take(1));
      case 'i8':
        return b.readInt8(take(1));
      case 'u16':
        return b.readUInt16LE(take(2));
      case 'i16':
        return b.readInt16LE(take(2));
      case 'u32':
        return b.readUInt32LE(take(4));
      case 'i32':
        return b.readInt32LE(take(4));
      case 'f32':
        return b.readFloatLE(take(4));
      case 'f64':
        return b.readDoubleLE(take(8));
      case 'u64':
        return b.readBigUInt64LE(take(8));
      case 'i64':
        return b.readBigInt64LE(take(8));
      case 'bool':
        return b.readUInt8(take(1)) !== 0;
      case 'string':
        return this.string();
    }
  }
}

/**
 * Parse GGUF bytes.
 * @throws DataError naming `file` for a bad magic, unsupported version, truncated data or a
 *   non-F32 tensor.
 */
export function decodeGguf(buf: Buffer, file = '<buffer>'): GgufFile {
  const src = new ByteSource(buf, file);
  if (buf.length < 4 || src.u32() !== GGUF_MAGIC) throw new DataError({ file }, 'not a GGUF file (bad magic)');
  const version = src.u32();
  if (version !== 2 && version !== 3) throw new DataError({ file }, `unsupported GGUF version ${version} (expected 2 or 3)`);
  const tensorCount = src.u64();
  const kvCount = src.u64();
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = src.string();
    const typeName = TYPE_NAMES[src.u32()];
    if (typeName === undefined) throw new DataError({ file, field: key }, 'unknown metadata value type');
    if (typeName === 'array') {
      const itemType = TYPE_NAMES[src.u32()];
      if (itemType === undefined || itemType === 'array') throw new DataError({ file, field: key }, 'unsupported array item type');
      const n = src.u64();
      const value: (number | bigint | string | boolean)[] = new Array(n);
      for (let j = 0; j < n; j++) value[j] = src.scalar(itemType);
      metadata.set(key, { type: 'array', itemType, value });
    } else metadata.set(key, { type: typeName, value: src.scalar(typeName) });
  }
  const infos: { name: string; shape: number[]; type: number; offset: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = src.string();
    const nDims = src.u32();
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(src.u64());
    const type = src.u32();
    const offset = src.u64();
    infos.push({ name, shape: dims.reverse(), type, offset });
  }
  const alignment = Number(metadata.get('general.alignment')?.value ?? DEFAULT_ALIGNMENT);
  const dataStart = Math.ceil(src.pos / alignment) * alignment;
  const tensors = new Map<string, GgufTensor>();
  for (const info of infos) {
    if (info.type !== GGML_TYPE_F32) {
      throw new DataError(
        { file, field: info.name },
        `tensor type ${info.type} is not supported (only F32, type 0; convert the model to F32 first)`,
      );
    }
    const count = info.shape.reduce((a, b) => a * b, 1);
    const start = dataStart + info.offset;
    if (start + count * 4 > buf.length) throw new DataError({ file, field: info.name }, 'tensor data runs past the end of the file');
    const data = new Float32Array(count);
    Buffer.from(data.buffer).set(buf.subarray(start, start + count * 4));
    tensors.set(info.name, { name: info.name, shape: info.shape, data });
  }
  return { version, metadata, tensors };
}

/** Read and parse a GGUF file. @throws DataError if missing or malformed. */
export function readGguf(file: string): GgufFile {
  if (!existsSync(file)) throw new DataError({ file }, 'file not found');
  return decodeGguf(readFileSync(file), file);
}
