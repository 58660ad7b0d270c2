/**
 * A damaged file can hand back a value of the wrong SQL type (a blob or a number where text
 * was written: SQLite columns are not strictly typed). Readers check each row's types once,
 * so such a file is refused as damaged instead of failing later inside the data builder with
 * a TypeError (found by test/fuzz/loaders.test.ts).
 */
import { StoreError } from '../core/errors.ts';

type Kind = 'text' | 'number' | 'text?' | 'number?';

function matches(value: unknown, kind: Kind): boolean {
  if (kind.endsWith('?') && value === null) return true;
  return kind.startsWith('text') ? typeof value === 'string' : typeof value === 'number' && !Number.isNaN(value);
}

/** @throws StoreError naming the table, row and column when a value has another type than `columns` says. */
export function checkRowTypes(
  file: string,
  table: string,
  rowName: string,
  row: Record<string, unknown>,
  columns: Record<string, Kind>,
): void {
  for (const [column, kind] of Object.entries(columns)) {
    if (!matches(row[column], kind)) {
      const got = row[column] === null ? 'NULL' : row[column] instanceof Uint8Array ? 'a blob' : typeof row[column];
      throw new StoreError(
        file,
        `the file is damaged: ${table} ${rowName} column ${column} holds ${got}, not ${kind.replace('?', ' or NULL')}; restore it from a copy, or re-run the search into a new file`,
      );
    }
  }
}

export const NODE_COLUMNS: Record<string, Kind> = {
  id: 'number',
  question_id: 'text',
  parent_id: 'number?',
  type: 'text',
  tag: 'text',
  prefill: 'text',
  content: 'text',
  show_in_history: 'number',
  visits: 'number',
  reward_sum: 'number',
  depth: 'number',
  reward: 'number?',
  verdict: 'text?',
  copies: 'number',
  prompt_tokens: 'number',
  completion_tokens: 'number',
  policy: 'text',
  created_at: 'number',
  annotation: 'text?',
};

export const QUESTION_COLUMNS: Record<string, Kind> = {
  question_id: 'text',
  idx: 'number',
  question: 'text',
  reference: 'text',
  instruction: 'text',
  status: 'text',
  rollouts: 'number',
  correct_rollouts: 'number',
};

export const RUN_COLUMNS: Record<string, Kind> = {
  run_id: 'number',
  config: 'text',
  config_hash: 'text',
  task: 'text',
  separator: 'text',
  created_at: 'number',
};
