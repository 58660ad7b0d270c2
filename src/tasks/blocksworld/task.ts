/**
 * The `blocksworld` task: PlanBench Blocksworld plan generation (task 1, Valmeekam et al.).
 * A plan is correct iff every action is applicable in turn from the initial state and the
 * goal holds at the end (PlanBench grades the same way with VAL), so it need not equal
 * `ground_truth_plan`.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { DataError, lineOfEachArrayElement, readRecords, requireField } from '../../core/index.ts';
import { problemId, ROW_INDEX_FIELD, UniqueIds } from '../load-problems.ts';
import type { LoadOptions, Problem, Task, Verdict } from '../types.ts';
import { BlocksState, formatAction, formatFact, type Fact } from './domain.ts';
import { parseBlocksProblem, parsePlan } from './parse.ts';

/** Reference of a Blocksworld problem (JSON-serialisable). */
export interface BlocksworldReference {
  init: Fact[];
  goal: Fact[];
  /** PlanBench's `ground_truth_plan` (PDDL lines), or null when the file has none. */
  groundTruthPlan: string | null;
}

/** The first step that cannot be applied. `step` is 1-based. */
export interface FailingStep {
  step: number;
  action: string;
  text: string;
  unmet: string[];
}

/** `details` of a Blocksworld verdict. */
export interface BlocksworldDetails {
  /** The parsed plan, as PDDL actions. */
  plan: string[];
  /** Null when every step applies. */
  firstFailingStep: FailingStep | null;
  /** Goal facts false after the last step (empty when the goal holds or a step failed). */
  unmetGoals: string[];
}

function referenceFor(query: string, plan: unknown, location: { file: string; line: number; field: string }): BlocksworldReference {
  try {
    const { init, goal } = parseBlocksProblem(query);
    BlocksState.fromFacts(init);
    return { init, goal, groundTruthPlan: typeof plan === 'string' ? plan : null };
  } catch (error) {
    throw new DataError(location, `cannot read the Blocksworld problem: ${(error as Error).message}`);
  }
}

/** PlanBench's task file starts as an object with one of these keys; JSONL rows start otherwise. */
const PLANBENCH_TASK_START = /^\s*\{\s*"(?:task|prompt_type|domain|instances)"/;
/** Bytes read to tell a PlanBench task file from JSONL / a JSON array. */
const SNIFF_BYTES = 4096;

/**
 * Load PlanBench's `task_1_plan_generation.json` (an object with `instances`), or a JSONL /
 * JSON array of instance rows. Fields: question `query`, plan `ground_truth_plan` (optional),
 * id `instance_id` (rows: `id`, `unique_id` or `instance_id`; else the row index). The file's
 * first 4 KiB tell the format; then the whole file is read once.
 * @throws DataError naming file, line and field (missing file, malformed JSON, missing query,
 *   a statement that does not parse, a duplicate id).
 */
export function loadBlocksworld(file: string, options: LoadOptions = {}): Problem[] {
  if (!existsSync(file)) throw new DataError({ file }, 'file not found');
  return isPlanBenchTaskFile(file) ? loadPlanBenchTask(file, readFileSync(file, 'utf8'), options) : loadInstanceRows(file, options);
}

/** Whether `file` starts like PlanBench's task file (false for a directory: `readRecords` reports it). */
function isPlanBenchTaskFile(file: string): boolean {
  if (statSync(file).isDirectory()) return false;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const length = readSync(fd, head, 0, SNIFF_BYTES, 0);
    return PLANBENCH_TASK_START.test(head.toString('utf8', 0, length));
  } finally {
    closeSync(fd);
  }
}

/** The instances of PlanBench's task file, whose text is `text`. */
function loadPlanBenchTask(file: string, text: string, options: LoadOptions): Problem[] {
  const questionField = options.questionField ?? 'query';
  const answerField = options.answerField ?? 'ground_truth_plan';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DataError({ file }, `malformed JSON: ${(error as Error).message}`);
  }
  const instances = (parsed as { instances?: unknown }).instances;
  if (!Array.isArray(instances)) throw new DataError({ file, field: 'instances' }, 'expected an array of instances');
  // Line of each element of `instances`, for error messages.
  const lines = lineOfEachArrayElement(text, instances.length, text.indexOf('[', text.indexOf('"instances"')));
  const idField = options.idField ?? 'instance_id';
  const ids = new UniqueIds(file);
  return instances.map((row, index) => {
    const line = lines[index] ?? 1;
    if (typeof row !== 'object' || row === null) throw new DataError({ file, line }, `instance ${index} is not an object`);
    const record = row as Record<string, unknown>;
    const query = record[questionField];
    if (typeof query !== 'string')
      throw new DataError(
        { file, line, field: questionField },
        query === undefined ? 'missing field' : `expected string, got ${typeof query}`,
      );
    const rawId = record[idField];
    const hasId = typeof rawId === 'string' || typeof rawId === 'number';
    const id = hasId ? String(rawId) : String(index);
    ids.add(id, line, hasId ? idField : ROW_INDEX_FIELD);
    return {
      id,
      question: query,
      reference: referenceFor(query, record[answerField], { file, line, field: questionField }),
      source: { file, line },
    };
  });
}

