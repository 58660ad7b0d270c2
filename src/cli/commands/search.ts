/**
 * `treecot search`: build trees of typed thoughts by MCTS (docs/search.md).
 *
 *   treecot search --config configs/letter-count.yaml --task letter-count \
 *     --data data/letter-count/letter_count_hard.json --out runs/lc.db \
 *     --policy http://gpu1:8000/v1 --policy http://gpu2:8000/v1 --special-policy http://gpu3:8000/v1 \
 *     --concurrency 64
 *   treecot search --config configs/letter-count-builtin.yaml --task letter-count --data lc.json \
 *     --out runs/tiny.db --gguf models/builtin.gguf --limit 20 --json
 *   treecot search ... --policy http://localhost:8000/v1 --mode chat --model Qwen/Qwen2.5-7B-Instruct
 *   treecot search ... --shard 0/4        # this machine takes rows 0, 4, 8, ...; then `treecot merge`
 *
 * Re-running the same command on the same --out resumes (finished questions are skipped).
 */
import { Option, type Command } from 'commander';
import { ConfigError, DataError } from '../../core/errors.ts';
import { COMMAND_LINE, integerOption, MAX_TIMER_MS, optionalIntegerOption } from '../number-options.ts';
import { jsonObjectOption } from '../json-option.ts';
import { writeJsonLine } from '../json-output.ts';

interface SearchCliOptions {
  config: string;
  task: string;
  data: string;
  out: string;
  policy?: string[];
  gguf?: string;
  specialPolicy?: string[];
  model?: string;
  specialModel?: string;
  mode?: string;
  template?: string;
  templateKwargs?: string;
  extraBody?: string;
  apiKeyEnv?: string;
  timeoutMs?: string;
  threads: string;
  concurrency: string;
  questionsInFlight?: string;
  virtualLoss?: string;
  shard?: string;
  limit?: string;
  newRun?: boolean;
  verifierTimeout: string;
  json?: boolean;
  progress: boolean;
}

const WHERE = { file: COMMAND_LINE };

export function register(program: Command): void {
  program
    .command('search')
    .description('build trees of typed thoughts by MCTS with a policy model; resumable, writes a SQLite file')
    .requiredOption('--config <file>', 'search config (YAML/JSON): action graph, sampling, UCT, stop rule (see configs/)')
    .requiredOption('--task <name>', 'task whose verifier gives the reward, e.g. letter-count, gsm8k, math, blocksworld')
    .requiredOption('--data <file>', 'problems file (JSONL or JSON array)')
    .requiredOption('--out <file>', 'search database (created, or resumed when it exists)')
    .option('--policy <url...>', 'OpenAI-compatible endpoint(s), e.g. http://localhost:8000/v1 (several: least-outstanding balancing)')
    .option('--gguf <file>', 'GGUF model run in-process by node-llama-cpp (instead of --policy)')
    .option(
      '--special-policy <url-or-gguf...>',
      'policy for node types with special_model: true: URL(s) or one .gguf (default: the main policy)',
    )
    .option('--model <name>', 'model name sent to --policy servers (default: the first one the server lists)')
    .option('--special-model <name>', 'model name sent to --special-policy servers')
    .addOption(
      new Option('--mode <mode>', 'completions (client-side template) or chat (continue_final_message)')
        .choices(['completions', 'chat'])
        .default('completions'),
    )
    .option(
      '--template <name|file>',
      "raw, chatml, llama3, gguf, a chat_template.jinja / tokenizer_config.json, or a model folder (HTTP default: the model's own, from a local folder or the Hugging Face cache, else refused; GGUF default raw)",
    )
    .option(
      '--template-kwargs <json>',
      'template variables, e.g. \'{"enable_thinking": false}\' (rendered client-side; sent as chat_template_kwargs with --mode chat)',
    )
    .option(
      '--extra-body <json>',
      'extra request-body fields for the server, e.g. \'{"top_k": 20, "min_p": 0.05, "skip_special_tokens": false}\'',
    )
    .option('--api-key-env <var>', 'environment variable holding the API key (the key is never stored)')
    .option('--timeout-ms <ms>', 'per-request timeout for HTTP policies (default 120000)')
    .option('--threads <n>', 'llama.cpp threads for --gguf', '1')
    .option('--concurrency <n>', 'policy calls in flight over all questions', '8')
    .option('--questions-in-flight <n>', 'questions searched at once (default: --concurrency)')
    .option('--virtual-loss <k>', 'run k iterations per tree at once with virtual loss (default 1: ordered iterations)')
    .option('--shard <i/n>', 'take the questions whose row index % n == i (0-based i)')
    .option('--limit <n>', 'first N questions (after --shard)')
    .option('--new-run', 'start a new run in --out when its stored config differs (otherwise refused)')
    .option('--verifier-timeout <ms>', 'hard time limit per verification', '5000')
    .option('--json', "print the summary as one JSON object on stdout (people's lines go to stderr)")
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (options: SearchCliOptions) => {
      await runSearchCommand(options);
    });
}

