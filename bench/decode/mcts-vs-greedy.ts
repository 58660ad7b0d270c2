/**
 * `npm run bench:decode -- --gguf models/policy.gguf --gguf run/round-1/sft/model.gguf`: MCTS decode
 * against greedy and sampling for built-in GGUFs (issue 10 item 6; the paper's Table 7), on letter-count
 * questions on held-out words in the policy's training phrasings.
 *
 * For each model it runs the real CLI three times over the same questions:
 *   greedy   `treecot eval` at temperature 0
 *   sampled  `treecot eval -n 8 --temperature 0.7 -k 1 8` (pass@1 and pass@8)
 *   mcts     `treecot eval --mcts-decode --mcts-rollouts R` (the greedy response plus R tree paths vote)
 * and prints `treecot eval --compare greedy sampled mcts`: accuracy with standard error and the exact
 * McNemar test of each against greedy over the same questions.
 *
 * Options: --count N (default 100), --rollouts R (default 8), --search-config FILE (default
 * configs/letter-count-policy.yaml), --out DIR (default bench-out/decode), --seed S (question seed, 11),
 * --decode-temperature T (the MCTS decode search's temperature; default: the search config's, 0.7).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { generateLetterCountProblems } from '../../src/tasks/index.ts';
import { builtinWordSplit } from '../../src/train/index.ts';
import { POLICY_TRAIN_PHRASINGS, templatesByLetters } from '../../src/train/builtin/phrasings.ts';

const o = new Command()
  .requiredOption('--gguf <file...>', 'GGUF models to decode with')
  .option('--count <n>', 'questions', Number, 100)
  .option('--rollouts <n>', 'MCTS decode rollouts', Number, 8)
  .option('--search-config <file>', 'search graph for --mcts-decode', 'configs/letter-count-policy.yaml')
  .option('--out <dir>', 'output folder', 'bench-out/decode')
  .option('--seed <n>', 'question seed', Number, 11)
  .option('--decode-temperature <t>', "MCTS decode's sampling temperature (default: the search config's)")
  .parse()
  .opts<{ gguf: string[]; count: number; rollouts: number; searchConfig: string; out: string; seed: number; decodeTemperature?: string }>();

mkdirSync(o.out, { recursive: true });
const questions = join(o.out, 'questions.jsonl');
const problems = generateLetterCountProblems({
  words: builtinWordSplit().heldOut,
  count: o.count,
  seed: o.seed,
  twoLetterShare: 0.6,
  letterSampling: 'set',
  randomLetterShare: 0.05,
  idPrefix: 'decode',
  phrasings: templatesByLetters(POLICY_TRAIN_PHRASINGS),
});
writeFileSync(
  questions,
  problems
    .map((p) => JSON.stringify({ id: p.id, problem: p.question, solution: p.reference, word: p.word, letters: p.letters }))
    .join('\n') + '\n',
);

const treecot = (args: string[]): string =>
  execFileSync(process.execPath, ['bin/treecot.js', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const common = (gguf: string, out: string) => [
  'eval',
  '--task',
  'letter-count',
  '--data',
  questions,
  '--gguf',
  gguf,
  '--search-config',
  o.searchConfig,
  '--instruction',
  '',
  '--max-tokens',
  '300',
  '--out',
  out,
];

for (const gguf of o.gguf) {
  const name = `${basename(dirname(gguf))}-${basename(gguf, '.gguf')}`;
  const dir = join(o.out, name);
  const started = Date.now();
  const timed = (label: string, args: string[]): void => {
    const t = Date.now();
    treecot(args);
    console.log(`${name} ${label}: ${((Date.now() - t) / 1000).toFixed(0)} s`);
  };
  timed('greedy', common(gguf, join(dir, 'greedy')));
  timed('sampled', [...common(gguf, join(dir, 'sampled')), '-n', '8', '--temperature', '0.7', '-k', '1', '8']);
  const decodeTemperature = o.decodeTemperature === undefined ? [] : ['--mcts-temperature', o.decodeTemperature];
  timed('mcts', [...common(gguf, join(dir, 'mcts')), '--mcts-decode', '--mcts-rollouts', String(o.rollouts), ...decodeTemperature]);
  console.log(`\n## ${gguf} (${o.count} questions, ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  console.log(treecot(['eval', '--compare', join(dir, 'greedy'), join(dir, 'sampled'), join(dir, 'mcts')]));
}
