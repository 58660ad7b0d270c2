/**
 * `npm run train:builtin`: trains treecot's built-in model with treecot's own trainer and writes
 *   models/builtin.gguf             the shipped model (F32, ~0.6 MB)
 *   models/builtin.train-log.jsonl  a run header, one record per optimiser step, one per evaluation
 *                                   (a --resume cuts it back to its checkpoint and adds a 'resume' record)
 *   models/builtin.eval.json        greedy accuracy (held-out two-/one-letter, hard set next to its
 *                                   always-3 baseline), per-step accuracy, sampled T=0.7 mix
 *
 * Recipe (docs/letter-count-study.md "Recommendation"): L2 d64 4 heads ffn 176, context
 * 128; "pos" occurrence-weighted letters, 70% two-letter / 30% one-letter, 10% random letters, 5%
 * arithmetic rows; 64 sequences per step (batch 16 x accum 2 x 2 workers), AdamW 0.9/0.98 wd 0.1,
 * peak lr 3e-3, 3% warm-up, cosine to 10%, clip 1; a token budget (default 6M). Every --eval-every
 * tokens (and at the end) the model is exported to GGUF and scored greedily by node-llama-cpp on 300
 * held-out two-letter questions; the shipped checkpoint is the most-trained one in the target band
 * (default 50-80%), so the search still finds wrong answers to reflect on.
 *
 * Roles (issue 10): `--role builtin` (the default) is the model above, the single-model demo's.
 * `--role student` trains the two-model demo's student (models/student.*): the policy's architecture
 * (L2 d128, context 384) and question mix (its 48 phrasings and the phrasing grammar), but half its
 * tokens (6M), the built-in trace (no double-check for one letter) and no reflection rows, chosen in
 * the 50-80% band on held-out words in the policy's phrasings (src/train/builtin/student-data.ts).
 * `--student-phrasings builtin` (default model L2 d64) is the earlier student: the built-in recipe
 * at context 384; `grammar` asks the grammar alone.
 * `--role policy` trains the search's policy (L2 d128, context 384): the
 * 48 hand-written phrasings (12 more held out) and a phrasing grammar, the compact trace (or marked
 * spelling with running counts), 25% of rows with a wrong first attempt, a reflection and a corrected re-think
 * (src/train/builtin/policy-data.ts); it writes models/policy.* and is chosen on held-out words in
 * training phrasings, then evaluated on held-out words, held-out phrasings and fresh phrasings.
 * `--init-from GGUF` continues a model of the role's architecture (a second stage, with its own
 * `--lr` and `--seed`); `--context-share` varies the words around the policy's question word.
 *
 * Examples:
 *   npm run train:builtin
 *   npm run train:builtin -- --role policy --tokens 5000000
 *   npm run train:builtin -- --role policy --init-from stage1/policy.gguf --lr 1e-3 --context-share 0.5 --seed 2
 *   npm run train:builtin -- --tokens 4000000 --seed 2 --hard-set data/letter-count/letter_count_hard.json
 *   npm run train:builtin -- --resume         # continue a killed run from its checkpoint
 *   npm run train:builtin -- --select-only    # re-select and re-evaluate from the saved checkpoints
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Command } from 'commander';
import { train, exportGguf, loadGguf, CharTokenizer, type StepRecord } from '../src/train/index.ts';
import { parseInitSpec } from '../src/train/model-config.ts';
import { loadCheckpoint } from '../src/train/checkpoint.ts';
import {
  builtinWordSplit,
  buildBuiltinRows,
  buildStudentGrammarRows,
  buildStudentPolicyMixRows,
  STUDENT_MEAN_ROW_TOKENS,
  HARD_SET_WORDS,
  loadHardSet,
  heldOutEvalQuestions,
  openGgufGenerator,
  buildPolicyRows,
  policyEvalQuestions,
  policyEvaluationSets,
  evaluatePolicySet,
  POLICY_MEAN_ROW_TOKENS,
  POLICY_FORMATS,
  type PolicyFormat,
  evaluateGreedy,
  evaluateBuiltinGguf,
  scoreLetterCountSteps,
  summarizeStepAccuracy,
} from '../src/train/builtin/index.ts';
import { canonicalJson, ConfigError, writeFileAtomic } from '../src/core/index.ts';
import { dataFile } from '../test/helpers/data-paths.ts';

const program = new Command()
  .option(
    '--role <role>',
    'builtin (the single-model demo model), student (its recipe at context 384) or policy (reflection rows, 48 phrasings and the phrasing grammar)',
    'builtin',
  )
  .option(
    '--policy-format <format>',
    "with --role policy: how the word is spelled, compact (the student's trace) or marked (running counts)",
    'compact',
  )
  .option(
    '--student-phrasings <kind>',
    "with --role student: policy-training (the default: the policy's whole mix, its 48 phrasings and the grammar), grammar (the grammar alone) or builtin (the built-in model's 12 phrasings); student-data.ts",
  )
  .option(
    '--model <spec>',
    'architecture (default: L2-d64-h4-f176-c128 builtin, L2-d128-h4-f344-c384 student and policy, L2-d64-h4-f176-c384 student with --student-phrasings builtin)',
  )
  .option('--init-from <gguf>', 'start from this GGUF (same architecture) instead of random weights: a second training stage')
  .option('--lr <x>', 'peak learning rate (3% warm-up, cosine to 10%)', Number, 3e-3)
  .option(
    '--context-share <x>',
    'with --role policy or --role student (not with --student-phrasings builtin): share of grammar rows with another preposition or opening before the word, half as many with a sentence of other words around the question',
    Number,
    0,
  )
  .option('--tokens <n>', 'real tokens to train on (prompt + response)', Number, 6e6)
  .option('--seed <n>', 'seed of data, init and order', Number, 1)
  .option('--workers <n>', 'data-parallel worker threads', Number, 2)
  .option('--eval-every <n>', 'tokens between checkpoint evaluations', Number, 1e6)
  .option('--quick-eval <n>', 'held-out two-letter questions per checkpoint evaluation', Number, 300)
  .option('--band <lo,hi>', 'target held-out two-letter greedy accuracy band', '0.5,0.8')
  .option('--final-eval <n>', 'held-out questions per set in the final evaluation (sampled mix: min(n, 100))', Number, 500)
  .option(
    '--hard-set <file>',
    "the authors' letter-count evaluation set (read at training time only)",
    dataFile('letter-count/letter_count_hard.json'),
  )
  .option('--out-dir <dir>', 'where the model (<role>.gguf), its log and eval go', 'models')
  .option(
    '--work-dir <dir>',
    'checkpoints and intermediate GGUFs (default .cache/treecot/<role>-train, or <role>-stage2-train with --init-from)',
  )
  .option('--resume', 'continue from the checkpoint in --work-dir')
  .option('--select-only', 'skip training; select among the GGUFs already in --work-dir')
  .parse();
const o = program.opts<{
  role: string;
  policyFormat: string;
  studentPhrasings?: string;
  model?: string;
  initFrom?: string;
  lr: number;
  contextShare: number;
  tokens: number;
  seed: number;
  workers: number;
  evalEvery: number;
  quickEval: number;
  finalEval: number;
  band: string;
  hardSet: string;
  outDir: string;
  workDir?: string;
  resume?: boolean;
  selectOnly?: boolean;
}>();
if (!['builtin', 'student', 'policy'].includes(o.role))
  throw new ConfigError({ file: 'command line', field: 'role' }, `--role must be builtin, student or policy (got "${o.role}")`);
const policy = o.role === 'policy';
if (!(POLICY_FORMATS as readonly string[]).includes(o.policyFormat))
  throw new ConfigError(
    { file: 'command line', field: 'policy-format' },
    `--policy-format must be ${POLICY_FORMATS.join(' or ')} (got "${o.policyFormat}")`,
  );
const policyFormat = o.policyFormat as PolicyFormat;
// Checked here, before the log is started: a bad value must not replace an existing training log.
if (!(Number.isFinite(o.lr) && o.lr > 0))
  throw new ConfigError({ file: 'command line', field: 'lr' }, `--lr must be a positive number (got ${String(o.lr)})`);
if (!(o.contextShare >= 0 && o.contextShare <= 1))
  throw new ConfigError(
    { file: 'command line', field: 'context-share' },
    `--context-share must be in [0, 1] (got ${String(o.contextShare)})`,
  );
if (o.studentPhrasings !== undefined && o.role !== 'student')
  throw new ConfigError({ file: 'command line', field: 'student-phrasings' }, '--student-phrasings applies to --role student only');
const STUDENT_PHRASINGS = ['policy-training', 'grammar', 'builtin'] as const;
const studentPhrasingsOption = o.studentPhrasings ?? (o.role === 'student' ? 'policy-training' : 'builtin');
if (!(STUDENT_PHRASINGS as readonly string[]).includes(studentPhrasingsOption))
  throw new ConfigError(
    { file: 'command line', field: 'student-phrasings' },
    `--student-phrasings must be policy-training, grammar or builtin (got "${studentPhrasingsOption}")`,
  );
const studentPhrasings = studentPhrasingsOption as (typeof STUDENT_PHRASINGS)[number];
// The row builders of a student on the policy's kind of questions (student-data.ts).
const STUDENT_ROWS = { 'policy-training': buildStudentPolicyMixRows, grammar: buildStudentGrammarRows } as const;
// A student on the policy's questions reads them, so it is evaluated and banded on them.
const studentOnPolicyQuestions = studentPhrasings !== 'builtin';
if (o.contextShare !== 0 && !policy && !studentOnPolicyQuestions)
  throw new ConfigError(
    { file: 'command line', field: 'context-share' },
    '--context-share applies to --role policy and --role student (not with --student-phrasings builtin) only',
  );
if (o.initFrom !== undefined && o.model !== undefined)
  throw new ConfigError(
    { file: 'command line', field: 'init-from' },
    '--init-from takes its architecture from the GGUF; leave out --model',
  );
if (o.initFrom !== undefined && !existsSync(o.initFrom))
  throw new ConfigError({ file: 'command line', field: 'init-from' }, `--init-from: ${o.initFrom} does not exist`);
// The policy is picked for accuracy (the search needs a competent policy), the student for a band.
const [bandLow, bandHigh] = (program.getOptionValueSource('band') === 'default' && policy ? '0.85,1' : o.band).split(',').map(Number) as [
  number,
  number,
];
// The policy is d128 with a context of 384: the phrasing grammar's longest rows with a reflection are 258
// tokens, and reading unseen phrasings needs more width than the student's d64 (docs/builtin-model.md).
// The student on the policy's questions has the policy's width: a d64 model did not learn to read the
// grammar's questions in 6M tokens (docs/builtin-model.md "The student").
const POLICY_MODEL = 'L2-d128-h4-f344-c384';
const MODEL_SPEC =
  o.model ??
  {
    builtin: 'L2-d64-h4-f176-c128',
    student: studentPhrasings === 'builtin' ? 'L2-d64-h4-f176-c384' : POLICY_MODEL,
    policy: POLICY_MODEL,
  }[o.role]!;
// A second stage continues the role's architecture, so MODEL_SPEC stays what the log and eval say.
// Loaded once: checked here, trained from below.
const initial = o.initFrom === undefined ? undefined : { file: o.initFrom, ...loadGguf(o.initFrom) };
if (initial) {
  const { file, model, tokenizer } = initial;
  // The rows are encoded with treecot's standard tokenizer, so the GGUF must carry the same tokens.
  if (tokenizer.tokens.join('\u0000') !== new CharTokenizer().tokens.join('\u0000'))
    throw new ConfigError({ file: file, field: 'tokenizer' }, `--init-from: ${file} has another tokenizer than treecot's standard one`);
  const expected = parseInitSpec(MODEL_SPEC, tokenizer.vocabSize);
  // The GGUF stores normEps as F32, so compare it at that precision.
  const asStored = { ...expected, normEps: Math.fround(expected.normEps) };
  if (canonicalJson({ ...model.config, normEps: Math.fround(model.config.normEps) }) !== canonicalJson(asStored))
    throw new ConfigError(
      { file: file, field: 'architecture' },
      `--init-from: ${file} is ${JSON.stringify(model.config)}, not the ${o.role} architecture ${MODEL_SPEC}`,
    );
}
const NAME = o.role;
// A second stage gets its own work folder, so it never overwrites the first stage's checkpoints.
o.workDir ??= `.cache/treecot/${o.role}-${o.initFrom === undefined ? 'train' : 'stage2-train'}`;
const workDir: string = o.workDir;
// Measured mean of BOS + prompt + response + EOS over buildBuiltinRows. It only sizes the row set to
// about one epoch of the budget (the trainer takes its step count from the budget and the rows' real
// mean, and cycles epochs), so a stale value changes how many rows repeat, not how long training runs.
// It stays a constant because the row count seeds the data: the shipped model must be reproducible.
const MEAN_ROW_TOKENS = policy
  ? POLICY_MEAN_ROW_TOKENS[policyFormat]
  : studentOnPolicyQuestions
    ? STUDENT_MEAN_ROW_TOKENS[studentPhrasings]
    : 82.8;
const logFile = join(o.outDir, `${NAME}.train-log.jsonl`);
const ggufDir = join(workDir, 'gguf');
mkdirSync(ggufDir, { recursive: true });
mkdirSync(o.outDir, { recursive: true });
const log = (record: Record<string, unknown>): void => appendFileSync(logFile, `${JSON.stringify(record)}\n`);
const say = (line: string): void => console.error(`[train-builtin ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Where a --resume continues: the checkpoint's step and tokens, and the log lines that stay. */
interface ResumePoint {
  step: number;
  tokens: number;
  lastEvalTokens: number;
  /** The log cut back to the checkpoint: the run header, steps up to its step, evaluations up to its tokens. */
  keptLog: string;
}

