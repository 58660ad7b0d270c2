/**
 * `treecot check`: verify predictions (or a data set's own gold solutions) with a task's verifier,
 * each check under a hard time limit in the VerifierPool.
 *
 *   treecot check --task gsm8k --data data/gsm8k/test.jsonl            # gold solutions
 *   treecot check --task math --data data/math500/test.jsonl --pred preds.jsonl --json
 *   treecot check --task aime --data data/aime/aime25.jsonl --pred preds.jsonl
 *   treecot check --task math --data my.jsonl --question-field q --answer-field a --id-field key
 *
 * `--pred` rows are `{"id": ..., "output": "model text"}`; `id` matches the data set's id (its `id`,
 * `unique_id` or `instance_id` field, or `--id-field`, else the 0-based row index). Several rows
 * may share an id (k samples per problem). Output: a summary (correct / wrong / no-answer /
 * timeouts); with `--json`, one JSON object per check on stdout (`id`, `verdict`, `extracted`,
 * `reference`, `reason`) and the summary on stderr.
 */
import type { Command } from 'commander';
import { integerOption, MAX_TIMER_MS } from '../number-options.ts';
import { writeJsonLine } from '../json-output.ts';

interface CheckOptions {
  task: string;
  data: string;
  pred?: string;
  json?: boolean;
  questionField?: string;
  answerField?: string;
  idField?: string;
  timeoutMs: string;
  workers: string;
  audit?: string;
  auditSeed: string;
  fromEval?: string;
}

