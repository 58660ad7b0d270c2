/**
 * `treecot eval`: accuracy, no-answer rate, pass@k, lengths, reflection markers and repeated lines
 * of a policy on a task.
 *
 *   treecot eval --task letter-count --data data/letter-count/letter_count_hard.json \
 *     --gguf models/builtin.gguf --instruction "" --out eval/base
 *   treecot eval --task gsm8k --data test.jsonl --policy http://gpu1:8000/v1 --model Qwen/Qwen2.5-1.5B-Instruct \
 *     -n 8 --temperature 0.7 -k 1 4 8 --concurrency 64 --out eval/qwen
 *   treecot eval --compare eval/base eval/sft eval/final
 */
import { Option, type Command } from 'commander';
import { ConfigError, DataError } from '../../core/errors.ts';
import { COMMAND_LINE, integerOption, numberOption, optionalIntegerOption } from '../number-options.ts';
import { jsonObjectOption } from '../json-option.ts';
import { exitOnInterrupt } from '../interrupt.ts';
import { writeJsonLine } from '../json-output.ts';

function httpMode(mode: string | undefined): 'completions' | 'chat' {
  if (mode === undefined || mode === 'completions' || mode === 'chat') return mode ?? 'completions';
  throw new ConfigError({ file: COMMAND_LINE, field: '--mode' }, `expected completions or chat (got "${mode}")`);
}

interface EvalCliOptions {
  task?: string;
  data?: string;
  policy?: string[];
  model?: string;
  template?: string;
  templateKwargs?: string;
  extraBody?: string;
  mode?: string;
  apiKeyEnv?: string;
  gguf?: string;
  threads: string;
  n: string;
  temperature: string;
  topP: string;
  k?: string[];
  maxTokens: string;
  instruction?: string;
  searchConfig?: string;
  limit?: string;
  concurrency: string;
  seed: string;
  out?: string;
  name?: string;
  mctsDecode?: boolean;
  mctsRollouts?: string;
  mctsTemperature?: string;
  compare?: string[];
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('evaluate a policy on a task: accuracy, no-answer rate, pass@k, lengths; or --compare stored evaluations')
    .option('--task <name>', 'task name (letter-count, gsm8k, math, blocksworld, ...)')
    .option('--data <file>', 'problems file (JSON or JSONL)')
    .option('--policy <url...>', 'OpenAI-compatible endpoint(s), e.g. http://localhost:8000/v1')
    .option('--model <name>', 'model name sent to the server')
    .addOption(
      new Option('--mode <mode>', 'completions (client-side template) or chat (the server applies its template; continue_final_message)')
        .choices(['completions', 'chat'])
        .default('completions'),
    )
    .option(
      '--template <name|file>',
      "raw, chatml, llama3, a chat_template.jinja / tokenizer_config.json, or a model folder (default: the model's own; same flag as treecot search)",
    )
    .option('--template-kwargs <json>', 'template variables, e.g. \'{"enable_thinking": false}\'')
    .option('--extra-body <json>', 'extra request-body fields, e.g. \'{"top_k": 20, "repetition_penalty": 1.05}\'')
    .option('--api-key-env <var>', 'environment variable holding the API key')
    .option('--gguf <file>', 'GGUF model run in-process by node-llama-cpp')
    .option('--threads <n>', 'llama.cpp threads', '1')
    .option('-n, --samples <n>', 'samples per question', '1')
    .option('--temperature <t>', 'sampling temperature (0 = greedy)', '0')
    .option('--top-p <p>', 'nucleus mass', '1')
    .option('-k <k...>', 'pass@k values (each <= n); default 1 and n')
    .option('--max-tokens <n>', 'max new tokens per response', '512')
    .option('--instruction <text>', "task instruction before the question (default: the search config's, else the task's)")
    .option('--search-config <file>', 'search config: its instruction is used, and the graph for --mcts-decode')
    .option('--limit <n>', 'first N questions only')
    .option('--concurrency <n>', 'policy calls in flight', '1')
    .option('--seed <n>', 'sampling seed', '1')
    .option('--out <dir>', 'write questions.jsonl and summary.json here')
    .option('--name <name>', 'name stored in the summary')
    .option(
      '--mcts-decode',
      'answer each question by a small tree search: the greedy response plus on-policy tree paths vote (docs/eval.md)',
    )
    .option('--mcts-rollouts <n>', "rollouts per question for --mcts-decode, all run (default: the search config's max_rollouts)")
    .option(
      '--mcts-temperature <t>',
      "sampling temperature of the --mcts-decode search (default: the search config's; lower votes closer to greedy)",
    )
    .option('--compare <dirs...>', 'print one table for several evaluation folders and exit')
    .option(
      '--json',
      'print the summary (with --compare: the compared summaries and paired changes) as one JSON object on stdout; the table goes to stderr',
    )
    .action(async (raw: Record<string, unknown>) => {
      const options = { ...raw, n: raw.samples } as unknown as EvalCliOptions;
      const { compareTable, compareWarnings, loadEvalSummary, loadEvalRecords, pairedTable } = await import('../../eval/index.ts');
      if (options.out) {
        const { checkOutputLocation } = await import('../../core/index.ts');
        checkOutputLocation({ path: options.out, kind: 'folder', flag: '--out' });
      }
      if (options.compare) {
        const summaries = options.compare.map((dir) => loadEvalSummary(dir));
        const warnings = compareWarnings(summaries, options.compare);
        for (const w of warnings) process.stderr.write(`treecot eval --compare: warning: ${w}\n`);
        // Changes against the first folder and the previous one, paired over questions (McNemar / bootstrap).
        const paired =
          options.compare.length > 1
            ? `\nPaired changes (per question):\n\n${pairedTable(options.compare.map((dir) => ({ label: dir, records: loadEvalRecords(dir) })))}`
            : '';
        const table = compareTable(summaries, options.compare) + paired + warnings.map((w) => `\n> Warning: ${w}\n`).join('');
        // --json: the same comparison as data (summaries, then each folder paired with the first and the previous).
        (options.json ? process.stderr : process.stdout).write(table);
        if (options.json) {
          const { compareRecords } = await import('../../eval/index.ts');
          const records = options.compare.map((dir) => loadEvalRecords(dir));
          const against = (i: number, j: number) => {
            if (!records[i] || !records[j]) return { error: 'no questions.jsonl' };
            try {
              return compareRecords(records[j]!, records[i]!);
            } catch (error) {
              return { error: (error as Error).message };
            }
          };
          writeJsonLine({
            folders: options.compare,
            summaries,
            paired: options.compare
              .slice(1)
              .map((dir, k) => ({ folder: dir, vs_first: against(k + 1, 0), vs_previous: against(k + 1, k) })),
            warnings,
          });
        }
        if (options.out) {
          const { writeFileAtomic } = await import('../../core/index.ts');
          const { join } = await import('node:path');
          writeFileAtomic(join(options.out, 'compare.md'), table);
        }
        return;
      }
      await runEval(options);
    });
}

