/**
 * `treecot tree`: print one question's search tree as indented text.
 *
 *   treecot tree runs/lc.db real_0
 *   treecot tree runs/lc.db real_0 --width 200 --run 2
 *   treecot tree runs/lc.db real_0 --json
 *
 * Each line: [node id] type N=visits W=reward sum (verdict) xcopies text.
 */
import type { Command } from 'commander';
import { integerOption, runIdOption } from '../number-options.ts';
import { ConfigError } from '../../core/errors.ts';

export function register(program: Command): void {
  program
    .command('tree <db> <questionId>')
    .description("print one question's search tree as indented text")
    .option('--run <id>', 'run id in the file (default: the latest)')
    .option('--width <n>', 'characters of each thought to show', '100')
    .option('--json', 'print the tree as one JSON object (the shape of an export-trees file: nodes, correct and wrong paths)')
    .action(async (db: string, questionId: string, options: { run?: string; width: string; json?: boolean }) => {
      const width = integerOption(options.width, '--width', 1);
      const { readRun } = await import('../../store/index.ts');
      const { formatTree } = await import('../../search/index.ts');
      // Node ids as `treecot view` shows them (rowids), in the text and the JSON alike.
      const { questions } = readRun(db, { runId: runIdOption(options.run) });
      const q = questions.find((x) => x.questionId === questionId);
      if (!q) {
        const known = questions
          .slice(0, 5)
          .map((x) => x.questionId)
          .join(', ');
        throw new ConfigError(
          { file: db, field: 'questionId' },
          `no question "${questionId}" in this run (${questions.length} questions, e.g. ${known})`,
        );
      }
      if (options.json) {
        const { exportTree } = await import('../../search/index.ts');
        const { writeJsonLine } = await import('../json-output.ts');
        writeJsonLine(exportTree(q));
        return;
      }
      process.stdout.write(`${formatTree(q, width)}\n`);
    });
}
