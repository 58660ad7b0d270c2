/**
 * GGUF v3 container: a typed key/value header, tensor infos and an aligned data section.
 * Spec: ggml `docs/gguf.md` (ggml-org/ggml). Only F32 tensors are written or read here.
 *
 * Shapes: a tensor's `shape` is row-major (numpy/PyTorch order, e.g. `[out, in]` for a
 * linear weight); on disk ggml lists the dims reversed (ne[0] is the contiguous dimension).
 */

/** GGUF metadata value types (`gguf_type`). */
export const GgufValueType = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;
export type GgufScalarType = Exclude<keyof typeof GgufValueType, 'array'>;

/** One metadata value: a scalar of `type`, or an array whose items are all `itemType`. */
export type GgufValue =
  | { type: GgufScalarType; value: number | bigint | string | boolean }
  | { type: 'array'; itemType: GgufScalarType; value: (number | bigint | string | boolean)[] };

/** ggml tensor type ids we know by name (only F32 is supported for data). */
export const GGML_TYPE_F32 = 0;

export interface GgufTensor {
  name: string;
  /** Row-major shape (numpy order). */
  shape: number[];
  data: Float32Array;
}

export interface GgufFile {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: Map<string, GgufTensor>;
}

export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
export const DEFAULT_ALIGNMENT = 32;
