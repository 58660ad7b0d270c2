/**
 * The `arithmetic` task: multi-step integer arithmetic ("What is 12 + 7 * 3 - 5?") with exact
 * answers, and its seeded generator.
 *
 * Grammar of generated expressions (standard precedence, left-associative):
 *   expr    := term (('+' | '-') term)*
 *   term    := factor (('*' | '/') factor)*
 *   factor  := INT | '(' expr ')'
 * Generation builds a random binary tree with `operations` operators (uniform in
 * [minOperations, maxOperations]), operands uniform in [1, maxOperand], and prints it with
 * only the parentheses precedence needs. '/' is exact: its right operand is a literal
 * divisor (2..maxOperand) of the left value; when the left value has none, the operator
 * becomes '*'. Every intermediate value stays within +-maxAbsValue and, unless
 * `allowNegative`, >= 0; trees that break a bound are redrawn (deterministically).
 */
import { Rng } from '../core/rng.ts';
import { loadProblems } from './load-problems.ts';
import { extractFinalNumber, integerReference, verifyInteger } from './integer-answer.ts';
import type { LoadOptions, Problem, Task } from './types.ts';

export type ArithmeticOperator = '+' | '-' | '*' | '/';

/** Question templates; `{expr}` is the expression. */
export const ARITHMETIC_PHRASINGS: readonly string[] = ['What is {expr}?', 'Calculate {expr}.', 'Compute {expr}.', 'Evaluate {expr}.'];

type Node = { value: number; text: string; op: ArithmeticOperator | null };

const PRECEDENCE: Record<ArithmeticOperator, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

function combine(op: ArithmeticOperator, left: Node, right: Node): Node {
  const p = PRECEDENCE[op];
  const wrapLeft = left.op !== null && PRECEDENCE[left.op] < p;
  // Right operand: lower precedence always needs parentheses; equal precedence too unless the
  // operator is associative with it (a + (b - c) = a + b - c; a * (b / c) = a * b / c when exact).
  const wrapRight = right.op !== null && (PRECEDENCE[right.op] < p || (PRECEDENCE[right.op] === p && (op === '-' || op === '/')));
  const l = wrapLeft ? `(${left.text})` : left.text;
  const r = wrapRight ? `(${right.text})` : right.text;
  const value =
    op === '+'
      ? left.value + right.value
      : op === '-'
        ? left.value - right.value
        : op === '*'
          ? left.value * right.value
          : left.value / right.value;
  return { value, text: `${l} ${op} ${r}`, op };
}

/** Options of `generateArithmeticProblems`. */
export interface ArithmeticGeneratorOptions {
  count: number;
  seed: number;
  /** Fewest operators per expression (default 2). */
  minOperations?: number;
  /** Most operators per expression (default 4). */
  maxOperations?: number;
  /** Largest operand (default 20); operands are >= 1. */
  maxOperand?: number;
  /** Operators to draw from, uniformly (default all four). */
  operators?: readonly ArithmeticOperator[];
  /** Allow parenthesised sub-expressions (default true); false keeps only flat expressions. */
  parentheses?: boolean;
  /** Allow negative intermediate values and results (default false). */
  allowNegative?: boolean;
  /** Bound on |every intermediate value| (default 1000). */
  maxAbsValue?: number;
  /** Id prefix (default "arith"); ids are `${prefix}-${index}`. */
  idPrefix?: string;
}

/** A generated problem; reference = the exact integer value. */
export interface GeneratedArithmeticProblem extends Problem {
  reference: number;
  expression: string;
  operations: number;
}

function divisorsOf(value: number, max: number): number[] {
  const out: number[] = [];
  for (let d = 2; d <= max; d++) if (value % d === 0) out.push(d);
  return out;
}

function buildTree(
  rng: Rng,
  operations: number,
  o: Required<Omit<ArithmeticGeneratorOptions, 'idPrefix' | 'count' | 'seed'>>,
): Node | null {
  if (operations === 0) {
    const v = rng.int(1, o.maxOperand);
    return { value: v, text: String(v), op: null };
  }
  let op = rng.pick(o.operators);
  const leftOps = op === '/' ? operations - 1 : rng.int(0, operations - 1);
  const left = buildTree(rng, leftOps, o);
  if (!left) return null;
  let right: Node | null;
  if (op === '/') {
    const divisors = divisorsOf(left.value, o.maxOperand);
    if (divisors.length === 0 || left.value === 0) {
      op = '*';
      const v = rng.int(1, o.maxOperand);
      right = { value: v, text: String(v), op: null };
    } else {
      const d = rng.pick(divisors);
      right = { value: d, text: String(d), op: null };
    }
  } else {
    right = buildTree(rng, operations - 1 - leftOps, o);
  }
  if (!right) return null;
  const node = combine(op, left, right);
  if (!Number.isSafeInteger(node.value) || Math.abs(node.value) > o.maxAbsValue) return null;
  if (!o.allowNegative && node.value < 0) return null;
  if (!o.parentheses && node.text.includes('(')) return null;
  return node;
}

/**
 * Seeded generator of arithmetic problems (grammar in the file comment). Question i uses
 * `new Rng(seed).split(i)`, so it does not depend on `count`.
 * @throws RangeError for bad bounds, or when 10,000 draws in a row break the bounds.
 */
