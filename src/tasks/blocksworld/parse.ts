/**
 * Text to Blocksworld structures: the natural-language problem statement of a PlanBench
 * query (PlanBench `blocksworld_config.yaml` predicate templates) and plans written either
 * as PDDL actions `(unstack yellow orange)` or in the prompt's English
 * ("unstack the yellow block from on top of the orange block").
 */
import { lastAnswerTag } from '../answer-tags.ts';
import { OPERATOR_ARITY, type Action, type Fact, type OperatorName } from './domain.ts';

/** Initial facts and goal facts of one problem statement. */
export interface BlocksProblem {
  init: Fact[];
  goal: Fact[];
}

const BLOCK = String.raw`(?:the\s+)?([a-z]+)\s+block`;
const FACT_PATTERNS: [RegExp, (m: RegExpExecArray) => Fact][] = [
  [new RegExp(String.raw`^${BLOCK}\s+is\s+on\s+top\s+of\s+${BLOCK}$`), (m) => ({ predicate: 'on', args: [m[1]!, m[2]!] })],
  [new RegExp(String.raw`^${BLOCK}\s+is\s+on\s+the\s+table$`), (m) => ({ predicate: 'ontable', args: [m[1]!] })],
  [new RegExp(String.raw`^${BLOCK}\s+is\s+clear$`), (m) => ({ predicate: 'clear', args: [m[1]!] })],
  [/^the\s+hand\s+is\s+empty$/, () => ({ predicate: 'handempty', args: [] })],
  [new RegExp(String.raw`^the\s+hand\s+is\s+(?:currently\s+)?holding\s+${BLOCK}$`), (m) => ({ predicate: 'holding', args: [m[1]!] })],
];

/**
 * Parse a conjunction of English facts ("the red block is clear, the hand is empty and the
 * blue block is on top of the orange block").
 * @throws Error naming the clause that matches no predicate template.
 */
export function parseFacts(text: string): Fact[] {
  const clauses = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\.$/, '')
    .split(/,\s*(?:and\s+)?|\s+and\s+/)
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '');
  return clauses.map((clause) => {
    for (const [pattern, build] of FACT_PATTERNS) {
      const m = pattern.exec(clause);
      if (m) return build(m);
    }
    throw new Error(`unrecognised fact "${clause}"`);
  });
}

/**
 * Parse the problem of a PlanBench query: the LAST `[STATEMENT]` block (earlier ones are
 * the one-shot example), between "As initial conditions I have that," and "My goal is to
 * have that", and from there to the end of that sentence.
 * @throws Error when the statement, the initial conditions or the goal cannot be found or parsed.
 */
export function parseBlocksProblem(query: string): BlocksProblem {
  const start = query.lastIndexOf('[STATEMENT]');
  const statement = start >= 0 ? query.slice(start + '[STATEMENT]'.length) : query;
  const m =
    /As initial conditions I have that,?([\s\S]*?)\.?\s*My goal is to have that,?([\s\S]*?)(?:\.\s*(?:\n|$)|\[PLAN\]|My plan is|$)/i.exec(
      statement,
    );
  if (!m) throw new Error('no "As initial conditions I have that ... My goal is to have that ..." statement found');
  const init = parseFacts(m[1]!);
  const goal = parseFacts(m[2]!);
  if (goal.length === 0) throw new Error('empty goal');
  return { init, goal };
}

/** Verbs of the English action templates (PlanBench `actions`), longest first. */
const VERBS: [RegExp, OperatorName][] = [
  [/^unstack$/, 'unstack'],
  [/^stack$/, 'stack'],
  [/^pick[\s-]?up$/, 'pick-up'],
  [/^put[\s-]?down$/, 'put-down'],
];

function operatorOf(verb: string): OperatorName | null {
  const v = verb.toLowerCase().replace(/\s+/g, ' ');
  for (const [pattern, name] of VERBS) if (pattern.test(v)) return name;
  return null;
}