/**
 * On --resume: read (without writing) where the checkpoint in `dir` stands and which log lines it
 * covers, so that the steps and evaluations the resumed run redoes are not logged twice. The log is
 * rewritten only once the trainer has accepted the checkpoint (see `applyResume`), so a refused
 * resume leaves it as it was. Returns undefined when there is no checkpoint (a fresh run).
 * @throws Error when there is a checkpoint but no log, or the log lacks the checkpoint's step
 *   (log and checkpoint from different runs)
 */
function planResume(dir: string): ResumePoint | undefined {
  const checkpoint = loadCheckpoint(dir);
  if (!checkpoint) return undefined;
  const { step, tokensSeen: tokens } = checkpoint;
  if (!existsSync(logFile)) {
    throw new Error(
      `--resume: ${dir} holds a checkpoint at step ${step} but ${logFile} does not exist, so the steps before it cannot be logged; use the --out-dir of the interrupted run, or delete ${workDir} to start over`,
    );
  }
  const records = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { type: string; step?: number; tokens?: number });
  // The trainer checkpoints after onStep, so the log always holds the checkpoint's step.
  if (!records.some((r) => r.type === 'step' && r.step === step && r.tokens === tokens)) {
    throw new Error(
      `--resume: ${logFile} has no step ${step} at ${tokens} tokens, the checkpoint in ${dir}: they come from different runs; delete ${workDir} to start over`,
    );
  }
  const kept = records.filter((r) =>
    r.type === 'step' ? r.step! <= step : r.type === 'eval' ? r.tokens! <= tokens : r.type === 'run' || r.type === 'resume',
  );
  const evals = kept.filter((r) => r.type === 'eval');
  return { step, tokens, lastEvalTokens: evals.at(-1)?.tokens ?? -1, keptLog: kept.map((r) => `${JSON.stringify(r)}\n`).join('') };
}

