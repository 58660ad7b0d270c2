/**
 * `--template-kwargs '{"enable_thinking": false}'` and `--extra-body '{"top_k": 20}'`: a JSON object
 * on the command line. Anything else (bad JSON, an array, a number) is a ConfigError naming the flag.
 */
import { ConfigError } from '../core/errors.ts';
import { COMMAND_LINE } from './number-options.ts';

export function jsonObjectOption(text: string | undefined, flag: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      { file: COMMAND_LINE, field: flag },
      `not valid JSON (${(error as Error).message}); expected an object such as '{"top_k": 20}'`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(
      { file: COMMAND_LINE, field: flag },
      `expected a JSON object such as '{"top_k": 20}', got ${JSON.stringify(value)}`,
    );
  }
  return value as Record<string, unknown>;
}
