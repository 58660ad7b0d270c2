/**
 * `treecot merge`: join the databases of `treecot search --shard i/n` runs into one.
 *
 *   treecot merge runs/all.db runs/shard0.db runs/shard1.db runs/shard2.db runs/shard3.db
 *
 * All inputs must come from the same config and task. A question present in several inputs
 * keeps the most advanced copy (finished first, then most rollouts).
 */
import type { Command } from 'commander';
import { writeJsonLine } from '../json-output.ts';

export function register(program: Command): void {
  program
    .command('merge <out> <inputs...>')
    .description('join shard search databases (same config and task) into one')
    .option('--json', 'print the counts as one JSON object')
    .action(async (out: string, inputs: string[], options: { json?: boolean }) => {
      const { mergeStores } = await import('../../store/index.ts');
      const result = mergeStores(out, inputs);
      if (options.json) writeJsonLine(result);
      else {
        const kept = result.keptFromOutput > 0 ? `; ${result.keptFromOutput} questions kept as ${out} had them` : '';
        process.stdout.write(
          `${out}: ${result.questions} questions (${result.questions - result.keptFromOutput} copied${kept}), ${result.nodes} nodes and ${result.rollouts} rollouts copied from ${inputs.length} files (${result.duplicates} questions in several files, the most advanced copy kept)\n`,
        );
      }
    });
}