async function runSearchCommand(options: SearchCliOptions): Promise<void> {
  const { loadSearchConfig, runSearch, parseShard } = await import('../../search/index.ts');
  const { getTask, VerifierPool } = await import('../../tasks/index.ts');
  const { config, file } = loadSearchConfig(options.config);
  const task = getTask(options.task); // ConfigError naming --task and the known tasks
  const problems = task.load(options.data);
  // Every task's loader, not only the shared one: searching nothing is an error, not "0 done".
  if (problems.length === 0) throw new DataError({ file: options.data }, 'no problems in this file');
  const concurrency = integerOption(options.concurrency, '--concurrency', 1);
  const shard = options.shard ? parseShard(options.shard) : undefined;
  const limit = optionalIntegerOption(options.limit, '--limit', 1);
  const questionsInFlight = optionalIntegerOption(options.questionsInFlight, '--questions-in-flight', 1);
  const virtualLoss = optionalIntegerOption(options.virtualLoss, '--virtual-loss', 1);
  if (options.mode !== 'completions' && options.mode !== 'chat')
    throw new ConfigError({ ...WHERE, field: '--mode' }, `expected completions or chat (got "${options.mode}")`);
  const { createPolicies } = await import('../../policy/index.ts');
  const policies = await createPolicies({
    policy: options.policy,
    gguf: options.gguf,
    specialPolicy: options.specialPolicy,
    model: options.model,
    specialModel: options.specialModel,
    mode: options.mode,
    template: options.template,
    apiKeyEnv: options.apiKeyEnv,
    threads: integerOption(options.threads, '--threads', 1),
    timeoutMs: optionalIntegerOption(options.timeoutMs, '--timeout-ms', 1, MAX_TIMER_MS),
    seed: config.seed,
    templateKwargs: jsonObjectOption(options.templateKwargs, '--template-kwargs'),
    extraBody: jsonObjectOption(options.extraBody, '--extra-body'),
  });
  const policy = policies.policy;
  const special = policies.specialPolicy === policy ? undefined : policies.specialPolicy;
  const pool = new VerifierPool({ timeoutMs: integerOption(options.verifierTimeout, '--verifier-timeout', 1, MAX_TIMER_MS) });
  const { createProgressReporter } = await import('../../search/progress-bar.ts');
  const progress = options.progress ? createProgressReporter() : undefined;
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  // SIGINT (Ctrl-C) and SIGTERM (kill, timeout, a job scheduler) both stop cleanly: everything
  // committed is kept and the resume hint is printed. (src/cli/main.ts keeps the event loop alive.)
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    process.stderr.write(
      `treecot search: ${file}, task ${task.name}, ${problems.length} problems in ${options.data}${options.shard ? `, shard ${options.shard}` : ''}${limit !== undefined ? `, at most ${limit} searched` : ''}, policy ${policy.modelId}${special ? `, special ${special.modelId}` : ''}, concurrency ${concurrency}\n`,
    );
    const { search, sampling } = config;
    process.stderr.write(
      `  UCT c=${search.uct_c}, stop [${search.reward_thresholds.join(', ')}] of ${search.max_rollouts} rollouts, give up after ${search.give_up_factor}x, ` +
        `reflection under ${search.reflection_ancestor ?? '(off)'}, max depth ${search.max_depth}, temperature ${sampling.temperature}, top-p ${sampling.top_p}, ` +
        `max tokens ${sampling.max_tokens}, separator ${JSON.stringify(config.format.separator)}, seed ${config.seed}\n`,
    );
    let summary;
    try {
      summary = await runSearch({
        config,
        task: task.name,
        defaultInstruction: task.defaultInstruction,
        problems,
        dbPath: options.out,
        dataFile: options.data,
        policy,
        specialPolicy: special,
        verify: (output, problem) => pool.verify(task.name, output, problem),
        concurrency,
        questionsInFlight,
        virtualLoss,
        shard,
        limit,
        newRun: options.newRun,
        signal: controller.signal,
        onProgress: progress?.update,
      });
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      progress?.stop();
      process.stderr.write(
        `treecot search: interrupted; everything committed so far is kept in ${options.out}; re-run the same command to resume\n`,
      );
      process.exitCode = 130;
      return;
    }
    progress?.stop();
    if (options.json) writeJsonLine(summary);
    else {
      // Question counts and `nodes` are the stored state; rollouts, calls and tokens are this
      // invocation's. After a resume the stored totals are printed next to them (docs/search.md).
      const { totals } = summary;
      const session =
        `${summary.rollouts} rollouts (${summary.correct_rollouts} correct), ${summary.nodes_created} nodes created, ${summary.policy_calls} policy calls, ` +
        `${summary.requests} requests, ${summary.prompt_tokens} prompt + ${summary.completion_tokens} completion tokens, ${summary.errors} failed attempts (retried), ${summary.wall_s.toFixed(1)} s`;
      process.stdout.write(
        `${summary.finished}/${summary.questions} questions done (${summary.solved} solved, ${summary.gave_up} gave up, ${summary.errored} stopped by errors, ${summary.skipped} done before)\n` +
          (summary.resumed
            ? `resumed; this session: ${session}\n` +
              `stored in total: ${totals.rollouts} rollouts (${totals.correct_rollouts} correct), ${totals.nodes} nodes, ` +
              `${totals.prompt_tokens} prompt + ${totals.completion_tokens} completion tokens in ${options.out}\n`
            : `${summary.rollouts} rollouts (${summary.correct_rollouts} correct), ${summary.nodes} nodes in ${options.out}\n` +
              `${summary.policy_calls} policy calls, ${summary.requests} requests, ${summary.prompt_tokens} prompt + ${summary.completion_tokens} completion tokens, ${summary.errors} failed attempts (retried), ${summary.wall_s.toFixed(1)} s\n`),
      );
      const byRule = Object.entries(summary.verdicts_by_rule).sort((a, b) => b[1] - a[1]);
      if (byRule.length) process.stdout.write(`verdicts by deciding rule: ${byRule.map(([rule, n]) => `${n} ${rule}`).join(', ')}\n`);
    }
    if (summary.errored > 0) {
      // Say why, not only how many (issue 15 item 14): the stored error of each such question.
      const { SearchStore } = await import('../../store/index.ts');
      const store = SearchStore.open(options.out, { readonly: true });
      try {
        const failed = store.questions(summary.run_id).filter((q) => q.status === 'error');
        for (const q of failed.slice(0, 5))
          process.stderr.write(`treecot search: question ${q.question_id} stopped by errors: ${q.error ?? '(no error recorded)'}\n`);
        if (failed.length > 5)
          process.stderr.write(`treecot search: ... and ${failed.length - 5} more; \`treecot tree ${options.out} QID\` shows a tree\n`);
        process.stderr.write('treecot search: re-run the same command to retry them (everything committed is kept)\n');
      } finally {
        store.close();
      }
      // Partial failure (docs/cli.md): the run finished, but some questions stopped on errors.
      process.exitCode = 2;
    }
  } finally {
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool.close();
    await policies.close();
  }
}
