/**
 * The task table (STYLE.md `tasks/`): name -> Task. Each task lives in its own file(s);
 * add one import and one entry per task.
 */
import type { Task } from './types.ts';

export type { Task, Problem, Verdict, VerdictKind, LoadOptions } from './types.ts';
export { loadProblems, DEFAULT_ID_FIELDS, type ProblemDefaults, type FieldContext } from './load-problems.ts';

export const TASKS: Record<string, Task> = {};

/** @throws Error listing the known task names when `name` is unknown. */
export function getTask(name: string): Task {
  const task = TASKS[name];
  if (!task) throw new Error(`unknown task "${name}"; known tasks: ${Object.keys(TASKS).sort().join(', ')}`);
  return task;
}
