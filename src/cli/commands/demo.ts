/**
 * `treecot demo` (also `npm start`): the whole pipeline on letter counting with the two built-in
 * models: the policy searches, the student is trained on the tree data (docs/pipeline.md, "The full
 * profile, measured" and the sections after it). Profiles: `quick` (configs/pipeline-demo.yaml,
 * within 15 minutes on 2 cores), `full` (configs/pipeline-demo-full.yaml: more searched questions,
 * larger evaluation sets, the authors' 500) and `single` (configs/pipeline-demo-single.yaml: the
 * older one-model demo).
 *
 *   npx treecot demo                                   # held-out generated questions (no data needed)
 *   npx treecot demo --profile full
 *   npx treecot demo --data data/letter-count/letter_count_hard.json   # the authors' 500 as the first set
 *   npx treecot demo --out /tmp/demo --fresh
 */
import { Option, type Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const CONFIGS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'configs');
/** The demo's configs of this package, by profile (works from any current directory). */
export const DEMO_PROFILES: Record<string, string> = {
  quick: join(CONFIGS, 'pipeline-demo.yaml'),
  full: join(CONFIGS, 'pipeline-demo-full.yaml'),
  single: join(CONFIGS, 'pipeline-demo-single.yaml'),
};
/** configs/pipeline-demo.yaml of this package. */
export const DEMO_CONFIG = DEMO_PROFILES.quick!;

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'run the whole pipeline on letter counting: the built-in policy searches, the built-in student is trained on the trees (docs/pipeline.md)',
    )
    .addOption(
      new Option('--profile <name>', 'quick (within 15 min on 2 cores), full (the headline numbers) or single (the older one-model demo)')
        .choices(Object.keys(DEMO_PROFILES))
        .default('quick'),
    )
    .option('--data <file>', "also evaluate on this file, as the headline set (e.g. the authors' letter_count_hard.json)")
    .option('--out <dir>', 'run folder', 'treecot-demo')
    .option('--config <file>', 'pipeline config (instead of a profile)')
    .option('--fresh', 'delete the run folder first (otherwise a re-run resumes and skips finished stages)')
    .option('--json', 'print the run summary (summary.json) as one JSON object on stdout; the results table goes to stderr')
    .action(async (options: { data?: string; out: string; config?: string; profile: string; fresh?: boolean; json?: boolean }) => {
      const { loadPipelineConfig } = await import('../../pipeline/index.ts');
      const { ConfigError } = await import('../../core/index.ts');
      const { runLoadedPipeline } = await import('./run.ts');
      const config = options.config ?? DEMO_PROFILES[options.profile];
      if (!config)
        throw new ConfigError(
          { file: '(command line)', field: '--profile' },
          `unknown profile "${options.profile}"; use ${Object.keys(DEMO_PROFILES).join(', ')}`,
        );
      const loaded = loadPipelineConfig(config);
      await runLoadedPipeline(loaded, { out: options.out, data: options.data, fresh: options.fresh, json: options.json });
    });
}
