import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactMcNemar, wilsonInterval, type EvalQuestionRecord } from '../../src/eval/index.ts';
import type { VerdictKind } from '../../src/tasks/index.ts';
import { renderReportHtml, renderReportMarkdown } from '../../src/pipeline/index.ts';
import { addRunStatistics } from '../../src/pipeline/summary-statistics.ts';
import type { RunSummary, SetResult } from '../../src/pipeline/summary-types.ts';

function record(id: string, verdict: VerdictKind): EvalQuestionRecord {
  return {
    question_id: id,
    question: id,
    reference: '2',
    n: 1,
    correct: verdict === 'correct' ? 1 : 0,
    samples: [
      {
        text: '',
        verdict,
        extracted: null,
        length_chars: 0,
        completion_tokens: 0,
        finish_reason: 'stop',
        reflection_markers: 0,
        repeated_line_rate: 0,
      },
    ],
    prompt_tokens: 0,
  };
}

/** Stage verdicts on 10 questions: base 3 right; sft 8 right (all of base's plus 5); final 7 (loses one). */
const VERDICTS: Record<string, VerdictKind[]> = {
  base: ['correct', 'correct', 'correct', 'wrong', 'wrong', 'wrong', 'wrong', 'wrong', 'no_answer', 'no_answer'],
  sft: ['correct', 'correct', 'correct', 'correct', 'correct', 'correct', 'correct', 'correct', 'wrong', 'no_answer'],
  final: ['correct', 'correct', 'correct', 'correct', 'correct', 'correct', 'correct', 'wrong', 'wrong', 'wrong'],
};

function fixture(): { dir: string; summary: RunSummary } {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-run-stats-'));
  const stages = Object.entries(VERDICTS).map(([stage, verdicts]) => {
    mkdirSync(join(dir, 'eval', stage), { recursive: true });
    writeFileSync(
      join(dir, 'eval', stage, 'questions.jsonl'),
      verdicts.map((v, i) => JSON.stringify(record(`q${i}`, v))).join('\n') + '\n',
    );
    const right = verdicts.filter((v) => v === 'correct').length / 10;
    const set: SetResult = {
      set: 'held-out',
      n: 10,
      samples_per_question: 1,
      accuracy: right,
      no_answer_rate: verdicts.filter((v) => v === 'no_answer').length / 10,
      pass_at_k: { '1': right },
      majority_baseline: { answer: '2', accuracy: 1 },
      mean_length_chars: 0,
      median_length_chars: 0,
      reflection_markers_per_response: 0,
      repeated_line_rate: 0,
      questions_file: `eval/${stage}/questions.jsonl`,
    };
    return {
      stage,
      description: stage,
      model: `${stage}.gguf`,
      accuracy: set.accuracy,
      no_answer_rate: set.no_answer_rate,
      n: 10,
      set: set.set,
      sets: [set],
    };
  });
  return {
    dir,
    summary: {
      name: 'stats',
      task: 'letter-count',
      config_hash: 'abc',
      written_at: 'now',
      stages,
      search: [],
      data: [],
      train: [],
      stage_wall_s: {},
    },
  };
}

test('addRunStatistics: standard errors per set, paired changes against the base and the previous stage', () => {
  const { dir, summary } = fixture();
  const out = addRunStatistics(summary, dir);
  const [base, sft, final] = out.stages.map((s) => s.sets[0]!);
  assert.ok(Math.abs(base!.accuracy_se! - Math.sqrt((0.3 * 0.7) / 10)) < 1e-12);
  assert.deepEqual(base!.accuracy_ci95, wilsonInterval(3, 10));
  assert.ok(Math.abs(base!.no_answer_rate_se! - Math.sqrt((0.2 * 0.8) / 10)) < 1e-12);
  assert.equal(base!.vs_base, undefined);
  // sft vs base: right only under sft on q3..q7 (5), only under base on none -> 2 / 2^5.
  assert.equal(sft!.base_stage, 'base');
  assert.equal(sft!.vs_base!.accuracy.onlyB, 5);
  assert.equal(sft!.vs_base!.accuracy.onlyA, 0);
  assert.equal(sft!.vs_base!.accuracy.pValue, exactMcNemar(0, 5));
  assert.ok(Math.abs(sft!.vs_base!.accuracy.pValue - 0.0625) < 1e-12);
  // final vs sft (previous): loses q7, gains none -> p = 1; final vs base: gains q3..q6 (4), loses none.
  assert.equal(final!.previous_stage, 'sft');
  assert.equal(final!.vs_previous!.accuracy.onlyA, 1);
  assert.equal(final!.vs_previous!.accuracy.pValue, 1);
  assert.equal(final!.vs_base!.accuracy.onlyB, 4);
  assert.ok(Math.abs(final!.vs_base!.no_answer_rate.difference - -0.2) < 1e-12);
  const md = renderReportMarkdown(out);
  assert.match(md, /30\.0% ± 14\.5 \(10\.8-60\.3\)/); // base accuracy with SE and Wilson interval
  assert.match(
    md,
    /\| held-out \| sft \| \+50\.0 points \(SE 16\.7, exact-mcnemar p = 0\.063; better on 5, worse on 0 of 10\) \[vs base\]/,
  );
  const html = renderReportHtml(out);
  assert.match(html, /Changes between stages \(paired tests\)/);
  assert.match(html, /exact-mcnemar p = 0\.063/);
});

test('addRunStatistics names the file and line of a malformed questions.jsonl', () => {
  const { dir, summary } = fixture();
  writeFileSync(join(dir, 'eval', 'sft', 'questions.jsonl'), JSON.stringify(record('q0', 'correct')) + '\n{"question_id": \n');
  assert.throws(
    () => addRunStatistics(summary, dir),
    (error: Error) => error.message.includes(`${join(dir, 'eval', 'sft', 'questions.jsonl')}:2:`),
  );
});
