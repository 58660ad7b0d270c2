/**
 * `treecot build`: search database -> SFT rows, DPO pairs, stats, card and exports
 * (docs/method.md sections 2-3; docs/data.md).
 *
 *   treecot build run.db --out data/                               # paper defaults
 *   treecot build run.db --out data/ --sft all --sft-per-question 4 --pairs-per-question 2
 *   treecot build run.db --out data/ --chosen random --seed 7 --max-length 6000 --parquet
 *   treecot build run.db --out data/ --strip-tags --json          # stats.json on stdout
 *   treecot build run.db --out data/ --tokenizer builtin          # lengths/prefixes in built-in-model tokens
 *   treecot build run.db --out data/ --process-check              # drop correct paths with wrong steps (letter-count)
 *   treecot build run.db --out data/ --process-check --questions problems.jsonl   # judge each question by its own word and letters
 *   treecot build run.db --out data/ --node-ids rowid             # SQLite rowids instead of per-question node ids
 *
 * Writes DIR/sft.jsonl, DIR/dpo.jsonl (TRL plain format + provenance), paths.jsonl, stats.json,
 * card.md, manifest.json, trl/, llama-factory/, openrlhf/ (and .parquet files with --parquet).
 * All files are staged and renamed into place; on any error nothing is written.
 */
import { Option, type Command } from 'commander';
import { optionalIntegerOption, runIdOption } from '../number-options.ts';
import { withFlagNames } from '../flag-names.ts';
import type { NodeIdKind } from '../../store/index.ts';
import { writeJsonLine } from '../json-output.ts';

interface BuildCliOptions {
  out: string;
  sft: string;
  sftPerQuestion?: string;
  chosen: string;
  pairsPerQuestion: string;
  maxLength?: string;
  stripTags?: boolean;
  seed: string;
  parquet?: boolean;
  prefixBoundary: string;
  run?: string;
  tokenizer?: string;
  processCheck?: boolean;
  questions?: string;
  json?: boolean;
  nodeIds: NodeIdKind;
}

