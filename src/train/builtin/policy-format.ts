/**
 * The built-in **policy** model's response formats (issue 10 item 1). For "How many g and n are
 * there in total in navigant?":
 *
 *   compact: <sub-task>g+n</sub-task><thinking>navigant</thinking><thinking>g:1</thinking>
 *            <thinking>n:2</thinking><double-check>1+2=3</double-check><answer>3</answer>
 *   marked:  <sub-task>g+n</sub-task><thinking>n1avig1an2t</thinking><thinking>g:1</thinking>
 *            <thinking>n:2</thinking><double-check>1+2=3</double-check><answer>3</answer>
 *
 * `compact` is the student's own trace (format.ts), so tree data teaches the student the phrasings
 * and the reflections, not a new way to spell (docs/builtin-model.md: SFT on marked-format data made
 * the student worse). `marked` spells the word with a running count after each asked letter, so every
 * count is a local decision (copy the next letter; if it is asked, write 1 + the number after its
 * previous mark); a 2-layer model learns it faster. The count steps read the last mark of each letter
 * (0 when it has none); the word carries only digits besides its letters (words are a-z), so
 * stripping digits gives the spelling back.
 *
 * In both formats one-letter questions get a double-check too (`n=2`; the student's compact trace has
 * none), so the search's reflection, which backtracks to a double-check ancestor
 * (configs/letter-count-policy.yaml), has one to hang on.
 *
 * A reflection row writes a wrong first attempt, the reflection the search prefills, and a complete
 * fresh re-think (spelled again, recounted), as the paper's long CoT does.
 */
import { renderThought } from '../../core/index.ts';
import { BUILTIN_TAGS, countLetter } from './format.ts';

/** The reflection thought exactly as configs/letter-count-policy.yaml prefills it. */
export const POLICY_REFLECTION = renderThought('reflection', "Wait! something is wrong, let's think again.");

/** How the policy spells the word: plain (`compact`) or with running counts (`marked`). */
export type PolicyFormat = 'compact' | 'marked';

export const POLICY_FORMATS: readonly PolicyFormat[] = ['compact', 'marked'];

/** The word with the running count written after each occurrence of an asked letter. */
export function markedSpelling(word: string, letters: readonly string[]): string {
  const seen = new Map<string, number>();
  let out = '';
  for (const c of word) {
    out += c;
    if (letters.includes(c)) {
      const n = (seen.get(c) ?? 0) + 1;
      seen.set(c, n);
      out += String(n);
    }
  }
  return out;
}

/** The numbers a marked spelling gives for each letter: its last mark, 0 when unmarked. */
export function countsFromMarkedSpelling(marked: string, letters: readonly string[]): number[] {
  return letters.map((letter) => {
    const marks = [...marked.matchAll(new RegExp(`${letter}(\\d+)`, 'g'))];
    return marks.length ? Number(marks.at(-1)![1]) : 0;
  });
}

/** One attempt: spelled word, per-letter counts and the double-check, each as the policy writes them. */
export interface PolicyAttempt {
  spelling: string;
  counts: number[];
  /** The sum written in the double-check (the answer follows it). */
  total: number;
}

/** The spelling step of `format` for `letters` in `word`. */
export function policySpelling(word: string, letters: readonly string[], format: PolicyFormat): string {
  return format === 'marked' ? markedSpelling(word, letters) : word;
}

/**
 * The format a response is written in: `marked` when its first thinking step (the spelling) carries
 * a digit, else `compact`. Words are a-z, so only a marked spelling holds digits.
 */
export function policyFormatOf(response: string): PolicyFormat {
  const spelling = /<thinking>([^<]*)<\/thinking>/.exec(response)?.[1] ?? '';
  return /\d/.test(spelling) ? 'marked' : 'compact';
}

/** The correct attempt for `letters` in `word`. */
export function correctAttempt(word: string, letters: readonly string[], format: PolicyFormat): PolicyAttempt {
  const counts = letters.map((l) => countLetter(word, l));
  return { spelling: policySpelling(word, letters, format), counts, total: counts.reduce((a, b) => a + b, 0) };
}

/** The thoughts of one attempt, from the spelling to the double-check (no sub-task, no answer). */
export function renderAttempt(letters: readonly string[], attempt: PolicyAttempt): string {
  const parts = [
    renderThought(BUILTIN_TAGS.thinking, attempt.spelling),
    ...letters.map((l, i) => renderThought(BUILTIN_TAGS.thinking, `${l}:${attempt.counts[i]}`)),
  ];
  const check = letters.length === 2 ? `${attempt.counts[0]}+${attempt.counts[1]}=${attempt.total}` : `${letters[0]}=${attempt.total}`;
  parts.push(renderThought(BUILTIN_TAGS.doubleCheck, check));
  return parts.join('');
}

/**
 * The policy's full response: sub-task, then (when `wrongFirst` is given) that attempt and the
 * reflection, then the correct attempt and the answer.
 * @throws RangeError for anything other than 1 or 2 distinct single letters.
 */
export function formatPolicyResponse(
  word: string,
  letters: readonly string[],
  wrongFirst?: PolicyAttempt,
  format: PolicyFormat = 'marked',
): string {
  if (letters.length < 1 || letters.length > 2 || letters.some((l) => !/^[a-z]$/.test(l)) || new Set(letters).size !== letters.length) {
    throw new RangeError(`formatPolicyResponse: expected 1 or 2 distinct letters a-z, got ${JSON.stringify(letters)}`);
  }
  const right = correctAttempt(word, letters, format);
  return [
    renderThought(BUILTIN_TAGS.subTask, letters.join('+')),
    wrongFirst ? renderAttempt(letters, wrongFirst) + POLICY_REFLECTION : '',
    renderAttempt(letters, right),
    renderThought(BUILTIN_TAGS.answer, String(right.total)),
  ].join('');
}
