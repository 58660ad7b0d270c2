/**
 * The 4-operator Blocksworld domain of PlanBench (`generated_domain.pddl`, domain
 * `blocksworld-4ops`): facts, states, and the operators' preconditions and effects.
 * Objects are the colour names of the prompts and plans ("red", "blue", ...).
 *
 *   pick-up ?ob          pre: clear ?ob, ontable ?ob, handempty
 *   put-down ?ob         pre: holding ?ob
 *   stack ?ob ?underob   pre: clear ?underob, holding ?ob
 *   unstack ?ob ?underob pre: on ?ob ?underob, clear ?ob, handempty
 */

/** A ground fact, e.g. `{predicate: 'on', args: ['blue', 'orange']}` = `(on blue orange)`. */
export interface Fact {
  predicate: 'on' | 'ontable' | 'clear' | 'handempty' | 'holding';
  args: string[];
}

export type OperatorName = 'pick-up' | 'put-down' | 'stack' | 'unstack';

/** A plan step as parsed; `args` may have the wrong length (then the step fails). */
export interface Action {
  name: OperatorName;
  args: string[];
  /** The text the step was read from, for reports. */
  text: string;
}

/** Arity of each operator. */
export const OPERATOR_ARITY: Record<OperatorName, number> = { 'pick-up': 1, 'put-down': 1, stack: 2, unstack: 2 };

/** `(on blue orange)` */
export function formatFact(fact: Fact): string {
  return `(${[fact.predicate, ...fact.args].join(' ')})`;
}

/** `(unstack yellow orange)` */
export function formatAction(action: Pick<Action, 'name' | 'args'>): string {
  return `(${[action.name, ...action.args].join(' ')})`;
}

/**
 * A Blocksworld state: where each block is (`below[b]` = the block it sits on, 'table', or
 * 'hand'). Clear and handempty are derived, so a state is always consistent.
 */
export class BlocksState {
  readonly below: Map<string, string>;

  constructor(below: Map<string, string>) {
    this.below = below;
  }

  /**
   * Build a state from facts (the `on`, `ontable` and `holding` facts place the blocks;
   * `clear`/`handempty` are derived and only checked by `facts()` round trips).
   * @throws Error when a block is placed twice or a fact names an unknown predicate.
   */
  static fromFacts(facts: readonly Fact[]): BlocksState {
    const below = new Map<string, string>();
    const place = (block: string, where: string): void => {
      if (below.has(block) && below.get(block) !== where) throw new Error(`block ${block} is placed twice`);
      below.set(block, where);
    };
    for (const fact of facts) {
      if (fact.predicate === 'on') place(fact.args[0]!, fact.args[1]!);
      else if (fact.predicate === 'ontable') place(fact.args[0]!, 'table');
      else if (fact.predicate === 'holding') place(fact.args[0]!, 'hand');
    }
    for (const fact of facts) for (const block of fact.args) if (!below.has(block)) throw new Error(`block ${block} has no position`);
    return new BlocksState(below);
  }

  get blocks(): string[] {
    return [...this.below.keys()];
  }

  held(): string | null {
    for (const [block, where] of this.below) if (where === 'hand') return block;
    return null;
  }

  isClear(block: string): boolean {
    if (this.below.get(block) === 'hand') return false;
    for (const where of this.below.values()) if (where === block) return false;
    return true;
  }

  /** Whether a fact holds in this state. */
  holds(fact: Fact): boolean {
    const [x, y] = fact.args;
    switch (fact.predicate) {
      case 'on':
        return this.below.get(x!) === y;
      case 'ontable':
        return this.below.get(x!) === 'table';
      case 'clear':
        return this.below.has(x!) && this.isClear(x!);
      case 'handempty':
        return this.held() === null;
      case 'holding':
        return this.below.get(x!) === 'hand';
    }
  }

  /** Every true fact, sorted by its text (for comparisons with PDDL `:init`). */
  facts(): string[] {
    const out: Fact[] = [];
    for (const [block, where] of this.below) {
      if (where === 'table') out.push({ predicate: 'ontable', args: [block] });
      else if (where === 'hand') out.push({ predicate: 'holding', args: [block] });
      else out.push({ predicate: 'on', args: [block, where] });
      if (this.isClear(block)) out.push({ predicate: 'clear', args: [block] });
    }
    if (this.held() === null) out.push({ predicate: 'handempty', args: [] });
    return out.map(formatFact).sort();
  }

  /**
   * Apply one action. Returns the next state, or the list of unmet preconditions (in the
   * domain file's order) when the action is not applicable.
   */
  apply(action: Pick<Action, 'name' | 'args'>): { state: BlocksState } | { unmet: string[] } {
    const arity = OPERATOR_ARITY[action.name];
    if (action.args.length !== arity) {
      return { unmet: [`${action.name} takes ${arity} block${arity > 1 ? 's' : ''}, got ${action.args.length}`] };
    }
    const unknown = action.args.filter((b) => !this.below.has(b));
    if (unknown.length > 0) return { unmet: unknown.map((b) => `there is no ${b} block`) };
    const [ob, underob] = action.args as [string, string | undefined];
    const unmet: string[] = [];
    const need = (ok: boolean, fact: Fact): void => {
      if (!ok) unmet.push(formatFact(fact));
    };
    switch (action.name) {
      case 'pick-up':
        need(this.isClear(ob), { predicate: 'clear', args: [ob] });
        need(this.below.get(ob) === 'table', { predicate: 'ontable', args: [ob] });
        need(this.held() === null, { predicate: 'handempty', args: [] });
        break;
      case 'put-down':
        need(this.below.get(ob) === 'hand', { predicate: 'holding', args: [ob] });
        break;
      case 'stack':
        need(this.isClear(underob!), { predicate: 'clear', args: [underob!] });
        need(this.below.get(ob) === 'hand', { predicate: 'holding', args: [ob] });
        break;
      case 'unstack':
        need(this.below.get(ob) === underob, { predicate: 'on', args: [ob, underob!] });
        need(this.isClear(ob), { predicate: 'clear', args: [ob] });
        need(this.held() === null, { predicate: 'handempty', args: [] });
        break;
    }
    if (unmet.length > 0) return { unmet };
    const below = new Map(this.below);
    if (action.name === 'pick-up' || action.name === 'unstack') below.set(ob, 'hand');
    else if (action.name === 'put-down') below.set(ob, 'table');
    else below.set(ob, underob!);
    return { state: new BlocksState(below) };
  }
}
