/**
 * README.md of a data folder for the Hugging Face Hub and `datasets.load_dataset(folder)`: the
 * data card under a YAML header whose `configs:` lists every row file as its own config
 * (https://huggingface.co/docs/hub/datasets-manual-configuration). Without it, the Hub viewer
 * and `load_dataset(folder)` glob every file into one table and fail on the mixed schemas
 * (sft, dpo, paths, the TRL/OpenRLHF/LLaMA-Factory variants all have different columns).
 *
 * Config names are the file path with `/` and `.` as `_` (`trl/dpo.jsonl` -> `trl_dpo_jsonl`);
 * `sft_jsonl` is the default. Only JSON Lines and JSON files get configs: `datasets` picks ONE
 * builder per folder (json here) for every config, so a Parquet config next to JSON ones fails
 * with a JSON parse error (measured with datasets 5.2.0). The `.parquet` twins hold the same rows
 * and load with `load_dataset("parquet", data_files=...)`. Files with no rows get no config (the
 * JSON loader refuses an empty file), and `dataset_info.json` / `stats.json` are not row files.
 */
import { stringify } from 'yaml';

/** Config name of a row file. */
export function hubConfigName(file: string): string {
  return file.replace(/[/.]/g, '_');
}

/**
 * @param rowFiles relative path -> row count (the manifest's `files`; null for non-row files)
 * @param card the data card's markdown (card.md)
 */
export function renderHubReadme(rowFiles: Record<string, number | null>, card: string): string {
  const files = Object.entries(rowFiles)
    .filter(([name, rows]) => rows !== null && rows > 0 && /\.(jsonl|json)$/.test(name))
    .map(([name]) => name);
  const configs = files.map((file) => ({
    config_name: hubConfigName(file),
    ...(file === 'sft.jsonl' ? { default: true } : {}),
    data_files: [{ split: 'train', path: file }],
  }));
  const header = stringify({ configs, tags: ['treecot', 'chain-of-thought', 'mcts', 'dpo'] }, { lineWidth: 0 });
  return `---\n${header}---\n\n${card.trimStart()}`;
}
