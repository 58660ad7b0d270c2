/**
 * Examples in `treecot <command> --help`, taken from the runnable examples that open each command's
 * source file (docs/design.md `cli/`), so they live in one place: the comment lines that start with
 * `treecot ` or `npx treecot `, with their `\` continuation lines.
 */

/** The example lines of a command file's leading doc comment, without the ` * ` prefix. */
export function examplesFromSource(source: string): string[] {
  const header = /^\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? '';
  const lines = header.split('\n').map((line) => line.replace(/^\s*\*\s?/, ''));
  const examples: string[] = [];
  let continuing = false;
  for (const line of lines) {
    const trimmed = line.trim();
    if (/^(npx )?treecot /.test(trimmed) || (continuing && trimmed !== '')) {
      examples.push(continuing ? `    ${trimmed}` : trimmed);
      continuing = trimmed.endsWith('\\');
    } else {
      continuing = false;
    }
  }
  return examples;
}

/** The text commander prints after a command's options, or '' when the file has no examples. */
export function examplesHelpText(source: string): string {
  const examples = examplesFromSource(source);
  return examples.length === 0 ? '' : `\nExamples:\n${examples.map((line) => `  ${line}`).join('\n')}\n`;
}
