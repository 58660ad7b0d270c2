/**
 * Every path of a run folder, in one place. Stages ask the layout where to read and write; no other
 * file of the pipeline joins run-folder paths.
 *
 *   pipeline.json                    effective config and its hash (a different config is refused)
 *   round-R/search/run.db            search store of round R (resumes at node level)
 *   round-R/data/                    sft.jsonl, dpo.jsonl, stats.json, card.md of round R
 *   round-R/sft/model.gguf           SFT on round R's data
 *   round-R/final/model.gguf         preference training of round R, from its SFT model
 *   eval/STAGE/SET/                  questions.jsonl + summary.json per model stage and question set
 *   ablation/data-chosen-X/          data of the last round rebuilt with DPO chosen = X (ablation rows)
 *   ablation/ROW/model.gguf          models of `--ablation` / `--alpha-sweep` rows
 *   baselines/long-cot/data/         distilled long-CoT rows (train.long_cot_baseline)
 *   baselines/long-cot/model/        the student SFT'd on them
 *   summary.json, report.md, report.html
 */
import { isAbsolute, join, relative } from 'node:path';

/** The files a training stage writes in its folder (see adapters.ts trainModel). */
export interface TrainFolder {
  dir: string;
  model: string;
  log: string;
  checkpoint: string;
  /** Cached reference-model log-probabilities of the preference pairs. */
  refLogps: string;
}

export class RunLayout {
  /** @param root the run folder (absolute, or relative to the current directory). */
  constructor(readonly root: string) {}

  /** Effective config and its hash. */
  get pipelineRecord(): string {
    return join(this.root, 'pipeline.json');
  }
  get summary(): string {
    return join(this.root, 'summary.json');
  }
  get reportMarkdown(): string {
    return join(this.root, 'report.md');
  }
  get reportHtml(): string {
    return join(this.root, 'report.html');
  }

  /** Search stage folder of round `round` (1-based). */
  searchDir(round: number): string {
    return join(this.root, `round-${round}`, 'search');
  }
  searchDb(round: number): string {
    return join(this.searchDir(round), 'run.db');
  }
  /** Data built from round `round`'s search with the configured DPO `chosen`. */
  roundData(round: number): string {
    return join(this.root, `round-${round}`, 'data');
  }
  sft(round: number): TrainFolder {
    return trainFolder(join(this.root, `round-${round}`, 'sft'));
  }
  final(round: number): TrainFolder {
    return trainFolder(join(this.root, `round-${round}`, 'final'));
  }

  /** Evaluation of model stage `stage` on question set `set`. */
  evalSet(stage: string, set: string): string {
    return join(this.root, 'eval', stage, set);
  }
  evalQuestions(stage: string, set: string): string {
    return join(this.evalSet(stage, set), 'questions.jsonl');
  }

  /** The last round's data rebuilt with another DPO `chosen` (one folder per run: ablation rows train from the last round only). */
  ablationData(chosen: string): string {
    return join(this.root, 'ablation', `data-chosen-${chosen}`);
  }
  ablationModel(row: string): TrainFolder {
    return trainFolder(join(this.root, 'ablation', row));
  }

  /** The distilled long-CoT baseline's rows and model (train.long_cot_baseline). */
  longCotData(): string {
    return join(this.root, 'baselines', 'long-cot', 'data');
  }
  longCotModel(): TrainFolder {
    return trainFolder(join(this.root, 'baselines', 'long-cot', 'model'));
  }

  /** `path` relative to the run folder (as summary.json records it). */
  relative(path: string): string {
    return relative(this.root, path);
  }

  /** How a stage names an input in its done-marker: relative inside the run folder, as given outside it. */
  label(path: string): string {
    const inside = relative(this.root, path);
    return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
  }
}

function trainFolder(dir: string): TrainFolder {
  return {
    dir,
    model: join(dir, 'model.gguf'),
    log: join(dir, 'train-log.jsonl'),
    checkpoint: join(dir, 'checkpoint'),
    refLogps: join(dir, 'ref-logps'),
  };
}