export function register(program: Command): void {
  program
    .command('check')
    .description("verify predictions (--pred) or the data set's gold solutions with a task's verifier")
    .requiredOption('--task <name>', 'task: gsm8k, math, math-lenient, aime, blocksworld, ifeval, ifeval-loose, letter-count, arithmetic')
    .requiredOption('--data <file>', 'problems file (JSONL or JSON array)')
    .option('--pred <file>', 'predictions JSONL: {"id": ..., "output": "model text"} per line')
    .option('--json', 'one JSON object per check on stdout (summary goes to stderr)')
    .option('--question-field <field>', 'question field in --data (task default otherwise)')
    .option('--answer-field <field>', 'reference answer field in --data (task default otherwise)')
    .option('--id-field <field>', 'id field in --data (default: id, unique_id, instance_id, else row index)')
    .option('--timeout-ms <ms>', 'hard time limit per check', '2000')
    .option('--workers <n>', 'verifier worker threads', '2')
    .option('--from-eval <dir>', "predictions from an eval folder's questions.jsonl (every sample)")
    .option('--audit <n>', 'show n sampled verdicts whole: extracted, reference, deciding rule, normalised forms')
    .option('--audit-seed <n>', 'seed of the audit sample', '0')
    .action(async (options: CheckOptions) => {
      const { getTask, VerifierPool } = await import('../../tasks/index.ts');
      const { readRecords, requireField, DataError, ConfigError } = await import('../../core/index.ts');
      const task = getTask(options.task);
      const timeoutMs = integerOption(options.timeoutMs, '--timeout-ms', 1, MAX_TIMER_MS);
      // Each worker is a thread with its own tsx and compute-engine (~50 MB); more than 64 only exhausts memory.
      const workers = integerOption(options.workers, '--workers', 1, 64);
      const problems = task.load(options.data, {
        questionField: options.questionField,
        answerField: options.answerField,
        idField: options.idField,
      });
      if (problems.length === 0) throw new DataError({ file: options.data }, 'no problems in this file');
      const byId = new Map(problems.map((p) => [p.id, p]));

      const items: Array<{ id: string; output: string }> = [];
      let missing = 0;
      if (options.fromEval) {
        if (options.pred) throw new ConfigError({ file: '--from-eval' }, 'pass either --pred or --from-eval, not both');
        const { evalFolderPredictions } = await import('../../tasks/audit.ts');
        for (const row of evalFolderPredictions(options.fromEval)) {
          if (!byId.has(row.id))
            throw new DataError({ file: options.fromEval, field: 'question_id' }, `no problem with id "${row.id}" in ${options.data}`);
          items.push(row);
        }
        const predicted = new Set(items.map((i) => i.id));
        missing = problems.filter((p) => !predicted.has(p.id)).length;
      } else if (options.pred) {
        for (const row of readRecords(options.pred)) {
          const id = String(requireField(row, options.pred, 'id', 'string|number'));
          const output = requireField(row, options.pred, 'output', 'string') as string;
          if (!byId.has(id))
            throw new DataError({ file: options.pred, line: row.line, field: 'id' }, `no problem with id "${id}" in ${options.data}`);
          items.push({ id, output });
        }
        if (items.length === 0) throw new DataError({ file: options.pred }, 'no predictions in this file');
        const predicted = new Set(items.map((i) => i.id));
        if (predicted.size < items.length) {
          // Several rows per id are k samples of one problem (docs/tasks.md); say so, as every row counts.
          process.stderr.write(
            `treecot check: ${items.length} predictions for ${predicted.size} ids: rows sharing an id are scored as samples of one problem, each counted\n`,
          );
        }
        missing = problems.filter((p) => !predicted.has(p.id)).length;
      } else {
        for (const problem of problems) {
          const gold = task.goldOutput?.(problem) ?? null;
          if (gold === null) missing++;
          else items.push({ id: problem.id, output: gold });
        }
        if (items.length === 0) {
          throw new ConfigError(
            { file: options.data },
            `task "${task.name}" finds no gold solutions in this file; pass --pred with model outputs`,
          );
        }
      }

      const pool = new VerifierPool({ workers, timeoutMs });
      const started = performance.now();
      const counts = { correct: 0, wrong: 0, no_answer: 0, timeout: 0 };
      const audit = options.audit === undefined ? 0 : integerOption(options.audit, '--audit', 1, 100_000);
      const checked: Array<{ id: string; verdict: import('../../tasks/index.ts').Verdict }> = [];
      try {
        const pending = items.map((item) => pool.verify(task.name, item.output, byId.get(item.id)!));
        for (let i = 0; i < items.length; i++) {
          const verdict = await pending[i]!;
          counts[verdict.verdict]++;
          checked.push({ id: items[i]!.id, verdict });
          if (options.json) {
            // details: Blocksworld's first failing step, IFEval's per-instruction results.
            const { verdict: kind, extracted, reference, reason, details } = verdict;
            writeJsonLine({ id: items[i]!.id, verdict: kind, extracted, reference, reason, details });
          }
        }
      } finally {
        await pool.close();
      }
      const seconds = (performance.now() - started) / 1000;
      const total = items.length;
      const pct = (n: number) => `${((100 * n) / total).toFixed(1)}%`;
      const lines = [
        `task ${task.name}, ${options.data}: ${total} checks (${options.pred ? `predictions from ${options.pred}` : 'gold solutions'})`,
        `correct    ${counts.correct} (${pct(counts.correct)})`,
        `wrong      ${counts.wrong} (${pct(counts.wrong)})`,
        `no-answer  ${counts.no_answer} (${pct(counts.no_answer)})`,
        `timeouts   ${counts.timeout} (${pct(counts.timeout)})`,
      ];
      const { countByRule, auditSample, auditBlock } = await import('../../tasks/audit.ts');
      lines.push('by deciding rule:', ...countByRule(checked.map((c) => c.verdict)));
      if (missing) lines.push(`not checked: ${missing} problems without ${options.pred ? 'a prediction' : 'a gold solution'}`);
      lines.push(
        `time ${seconds.toFixed(2)} s (${(total / Math.max(seconds, 1e-9)).toFixed(0)} checks/s, limit ${timeoutMs} ms per check)`,
      );
      if (audit) {
        const { normalizeAnswer } = await import('../../tasks/index.ts');
        const normalize = ['math', 'math-lenient', 'aime'].includes(task.name) ? normalizeAnswer : (answer: string) => answer;
        const seed = integerOption(options.auditSeed, '--audit-seed', 0, 2 ** 31);
        const sample = auditSample(checked, audit, seed);
        lines.push(
          '',
          `audit: ${sample.length} of ${checked.length} verdicts (seed ${seed}, round-robin over verdict kinds)`,
          ...sample.map((c) => auditBlock(c, normalize)),
        );
      }
      (options.json ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);
    });
}
