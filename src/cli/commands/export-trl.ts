/**
 * `treecot export-trl`: a TRL training bundle (sft.yaml, dpo.yaml, launch.sh, prepare_data.py,
 * README.md, data/) from a folder written by `treecot build` (docs/method.md "Training mapping onto TRL").
 *
 *   treecot export-trl data/ --base Qwen/Qwen2.5-1.5B-Instruct --out trl/
 *   treecot export-trl data/ --base meta-llama/Llama-3.1-8B-Instruct --out trl/ --alpha 1 --eps 0.1 --beta 0.1
 *   treecot export-trl data/ --base ./my-model --out trl/ --masking none --max-length 8192
 *   treecot export-trl data/ --base Qwen/Qwen2.5-1.5B-Instruct --out trl/ --report-to tensorboard
 *   cd trl && pip install -r requirements.txt && ./launch.sh     # on the GPU machine
 *
 * The bundle pins trl>=0.20,<0.29: TRL 0.29 silently ignores label_smoothing for the sigmoid
 * loss (cDPO would become plain DPO); see the bundle's README.md.
 */
import { Option, type Command } from 'commander';
import { withFlagNames } from '../flag-names.ts';
import { numberOption } from '../number-options.ts';

interface ExportTrlCliOptions {
  base: string;
  out: string;
  beta: string;
  eps: string;
  alpha: string;
  masking: string;
  prefixBoundary: string;
  sftLr: string;
  dpoLr: string;
  sftEpochs: string;
  dpoEpochs: string;
  batchSize: string;
  gradAccum: string;
  maxLength: string;
  seed: string;
  reportTo: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('export-trl')
    .description('write a TRL bundle (sft.yaml, dpo.yaml for `trl sft/dpo --config`, launch.sh with accelerate) from built data')
    .argument('<data>', 'folder written by `treecot build` (sft.jsonl, dpo.jsonl)')
    .requiredOption('--base <model>', 'student model: Hugging Face id or local path')
    .requiredOption('--out <dir>', 'bundle folder')
    .option('--beta <x>', 'DPO beta', '0.1')
    .option('--eps <x>', 'cDPO label smoothing in [0, 0.5)', '0.1')
    .option('--alpha <x>', 'weight of the SFT term in the joint loss', '1')
    .addOption(
      new Option('--masking <kind>', 'prefix-in-prompt is the paper masking')
        .choices(['prefix-in-prompt', 'none'])
        .default('prefix-in-prompt'),
    )
    .addOption(new Option('--prefix-boundary <kind>', 'what prefix-in-prompt moves').choices(['thought', 'char']).default('thought'))
    .option('--sft-lr <x>', 'SFT learning rate', '2e-5')
    .option('--dpo-lr <x>', 'DPO learning rate', '1e-6')
    .option('--sft-epochs <n>', 'SFT epochs', '3')
    .option('--dpo-epochs <n>', 'DPO epochs', '1')
    .option('--batch-size <n>', 'per-device train batch size', '1')
    .option('--grad-accum <n>', 'gradient accumulation steps', '8')
    .option('--max-length <n>', 'max prompt + completion tokens', '4096')
    .option('--seed <n>', 'training seed', '0')
    .addOption(
      new Option('--report-to <logger>', 'TrainingArguments report_to: where transformers logs loss, rewards/* and learning_rate')
        .choices(['none', 'wandb', 'tensorboard'])
        .default('none'),
    )
    .option('--json', 'print {out, files, options} as one JSON object on stdout')
    .action(async (data: string, options: ExportTrlCliOptions) => {
      const { parseTrlBundleOptions, writeTrlBundle } = await import('../../data/index.ts');
      const { checkOutputLocation } = await import('../../core/index.ts');
      checkOutputLocation({ path: options.out, kind: 'folder', flag: '--out' });
      const bundleOptions = withFlagNames(
        () =>
          parseTrlBundleOptions(
            {
              base: options.base,
              beta: numberOption(options.beta, '--beta'),
              eps: numberOption(options.eps, '--eps'),
              alpha: numberOption(options.alpha, '--alpha'),
              masking: options.masking,
              prefixBoundary: options.prefixBoundary,
              sftLearningRate: numberOption(options.sftLr, '--sft-lr'),
              dpoLearningRate: numberOption(options.dpoLr, '--dpo-lr'),
              sftEpochs: numberOption(options.sftEpochs, '--sft-epochs'),
              dpoEpochs: numberOption(options.dpoEpochs, '--dpo-epochs'),
              perDeviceBatchSize: numberOption(options.batchSize, '--batch-size'),
              gradientAccumulationSteps: numberOption(options.gradAccum, '--grad-accum'),
              maxLength: numberOption(options.maxLength, '--max-length'),
              seed: numberOption(options.seed, '--seed'),
              reportTo: options.reportTo,
            },
            '(command line)',
          ),
        {
          sftLearningRate: '--sft-lr',
          dpoLearningRate: '--dpo-lr',
          perDeviceBatchSize: '--batch-size',
          gradientAccumulationSteps: '--grad-accum',
          reportTo: '--report-to',
        },
      );
      const files = writeTrlBundle(data, bundleOptions, options.out);
      if (options.json) {
        const { writeJsonLine } = await import('../json-output.ts');
        writeJsonLine({ out: options.out, files: [...files.keys()], options: bundleOptions });
        return;
      }
      process.stdout.write(
        `treecot export-trl: ${files.size} files -> ${options.out} (beta ${bundleOptions.beta}, eps ${bundleOptions.eps}, ` +
          `alpha ${bundleOptions.alpha}, masking ${bundleOptions.masking}); run: cd ${options.out} && pip install -r requirements.txt && ./launch.sh\n`,
      );
    });
}