/** Instance rows from a JSONL file or a JSON array (`readRecords`). */
function loadInstanceRows(file: string, options: LoadOptions): Problem[] {
  const questionField = options.questionField ?? 'query';
  const answerField = options.answerField ?? 'ground_truth_plan';
  const ids = new UniqueIds(file);
  return readRecords(file).map((row) => {
    const query = requireField(row, file, questionField, 'string') as string;
    const { id, idField } = problemId(row, file, options.idField);
    ids.add(id, row.line, idField);
    return {
      id,
      question: query,
      reference: referenceFor(query, row.record[answerField], { file, line: row.line, field: questionField }),
      source: { file, line: row.line },
    };
  });
}

/** The reference of a problem, parsed from its question when the reference is not structured. */
function blocksReference(problem: Problem): BlocksworldReference {
  const ref = problem.reference as Partial<BlocksworldReference> | null;
  if (ref && Array.isArray(ref.init) && Array.isArray(ref.goal)) return ref as BlocksworldReference;
  const { init, goal } = parseBlocksProblem(problem.question);
  return { init, goal, groundTruthPlan: typeof problem.reference === 'string' ? problem.reference : null };
}

/**
 * Simulate `output`'s plan from the problem's initial state.
 * correct: every step applies and the goal holds; wrong: a step fails (details name the
 * first one) or the goal is unmet at the end; no_answer: no action could be read.
 */
export function verifyBlocksworld(output: string, problem: Problem): Verdict {
  const ref = blocksReference(problem);
  const reference = `goal ${ref.goal.map(formatFact).join(' ')}`;
  const plan = parsePlan(output);
  if (plan.length === 0) {
    return {
      verdict: 'no_answer',
      extracted: null,
      reference,
      reason: 'no plan action found (PDDL "(unstack a b)" or English "unstack the a block from on top of the b block")',
    };
  }
  const extracted = plan.map(formatAction).join('\n');
  const details: BlocksworldDetails = { plan: plan.map(formatAction), firstFailingStep: null, unmetGoals: [] };
  let state = BlocksState.fromFacts(ref.init);
  for (const [i, action] of plan.entries()) {
    const next = state.apply(action);
    if ('unmet' in next) {
      details.firstFailingStep = { step: i + 1, action: formatAction(action), text: action.text, unmet: next.unmet };
      return {
        verdict: 'wrong',
        extracted,
        reference,
        reason: `step ${i + 1} ${formatAction(action)} is not applicable: ${next.unmet.join(', ')}`,
        details,
      };
    }
    state = next.state;
  }
  details.unmetGoals = ref.goal.filter((g) => !state.holds(g)).map(formatFact);
  if (details.unmetGoals.length > 0) {
    return {
      verdict: 'wrong',
      extracted,
      reference,
      reason: `all ${plan.length} steps apply but the goal is not reached: ${details.unmetGoals.join(' ')}`,
      details,
    };
  }
  return { verdict: 'correct', extracted, reference, reason: `all ${plan.length} steps apply and the goal holds`, details };
}

export const blocksworldTask: Task = {
  name: 'blocksworld',
  description: 'PlanBench Blocksworld plan generation; a plan is correct iff it executes and reaches the goal',
  // PlanBench queries carry their own instructions and one-shot example and end with "[PLAN]".
  defaultInstruction: '',
  load: loadBlocksworld,
  extractAnswer(output: string): string | null {
    const plan = parsePlan(output);
    return plan.length > 0 ? plan.map(formatAction).join('\n') : null;
  },
  verify: verifyBlocksworld,
  /** PlanBench's `ground_truth_plan` (PDDL lines). */
  goldOutput(problem: Problem): string | null {
    return blocksReference(problem).groundTruthPlan;
  },
};
