/** README.md of a data folder: the Hub's YAML header lists each row file as its own config. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderHubReadme, hubConfigName } from '../../src/data/hub-readme.ts';

test('hub README: one config per non-empty JSON(L) row file, sft.jsonl the default, the card below the header', () => {
  const files = {
    'sft.jsonl': 3,
    'sft.parquet': 3,
    'dpo.jsonl': 0,
    'trl/dpo.parquet': 0,
    'trl/sft_conversational.jsonl': 3,
    'llama-factory/sft.json': 3,
    'llama-factory/dataset_info.json': null,
    'stats.json': null,
    'card.md': null,
  };
  const text = renderHubReadme(files, '# card\n\nbody\n');
  const [, header, body] = text.split(/^---$/m);
  const yaml = parse(header!) as { configs: { config_name: string; default?: boolean; data_files: { split: string; path: string }[] }[] };
  // Parquet twins get no config: datasets uses one builder (json) for all configs of a folder.
  assert.deepEqual(
    yaml.configs.map((c) => c.data_files[0]!.path),
    ['sft.jsonl', 'trl/sft_conversational.jsonl', 'llama-factory/sft.json'],
  );
  assert.deepEqual(
    yaml.configs.map((c) => c.config_name),
    ['sft_jsonl', 'trl_sft_conversational_jsonl', 'llama-factory_sft_json'],
  );
  assert.deepEqual(
    yaml.configs.filter((c) => c.default).map((c) => c.config_name),
    ['sft_jsonl'],
  );
  assert.ok(yaml.configs.every((c) => c.data_files.length === 1 && c.data_files[0]!.split === 'train'));
  assert.equal(body!.trim(), '# card\n\nbody');
  assert.equal(hubConfigName('trl/dpo_prefix_in_prompt.parquet'), 'trl_dpo_prefix_in_prompt_parquet');
});