export function generateArithmeticProblems(options: ArithmeticGeneratorOptions): GeneratedArithmeticProblem[] {
  const o = {
    minOperations: options.minOperations ?? 2,
    maxOperations: options.maxOperations ?? 4,
    maxOperand: options.maxOperand ?? 20,
    operators: options.operators ?? (['+', '-', '*', '/'] as const),
    parentheses: options.parentheses ?? true,
    allowNegative: options.allowNegative ?? false,
    maxAbsValue: options.maxAbsValue ?? 1000,
  };
  if (!(Number.isInteger(o.minOperations) && o.minOperations >= 1 && o.maxOperations >= o.minOperations)) {
    throw new RangeError(
      `generateArithmeticProblems: need 1 <= minOperations <= maxOperations (got ${o.minOperations}, ${o.maxOperations})`,
    );
  }
  if (!(o.maxOperand >= 2) || o.operators.length === 0)
    throw new RangeError('generateArithmeticProblems: need maxOperand >= 2 and at least one operator');
  const root = new Rng(options.seed);
  const out: GeneratedArithmeticProblem[] = [];
  for (let i = 0; i < options.count; i++) {
    const rng = root.split(i);
    let node: Node | null = null;
    let operations = 0;
    for (let attempt = 0; attempt < 10_000 && !node; attempt++) {
      operations = rng.int(o.minOperations, o.maxOperations);
      node = buildTree(rng, operations, o);
    }
    if (!node) throw new RangeError('generateArithmeticProblems: bounds too tight, no expression found in 10,000 draws');
    const template = rng.pick(ARITHMETIC_PHRASINGS);
    out.push({
      id: `${options.idPrefix ?? 'arith'}-${i}`,
      question: template.replace('{expr}', node.text),
      reference: node.value,
      expression: node.text,
      operations,
    });
  }
  return out;
}

/**
 * Evaluate an integer expression of the grammar above exactly (BigInt). Returns null when
 * the text is not such an expression or a division is not exact / by zero.
 */
export function evaluateExpression(text: string): bigint | null {
  const tokens = text.match(/\d+|[-+*/×÷()]|\S/g) ?? [];
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const expr = (): bigint | null => {
    let value = term();
    while (value !== null && (peek() === '+' || peek() === '-')) {
      const op = tokens[pos++];
      const right = term();
      if (right === null) return null;
      value = op === '+' ? value + right : value - right;
    }
    return value;
  };
  const term = (): bigint | null => {
    let value = factor();
    while (value !== null && (peek() === '*' || peek() === '/' || peek() === '×' || peek() === '÷')) {
      const op = tokens[pos++];
      const right = factor();
      if (right === null) return null;
      if (op === '*' || op === '×') value = value * right;
      else {
        if (right === 0n || value % right !== 0n) return null;
        value = value / right;
      }
    }
    return value;
  };
  const factor = (): bigint | null => {
    const t = tokens[pos++];
    if (t === undefined) return null;
    if (t === '(') {
      const value = expr();
      return tokens[pos++] === ')' ? value : null;
    }
    if (t === '-') {
      const value = factor();
      return value === null ? null : -value;
    }
    return /^\d+$/.test(t) ? BigInt(t) : null;
  };
  const value = expr();
  return value !== null && pos === tokens.length ? value : null;
}

/** The expression of a question in one of ARITHMETIC_PHRASINGS (or "What is E?" style), or null. */
export function parseArithmeticQuestion(question: string): string | null {
  const m = /^\s*(?:what\s+is|calculate|compute(?:\s+the\s+value\s+of)?|evaluate)\s+([\d\s+\-*/×÷()]+?)\s*[?.]?\s*$/i.exec(question);
  return m ? m[1]!.trim() : null;
}

export const arithmeticTask: Task = {
  name: 'arithmetic',
  description: 'Multi-step integer arithmetic ("What is 12 + 7 * 3 - 5?"); exact integer answer',
  defaultInstruction: 'Solve the arithmetic problem step by step. Give the final answer as <answer>n</answer>.\n\nNow the question is: ',

  /** Defaults: question `question` (or `problem`), answer `answer` (or `solution`), an integer. */
  load(file: string, options?: LoadOptions): Problem[] {
    return loadProblems(file, options, {
      questionField: ['question', 'problem'],
      answerField: ['answer', 'solution'],
      reference: integerReference,
    });
  },

  extractAnswer: extractFinalNumber,

  /** details: `{expression, value}` recomputed from the question when it parses. */
  verify(output: string, problem: Problem) {
    const expression = parseArithmeticQuestion(problem.question);
    const value = expression === null ? null : evaluateExpression(expression);
    return verifyInteger(
      output,
      problem.reference as number,
      expression === null ? undefined : { expression, value: value === null ? null : Number(value) },
    );
  },

  /** `The answer is \boxed{n}` with n recomputed from the question's expression; null when it does not parse. */
  goldOutput(problem: Problem): string | null {
    const expression = parseArithmeticQuestion(problem.question);
    const value = expression === null ? null : evaluateExpression(expression);
    return value === null ? null : `${expression} = ${value}. The answer is \\boxed{${value}}.`;
  },
};