export function register(program: Command): void {
  program
    .command('build')
    .description('build SFT rows and fine-grained DPO pairs (+ stats, card, TRL/LLaMA-Factory/OpenRLHF exports) from a search database')
    .argument('<db>', 'search database written by `treecot search`')
    .requiredOption('--out <dir>', 'output folder')
    .addOption(
      new Option('--sft <strategy>', 'SFT paths per question')
        .choices(['longest', 'shortest', 'medium', 'all', 'random'])
        .default('longest'),
    )
    .option('--sft-per-question <n>', 'cap of SFT rows per question (default 1; all for --sft all)')
    .addOption(new Option('--chosen <strategy>', 'DPO chosen').choices(['shortest', 'longest', 'random']).default('shortest'))
    .option('--pairs-per-question <n>', 'DPO pairs per question', '1')
    .option('--max-length <n>', 'drop paths longer than n characters (tokens with --tokenizer)')
    .option('--strip-tags', 'write thoughts without their <tag>...</tag> wrappers')
    .option('--seed <n>', 'seed for ties and random strategies', '0')
    .option('--parquet', 'also write a .parquet next to every .jsonl')
    .addOption(
      new Option('--prefix-boundary <kind>', 'prefix moved by trl/dpo_prefix_in_prompt').choices(['thought', 'char']).default('thought'),
    )
    .option('--run <id>', 'run id in the file (default: the latest), as for tree and export-trees')
    .addOption(new Option('--tokenizer <kind>', 'measure lengths and prefixes in tokens of the built-in model').choices(['builtin']))
    .option(
      '--process-check',
      'drop correct paths whose steps are wrong from SFT and DPO chosen (the check `treecot run` applies with build.process_check; tasks: letter-count)',
    )
    .option(
      '--questions <file>',
      "with --process-check: the problems file the search ran on, so each question is judged by its own fields (letter-count: word, letters); default: the run's recorded --data file when it is found",
    )
    .option('--json', 'print stats.json as one JSON object on stdout')
    .addOption(
      new Option(
        '--node-ids <kind>',
        'node ids in rows: per-question (0 = root; the ids `treecot view` shows; byte-reproducible whatever the search concurrency) | rowid (SQLite rowids)',
      )
        .choices(['per-question', 'rowid'])
        .default('per-question'),
    )
    .action(async (db: string, options: BuildCliOptions) => {
      const { ConfigError } = await import('../../core/errors.ts');
      const { readRun } = await import('../../store/index.ts');
      const { buildDataset, parseBuildOptions, writeDataset } = await import('../../data/index.ts');
      if (options.prefixBoundary !== 'thought' && options.prefixBoundary !== 'char') {
        throw new ConfigError(
          { file: '(command line)', field: '--prefix-boundary' },
          `expected thought or char, got "${options.prefixBoundary}"`,
        );
      }
      if (options.questions !== undefined && !options.processCheck)
        throw new ConfigError(
          { file: '(command line)', field: '--questions' },
          '--questions is read only by --process-check; add --process-check',
        );
      const { checkOutputLocation } = await import('../../core/index.ts');
      checkOutputLocation({ path: options.out, kind: 'folder', flag: '--out' });
      const buildOptions = withFlagNames(() =>
        parseBuildOptions(
          {
            sft: options.sft,
            sftPerQuestion: optionalIntegerOption(options.sftPerQuestion, '--sft-per-question'),
            chosen: options.chosen,
            pairsPerQuestion: optionalIntegerOption(options.pairsPerQuestion, '--pairs-per-question'),
            maxLength: optionalIntegerOption(options.maxLength, '--max-length'),
            stripTags: options.stripTags ?? false,
            seed: optionalIntegerOption(options.seed, '--seed'),
          },
          '(command line)',
        ),
      );
      let countTokens: ((text: string) => number) | undefined;
      if (options.tokenizer !== undefined) {
        if (options.tokenizer !== 'builtin') {
          throw new ConfigError(
            { file: '(command line)', field: '--tokenizer' },
            `only "builtin" is supported, got "${options.tokenizer}"`,
          );
        }
        const { CharTokenizer } = await import('../../train/index.ts');
        const tokenizer = new CharTokenizer();
        countTokens = (text) => tokenizer.encode(text).length;
      }
      const started = Date.now();
      const data = readRun(db, { runId: runIdOption(options.run), nodeIds: options.nodeIds });
      let processCheck: ReturnType<typeof import('../../pipeline/index.ts').processCheckFor>;
      // Why a question could not be judged, for the warning.
      let unjudgedReason = '';
      if (options.processCheck) {
        const { processCheckFor } = await import('../../pipeline/index.ts');
        const { getTask } = await import('../../tasks/index.ts');
        const { existsSync } = await import('node:fs');
        if (!processCheckFor(data.run.task)) {
          throw new ConfigError(
            { file: '(command line)', field: '--process-check' },
            `task "${data.run.task}" of ${db} has no process check (tasks with one: letter-count)`,
          );
        }
        // The problems carry each question's own parts (a letter-count row's word and letters), so a
        // phrasing the text parser does not know is still judged. --questions must exist; the recorded
        // file may have moved since the search, which the warning says.
        const recorded = data.run.dataFile || undefined;
        const file = options.questions ?? (recorded && existsSync(recorded) ? recorded : undefined);
        unjudgedReason = file
          ? `they are not in ${file} and do not parse from the text`
          : recorded
            ? `the run's data file ${recorded} was not found from here; pass --questions FILE`
            : 'the run records no problems file; pass --questions FILE';
        processCheck = processCheckFor(data.run.task, file ? getTask(data.run.task).load(file) : []);
      }
      // The run's task reads each attempt's answer for the reflection accounting (stats.json).
      const { TASKS } = await import('../../tasks/index.ts');
      const task = TASKS[data.run.task];
      const built = buildDataset(data, buildOptions, {
        source: db,
        countTokens,
        processCheck,
        extractAnswer: task ? (text) => task.extractAnswer(text) : undefined,
      });
      const files = writeDataset(built, options.out, { parquet: options.parquet ?? false, prefixBoundary: options.prefixBoundary });
      if (processCheck?.unchecked.size) {
        process.stderr.write(
          `treecot build: warning: --process-check could not judge ${processCheck.unchecked.size} questions of ${db} (${unjudgedReason}); their correct paths were kept.\n`,
        );
      }
      for (const warning of built.warnings) process.stderr.write(`treecot build: warning: ${db}: ${warning}.\n`);
      const unfinished = built.stats.questions.unfinished;
      if (unfinished > 0) {
        process.stderr.write(
          `treecot build: warning: ${unfinished} of ${built.stats.questions.total} questions in ${db} had not finished their search ` +
            `(interrupted or failed); their partial trees were used. Re-run the search command to finish them, then build again.\n`,
        );
      }
      if (options.json) {
        writeJsonLine(built.stats);
        return;
      }
      const s = built.stats;
      process.stdout.write(
        `treecot build: ${s.splits.sft} SFT rows and ${s.splits.dpo} DPO pairs from ${s.questions.total} questions ` +
          `(${s.paths.total} paths: ${s.paths.correct} correct, ${s.paths.incorrect} incorrect) -> ${options.out} ` +
          `(${files.size} files, ${Date.now() - started} ms)\n` +
          `  options: ${JSON.stringify(built.options)}\n` +
          `  dropped: ${s.questions.droppedNoCorrectPath} questions without a correct path, ${s.paths.droppedAnnotationRejected} annotation-rejected paths, ` +
          `${s.paths.droppedOverMaxLength} over max length, ${s.paths.droppedStrayTags} with mismatched thought tags${options.processCheck ? `, ${s.paths.droppedProcessCheck} failing the process check` : ''}; median common prefix ${s.dpo.commonPrefixChars.summary.median} chars\n`,
      );
    });
}
