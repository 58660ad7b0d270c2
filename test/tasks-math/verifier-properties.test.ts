/**
 * Property tests for the GSM8K and math verifiers (issue 11): a random number, fraction, list or
 * interval rendered in several equivalent ways is equal; a one-digit change, a dropped list item, a
 * changed sign or a changed bound is not. Seeded, so a failure replays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gsm8kTask, answersEquivalent, canonicalDecimal, type Problem } from '../../src/tasks/index.ts';

const SEED = 11;
const gsm8k = (answer: string): Problem => ({ id: '0', question: 'q', reference: { answer, solution: null } });
const withCommas = (n: bigint): string => (n < 0n ? '-' : '') + (n < 0n ? -n : n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
/** `text` with its digit at `index` (among digits) changed by `+delta` mod 10. */
function changeDigit(text: string, index: number, delta: number): string {
  let seen = -1;
  return text.replace(/\d/g, (d) => (++seen === index ? String((Number(d) + delta) % 10) : d));
}

test('gsm8k: a number in any accepted rendering is correct; a changed digit, sign or a range is not', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: -10_000_000n, max: 10_000_000n }),
      fc.nat(),
      fc.integer({ min: 1, max: 9 }),
      fc.bigInt({ min: 1n, max: 999n }),
      (n, digitPick, delta, m) => {
        const reference = canonicalDecimal(n.toString())!;
        const renderings = [
          `#### ${n}`,
          `#### ${withCommas(n)}`,
          `\\boxed{${n}}`,
          `The answer is ${n}.`,
          `#### ${n}.00`,
          `#### $${withCommas(n)}`,
          `#### ${n - m} + ${m} = ${n}`,
          `\\boxed{${2n * n}/2}`,
          `#### ${n} dollars`,
        ];
        for (const output of renderings) assert.equal(gsm8kTask.verify(output, gsm8k(reference)).verdict, 'correct', output);
        const digits = reference.replace(/\D/g, '').length;
        const changed = changeDigit(n.toString(), digitPick % digits, delta);
        const nearMisses = [
          `#### ${changed}`,
          `#### ${n} + ${m}`,
          `#### ${n}-${n + m}`,
          `\\boxed{${n}/${m + 1n}}`.replace(`/${m + 1n}}`, `/${(m % 7n) + 2n}}`),
        ];
        if (n !== 0n) nearMisses.push(`#### ${-n}`);
        for (const output of nearMisses) {
          if (output.includes('/') && n % ((m % 7n) + 2n) === 0n) continue; // an integer quotient may be a right answer only by chance
          assert.notEqual(gsm8kTask.verify(output, gsm8k(reference)).verdict, 'correct', `${output} vs ${reference}`);
        }
      },
    ),
    { seed: SEED, numRuns: 300 },
  );
});

const rational = fc
  .tuple(fc.integer({ min: -999, max: 999 }), fc.integer({ min: 1, max: 99 }))
  .filter(([p, q]) => p !== 0 && gcd(Math.abs(p), q) === 1 && q > 1);
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
/** Terminating decimal of p/q, or null. */
function decimal(p: number, q: number): string | null {
  let d = q;
  while (d % 2 === 0) d /= 2;
  while (d % 5 === 0) d /= 5;
  return d === 1 ? String(p / q) : null;
}

test('math: a fraction written several ways is equal; a changed sign or digit is not', () => {
  fc.assert(
    fc.property(rational, fc.integer({ min: 2, max: 9 }), fc.integer({ min: 1, max: 9 }), ([p, q], k, delta) => {
      const reference = `\\frac{${p}}{${q}}`;
      const forms = [
        `${p}/${q}`,
        `\\dfrac{${p}}{${q}}`,
        `\\frac{${p * k}}{${q * k}}`,
        `${p < 0 ? '-' : ''}\\frac{${Math.abs(p)}}{${q}}`,
        `\\frac{${p}}{${q}}.`,
      ];
      const dec = decimal(p, q);
      if (dec) forms.push(dec, `$${dec}$`);
      for (const form of forms) assert.equal(answersEquivalent(form, reference).equal, true, `${form} vs ${reference}`);
      const changed = changeDigit(String(Math.abs(p)), 0, delta);
      for (const near of [`\\frac{${-p}}{${q}}`, `\\frac{${p < 0 ? '-' : ''}${changed}}{${q}}`, `\\frac{${q}}{${p}}`]) {
        assert.equal(answersEquivalent(near, reference).equal, false, `${near} vs ${reference}`);
      }
    }),
    { seed: SEED, numRuns: 60 },
  );
});

test('math: a list in any order and joining is equal; a dropped or changed item is not', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: -50, max: 50 }), { minLength: 2, maxLength: 5 }), fc.nat(), (items, pick) => {
      const reference = items.join(', ');
      const reversed = [...items].reverse();
      const forms = [
        reversed.join(', '),
        `\\{${reversed.join(',')}\\}`,
        reversed.join(' \\text{ and } '),
        reversed.join('; '),
        `${reversed.slice(0, -1).join(', ')}, and ${reversed.at(-1)}`,
      ];
      for (const form of forms) assert.equal(answersEquivalent(form, reference).equal, true, `${form} vs ${reference}`);
      const k = pick % items.length;
      const dropped = items.filter((_, i) => i !== k).join(', ');
      const changed = items.map((v, i) => (i === k ? v + 100 : v)).join(', ');
      for (const near of [dropped, changed]) assert.equal(answersEquivalent(near, reference).equal, false, `${near} vs ${reference}`);
    }),
    { seed: SEED, numRuns: 60 },
  );
});

test('math: an inequality equals its interval; a changed bound or closedness is not', () => {
  fc.assert(
    fc.property(rational, fc.boolean(), fc.boolean(), ([p, q], upper, closed) => {
      const bound = `\\frac{${p}}{${q}}`;
      const op = upper ? (closed ? '\\leq' : '<') : closed ? '\\geq' : '>';
      const ascii = upper ? (closed ? '<=' : '<') : closed ? '>=' : '>';
      const interval = upper ? `(-\\infty, ${bound}${closed ? ']' : ')'}` : `${closed ? '[' : '('}${bound}, \\infty)`;
      const reference = `x ${op} ${bound}`;
      for (const form of [interval, `x ${ascii} ${p}/${q}`, `${bound} ${upper ? (closed ? '\\geq' : '>') : closed ? '\\leq' : '<'} x`]) {
        assert.equal(answersEquivalent(form, reference).equal, true, `${form} vs ${reference}`);
      }
      const otherClosed = upper ? (closed ? '<' : '\\leq') : closed ? '>' : '\\geq';
      for (const near of [`x ${op} \\frac{${p + 1}}{${q}}`, `x ${otherClosed} ${bound}`, `x ${op} ${-p}/${q}`]) {
        assert.equal(answersEquivalent(near, reference).equal, false, `${near} vs ${reference}`);
      }
    }),
    { seed: SEED, numRuns: 60 },
  );
});
