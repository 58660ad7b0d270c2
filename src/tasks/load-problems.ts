/**
 * Shared problem loader for every task: reads a JSONL file or a JSON array with `readRecords`,
 * pulls the question, reference and id fields with `requireField`, and returns `Problem[]`.
 * Errors are `DataError`s naming file, 1-based line and field (src/core/errors.ts).
 */
import { readRecords, requireField, DataError, type SourcedRecord } from '../core/index.ts';
import type { LoadOptions, Problem } from './types.ts';

/** Fields tried, in order, for the problem id when no `idField` is given (issue 2, CLI `check`). */
export const DEFAULT_ID_FIELDS = ['id', 'unique_id', 'instance_id'] as const;

/** Where a field value came from, for error messages raised while turning it into a reference. */
export interface FieldContext {
  file: string;
  line: number;
  field: string;
  /** The whole row, for tasks whose reference needs more than one field. */
  row: SourcedRecord;
}

/** A task's defaults for `loadProblems`; the user's `LoadOptions` override the field names. */
export interface ProblemDefaults {
  /** Question field; with a list, the first field present in the row is used (e.g. `['problem', 'question']`). */
  questionField: string | readonly string[];
  /** Reference field; with a list, the first present is used. */
  answerField: string | readonly string[];
  /** Type the answer field must have (default `'string|number'`). */
  answerKind?: 'string' | 'number' | 'string|number' | 'any';
  /**
   * Turn the raw answer value into the task's reference (default: the value itself).
   * Throw `DataError` (use `context`) when the value is unusable.
   */
  reference?: (value: unknown, context: FieldContext) => unknown;
  /**
   * Optional task fields of a row kept on the problem (e.g. letter-count's `word` and `letters`);
   * throw `DataError` naming the field when one is malformed.
   */
  extra?: (row: SourcedRecord, file: string, reference: unknown) => Record<string, unknown>;
}

function pickField(row: SourcedRecord, names: string | readonly string[]): string {
  if (typeof names === 'string') return names;
  for (const name of names) if (row.record[name] !== undefined && row.record[name] !== null) return name;
  return names[0]!;
}

/**
 * Load problems from `file` (JSONL, or a JSON array of objects).
 * Id: `options.idField` if given (must be present, string or number), else the first of
 * `id` / `unique_id` / `instance_id` present, else the 0-based row index as a string.
 * @param options user's field overrides (CLI `--question-field`, `--answer-field`, `--id-field`).
 * @param defaults the task's default field names and reference conversion.
 * @throws DataError naming file, line and field: missing file, malformed JSON line, missing
 *   field, wrong type, duplicate id, or whatever `defaults.reference` rejects.
 */
export function loadProblems(file: string, options: LoadOptions = {}, defaults: ProblemDefaults): Problem[] {
  const rows = readRecords(file, { emptyMessage: 'no problems in this file (it is empty, only whitespace, or an empty array)' });
  const ids = new UniqueIds(file);
  return rows.map((row) => {
    const questionField = options.questionField ?? pickField(row, defaults.questionField);
    const answerField = options.answerField ?? pickField(row, defaults.answerField);
    const question = requireField(row, file, questionField, 'string') as string;
    if (question.trim() === '') throw new DataError({ file, line: row.line, field: questionField }, 'empty question text');
    const rawAnswer = requireField(row, file, answerField, defaults.answerKind ?? 'string|number');
    const reference = defaults.reference ? defaults.reference(rawAnswer, { file, line: row.line, field: answerField, row }) : rawAnswer;
    const { id, idField } = problemId(row, file, options.idField);
    ids.add(id, row.line, idField);
    return { ...defaults.extra?.(row, file, reference), id, question, reference, source: { file, line: row.line } };
  });
}

/** The `field` a `UniqueIds` error names when a problem's id is its row index. */
export const ROW_INDEX_FIELD = '(row index)';

/**
 * The id of one row: `idField` if given (must be present, string or number), else the first of
 * `defaultFields` present, else the 0-based row index as a string (`idField: ROW_INDEX_FIELD`).
 * @throws DataError naming file, line and field when the chosen field is missing or mistyped.
 */
export function problemId(
  row: SourcedRecord,
  file: string,
  idField: string | undefined,
  defaultFields: readonly string[] = DEFAULT_ID_FIELDS,
): { id: string; idField: string } {
  if (idField !== undefined) {
    return { id: String(requireField(row, file, idField, 'string|number')), idField };
  }
  for (const name of defaultFields) {
    const value = row.record[name];
    if (value === undefined || value === null) continue;
    return { id: String(requireField(row, file, name, 'string|number')), idField: name };
  }
  return { id: String(row.index), idField: ROW_INDEX_FIELD };
}

/** The ids loaded so far from one file; every task's loader rejects a repeated id with it. */
export class UniqueIds {
  private readonly firstLine = new Map<string, number>();

  /** @param file the data file, named in errors. */
  constructor(readonly file: string) {}

  /**
   * Record the id of the problem on `line` (1-based), read from `field`.
   * @throws DataError naming the file, `line` and `field` when the id was recorded before; the
   *   message names the id and the line it was first seen on.
   */
  add(id: string, line: number, field: string): void {
    if (id.trim() === '')
      throw new DataError(
        { file: this.file, line, field },
        'empty id; give every row a non-empty id (or leave the field out to number rows by position)',
      );
    const first = this.firstLine.get(id);
    if (first !== undefined) throw new DataError({ file: this.file, line, field }, `duplicate id "${id}" (first seen on line ${first})`);
    this.firstLine.set(id, line);
  }
}
