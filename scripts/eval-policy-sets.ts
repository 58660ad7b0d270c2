/**
 * `node --import tsx scripts/eval-policy-sets.ts A.gguf [B.gguf ...]`: greedy accuracy of built-in GGUFs
 * on the policy's evaluation sets (held-out words with the 48 training phrasings; held-out words with
 * the 12 held-out phrasings; held-out words with the 8 fresh phrasings; 1-2 letters, 10% zero counts;
 * src/train/builtin/policy-data.ts), each with
 * its standard error and Wilson interval, and every model after the first against the first with the
 * exact McNemar test over the same questions. Prints a Markdown table; `--count N` (default 400).
 */
import { Command } from 'commander';
import { comparePaired, formatComparison, formatRate } from '../src/eval/index.ts';
import { evaluatePolicySet, openGgufGenerator, policyEvaluationSets } from '../src/train/builtin/index.ts';

const program = new Command().argument('<gguf...>').option('--count <n>', 'questions per set', Number, 400).parse();
const files = program.args;
const { count } = program.opts<{ count: number }>();
// The same questions as train-builtin's final policy evaluation (policy.eval.json).
const { heldOutWords, heldOutPhrasings, freshPhrasings } = policyEvaluationSets(count);
const sets = { 'held-out words': heldOutWords, 'held-out phrasings': heldOutPhrasings, 'fresh phrasings': freshPhrasings };
const rows: string[] = [
  '| model | set | accuracy ± SE (95% CI) | majority baseline | no answer | reflected | change vs first model |',
  '|---|---|---|---|---|---|---|',
];
const first = new Map<string, Map<string, number>>();
for (const [i, file] of files.entries()) {
  const generator = await openGgufGenerator(file);
  try {
    for (const [name, questions] of Object.entries(sets)) {
      const r = await evaluatePolicySet(generator, questions);
      const shares = new Map(r.records.map((x) => [x.id, x.correct ? 1 : 0]));
      if (i === 0) first.set(name, shares);
      const change = i === 0 ? '-' : formatComparison(comparePaired(first.get(name)!, shares));
      rows.push(
        `| ${file} | ${name} (${questions.length}) | ${formatRate(r.accuracy)} | ${(100 * r.majorityBaseline.accuracy).toFixed(1)}% (always ${r.majorityBaseline.answer}) | ${formatRate(r.noAnswer)} | ${r.reflected} (fixed ${r.reflectionFixed}, broke ${r.reflectionBroke}) | ${change} |`,
      );
    }
  } finally {
    await generator.dispose();
  }
}
process.stdout.write(rows.join('\n') + '\n');
