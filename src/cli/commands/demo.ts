/**
 * `treecot demo` (also `npm start`): the whole pipeline with the built-in model and a quick
 * profile (configs/pipeline-demo.yaml): 2 min 53 s measured on 2 cores with the authors' 500 as a
 * second evaluation set (docs/pipeline.md "Measured").
 *
 *   npx treecot demo                                   # held-out generated questions (no data needed)
 *   npx treecot demo --data data/letter-count/letter_count_hard.json   # the authors' 500
 *   npx treecot demo --out /tmp/demo --fresh
 */
import type { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** configs/pipeline-demo.yaml of this package (works from any current directory). */
export const DEMO_CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'configs', 'pipeline-demo.yaml');

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'run the whole pipeline with the built-in model on letter counting (quick profile: about 3 min on 2 cores, docs/pipeline.md)',
    )
    .option('--data <file>', "also evaluate on this file, as the headline set (e.g. the authors' letter_count_hard.json)")
    .option('--out <dir>', 'run folder', 'treecot-demo')
    .option('--config <file>', 'pipeline config', DEMO_CONFIG)
    .option('--fresh', 'delete the run folder first (otherwise a re-run resumes and skips finished stages)')
    .option('--json', 'print the run summary (summary.json) as one JSON object on stdout; the results table goes to stderr')
    .action(async (options: { data?: string; out: string; config: string; fresh?: boolean; json?: boolean }) => {
      const { loadPipelineConfig } = await import('../../pipeline/index.ts');
      const { runLoadedPipeline } = await import('./run.ts');
      const loaded = loadPipelineConfig(options.config);
      await runLoadedPipeline(loaded, { out: options.out, data: options.data, fresh: options.fresh, json: options.json });
    });
}
