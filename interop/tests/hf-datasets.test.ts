/**
 * Hugging Face `datasets` reads every JSONL, JSON and Parquet export of `treecot build` with the
 * plain json/parquet loaders, and every JSON(L) export through the folder's README.md configs (one
 * per file, so schemas are never mixed), with the row counts of manifest.json and the columns
 * treecot wrote. Parquet twins have the same features as their JSONL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtData } from './fixture.ts';
import { pythonJson } from './python.ts';

interface Described {
  rows: number;
  columns: string[];
  features: Record<string, string>;
}
interface DatasetsResult {
  versions: Record<string, string>;
  configs: Record<string, Described & { path: string }>;
  files: Record<string, Described>;
  default: Described;
}

/** Column names of a file as treecot wrote it (first JSONL line, or first element of a JSON array). */
function writtenColumns(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const first = file.endsWith('.json')
    ? (JSON.parse(text) as Record<string, unknown>[])[0]!
    : (JSON.parse(text.split('\n')[0]!) as Record<string, unknown>);
  return Object.keys(first).sort();
}

test(
  'datasets.load_dataset reads every row file (JSONL, JSON, Parquet), and every JSON(L) file by its README config',
  { timeout: 20 * 60_000 },
  async (t) => {
    const data = await builtData();
    const manifest = JSON.parse(readFileSync(join(data, 'manifest.json'), 'utf8')) as { files: Record<string, number | null> };
    const result = await pythonJson<DatasetsResult>('datasets_check.py', [data]);
    t.diagnostic(`versions ${JSON.stringify(result.versions)}; ${Object.keys(result.configs).length} configs`);
    const rowFiles = Object.entries(manifest.files)
      .filter(([f, n]) => n !== null && n > 0 && /\.(jsonl|json|parquet)$/.test(f))
      .map(([f]) => f);
    assert.deepEqual(Object.keys(result.files).sort(), [...rowFiles].sort(), 'every row file read');
    assert.deepEqual(
      Object.values(result.configs)
        .map((c) => c.path)
        .sort(),
      rowFiles.filter((f) => !f.endsWith('.parquet')).sort(),
      'one config per non-empty JSON(L) row file',
    );
    for (const file of rowFiles) {
      assert.equal(result.files[file]!.rows, manifest.files[file], `${file}: rows`);
      const jsonSibling = file.endsWith('.parquet') ? join(data, file.replace(/\.parquet$/, '.jsonl')) : join(data, file);
      assert.deepEqual([...result.files[file]!.columns].sort(), writtenColumns(jsonSibling), `${file}: columns`);
    }
    for (const config of Object.values(result.configs)) {
      const file = config.path;
      assert.equal(config.rows, manifest.files[file], `${file}: rows`);
      assert.deepEqual(result.files[file]!.features, config.features, `${file}: same features through the README config`);
    }
    // Parquet and JSONL of the same rows give the same features, except the one documented
    // difference: treecot writes integer columns as Parquet INT32, the JSON loader infers int64.
    const asJsonInts = (feature: string): string => feature.replace(/int32/g, 'int64');
    for (const file of rowFiles.filter((f) => f.endsWith('.parquet'))) {
      const jsonl = file.replace(/\.parquet$/, '.jsonl');
      const parquetFeatures = result.files[file]!.features;
      const jsonFeatures = result.files[jsonl]!.features;
      const widened = Object.keys(parquetFeatures).filter((k) => parquetFeatures[k] !== jsonFeatures[k]);
      if (widened.length) t.diagnostic(`${file}: int32 in Parquet, int64 from JSONL: ${widened.join(', ')}`);
      assert.deepEqual(
        Object.fromEntries(Object.entries(parquetFeatures).map(([k, v]) => [k, asJsonInts(v)])),
        jsonFeatures,
        `${file} vs ${jsonl}`,
      );
    }
    assert.equal(result.default.rows, manifest.files['sft.jsonl'], 'load_dataset(folder) gives the default config, sft.jsonl');
    // Conversational columns are lists of {role, content} messages.
    assert.match(result.configs['trl_dpo_conversational_jsonl']!.features.chosen!, /role/);
  },
);
