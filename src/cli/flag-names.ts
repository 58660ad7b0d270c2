/**
 * Library options are validated under their field names (`pairsPerQuestion`); on the command
 * line the user typed a flag (`--pairs-per-question`). `withFlagNames` re-labels a ConfigError
 * from the library with the flag (issue 15 item 12), so the message names what to change.
 */
import { ConfigError } from '../core/errors.ts';
import { COMMAND_LINE } from './number-options.ts';

/** `fooBarBaz` -> `--foo-bar-baz` (the commander spelling of an option). */
export function flagOf(field: string): string {
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Run `parse`; a ConfigError it throws for a command-line field is re-thrown naming the flag.
 * @param flags field -> flag where the flag is not simply `flagOf(field)` (e.g. warmupRatio -> --warmup).
 */
export function withFlagNames<T>(parse: () => T, flags: Record<string, string> = {}): T {
  try {
    return parse();
  } catch (error) {
    if (
      !(error instanceof ConfigError) ||
      error.location.file !== COMMAND_LINE ||
      !error.location.field ||
      error.location.field.startsWith('-')
    )
      throw error;
    const field = error.location.field.split('.')[0]!;
    const flag = flags[field] ?? flagOf(field);
    const prefix = `${COMMAND_LINE} field "${error.location.field}": `;
    const problem = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    throw new ConfigError({ file: COMMAND_LINE, field: flag }, problem, { cause: error });
  }
}
