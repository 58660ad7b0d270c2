/**
 * `treecot view`: a local web app over a search database (or a `treecot run` folder): the
 * questions table with live counters, each tree, paths with rendered math, DPO pairs, and a
 * keyboard-driven review whose marks `treecot build` honours. See docs/view.md.
 *
 *   treecot view runs/lc.db
 *   treecot view runs/demo --port 8080 --reviewer alice --open
 *   treecot view runs/lc.db --host 0.0.0.0        # prints a URL with an access token
 */
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import { COMMAND_LINE, integerOption, runIdOption } from '../number-options.ts';
import { ConfigError } from '../../core/errors.ts';

function defaultReviewer(): string {
  try {
    return userInfo().username || 'reviewer';
  } catch {
    return 'reviewer';
  }
}

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
  child.on('error', (error) => process.stderr.write(`treecot view: could not run ${command} (${error.message}); open the URL yourself\n`));
  child.unref();
}

export function register(program: Command): void {
  program
    .command('view <target>')
    .description('browse and review a search database (or a `treecot run` folder) in a local web app')
    .option('--port <n>', 'port (0 = any free one)', '7480')
    .option('--host <address>', 'address to bind; anything but loopback requires the printed access token', '127.0.0.1')
    .option('--reviewer <name>', 'name stored with your annotations (default: the OS user)')
    .option('--run <id>', 'run id in the file (default: the latest)')
    .option('--open', 'open the page in the default browser')
    .option(
      '--json',
      'once serving, print {url, token, reviewer, target} as one JSON object on stdout (for scripts; --port 0 picks a free port)',
    )
    .action(
      async (target: string, options: { port: string; host: string; reviewer?: string; run?: string; open?: boolean; json?: boolean }) => {
        const port = integerOption(options.port, '--port', 0, 65535);
        const reviewer = (options.reviewer ?? defaultReviewer()).trim();
        if (reviewer.length === 0 || reviewer.length > 100) {
          throw new ConfigError({ file: COMMAND_LINE, field: '--reviewer' }, `must be 1-100 characters (got ${reviewer.length})`);
        }
        const { startViewServer } = await import('../../view/index.ts');
        const view = await startViewServer({ target, host: options.host, port, reviewer, runId: runIdOption(options.run) });
        if (options.json) {
          const { writeJsonLine } = await import('../json-output.ts');
          writeJsonLine({ url: view.url, token: view.token, reviewer, target });
        }
        // With --json these lines go to stderr (json-output.ts).
        process.stdout.write(`treecot view: serving ${target} at ${view.url}\n`);
        if (view.token !== null) {
          process.stdout.write(
            `treecot view: bound to ${options.host}, so every request needs the access token above (the URL sets it as a cookie; scripts send "Authorization: Bearer ${view.token}")\n`,
          );
        }
        process.stdout.write(`treecot view: reviewer "${reviewer}"; Ctrl-C to stop\n`);
        if (options.open) openBrowser(view.url);
        await new Promise<void>((resolve) => {
          const stop = () => {
            void view.close().then(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );
}
