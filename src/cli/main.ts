/**
 * treecot CLI: a thin commander layer over the library. Each command lives in its own file
 * under src/cli/commands/, exports `register(program: Command): void`, and is loaded here.
 * Command files import heavy modules (tfjs, llama.cpp) lazily inside their actions, so
 * `treecot --help` stays fast.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { TreecotError } from '../core/errors.ts';
import { describeUnexpectedError } from './describe-error.ts';
import { examplesHelpText } from './help-examples.ts';
import { releaseStdout, reserveStdoutForJson } from './json-output.ts';

/** Commands in the order of the work (`--help` lists them so); others follow alphabetically. */
const WORKFLOW = ['demo', 'run', 'check', 'search', 'tree', 'export-trees', 'merge', 'view', 'build', 'export-trl', 'train', 'eval'];
const workflowRank = (file: string) => {
  const rank = WORKFLOW.indexOf(file.replace(/\.ts$/, ''));
  return rank < 0 ? WORKFLOW.length : rank;
};

const COMMANDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'commands');

export async function buildProgram(): Promise<Command> {
  const program = new Command();
  program
    .name('treecot')
    .description('Tree-shaped CoT data by MCTS over typed thoughts, and CoT-aware post-training for small reasoning models.')
    .version('0.1.0');
  // --json: stdout is reserved for the command's JSON from before its action runs (json-output.ts).
  program.hook('preAction', (_program, command) => {
    if (command.opts().json === true) reserveStdoutForJson();
  });
  program.hook('postAction', () => releaseStdout());
  const files = readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort((a, b) => workflowRank(a) - workflowRank(b) || a.localeCompare(b));
  for (const file of files) {
    const module = (await import(pathToFileURL(join(COMMANDS_DIR, file)).href)) as { register?: (p: Command) => void };
    if (typeof module.register !== 'function') throw new Error(`src/cli/commands/${file} does not export register(program)`);
    const before = program.commands.length;
    module.register(program);
    // The runnable examples at the top of the command's file, shown after its options in --help.
    const examples = examplesHelpText(readFileSync(join(COMMANDS_DIR, file), 'utf8'));
    for (const command of program.commands.slice(before)) if (examples) command.addHelpText('after', examples);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram();
  // Keep the event loop alive until the command settles. Without it, a moment where the only
  // pending work is a lazy import through tsx's loader thread (unref'd) lets Node exit with
  // code 13 ("unsettled top-level await") in the middle of a command.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (TreecotError.isInstance(error)) {
      process.stderr.write(`treecot: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    if (process.env.TREECOT_DEBUG) throw error;
    const { line, exitCode } = describeUnexpectedError(error);
    process.stderr.write(`treecot: ${line}\n`);
    process.exitCode = exitCode;
  } finally {
    releaseStdout(); // also when the action threw (postAction does not run then)
    clearInterval(keepAlive);
  }
}