/** `(unstack yellow orange)`, `(pick-up red)`; also `pickup`/`putdown` and `red_block`-style objects. */
const PDDL_ACTION = /\(\s*(pick[\s-]?up|put[\s-]?down|unstack|stack)((?:\s+[a-z][\w-]*)*)\s*\)/gi;
/**
 * "unstack the yellow block from on top of the orange block", "stack the red block on top
 * of the blue block", "pick up the red block", "put down the red block". The second block is
 * optional here so that a step missing it is reported as a failing step, not skipped.
 */
const ENGLISH_ACTION = new RegExp(
  String.raw`\b(pick[\s-]?up|put[\s-]?down|unstack|stack)\s+(?:the\s+)?([a-z]+)\s+block\b` +
    String.raw`(?:\s+(?:from\s+)?(?:on\s+top\s+of|onto|on|from)\s+(?:the\s+)?([a-z]+)\s+block\b)?`,
  'gi',
);

/** The part of a model output that holds the plan (see `parsePlan`). */
export function planText(output: string): string {
  let text = lastAnswerTag(output) ?? output;
  const planStart = text.lastIndexOf('[PLAN]');
  if (planStart >= 0) text = text.slice(planStart + '[PLAN]'.length);
  const planEnd = text.indexOf('[PLAN END]');
  if (planEnd >= 0) text = text.slice(0, planEnd);
  return text;
}

/**
 * Read the plan of a model output as a list of actions in order. When the output has an
 * `<answer>` tag, only the last one is read (the thoughts before it may talk about actions);
 * text after a `[PLAN]` marker and before `[PLAN END]` is read when present. Both syntaxes
 * may appear; steps keep their order in the text. Block names are lower-cased colour names
 * (a trailing "_block"/"-block" is dropped from PDDL objects).
 */
export function parsePlan(output: string): Action[] {
  const text = planText(output);
  const found: { at: number; action: Action }[] = [];
  const covered: [number, number][] = [];
  for (const m of text.matchAll(PDDL_ACTION)) {
    const name = operatorOf(m[1]!)!;
    const args =
      m[2]!.trim() === ''
        ? []
        : m[2]!
            .trim()
            .split(/\s+/)
            .map((a) => a.toLowerCase().replace(/[_-]block$/, ''));
    found.push({ at: m.index, action: { name, args, text: m[0] } });
    covered.push([m.index, m.index + m[0].length]);
  }
  // PDDL matches are in text order, so one forward pointer finds the span an English match may sit in.
  let span = 0;
  for (const m of text.matchAll(ENGLISH_ACTION)) {
    while (span < covered.length && covered[span]![1] <= m.index) span++;
    if (span < covered.length && covered[span]![0] <= m.index) continue;
    const name = operatorOf(m[1]!)!;
    const args = [m[2]!, m[3]].filter((a): a is string => a !== undefined).map((a) => a.toLowerCase());
    found.push({ at: m.index, action: { name, args: args.slice(0, Math.max(OPERATOR_ARITY[name], 1)), text: m[0] } });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.action);
}

/** A plan as the PDDL lines PlanBench's `ground_truth_plan` uses, one action per line. */
export function formatPlanPddl(actions: readonly Pick<Action, 'name' | 'args'>[]): string {
  return actions.map((a) => `(${[a.name, ...a.args].join(' ')})\n`).join('');
}

/** A plan in the prompt's English templates (PlanBench `actions`), one action per line. */
export function formatPlanEnglish(actions: readonly Pick<Action, 'name' | 'args'>[]): string {
  const line = (a: Pick<Action, 'name' | 'args'>): string => {
    const [x, y] = a.args;
    switch (a.name) {
      case 'pick-up':
        return `pick up the ${x} block`;
      case 'put-down':
        return `put down the ${x} block`;
      case 'stack':
        return `stack the ${x} block on top of the ${y} block`;
      case 'unstack':
        return `unstack the ${x} block from on top of the ${y} block`;
    }
  };
  return actions.map((a) => `${line(a)}\n`).join('');
}