/** Greedy accuracy of a GGUF on the quick held-out two-letter set (policy: held-out words, training phrasings, 1 and 2 letters). */
async function quickEval(
  file: string,
): Promise<{ heldOutTwoLetter: number; spelling: number; countStep: number; noAnswer: number; seconds: number }> {
  const t0 = Date.now();
  const generator = await openGgufGenerator(file);
  try {
    if (policy || studentOnPolicyQuestions) {
      const questions = policyEvalQuestions({ phrasings: 'train', count: o.quickEval, seed: o.seed + 1000 });
      const r = await evaluatePolicySet(generator, questions);
      // The first attempt's spelling and every count step, scored as the student's are.
      const steps = summarizeStepAccuracy(r.records.map((record, i) => scoreLetterCountSteps(record.text, questions[i]!)));
      return {
        heldOutTwoLetter: r.accuracy.value,
        spelling: steps.spelling,
        countStep: steps.countStep,
        noAnswer: r.noAnswer.value,
        seconds: (Date.now() - t0) / 1000,
      };
    }
    const r = await evaluateGreedy(generator, heldOutEvalQuestions(2, o.quickEval, o.seed + 1000));
    return {
      heldOutTwoLetter: r.answer,
      spelling: r.spelling,
      countStep: r.countStep,
      noAnswer: r.noAnswer,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await generator.dispose();
  }
}

const started = Date.now();
if (!o.selectOnly) {
  // The evaluation set's words must be exactly the embedded exclusion list (checked here, at training time only).
  const hard = loadHardSet(o.hardSet);
  const hardWords = [...new Set(hard.map((q) => q.word))].sort();
  if (hardWords.join(' ') !== [...HARD_SET_WORDS].join(' '))
    throw new Error(`${o.hardSet}: its words differ from src/train/builtin/hard-set-words.ts; regenerate that list`);
  const split = builtinWordSplit();
  const count = Math.ceil((o.tokens / MEAN_ROW_TOKENS) * 1.05);
  const rows: { prompt: string; completion: string; kind: string }[] = policy
    ? buildPolicyRows({ count, seed: o.seed, format: policyFormat, contextShare: o.contextShare })
    : studentOnPolicyQuestions
      ? STUDENT_ROWS[studentPhrasings]({ count, seed: o.seed, contextShare: o.contextShare })
      : buildBuiltinRows({ count, seed: o.seed });
  const checkpointDir = join(workDir, 'checkpoint');
  const resumed = o.resume ? planResume(checkpointDir) : undefined;
  const header = {
    type: resumed ? 'resume' : 'run',
    ...(resumed ? { fromStep: resumed.step, fromTokens: resumed.tokens } : {}),
    started: new Date(started).toISOString(),
    model: MODEL_SPEC,
    // A second stage names the GGUF it started from and its hash, so the log says which weights it continued.
    ...(o.initFrom !== undefined
      ? { initFrom: o.initFrom, initFromSha256: createHash('sha256').update(readFileSync(o.initFrom)).digest('hex') }
      : {}),
    lr: o.lr,
    ...(policy || studentOnPolicyQuestions ? { contextShare: o.contextShare } : {}),
    ...(o.role === 'student' ? { studentPhrasings } : {}),
    tokensBudget: o.tokens,
    seed: o.seed,
    workers: o.workers,
    rows: count,
    role: o.role,
    ...(policy ? { policyFormat } : {}),
    arithmeticRows: rows.filter((r) => r.kind === 'arithmetic').length,
    reflectionRows: rows.filter((r) => r.kind === 'letter-count-reflection').length,
    words: {
      train: split.train.length,
      heldOut: split.heldOut.length,
      hardSetWords: HARD_SET_WORDS.length,
      hardSetWordsExcludedFromList: split.excludedHardSetWords.length,
    },
    band: [bandLow, bandHigh],
    node: process.version,
  };
  // A fresh run starts its log now; a resumed one rewrites it once the trainer has accepted the
  // checkpoint (its first step, or its return when the checkpoint was already the last step).
  let logReady = false;
  const startLog = (): void => {
    if (logReady) return;
    writeFileAtomic(logFile, `${resumed?.keptLog ?? ''}${JSON.stringify(header)}\n`);
    logReady = true;
  };
  if (!resumed) startLog();
  say(
    `rows ${count}, train words ${split.train.length}, held-out ${split.heldOut.length}, hard-set words excluded ${split.excludedHardSetWords.length}`,
  );
  // Evaluations happen at the first step at or past each multiple of --eval-every; a resumed run
  // continues after the last multiple its checkpoint had passed.
  let nextEval = resumed ? (Math.floor(resumed.tokens / o.evalEvery) + 1) * o.evalEvery : o.evalEvery;
  let lastEvalTokens = resumed?.lastEvalTokens ?? -1;
  const exportAndEval = async (tokens: number, model: Parameters<typeof exportGguf>[0]): Promise<void> => {
    const file = join(ggufDir, `${NAME}-${String(Math.round(tokens)).padStart(8, '0')}.gguf`);
    exportGguf(model, file, { name: `treecot-${NAME}` });
    const result = await quickEval(file);
    lastEvalTokens = tokens;
    log({ type: 'eval', tokens, file, ...result });
    say(
      `eval at ${(tokens / 1e6).toFixed(2)}M tokens: held-out ${policy || studentOnPolicyQuestions ? "(the policy's training phrasings, 1-2 letters)" : 'two-letter'} ${(100 * result.heldOutTwoLetter).toFixed(1)}%, spelling ${(100 * result.spelling).toFixed(1)}%, count step ${Number.isFinite(result.countStep) ? `${(100 * result.countStep).toFixed(1)}%` : '- (no count steps generated)'}`,
    );
  };
  const result = await train({
    ...(initial ? { model: initial.model, tokenizer: initial.tokenizer } : { init: MODEL_SPEC }),
    sftRows: rows,
    dataSource: 'buildBuiltinRows',
    objective: 'sft',
    tokens: o.tokens,
    batch: 16,
    accum: 2,
    workers: o.workers,
    lr: o.lr,
    warmupRatio: 0.03,
    minLrRatio: 0.1,
    weightDecay: 0.1,
    beta1: 0.9,
    beta2: 0.98,
    clip: 1,
    seed: o.seed,
    checkpointDir,
    checkpointEvery: 25,
    resume: Boolean(o.resume),
    name: `treecot-${NAME}`,
    onStep: async (record: StepRecord, model) => {
      startLog();
      log({ type: 'step', ...record });
      if (record.step % 25 === 0)
        say(
          `step ${record.step}, ${(record.tokens / 1e6).toFixed(2)}M tokens, loss ${record.loss.toFixed(4)}, ${Math.round(record.tokens_per_s)} tok/s`,
        );
      if (record.tokens >= nextEval) {
        while (nextEval <= record.tokens) nextEval += o.evalEvery;
        await exportAndEval(record.tokens, model);
      }
    },
  }).catch((error: unknown) => {
    // The trainer's refusal names its own --checkpoint-dir flag; this script's flag is --work-dir.
    if (resumed && error instanceof ConfigError && error.location.field === 'resume') {
      throw new Error(
        `--resume: cannot continue from ${checkpointDir}: ${error.message}. Rerun with the options of the interrupted run, or delete ${workDir} to start over (the training log was left as it was)`,
        { cause: error },
      );
    }
    throw error;
  });
  startLog();
  if (lastEvalTokens !== result.tokensSeen) await exportAndEval(result.tokensSeen, result.model);
  log({ type: 'train-done', steps: result.totalSteps, tokens: result.tokensSeen, trainSeconds: result.wallSeconds });
  say(`training done: ${result.totalSteps} steps, ${result.tokensSeen} tokens, ${(result.wallSeconds / 60).toFixed(1)} min`);
}

// Select: the most-trained checkpoint in the band (it has learnt the most steps: an early checkpoint can
// sit in the band by answering the majority count, 2, with no spelling); else the one closest to the band.
// Candidates: the checkpoint evaluations of the log (the latest record per file).
const evals = new Map<string, { file: string; tokens: number; acc: number }>();
for (const line of readFileSync(logFile, 'utf8').split('\n')) {
  if (!line.includes('"type":"eval"')) continue;
  const r = JSON.parse(line) as { file: string; tokens: number; heldOutTwoLetter: number };
  if (existsSync(r.file)) evals.set(r.file, { file: r.file, tokens: r.tokens, acc: r.heldOutTwoLetter });
}
const candidates = [...evals.values()];
if (candidates.length === 0) throw new Error(`no checkpoint evaluations in ${logFile}`);
const distance = (acc: number): number => (acc < bandLow ? bandLow - acc : acc > bandHigh ? acc - bandHigh : 0);
// The policy is the end of its schedule (learning rate decayed): its 200-question quick evaluations
// (SE about 3.5 points) are too noisy to pick among (3M scored 58.0% and 5M 57.5% there, but 5M was 6.0
// points better on 400 questions, McNemar p = 0.06), so it is the most-trained checkpoint.
const chosen = policy
  ? [...candidates].sort((a, b) => b.tokens - a.tokens)[0]!
  : [...candidates].sort((a, b) => distance(a.acc) - distance(b.acc) || b.tokens - a.tokens)[0]!;
say(`chosen ${chosen.file} (quick held-out accuracy ${(100 * chosen.acc).toFixed(1)}%)`);
if (policy) {
  await finishPolicy(chosen);
  process.exit(0);
}
copyFileSync(chosen.file, join(o.outDir, `${NAME}.gguf`));
const report = await evaluateBuiltinGguf(join(o.outDir, `${NAME}.gguf`), {
  heldOutCount: o.finalEval,
  hardSetFile: existsSync(o.hardSet) ? o.hardSet : undefined,
  sampledCount: Math.min(o.finalEval, 100),
});
const evalJson = {
  model: `models/${NAME}.gguf`,
  architecture: MODEL_SPEC,
  chosenCheckpoint: { tokens: chosen.tokens, quickHeldOutTwoLetter: chosen.acc, inBand: chosen.acc >= bandLow && chosen.acc <= bandHigh },
  band: [bandLow, bandHigh],
  candidates: candidates.map(({ tokens, acc }) => ({ tokens, quickHeldOutTwoLetter: acc })),
  notes:
    "greedy = temperature 0 via node-llama-cpp; held-out = 500 questions on held-out dictionary words, letters uniform over the word's distinct letters; hardSet = the authors' 500 questions (majorityBaseline = always answering the most common gold answer, 3); sampled = 8 samples at T 0.7 on the first 100 questions of each set",
  ...report,
};
writeFileAtomic(join(o.outDir, `${NAME}.eval.json`), `${JSON.stringify(evalJson, null, 2)}\n`);
log({
  type: 'selected',
  tokens: chosen.tokens,
  quickHeldOutTwoLetter: chosen.acc,
  heldOutTwoLetter: report.heldOutTwoLetter.answer,
  heldOutOneLetter: report.heldOutOneLetter.answer,
  hardSet: report.hardSet?.answer,
  totalSeconds: (Date.now() - started) / 1000,
});
say(
  `held-out two-letter ${(100 * report.heldOutTwoLetter.answer).toFixed(1)}%, one-letter ${(100 * report.heldOutOneLetter.answer).toFixed(1)}%, hard ${report.hardSet ? (100 * report.hardSet.answer).toFixed(1) + '%' : '-'}; wrote ${o.outDir}/${NAME}.gguf, ${NAME}.eval.json, ${NAME}.train-log.jsonl`,
);

/**
 * The policy's final evaluation: greedy on held-out words with the training phrasings and with the
 * 12 held-out phrasings (1 and 2 letters, 10% zero counts), then sampled at the search temperature
 * (0.7) to see how often its reflections fix a wrong first attempt.
 */
async function finishPolicy(chosen: { file: string; tokens: number; acc: number }): Promise<void> {
  const target = join(o.outDir, 'policy.gguf');
  copyFileSync(chosen.file, target);
  const generator = await openGgufGenerator(target);
  const strip = (r: Awaited<ReturnType<typeof evaluatePolicySet>>): Omit<typeof r, 'records'> & { examples: string[] } => {
    const { records, ...rest } = r;
    return { ...rest, examples: records.slice(0, 5).map((x) => x.text) };
  };
  try {
    const t0 = Date.now();
    const sets = policyEvaluationSets(o.finalEval);
    const words = await evaluatePolicySet(generator, sets.heldOutWords);
    const phrasings = await evaluatePolicySet(generator, sets.heldOutPhrasings);
    const fresh = await evaluatePolicySet(generator, sets.freshPhrasings);
    const sampled = await evaluatePolicySet(
      generator,
      policyEvalQuestions({ phrasings: 'train', count: Math.min(o.finalEval, 200), seed: 20261208, zeroShare: 0.1 }),
      { temperature: 0.7, seed: 1 },
    );
    const evalJson = {
      // The file as written: a second stage goes to its own --out-dir and is shipped under another name.
      model: target,
      architecture: MODEL_SPEC,
      chosenCheckpoint: { tokens: chosen.tokens, quickHeldOutWords: chosen.acc },
      notes:
        "greedy via node-llama-cpp; heldOutWords = held-out dictionary words asked with the 48 training phrasings; heldOutPhrasings = held-out words asked with the 12 held-out phrasings; freshPhrasings = held-out words asked with 8 templates written after the context-varied rows were designed (phrasings.ts POLICY_FRESH_PHRASINGS); both 1-2 letters (letters uniform over the word's distinct letters), 10% of questions with letters absent from the word (count 0); sampledT07 = one sample at T 0.7 per question (the search temperature); accuracy and noAnswer carry standard error and Wilson 95% interval",
      heldOutWords: strip(words),
      heldOutPhrasings: strip(phrasings),
      freshPhrasings: strip(fresh),
      sampledT07: strip(sampled),
      seconds: (Date.now() - t0) / 1000,
    };
    writeFileAtomic(join(o.outDir, 'policy.eval.json'), `${JSON.stringify(evalJson, null, 2)}\n`);
    log({
      type: 'selected',
      tokens: chosen.tokens,
      heldOutWords: words.accuracy,
      heldOutPhrasings: phrasings.accuracy,
      freshPhrasings: fresh.accuracy,
      totalSeconds: (Date.now() - started) / 1000,
    });
    const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
    say(
      `policy: held-out words ${pct(words.accuracy.value)} ± ${pct(words.accuracy.se)}, held-out phrasings ${pct(phrasings.accuracy.value)} ± ${pct(phrasings.accuracy.se)}, fresh phrasings ${pct(fresh.accuracy.value)} ± ${pct(fresh.accuracy.se)}; sampled T 0.7: reflected ${sampled.reflected}, fixed ${sampled.reflectionFixed}, broke ${sampled.reflectionBroke}; wrote ${target}, policy.eval.json`,
    );
  } finally {
    await generator.dispose();
  }
}
