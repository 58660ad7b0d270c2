/**
 * `treecot export-trees`: one JSON file per question, like the authors' tree output:
 * `{question_id, question, reference, nodes: [{id, parent, type, text, visits, reward_sum, ...}],
 *   correct_paths, wrong_paths}` (paths = root-to-answer node-id lists).
 *
 *   treecot export-trees runs/lc.db --out trees/
 *   treecot export-trees runs/lc.db --out trees/ --node-ids rowid   # SQLite rowids instead
 *
 * File names are the question ids with characters other than letters, digits, '.', '_' and
 * '-' replaced by '_' (a numeric suffix keeps them distinct).
 */
import { Option, type Command } from 'commander';
import { runIdOption } from '../number-options.ts';
import type { NodeIdKind } from '../../store/index.ts';

/** A safe, distinct file name for each question id. */
export function treeFileNames(ids: readonly string[]): string[] {
  const used = new Set<string>();
  return ids.map((id) => {
    const base = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
    let name = `${base}.json`;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}.json`;
    used.add(name);
    return name;
  });
}

export function register(program: Command): void {
  program
    .command('export-trees <db>')
    .description('write one JSON file per question: nodes, correct and wrong root-to-answer paths')
    .requiredOption('--out <dir>', 'output folder')
    .option('--run <id>', 'run id in the file (default: the latest)')
    .addOption(
      new Option('--node-ids <kind>', 'node ids: per-question (0 = root; the ids `treecot view` shows) | rowid (SQLite rowids)')
        .choices(['per-question', 'rowid'])
        .default('per-question'),
    )
    .option('--json', 'print {out, trees, files} as one JSON object on stdout')
    .action(async (db: string, options: { out: string; run?: string; nodeIds: NodeIdKind; json?: boolean }) => {
      const { readRun } = await import('../../store/index.ts');
      const { exportTree } = await import('../../search/index.ts');
      const { writeFileAtomic } = await import('../../core/index.ts');
      const { join } = await import('node:path');
      const { checkOutputLocation } = await import('../../core/index.ts');
      checkOutputLocation({ path: options.out, kind: 'folder', flag: '--out' });
      // Per-question node ids (default): the files are the same whatever the search's concurrency.
      const { questions } = readRun(db, { runId: runIdOption(options.run), nodeIds: options.nodeIds });
      const names = treeFileNames(questions.map((q) => q.questionId));
      questions.forEach((q, i) => writeFileAtomic(join(options.out, names[i]!), `${JSON.stringify(exportTree(q), null, 2)}\n`));
      if (options.json) {
        const { writeJsonLine } = await import('../json-output.ts');
        writeJsonLine({ out: options.out, trees: questions.length, files: names });
        return;
      }
      process.stdout.write(`${questions.length} trees written to ${options.out}\n`);
    });
}
