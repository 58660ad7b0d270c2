/**
 * The `ifeval` and `ifeval-loose` tasks: IFEval prompts (`{key, prompt, instruction_id_list,
 * kwargs}`, data/ifeval/input_data.jsonl). There is no reference answer: the
 * reference is the instruction list, and a response is correct when every instruction's
 * checker passes (prompt-level accuracy). Strict and loose follow the official
 * `evaluation_lib.py`: strict checks the response as is; loose passes an instruction when any
 * of 8 variants passes (the response, without its first line, without its last line, without
 * both, and each of these with every `*` removed).
 */
import { DataError, readRecords, requireField } from '../../core/index.ts';
import { lastAnswerTag } from '../answer-tags.ts';
import { DEFAULT_ID_FIELDS, problemId, UniqueIds } from '../load-problems.ts';
import type { LoadOptions, Problem, Task, Verdict } from '../types.ts';
import { checkInstruction, validateInstruction, type InstructionKwargs } from './checkers.ts';
import { pyStrip } from './text.ts';

/** One instruction of a prompt. */
export interface IfevalInstruction {
  id: string;
  kwargs: InstructionKwargs;
}

/** The reference of an IFEval problem. */
export interface IfevalReference {
  instructions: IfevalInstruction[];
}

/** Per-instruction result in `details.instructions`. */
export interface IfevalInstructionResult {
  id: string;
  kwargs: InstructionKwargs;
  strict: boolean;
  loose: boolean;
  /** What the strict check measured on the response (counts, detected language, ...). */
  measured?: Record<string, unknown>;
}

/** `details` of an IFEval verdict. */
export interface IfevalDetails {
  mode: 'strict' | 'loose';
  strict: boolean;
  loose: boolean;
  instructions: IfevalInstructionResult[];
}

/**
 * The response to check: the content of the last `<answer>` tag when the output is a typed-thought
 * path (the thoughts before it are the model's working, not the response), else the whole output.
 */
export function ifevalResponse(output: string): string {
  return lastAnswerTag(output) ?? output;
}

/** The 8 loose variants of a response (official `test_instruction_following_loose`), in its order. */
export function looseVariants(response: string): string[] {
  const lines = response.split('\n');
  const removeFirst = pyStrip(lines.slice(1).join('\n'));
  const removeLast = pyStrip(lines.slice(0, -1).join('\n'));
  const removeBoth = pyStrip(lines.slice(1, -1).join('\n'));
  const noStars = (s: string): string => s.replaceAll('*', '');
  return [response, noStars(response), removeFirst, removeLast, removeBoth, noStars(removeFirst), noStars(removeLast), noStars(removeBoth)];
}

/** Strict and loose results of every instruction on one response. */
export function checkInstructions(response: string, instructions: readonly IfevalInstruction[]): IfevalInstructionResult[] {
  const variants = looseVariants(response);
  return instructions.map(({ id, kwargs }) => {
    const strictResult = pyStrip(response) !== '' ? checkInstruction(id, kwargs, response) : { followed: false };
    const loose = strictResult.followed || variants.some((v) => pyStrip(v) !== '' && checkInstruction(id, kwargs, v).followed);
    return { id, kwargs, strict: strictResult.followed, loose, ...(strictResult.measured ? { measured: strictResult.measured } : {}) };
  });
}

/**
 * Load IFEval rows. Defaults: question `prompt`, instructions `instruction_id_list` with
 * arguments `kwargs` (aligned lists), id `key` (else `id`/`unique_id`/`instance_id`, else the
 * row index). `--answer-field` renames the instruction-list field.
 * @throws DataError naming file, line and field: missing or mistyped field, lists of different
 *   lengths, an unknown instruction id, a missing/mistyped checker argument, or a duplicate id.
 */
export function loadIfeval(file: string, options: LoadOptions = {}): Problem[] {
  const questionField = options.questionField ?? 'prompt';
  const listField = options.answerField ?? 'instruction_id_list';
  const seenIds = new UniqueIds(file);
  return readRecords(file).map((row) => {
    const prompt = requireField(row, file, questionField, 'string') as string;
    const ids = requireField(row, file, listField, 'any');
    if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) {
      throw new DataError({ file, line: row.line, field: listField }, 'expected a list of instruction ids (strings)');
    }
    const rawKwargs = row.record.kwargs ?? ids.map(() => ({}));
    if (!Array.isArray(rawKwargs) || rawKwargs.length !== ids.length) {
      throw new DataError(
        { file, line: row.line, field: 'kwargs' },
        `expected a list of ${ids.length} argument objects aligned with "${listField}"`,
      );
    }
    const instructions = ids.map((id: string, i) => {
      const kwargs = (rawKwargs[i] ?? {}) as InstructionKwargs;
      if (typeof kwargs !== 'object' || Array.isArray(kwargs))
        throw new DataError({ file, line: row.line, field: 'kwargs' }, `entry ${i} is not an object`);
      const problems = validateInstruction(id, kwargs);
      if (problems.length > 0)
        throw new DataError(
          { file, line: row.line, field: problems[0]!.startsWith('unknown') ? listField : 'kwargs' },
          problems.join('; '),
        );
      return { id, kwargs };
    });
    const { id, idField } = problemId(row, file, options.idField, ['key', ...DEFAULT_ID_FIELDS]);
    seenIds.add(id, row.line, idField);
    const reference: IfevalReference = { instructions };
    return { id, question: prompt, reference, source: { file, line: row.line } };
  });
}

/**
 * Judge a response: `no_answer` when it is empty (or whitespace), else `correct` when every
 * instruction passes in `mode`, else `wrong`. `details` hold both modes per instruction.
 */
export function verifyIfeval(output: string, problem: Problem, mode: 'strict' | 'loose'): Verdict {
  const { instructions } = problem.reference as IfevalReference;
  const reference = instructions.map((i) => i.id).join(', ');
  const response = ifevalResponse(output);
  if (pyStrip(response) === '') {
    return { verdict: 'no_answer', extracted: null, reference, reason: 'empty response' };
  }
  const results = checkInstructions(response, instructions);
  const details: IfevalDetails = {
    mode,
    strict: results.every((r) => r.strict),
    loose: results.every((r) => r.loose),
    instructions: results,
  };
  const failed = results.filter((r) => !r[mode]).map((r) => r.id);
  if (failed.length === 0) {
    return { verdict: 'correct', extracted: response, reference, reason: `all ${results.length} instructions followed (${mode})`, details };
  }
  return {
    verdict: 'wrong',
    extracted: response,
    reference,
    reason: `${failed.length} of ${results.length} instructions not followed (${mode}): ${failed.join(', ')}`,
    details,
  };
}

function makeIfevalTask(mode: 'strict' | 'loose'): Task {
  return {
    name: mode === 'strict' ? 'ifeval' : 'ifeval-loose',
    description: `IFEval instruction following, prompt-level, ${mode} (a response passes when every instruction's checker passes)`,
    // The IFEval prompt is the whole user turn.
    defaultInstruction: '',
    load: loadIfeval,
    extractAnswer: (output: string) => {
      const response = ifevalResponse(output);
      return pyStrip(response) === '' ? null : response;
    },
    verify: (output: string, problem: Problem) => verifyIfeval(output, problem, mode),
  };
}

/** IFEval, strict mode (the headline IFEval metric). */
export const ifevalTask: Task = makeIfevalTask('strict');
/** IFEval, loose mode. */
export const ifevalLooseTask: Task = makeIfevalTask('loose');
