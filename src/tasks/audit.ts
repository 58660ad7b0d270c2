/**
 * `treecot check --audit N`: a sample of verdicts shown whole, so a user can spot a bad reward in
 * minutes: per verdict the extracted answer, the reference, the rule that decided, the normalised
 * forms that were compared and the reason. The sample is seeded (same input, same sample) and
 * stratified by verdict kind so rare wrong/no-answer verdicts are not drowned by correct ones.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Verdict } from './types.ts';

export interface AuditedCheck {
  id: string;
  verdict: Verdict;
}

/** Predictions from an eval folder's `questions.jsonl`: one row per sample `{id, output}`. */
export function evalFolderPredictions(dir: string): Array<{ id: string; output: string }> {
  const file = join(dir, 'questions.jsonl');
  const rows: Array<{ id: string; output: string }> = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      let record: { question_id?: unknown; samples?: Array<{ text?: unknown }> };
      try {
        record = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${index + 1}: not JSON`);
      }
      if (typeof record.question_id !== 'string' || !Array.isArray(record.samples))
        throw new Error(`${file}:${index + 1}: field "question_id" or "samples" missing`);
      for (const sample of record.samples) if (typeof sample.text === 'string') rows.push({ id: record.question_id, output: sample.text });
    });
  return rows;
}

/** Deterministic pseudo-random order (mulberry32) for the sample. */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Up to `n` checks, taken round-robin over verdict kinds, each kind in seeded random order. */
export function auditSample(checks: AuditedCheck[], n: number, seed: number): AuditedCheck[] {
  const byKind = new Map<string, AuditedCheck[]>();
  for (const check of shuffled(checks, seed)) byKind.set(check.verdict.verdict, [...(byKind.get(check.verdict.verdict) ?? []), check]);
  const queues = [...byKind.values()];
  const out: AuditedCheck[] = [];
  while (out.length < n && queues.some((q) => q.length)) for (const q of queues) if (q.length && out.length < n) out.push(q.shift()!);
  return out;
}

/** Text block for one audited verdict. `normalize` gives the compared form of an answer. */
export function auditBlock(check: AuditedCheck, normalize: (answer: string) => string): string {
  const v = check.verdict;
  const lines = [
    `${check.id}  ${v.verdict.toUpperCase()}  rule: ${v.rule ?? '(none)'}`,
    `  extracted   ${JSON.stringify(v.extracted)}`,
    `  reference   ${JSON.stringify(v.reference)}`,
  ];
  if (v.extracted !== null)
    lines.push(`  normalised  ${JSON.stringify(normalize(v.extracted))} vs ${JSON.stringify(normalize(v.reference))}`);
  lines.push(`  reason      ${v.reason}`);
  return lines.join('\n');
}

/** `rule  count` lines, most frequent first. */
export function countByRule(verdicts: Verdict[]): string[] {
  const counts = new Map<string, number>();
  for (const v of verdicts) {
    const key = `${v.verdict}: ${v.rule ?? '(none)'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([rule, count]) => `  ${String(count).padStart(6)}  ${rule}`);
}
