/**
 * Child process for the interruption test: runs the fixture pipeline in `argv[3]` with the config
 * `argv[2]`, printing every log line to stdout (the parent kills it mid-run).
 */
import { loadPipelineConfig, runPipeline } from '../../src/pipeline/index.ts';
import { fixturePolicy } from './fixture.ts';

const [configFile, outDir] = process.argv.slice(2);
await runPipeline({
  loaded: loadPipelineConfig(configFile!),
  outDir: outDir!,
  log: (line) => process.stdout.write(line + '\n'),
  openPolicy: fixturePolicy(),
});