async function runEval(options: EvalCliOptions): Promise<void> {
  const where = { file: COMMAND_LINE };
  if (!options.task) throw new ConfigError({ ...where, field: '--task' }, 'missing (or use --compare)');
  if (!options.data) throw new ConfigError({ ...where, field: '--data' }, 'missing');
  if (!!options.gguf === !!options.policy?.length)
    throw new ConfigError({ ...where, field: '--policy/--gguf' }, 'give exactly one of --policy URL... or --gguf FILE');
  // Without --mcts-decode these flags would change nothing; refuse them rather than let a run look searched.
  for (const [flag, value] of [
    ['--mcts-rollouts', options.mctsRollouts],
    ['--mcts-temperature', options.mctsTemperature],
  ] as const) {
    if (value !== undefined && !options.mctsDecode)
      throw new ConfigError(
        { ...where, field: flag },
        `${flag} sets the MCTS decode; add --mcts-decode (and --search-config) or leave it out`,
      );
  }
  const n = integerOption(options.n, '-n', 1);
  const k = (options.k ?? [...new Set(['1', String(n)])]).map((v) => integerOption(v, '-k', 1));
  if (k.some((v) => v > n)) throw new ConfigError({ ...where, field: '-k' }, `every k must be <= n (${n})`);
  const temperature = numberOption(options.temperature, '--temperature', 0);
  if (n > 1 && temperature === 0 && !options.mctsDecode) {
    // Not an error: some servers are not deterministic at T = 0, and a user may want to measure that.
    process.stderr.write(
      `eval: warning: -n ${n} with --temperature 0 (greedy decoding): the ${n} samples of each question are identical, so pass@k for k > 1` +
        ` and the spread over samples mean nothing; give --temperature > 0 (e.g. 0.7) to sample\n`,
    );
  }
  const { getTask } = await import('../../tasks/index.ts');
  const { evaluate, evaluateWithSearch } = await import('../../eval/index.ts');
  const { openPolicy, loadSearchSettings, stepScorerFor } = await import('../../pipeline/index.ts');
  const task = getTask(options.task);
  let problems = task.load(options.data);
  // An empty set would replace an existing evaluation in --out with an empty one.
  if (problems.length === 0) throw new DataError({ file: options.data }, 'no problems in this file');
  const limit = optionalIntegerOption(options.limit, '--limit', 1);
  if (limit !== undefined) problems = problems.slice(0, limit);
  const settings = options.searchConfig ? await loadSearchSettings(options.searchConfig, task.name) : null;
  const instruction = options.instruction ?? settings?.instruction ?? task.defaultInstruction;
  const model = options.gguf
    ? { kind: 'gguf' as const, path: options.gguf, threads: integerOption(options.threads, '--threads', 1) }
    : {
        kind: 'http' as const,
        urls: options.policy!,
        model: options.model,
        chatTemplate: options.template,
        apiKeyEnv: options.apiKeyEnv,
        mode: httpMode(options.mode),
        templateKwargs: jsonObjectOption(options.templateKwargs, '--template-kwargs'),
        extraBody: jsonObjectOption(options.extraBody, '--extra-body'),
      };
  const policy = await openPolicy(model, { concurrency: integerOption(options.concurrency, '--concurrency', 1) });
  const started = Date.now();
  const every = Math.max(1, Math.round(problems.length / 20));
  try {
    const common = {
      name: options.name ?? (options.out ? options.out.split('/').filter(Boolean).pop()! : 'eval'),
      task,
      problems,
      policy,
      instruction,
      n,
      temperature,
      topP: numberOption(options.topP, '--top-p', 0, 1),
      maxTokens: integerOption(options.maxTokens, '--max-tokens', 1),
      k,
      seed: integerOption(options.seed, '--seed', 0),
      concurrency: integerOption(options.concurrency, '--concurrency', 1),
      outDir: options.out,
      dataLabel: options.data,
      stepScorer: stepScorerFor(task.name, settings?.reflectionTags),
      // A model searched with a graph that renames the reflection writes that tag: count it as a reflection marker.
      reflectionTag: settings?.reflectionTags.reflection,
      onResume: (done: number, total: number) => process.stderr.write(`eval: resuming: ${done} of ${total} done in ${options.out}\n`),
      onProgress: (done: number, total: number) => {
        if (done % every === 0 || done === total) {
          const rate = done / Math.max(1e-9, (Date.now() - started) / 1000);
          process.stderr.write(`eval: ${done}/${total} questions (${rate.toFixed(1)}/s)\n`);
        }
      },
    };
    // Finished questions are appended to DIR/questions.partial.jsonl as they complete, so exiting at
    // once loses only the questions in flight.
    const removeHandlers = exitOnInterrupt(() =>
      options.out
        ? `treecot eval: interrupted; finished questions are kept in ${options.out}/questions.partial.jsonl; re-run the same command to resume`
        : 'treecot eval: interrupted; nothing was kept (no --out); give --out DIR to make an evaluation resumable',
    );
    let summary;
    try {
      if (options.mctsDecode) {
        if (!options.searchConfig)
          throw new ConfigError(
            { ...where, field: '--search-config' },
            '--mcts-decode needs a search config (the action graph to search with)',
          );
        ({ summary } = await evaluateWithSearch({
          ...common,
          searchConfigPath: options.searchConfig,
          maxRollouts: optionalIntegerOption(options.mctsRollouts, '--mcts-rollouts', 1),
          searchTemperature:
            options.mctsTemperature === undefined ? undefined : numberOption(options.mctsTemperature, '--mcts-temperature', 0),
        }));
      } else {
        let records;
        ({ summary, records } = await evaluate(common));
        const tooLong = records.filter((r) => r.samples.some((x) => x.finish_reason === 'context_exceeded')).length;
        if (tooLong > 0) {
          process.stderr.write(
            `eval: warning: ${tooLong} of ${records.length} prompts do not fit the model's context and count as no answer` +
              ` (a long task instruction? try --instruction "" or --search-config with the config the model was searched with)\n`,
          );
        }
      }
    } finally {
      removeHandlers();
    }
    const { compareTable } = await import('../../eval/index.ts');
    // --json: stdout carries only the JSON summary; the table is for people (stderr).
    (options.json ? process.stderr : process.stdout).write(compareTable([summary]));
    if (options.json) writeJsonLine(summary);
  } finally {
    await policy.close?.();
  }
}
