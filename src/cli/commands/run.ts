/**
 * `treecot run`: the whole job in one resumable run folder: search -> build -> train (SFT, then
 * cDPO + joint loss + prefix masking) -> eval, with summary.json, report.md and report.html.
 *
 *   treecot run --config configs/pipeline-demo.yaml --out runs/demo
 *   treecot run --config configs/pipeline-demo.yaml --out runs/demo --ablation --alpha-sweep 0,0.5,1,1.5,2
 *   treecot run --config configs/pipeline-gsm8k-vllm.yaml --out runs/gsm8k
 *
 * Re-running the same command resumes: finished stages are skipped, an interrupted stage continues.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.ts';
import { COMMAND_LINE, numberOption } from '../number-options.ts';
import { exitOnInterrupt } from '../interrupt.ts';

/**
 * Parse "0,0.5,1" into numbers >= 0 (each item as numberOption reads it; an empty item is an error).
 * @throws ConfigError naming --alpha-sweep and the bad item.
 */
export function parseAlphaList(text: string): number[] {
  return text.split(',').map((item) => numberOption(item, '--alpha-sweep', 0));
}

export function register(program: Command): void {
  program
    .command('run')
    .description('search -> build -> train -> eval in one resumable run folder, with summary.json and an HTML report')
    .requiredOption('--config <file>', 'pipeline config (YAML or JSON)')
    .option('--out <dir>', 'run folder (default runs/<config name>)')
    .option('--ablation', "also train and evaluate the paper's ablation rows (DPO, +length balance, +cDPO, +joint, +masking)")
    .option('--alpha-sweep [list]', 'also train the final objective for each alpha', '')
    .option(
      '--data <file>',
      "evaluate also on this file, as the headline set named after the file (e.g. the authors' letter_count_hard.json)",
    )
    .option('--fresh', 'delete the run folder first')
    .option('--json', 'print the run summary (summary.json) as one JSON object on stdout; the results table goes to stderr')
    .action(
      async (options: {
        config: string;
        out?: string;
        ablation?: boolean;
        alphaSweep?: string | boolean;
        data?: string;
        fresh?: boolean;
        json?: boolean;
      }) => {
        const { loadPipelineConfig } = await import('../../pipeline/index.ts');
        const loaded = loadPipelineConfig(options.config);
        await runLoadedPipeline(loaded, options);
      },
    );
}

