/**
 * Real search databases for the view tests: `treecot search` runs as a child process (the real
 * CLI, store and scheduler) against a loopback OpenAI-wire server whose thoughts are scripted
 * (test/helpers/openai-server.ts). `thoughts` are the texts the "model" writes, picked by a
 * hash of the prompt, so trees hold exactly the text a test wants to see rendered.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashString } from '../../src/core/index.ts';
import { startOpenAITestServer, type GenerationRequest, type OpenAITestServer } from '../helpers/openai-server.ts';
import { LETTER_COUNT_DATA } from '../search/helpers.ts';

export const BIN = new URL('../../bin/treecot.js', import.meta.url).pathname;
const run = promisify(execFile);

/** Thoughts with math the path page must render (a fraction, a matrix, a boxed answer). */
export const MATH_THOUGHTS = [
  ' so the share is $\\frac{3}{4}$ of the letters',
  ' as a matrix $\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}$ of counts',
  ' count each letter, then \\frac{1}{2} of them',
];

export interface ScriptedModel {
  server: OpenAITestServer;
  close(): Promise<void>;
}

/**
 * The loopback model: answers right or off by one (by hash); thoughts from `thoughts`, by hash
 * or, with `cycle`, in turn (so every text is written once enough thoughts are asked for).
 */
export async function startScriptedModel(
  thoughts: readonly string[],
  options: { latencyMs?: number; cycle?: boolean } = {},
): Promise<ScriptedModel> {
  let next = 0;
  const server = await startOpenAITestServer({
    latencyMs: options.latencyMs ?? 0,
    responder: (r: GenerationRequest) =>
      Array.from({ length: r.choices }, (_, i) => {
        const h = hashString(`${r.prompt}|${r.seed}|${i}`);
        if (r.prompt.trimEnd().endsWith('The answer is:')) return ` \\boxed{${2 + (h % 3)}}`;
        return options.cycle ? thoughts[next++ % thoughts.length]! : thoughts[h % thoughts.length]!;
      }),
  });
  return { server, close: () => server.close() };
}

/** A small copy of configs/letter-count.yaml (few rollouts) in `dir`. */
export function smallConfig(dir: string, maxRollouts = 4): string {
  const config = join(dir, 'small.yaml');
  writeFileSync(
    config,
    readFileSync('configs/letter-count.yaml', 'utf8')
      .replace('max_rollouts: 32', `max_rollouts: ${maxRollouts}`)
      .replace('reward_thresholds: [4, 8]', 'reward_thresholds: [1, 2]'),
  );
  return config;
}

export function searchArgs(
  config: string,
  out: string,
  baseURL: string,
  limit: number,
  concurrency = 4,
  data = LETTER_COUNT_DATA,
): string[] {
  return [
    'search',
    '--config',
    config,
    '--task',
    'letter-count',
    '--data',
    data,
    '--out',
    out,
    '--policy',
    baseURL,
    '--template',
    'chatml',
    '--limit',
    String(limit),
    '--concurrency',
    String(concurrency),
  ];
}

/** Run `treecot search` to completion. */
export async function runSearch(args: string[]): Promise<void> {
  await run(process.execPath, [BIN, ...args], { timeout: 180_000 });
}

/** Start `treecot search` without waiting (the live test). */
export function spawnSearch(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}
