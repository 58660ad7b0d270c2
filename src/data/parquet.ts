/**
 * Rows -> Parquet bytes with hyparquet-writer (explicit schema, so message lists become
 * LIST<STRUCT<role, content>> the way Hugging Face `datasets` writes conversational data).
 * Column types are inferred from the rows: string -> UTF8, integer -> INT32 (DOUBLE when out of
 * int32 range or fractional), boolean, number[] -> LIST<INT32>, {role, content}[] or
 * {from, value}[] -> LIST<STRUCT>, a single {from, value} -> STRUCT; a column with a missing or
 * null value is OPTIONAL, else REQUIRED.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';

/** hyparquet-writer's own SchemaElement type (it bundles its own hyparquet). */
type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

type Row = Record<string, unknown>;

function isInt32(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
}

function leaf(name: string, values: unknown[], required: boolean): SchemaElement {
  const repetition_type = required ? 'REQUIRED' : 'OPTIONAL';
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.every((v) => typeof v === 'string')) return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
  if (present.every((v) => typeof v === 'boolean')) return { name, type: 'BOOLEAN', repetition_type };
  if (present.every(isInt32)) return { name, type: 'INT32', repetition_type };
  if (present.every((v) => typeof v === 'number')) return { name, type: 'DOUBLE', repetition_type };
  throw new TypeError(`parquet: column "${name}" mixes value types`);
}

/** Schema elements (depth-first) for one top-level column. */
function columnSchema(name: string, values: unknown[]): SchemaElement[] {
  const required = values.every((v) => v !== null && v !== undefined);
  const sample = values.find((v) => v !== null && v !== undefined);
  const repetition_type = required ? 'REQUIRED' : 'OPTIONAL';
  if (Array.isArray(sample)) {
    const elements = values.flatMap((v) => (Array.isArray(v) ? v : []));
    const first = elements[0];
    const head: SchemaElement[] = [
      { name, repetition_type, converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    ];
    if (first !== null && typeof first === 'object') {
      const keys = Object.keys(first as Row);
      return [
        ...head,
        { name: 'element', repetition_type: 'REQUIRED', num_children: keys.length },
        ...keys.map((k) =>
          leaf(
            k,
            elements.map((e) => (e as Row)[k]),
            true,
          ),
        ),
      ];
    }
    return [...head, leaf('element', elements, true)];
  }
  if (sample !== null && typeof sample === 'object') {
    const keys = Object.keys(sample as Row);
    return [
      { name, repetition_type, num_children: keys.length },
      ...keys.map((k) =>
        leaf(
          k,
          values.map((v) => (v as Row | null)?.[k]),
          true,
        ),
      ),
    ];
  }
  return [leaf(name, values, required)];
}

/**
 * Parquet file bytes for `rows` (all rows must have the same columns as the first, though a
 * column may be missing/null in some rows). Returns null for zero rows (no schema to infer).
 */
export function rowsToParquet(rows: readonly Row[]): Uint8Array | null {
  if (rows.length === 0) return null;
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const schema: SchemaElement[] = [{ name: 'root', num_children: names.length }];
  const columnData = names.map((name) => {
    const data = rows.map((r) => (r[name] === undefined ? null : r[name]));
    schema.push(...columnSchema(name, data));
    return { name, data };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData: columnData as never, schema }));
}