/** Shared by `run` and `demo`: apply --data / --fresh, then run with progress on stderr. */
export async function runLoadedPipeline(
  loaded: import('../../pipeline/index.ts').LoadedPipelineConfig,
  options: { out?: string; ablation?: boolean; alphaSweep?: string | boolean; data?: string; fresh?: boolean; json?: boolean },
): Promise<void> {
  const { runPipeline, checkConfigFiles } = await import('../../pipeline/index.ts');
  const { existsSync, readdirSync, rmSync } = await import('node:fs');
  const { resolve, join } = await import('node:path');
  // Every file the config names must exist before the run folder (and its pipeline.json) is created.
  checkConfigFiles(loaded);
  if (options.data && !existsSync(options.data)) {
    throw new ConfigError({ file: COMMAND_LINE, field: '--data' }, `file not found: ${resolve(options.data)}`);
  }
  if (options.data) {
    // The file becomes the headline set; the config's sets (e.g. held-out generated questions) stay beside it.
    const { basename, extname } = await import('node:path');
    const name =
      basename(options.data, extname(options.data))
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, '-') || 'data';
    const sets = loaded.config.eval.sets.filter((s) => s.name !== name);
    loaded.config.eval.sets = [{ name, file: resolve(options.data) } as (typeof sets)[number], ...sets];
  }
  const { relative, isAbsolute } = await import('node:path');
  const { checkOutputLocation } = await import('../../core/index.ts');
  if (options.out === undefined) {
    // The default run folder is runs/<name>: a name such as ../../x must not lead outside runs/.
    const inRuns = relative(resolve('runs'), resolve('runs', loaded.config.name));
    if (inRuns === '' || inRuns.startsWith('..') || isAbsolute(inRuns) || /[\\/]/.test(loaded.config.name)) {
      throw new ConfigError(
        { file: loaded.file, field: 'name' },
        `"${loaded.config.name}" is not a plain folder name (letters, digits, . _ -); it names the run folder runs/<name>. Rename it or give --out`,
      );
    }
  }
  const outDir = resolve(options.out ?? join('runs', loaded.config.name));
  checkOutputLocation({ path: outDir, kind: 'folder', flag: options.out === undefined ? '--out (default runs/<name>)' : '--out' });
  if (options.fresh && existsSync(outDir)) {
    if (!existsSync(join(outDir, 'pipeline.json')) && readdirSync(outDir).length > 0) {
      throw new ConfigError(
        { file: COMMAND_LINE, field: '--fresh' },
        `${outDir} is not a treecot run folder (no pipeline.json); refusing to delete it`,
      );
    }
    rmSync(outDir, { recursive: true, force: true });
  }
  const alphaSweep =
    typeof options.alphaSweep === 'string' && options.alphaSweep !== ''
      ? parseAlphaList(options.alphaSweep)
      : options.alphaSweep === true
        ? loaded.config.ablation.alpha_sweep
        : undefined;
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  log(`run folder ${outDir}`);
  // Every stage commits as it goes (search nodes, stage markers, atomic files), so an interrupt
  // loses at most the step in progress; the same command resumes.
  const removeHandlers = exitOnInterrupt(
    () =>
      `treecot run: interrupted; finished stages and the current stage's committed work are kept in ${outDir}; re-run the same command to resume`,
  );
  let summary;
  try {
    summary = await runPipeline({ loaded, outDir, ablation: options.ablation, alphaSweep, log });
  } finally {
    removeHandlers();
  }
  const { percent, withError } = await import('../../eval/index.ts');
  const lines = summary.stages.map((s) => {
    // Accuracy ± SE (95% CI); the paired change against the base stage with its p-value.
    const sets = s.sets
      .map((x) => {
        const change = x.vs_base
          ? `, vs ${x.base_stage} ${x.vs_base.accuracy.difference >= 0 ? '+' : ''}${(x.vs_base.accuracy.difference * 100).toFixed(1)} points p=${x.vs_base.accuracy.pValue.toPrecision(2)}`
          : '';
        return `${x.set} ${withError(x.accuracy, x.accuracy_se, x.accuracy_ci95)} (no-answer ${withError(x.no_answer_rate, x.no_answer_rate_se)}, majority ${percent(x.majority_baseline.accuracy)}${change})`;
      })
      .join('; ');
    return `  ${s.stage.padEnd(16)} ${sets}`;
  });
  if (options.json) {
    const { writeJsonLine } = await import('../json-output.ts');
    writeJsonLine(summary);
  }
  (options.json ? process.stderr : process.stdout).write(
    `\nResults (${((Date.now() - started) / 1000).toFixed(0)} s; report: ${join(outDir, 'report.html')})\n${lines.join('\n')}\n`,
  );
  // Last, so it is what a person sees at the end of the output.
  reportSearchFailures(summary, outDir, (await import('../../pipeline/index.ts')).searchFailures(summary, outDir));
}

/**
 * Partial failure (docs/cli.md, exit 2): searched questions stopped on errors and are left out of the
 * data. Say which and why on stderr; the search stage counts as done, so only --fresh searches them again.
 */
function reportSearchFailures(
  summary: import('../../pipeline/index.ts').RunSummary,
  outDir: string,
  failures: import('../../pipeline/index.ts').SearchFailure[],
): void {
  if (failures.length === 0) return;
  const searched = summary.search.reduce((n, s) => n + s.questions, 0);
  process.stderr.write(
    `treecot run: ${failures.length} of ${searched} searched questions stopped on errors after their retries and are left out of the training data:\n`,
  );
  for (const f of failures.slice(0, 5)) process.stderr.write(`  round ${f.round} question ${f.questionId}: ${f.error}\n`);
  if (failures.length > 5)
    process.stderr.write(`  ... and ${failures.length - 5} more (\`treecot tree ${failures[0]!.db} QID\` shows a tree)\n`);
  process.stderr.write(
    `treecot run: the search stage is complete, so a re-run keeps them out; fix the policy and start over with --fresh (deletes ${outDir})\n`,
  );
  process.exitCode = 2;
}
