/**
 * GGUF v3 writer (F32 tensors). Layout per ggml `docs/gguf.md`: header (magic, version,
 * tensor count u64, kv count u64), key/values, tensor infos (name, n_dims, dims reversed,
 * type, offset relative to the data section), padding to `general.alignment`, data.
 */
import {
  GGUF_MAGIC,
  DEFAULT_ALIGNMENT,
  GGML_TYPE_F32,
  GgufValueType,
  type GgufScalarType,
  type GgufTensor,
  type GgufValue,
} from './format.ts';

class ByteSink {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.push(b);
  }
  u64(v: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  pad(alignment: number): void {
    const rem = this.length % alignment;
    if (rem) this.push(Buffer.alloc(alignment - rem));
  }
  scalar(type: GgufScalarType, v: number | bigint | string | boolean): void {
    let b: Buffer;
    switch (type) {
      case 'u8':
        b = Buffer.alloc(1);
        b.writeUInt8(Number(v));
        break;
      case 'i8':
        b = Buffer.alloc(1);
        b.writeInt8(Number(v));
        break;
      case 'u16':
        b = Buffer.alloc(2);
        b.writeUInt16LE(Number(v));
        break;
      case 'i16':
        b = Buffer.alloc(2);
        b.writeInt16LE(Number(v));
        break;
      case 'u32':
        b = Buffer.alloc(4);
        b.writeUInt32LE(Number(v));
        break;
      case 'i32':
        b = Buffer.alloc(4);
        b.writeInt32LE(Number(v));
        break;
      case 'f32':
        b = Buffer.alloc(4);
        b.writeFloatLE(Number(v));
        break;
      case 'f64':
        b = Buffer.alloc(8);
        b.writeDoubleLE(Number(v));
        break;
      case 'u64':
        b = Buffer.alloc(8);
        b.writeBigUInt64LE(BigInt(v as number | bigint));
        break;
      case 'i64':
        b = Buffer.alloc(8);
        b.writeBigInt64LE(BigInt(v as number | bigint));
        break;
      case 'bool':
        b = Buffer.alloc(1);
        b.writeUInt8(v ? 1 : 0);
        break;
      case 'string':
        this.string(String(v));
        return;
    }
    this.push(b);
  }
  concat(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

/**
 * Serialise a GGUF v3 file. `metadata` order is kept; `general.alignment` (u32) is honoured if
 * present, else 32 is used (and not written).
 * @returns the file bytes.
 */
export function encodeGguf(metadata: Map<string, GgufValue>, tensors: readonly GgufTensor[]): Buffer {
  const alignmentValue = metadata.get('general.alignment');
  const alignment = alignmentValue ? Number(alignmentValue.value) : DEFAULT_ALIGNMENT;
  const head = new ByteSink();
  head.u32(GGUF_MAGIC);
  head.u32(3);
  head.u64(tensors.length);
  head.u64(metadata.size);
  for (const [key, v] of metadata) {
    head.string(key);
    head.u32(GgufValueType[v.type]);
    if (v.type === 'array') {
      head.u32(GgufValueType[v.itemType]);
      head.u64(v.value.length);
      for (const item of v.value) head.scalar(v.itemType, item);
    } else head.scalar(v.type, v.value);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new RangeError(`tensor ${t.name}: shape [${t.shape}] needs ${count} values, got ${t.data.length}`);
    offsets.push(offset);
    offset += t.data.byteLength;
    offset = Math.ceil(offset / alignment) * alignment;
  }
  tensors.forEach((t, i) => {
    head.string(t.name);
    head.u32(t.shape.length);
    for (const d of [...t.shape].reverse()) head.u64(d);
    head.u32(GGML_TYPE_F32);
    head.u64(offsets[i]!);
  });
  head.pad(alignment);
  const dataStart = head.length;
  const out = Buffer.alloc(dataStart + offset);
  head.concat().copy(out, 0);
  tensors.forEach((t, i) => {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, dataStart + offsets[i]!);
  });
  return out;
}
