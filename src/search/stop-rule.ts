/**
 * When a question's search stops (docs/method.md section 1; the authors' `do_rollout`):
 * thresholds [min, max] over `max_rollouts` rollouts, e.g. [4, 8] of 32:
 * - stop with success ('solved') as soon as `max` rollouts were correct;
 * - after `max_rollouts` rollouts, stop with success once at least `min` were correct;
 * - give up ('gave_up') after `give_up_factor * max_rollouts` rollouts with fewer than `min`.
 * Otherwise keep searching (null). Correct rollouts are counted as the authors count them:
 * a rollout that reaches an already-found correct answer again counts again.
 */
export interface StopRule {
  maxRollouts: number;
  thresholds: readonly [number, number];
  giveUpFactor: number;
}

export type StopDecision = 'solved' | 'gave_up' | null;

export function decideStop(rollouts: number, correct: number, rule: StopRule): StopDecision {
  const [min, max] = rule.thresholds;
  if (correct >= max) return 'solved';
  if (rollouts >= rule.maxRollouts && correct >= min) return 'solved';
  if (rollouts >= Math.ceil(rule.giveUpFactor * rule.maxRollouts)) return 'gave_up';
  return null;
}
