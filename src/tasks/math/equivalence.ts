/**
 * Answer equivalence for MATH / AIME: normalise both strings (normalize.ts), split them into
 * structure (structure.ts), compare structure node by node and scalars by value (scalar.ts).
 * Lists, sets and unions are unordered; tuples, intervals and matrices are ordered and their
 * bracket kinds must match. An assignment `x = 5` equals `5`.
 */
import { normalizeAnswer, wordKey, MAX_ANSWER_LENGTH } from './normalize.ts';
import { parseAnswer, isLabel, type AnswerNode } from './structure.ts';
import { scalarEqual, equationsEqual, type Comparison } from './scalar.ts';

export type { Comparison } from './scalar.ts';

/** Largest unordered list we match item by item (n^2 comparisons). */
const MAX_LIST_ITEMS = 30;

const equal = (reason: string): Comparison => ({ equal: true, reason });
const unequal = (reason: string): Comparison => ({ equal: false, reason });

function nodeText(node: AnswerNode): string | null {
  return node.kind === 'scalar' ? node.text : null;
}

function compareOrdered(a: AnswerNode[], b: AnswerNode[], what: string): Comparison {
  if (a.length !== b.length) return unequal(`${what} lengths differ (${a.length} vs ${b.length})`);
  for (let i = 0; i < a.length; i++) {
    const c = compareNodes(a[i]!, b[i]!);
    if (!c.equal) return unequal(`${what} entry ${i + 1}: ${c.reason}`);
  }
  return equal(`every ${what} entry matches`);
}

/**
 * Unordered lists compare as sets, as Math-Verify does: every item has an equal item on the other
 * side, both ways, so a repeated item (`(3,17,3,7)` listed twice) neither adds nor hides a value.
 */
function compareUnordered(a: AnswerNode[], b: AnswerNode[], what: string): Comparison {
  if (a.length > MAX_LIST_ITEMS || b.length > MAX_LIST_ITEMS) return unequal(`${what} too long to compare`);
  const matchedB = new Array<boolean>(b.length).fill(false);
  for (const item of a) {
    let found = false;
    b.forEach((other, j) => {
      if (compareNodes(item, other).equal) found = matchedB[j] = true;
    });
    if (!found) return unequal(`${what} item has no match in the reference (${a.length} vs ${b.length} items)`);
  }
  if (matchedB.includes(false)) return unequal(`a reference ${what} item is missing (${a.length} vs ${b.length} items)`);
  return equal(`same ${what} items in any order`);
}

/** Matrix as a flat ordered list when it is a single column or row (a vector). */
function vectorItems(node: AnswerNode): AnswerNode[] | null {
  if (node.kind !== 'matrix') return null;
  if (node.rows.every((row) => row.length === 1)) return node.rows.map((row) => row[0]!);
  if (node.rows.length === 1) return node.rows[0]!;
  return null;
}

/** A left side that names a value (structure.ts `isLabel`) or computes one without variables. */
function namesOrComputes(lhs: string): boolean {
  if (isLabel(lhs)) return true;
  const bare = lhs.replace(/\\(?:begin|end)\{[a-zA-Z]*\}|\\[a-zA-Z]+/g, '');
  // `7 = 11a + c` is a constraint, not a value: the left side must compute (an operator or a matrix)
  return /\d/.test(bare) && !/[A-Za-z]/.test(bare) && /[-+*/^]|\\(?:cdot|times|frac|begin)/.test(lhs);
}

/** Compare predicted node `a` with reference node `b`. */
export function compareNodes(a: AnswerNode, b: AnswerNode): Comparison {
  if (a.kind === 'equation' && b.kind === 'equation') {
    const la = a.lhs.replace(/\s+/g, '');
    if (la === b.lhs.replace(/\s+/g, '') && isLabel(la)) return compareNodes(a.rhs, b.rhs);
    const ra = nodeText(a.rhs);
    const rb = nodeText(b.rhs);
    if (ra === null || rb === null) return unequal('equations with structured sides differ');
    return equationsEqual([a.lhs, ra], [b.lhs, rb]);
  }
  // a labelled value (`x = 5`, `(x, y) = (5, 8)`, `AB = 4`, `V_1:V_2 = 11:21`) is its value, and
  // so is the result of a computation without variables (`2 + 3 = 5`, `A + B = C` for matrices)
  if (a.kind === 'equation' && namesOrComputes(a.lhs)) return compareNodes(a.rhs, b);
  if (b.kind === 'equation' && namesOrComputes(b.lhs)) return compareNodes(a, b.rhs);
  switch (b.kind) {
    case 'scalar':
      return a.kind === 'scalar' ? scalarEqual(a.text, b.text) : unequal(`a ${a.kind} is not a single value`);
    case 'word':
      return a.kind === 'word' && wordKey(a.text) === wordKey(b.text) ? equal('same word') : unequal('different word answer');
    case 'choice':
      if (a.kind === 'choice') return a.letter === b.letter ? equal('same choice letter') : unequal('different choice letter');
      return unequal('reference is a multiple-choice letter');
    case 'list':
    case 'set':
      if (a.kind === 'list' || a.kind === 'set') return compareUnordered(a.items, b.items, 'solution');
      if (a.kind === 'union' && b.items.every((item) => item.kind === 'bracket')) return compareUnordered(a.items, b.items, 'union');
      return unequal(`expected ${b.items.length} values, got a ${a.kind}`);
    case 'union':
      // `x < 1 or x > 3` reads as a list of two intervals: the same set as their union
      if (a.kind === 'union' || (a.kind === 'list' && a.items.every((item) => item.kind === 'bracket')))
        return compareUnordered(a.items, b.items, 'union');
      return unequal('expected a union of intervals');
    case 'bracket': {
      if (a.kind === 'bracket') {
        if (a.open !== b.open || a.close !== b.close) return unequal(`brackets differ: ${a.open}${a.close} vs ${b.open}${b.close}`);
        return compareOrdered(a.items, b.items, 'tuple');
      }
      const vector = vectorItems(a);
      if (vector && b.open === '(' && b.close === ')') return compareOrdered(vector, b.items, 'vector');
      return unequal(`expected a ${b.open}...${b.close} tuple or interval, got a ${a.kind}`);
    }
    case 'matrix': {
      if (a.kind === 'matrix') {
        if (a.rows.length !== b.rows.length) return unequal('matrix row counts differ');
        return compareOrdered(a.rows.flat(), b.rows.flat(), 'matrix');
      }
      const vector = vectorItems(b);
      if (vector && a.kind === 'bracket' && a.open === '(' && a.close === ')') return compareOrdered(a.items, vector, 'vector');
      return unequal('expected a matrix');
    }
    case 'equation':
      return unequal('expected an equation');
  }
}

/**
 * Is the predicted answer mathematically equal to the reference? Both are LaTeX answer strings
 * (already extracted, e.g. a `\boxed{}` content). Returns the verdict with a short reason.
 */
export function answersEquivalent(predicted: string, reference: string): Comparison {
  if (predicted.length > MAX_ANSWER_LENGTH) return unequal(`answer longer than ${MAX_ANSWER_LENGTH} characters`);
  const p = normalizeAnswer(predicted);
  const r = normalizeAnswer(reference);
  if (p.replace(/\s+/g, '') === r.replace(/\s+/g, '')) return equal('same text after normalisation');
  return compareNodes(parseAnswer(p), parseAnswer(r));
}
