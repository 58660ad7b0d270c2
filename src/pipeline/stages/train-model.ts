/**
 * Training stages: SFT on a data folder's sft.jsonl, or a preference objective on its dpo.jsonl,
 * from a GGUF model (which is also the frozen reference model of the preference objective).
 */
import { trainModel } from '../adapters.ts';
import { trainedModel, type GgufModel } from '../model-ref.ts';
import type { PipelineContext } from '../pipeline-context.ts';
import type { TrainFolder } from '../run-layout.ts';
import type { Stage } from '../stage.ts';
import type { TrainEntry } from '../summary-types.ts';
import type { Chosen } from './build-data.ts';

/** A preference training: its model stage name, which data (DPO chosen), eps, alpha, masking. */
export interface PreferenceVariant {
  stage: string;
  description: string;
  chosen: Chosen;
  /** cDPO label smoothing (0: plain sigmoid DPO). */
  eps: number;
  /** Weight of the SFT term of the joint objective (0: none). */
  alpha: number;
  maskPrefix: boolean;
}

/** One training: which objective, from which model, on which data folder, into which folder. */
export interface Training {
  /** Model stage name (summary.json `train[].stage`), e.g. "sft-r2", "final", "dpo". */
  stage: string;
  /** Log name, e.g. "train SFT-r2". */
  name: string;
  init: GgufModel;
  dataDir: string;
  folder: TrainFolder;
  /** Absent: SFT. */
  preference?: PreferenceVariant;
  /** SFT: no loss on the failed attempts before a reflection (train.sft.mask_failed_attempts). */
  maskFailedAttempts?: boolean;
}

export function trainStage(ctx: PipelineContext, training: Training): Stage<Omit<TrainEntry, 'data'>> {
  const { layout, config, log } = ctx;
  const { preference } = training;
  return {
    name: training.name,
    dir: training.folder.dir,
    // A run folder trained without the mask is not taken for one trained with it (or the reverse).
    inputs: [
      layout.label(training.init.path),
      layout.label(training.dataDir),
      ...(training.maskFailedAttempts ? ['failed attempts masked'] : []),
    ],
    outputs: [training.folder.model],
    run: () =>
      trainModel({
        stage: training.stage,
        kind: preference ? 'preference' : 'sft',
        initModel: training.init.path,
        dataDir: training.dataDir,
        folder: training.folder,
        config,
        ...(preference ? { preference: { eps: preference.eps, alpha: preference.alpha, maskPrefix: preference.maskPrefix } } : {}),
        maskFailedAttempts: training.maskFailedAttempts ?? false,
        log,
      }),
  };
}

/** Run one training and record it (with the data folder it trained on); returns the trained model. */
export async function trainOn(ctx: PipelineContext, training: Training): Promise<GgufModel> {
  const entry = await ctx.runner.run(trainStage(ctx, training));
  ctx.record.train.push({ ...entry, data: ctx.layout.relative(training.dataDir) });
  return trainedModel(entry.model, training.init);
}
