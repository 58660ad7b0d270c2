/**
 * Writes a built data set to a folder. The whole folder is replaced at once (staged beside it,
 * then switched in; core/replace-folder.ts), so a failure or a kill never leaves half a data
 * set: either the old folder or the new one (issues 4 and 15).
 *
 * Layout of DIR:
 *   sft.jsonl, dpo.jsonl          rows for `treecot train` (TRL plain format + provenance columns)
 *   paths.jsonl                   every kept root-to-answer path
 *   stats.json, card.md           statistics and data card
 *   README.md                     card.md under the Hub's YAML header (one `configs:` entry per row file)
 *   manifest.json                 every file with its row count
 *   trl/                          sft, sft_conversational, dpo, dpo_conversational, dpo_prefix_in_prompt (.jsonl)
 *   llama-factory/                sft.json, dpo.json (sharegpt, ranking) and dataset_info.json
 *   openrlhf/                     sft.jsonl (input/output), dpo.jsonl (prompt/chosen/rejected)
 *   *.parquet                     next to each .jsonl when `parquet` is set
 */
import { toJsonl } from '../core/files.ts';
import { replaceFolder, type ReplaceFolderOptions } from '../core/replace-folder.ts';
import type { BuiltDataset } from './build-dataset.ts';
import { renderDatasetCard } from './dataset-card.ts';
import { renderHubReadme } from './hub-readme.ts';
import {
  llamaFactoryDatasetInfo,
  llamaFactoryDpo,
  llamaFactorySft,
  openRlhfDpo,
  openRlhfSft,
  trlDpoConversational,
  trlDpoPlain,
  trlDpoPrefixInPrompt,
  trlSftConversational,
  trlSftPlain,
  type PrefixBoundary,
} from './export-formats.ts';
import { rowsToParquet } from './parquet.ts';
import type { TreePath } from './types.ts';

export const MANIFEST_SCHEMA = 'treecot.data-manifest/1';

export interface WriteDatasetOptions {
  /** Also write a .parquet next to every .jsonl. Default false. */
  parquet?: boolean;
  /** What the prefix-in-prompt export moves: whole shared thoughts (default) or the exact common prefix. */
  prefixBoundary?: PrefixBoundary;
}

export interface DatasetManifest {
  schema: typeof MANIFEST_SCHEMA;
  /** Relative path -> number of rows (null for non-row files). */
  files: Record<string, number | null>;
}

/** A path as a `paths.jsonl` row (snake_case like the other rows). */
function pathRow(p: TreePath): Record<string, unknown> {
  return {
    question_id: p.questionId,
    prompt: p.prompt,
    response: p.response,
    reward: p.reward,
    correct: p.correct,
    verdict: p.verdict,
    length: p.length,
    length_unit: p.lengthUnit,
    reflection_count: p.reflectionCount,
    node_ids: p.nodeIds,
    path_tokens: p.promptTokens + p.completionTokens,
  };
}

/** The files of a data set as (relative path -> bytes), and the manifest. */
export function renderDatasetFiles(data: BuiltDataset, options: WriteDatasetOptions = {}): Map<string, string | Uint8Array> {
  const rowSets: [string, Record<string, unknown>[]][] = [
    ['sft.jsonl', data.sft as unknown as Record<string, unknown>[]],
    ['dpo.jsonl', data.dpo as unknown as Record<string, unknown>[]],
    ['paths.jsonl', data.paths.map(pathRow)],
    ['trl/sft.jsonl', data.sft.map(trlSftPlain)],
    ['trl/sft_conversational.jsonl', data.sft.map(trlSftConversational)],
    ['trl/dpo.jsonl', data.dpo.map(trlDpoPlain)],
    ['trl/dpo_conversational.jsonl', data.dpo.map(trlDpoConversational)],
    ['trl/dpo_prefix_in_prompt.jsonl', data.dpo.map((p) => trlDpoPrefixInPrompt(p, options.prefixBoundary))],
    ['openrlhf/sft.jsonl', data.sft.map(openRlhfSft)],
    ['openrlhf/dpo.jsonl', data.dpo.map(openRlhfDpo)],
  ];
  const files = new Map<string, string | Uint8Array>();
  const manifest: DatasetManifest = { schema: MANIFEST_SCHEMA, files: {} };
  for (const [name, rows] of rowSets) {
    files.set(name, toJsonl(rows));
    manifest.files[name] = rows.length;
    if (options.parquet && name !== 'paths.jsonl') {
      const bytes = rowsToParquet(rows);
      if (bytes) {
        const parquetName = name.replace(/\.jsonl$/, '.parquet');
        files.set(parquetName, bytes);
        manifest.files[parquetName] = rows.length;
      }
    }
  }
  files.set('llama-factory/sft.json', JSON.stringify(data.sft.map(llamaFactorySft), null, 1) + '\n');
  files.set('llama-factory/dpo.json', JSON.stringify(data.dpo.map(llamaFactoryDpo), null, 1) + '\n');
  files.set('llama-factory/dataset_info.json', JSON.stringify(llamaFactoryDatasetInfo('sft.json', 'dpo.json'), null, 2) + '\n');
  manifest.files['llama-factory/sft.json'] = data.sft.length;
  manifest.files['llama-factory/dpo.json'] = data.dpo.length;
  manifest.files['llama-factory/dataset_info.json'] = null;
  files.set('stats.json', JSON.stringify(data.stats, null, 2) + '\n');
  files.set('card.md', renderDatasetCard(data.stats));
  manifest.files['stats.json'] = null;
  manifest.files['card.md'] = null;
  // The Hub's README.md: the same card under a YAML header with one `configs:` entry per row file.
  files.set('README.md', renderHubReadme(manifest.files, renderDatasetCard(data.stats)));
  manifest.files['README.md'] = null;
  manifest.files['manifest.json'] = null;
  files.set('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  return files;
}

/**
 * Write `files` as the whole new content of `outDir`: staged beside it, then switched in with
 * two renames, with recovery of a killed switch on the next start (core/replace-folder.ts).
 * A reader sees either the old data set or the new one, never a mix.
 * @throws DataError when `outDir` is a file or holds entries no build wrote.
 */
export function writeFilesStaged(outDir: string, files: Map<string, string | Uint8Array>, options: ReplaceFolderOptions = {}): void {
  replaceFolder(outDir, files, options);
}

/** Render and write a data set to `outDir` (staged, then renamed into place). */
export function writeDataset(
  data: BuiltDataset,
  outDir: string,
  options: WriteDatasetOptions & ReplaceFolderOptions = {},
): Map<string, string | Uint8Array> {
  const files = renderDatasetFiles(data, options);
  writeFilesStaged(outDir, files, options);
  return files;
}
