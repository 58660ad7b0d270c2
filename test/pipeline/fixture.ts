/**
 * A tiny pipeline for the tests: 6 searched questions, 8 rollouts, 3 SFT and 3 preference steps,
 * 12 held-out generated questions plus 8 questions from a data file the fixture writes.
 * The base model is the built-in GGUF (models/builtin.gguf) when present. Without it, the policy
 * of every model is a scripted letter-count policy (test/search/helpers.ts) and training starts
 * from a random tiny GGUF written here: the plumbing is then tested, the numbers mean nothing.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { CharTokenizer, exportGguf, LlamaModel, parseInitSpec } from '../../src/train/index.ts';
import { generateLetterCountProblems } from '../../src/tasks/index.ts';
import { builtinWordSplit } from '../../src/train/index.ts';
import type { Policy } from '../../src/policy/types.ts';
import { hashedLetterCountPolicy } from '../search/helpers.ts';

/** The base model: models/builtin.gguf, or another GGUF named by TREECOT_PIPELINE_TEST_GGUF. */
export const BUILTIN = resolve(process.env.TREECOT_PIPELINE_TEST_GGUF ?? 'models/builtin.gguf');
export const HAVE_BUILTIN = existsSync(BUILTIN);

/** Variations of the fixture for tests of rounds and ablation rows. */
export interface FixtureOptions {
  rounds?: number;
  /** DPO chosen of the final stage (default: the config default, shortest). */
  chosen?: 'shortest' | 'longest' | 'random';
  /** Evaluate on the held-out set only (faster). */
  heldoutOnly?: boolean;
  /** A student GGUF: the policy then only searches (two-model run). */
  student?: string;
  /** Add the distilled long-CoT baseline (train.long_cot_baseline). */
  longCot?: boolean;
  /** train.sft.mask_failed_attempts. */
  maskFailedAttempts?: boolean;
}

/** Write the fixture's config (and data file, and fallback model) into `dir`; returns the config path. */
export function writePipelineFixture(dir: string, options: FixtureOptions = {}): string {
  let gguf = BUILTIN;
  if (!HAVE_BUILTIN) {
    gguf = join(dir, 'random-tiny.gguf');
    const tokenizer = new CharTokenizer();
    exportGguf(LlamaModel.init(parseInitSpec('L1-d16-h2-c512', tokenizer.vocabSize), 3), gguf, { tokenizer });
  }
  const data = join(dir, 'questions.jsonl');
  const problems = generateLetterCountProblems({
    words: builtinWordSplit().heldOut,
    count: 8,
    seed: 99,
    twoLetterShare: 1,
    letterSampling: 'set',
    randomLetterShare: 0,
  });
  writeFileSync(data, problems.map((p) => JSON.stringify({ id: p.id, problem: p.question, solution: p.reference })).join('\n') + '\n');
  const config = {
    name: 'tiny',
    task: 'letter-count',
    seed: 1,
    ...(options.rounds ? { rounds: options.rounds } : {}),
    policy: { gguf, context_size: 256 },
    ...(options.student ? { student: { gguf: options.student, context_size: 256 } } : {}),
    search: {
      config: resolve('configs/letter-count-builtin.yaml'),
      questions: { generate: { count: 6, words: 'train', seed: 7, letter_sampling: 'pos' } },
      max_rollouts: 8,
      concurrency: 1,
    },
    build: { pairs_per_question: 2 },
    train: {
      context: 256,
      ...(options.longCot ? { long_cot_baseline: true } : {}),
      sft: { steps: 3, batch_size: 4, ...(options.maskFailedAttempts ? { mask_failed_attempts: true } : {}) },
      preference: { steps: 3, batch_size: 4, ...(options.chosen ? { chosen: options.chosen } : {}) },
    },
    eval: {
      max_tokens: 64,
      sets: [
        { name: 'heldout', generate: { count: 12, words: 'heldout', seed: 11 } },
        ...(options.heldoutOnly ? [] : [{ name: 'file', file: data }]),
      ],
    },
  };
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/** The policy hook for runPipeline: none with the built-in model; the scripted policy otherwise. */
export function fixturePolicy(): ((model: unknown) => Promise<Policy>) | undefined {
  return HAVE_BUILTIN ? undefined : async () => hashedLetterCountPolicy({ pCorrect: 0.6 });
}
