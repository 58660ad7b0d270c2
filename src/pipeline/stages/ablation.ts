/**
 * `--ablation` and `--alpha-sweep` rows (docs/method.md section 5): preference trainings that differ from
 * the final stage in one setting each. Every row starts from the last round's SFT model and trains on
 * the last round's search: the data the SFT model's own round produced, so rows differ only in their
 * objective and DPO `chosen`, never in the search behind them. Data variants (`chosen` other than the
 * config's) are rebuilt from that search database once each, into `ablation/data-chosen-X/`.
 */
import type { PipelineConfig } from '../config.ts';
import type { GgufModel } from '../model-ref.ts';
import type { PipelineContext } from '../pipeline-context.ts';
import { buildData, type BuildLimits, type Chosen, type SearchSource } from './build-data.ts';
import { evalModel } from './eval-model.ts';
import { trainOn, type PreferenceVariant } from './train-model.ts';

/** The rows asked for, in report order. */
export function ablationRows(config: PipelineConfig, options: { ablation?: boolean; alphaSweep?: number[] }): PreferenceVariant[] {
  const eps = config.ablation.eps;
  const rows: PreferenceVariant[] = [];
  if (options.ablation) {
    rows.push(
      {
        stage: 'dpo',
        description: '+DPO: plain sigmoid DPO from the SFT model, chosen = a random correct path',
        chosen: 'random',
        eps: 0,
        alpha: 0,
        maskPrefix: false,
      },
      {
        stage: 'length-balance',
        description: '+length balance: chosen = the shortest correct path',
        chosen: 'shortest',
        eps: 0,
        alpha: 0,
        maskPrefix: false,
      },
      { stage: 'cdpo', description: `+cDPO: label smoothing eps ${eps}`, chosen: 'shortest', eps, alpha: 0, maskPrefix: false },
      { stage: 'joint', description: '+joint loss: cDPO + 1 x SFT', chosen: 'shortest', eps, alpha: 1, maskPrefix: false },
      {
        stage: 'masking',
        description: '+masking: shared prefix masked in both responses',
        chosen: 'shortest',
        eps,
        alpha: 1,
        maskPrefix: true,
      },
    );
  }
  for (const alpha of options.alphaSweep ?? []) {
    rows.push({
      stage: `alpha-${alpha}`,
      description: `cDPO (eps ${eps}) + ${alpha} x SFT, masked`,
      chosen: 'shortest',
      eps,
      alpha,
      maskPrefix: true,
    });
  }
  return rows;
}

/** What the ablation takes from the last round. */
export interface AblationStart {
  round: number;
  /** The round's search database. */
  source: SearchSource;
  /** The round's path-length limits (the same model is trained). */
  limits: BuildLimits;
  /** The round's data folder (DPO chosen = the config's). */
  data: string;
  /** The round's SFT model; absent when nothing is trained (then only the data variants are built). */
  sft?: GgufModel;
  /** The round's final training, which a row with the same settings reuses. */
  final?: PreferenceVariant;
}

/** Same (chosen, eps, alpha, mask) from the same SFT model: the same training. */
const variantKey = (v: PreferenceVariant) => JSON.stringify([v.chosen, v.eps, v.alpha, v.maskPrefix]);

/** Build the rows' data variants, then train and evaluate every row not equal to an earlier training. */
export async function runAblation(ctx: PipelineContext, start: AblationStart, rows: PreferenceVariant[]): Promise<void> {
  const { config, layout, log } = ctx;
  const dataFor = new Map<Chosen, string>([[config.train.preference.chosen, start.data]]);
  for (const { chosen } of rows) {
    if (dataFor.has(chosen)) continue;
    const dir = await buildData(ctx, {
      name: `round ${start.round} (chosen = ${chosen})`,
      dir: layout.ablationData(chosen),
      source: start.source,
      chosen,
      limits: start.limits,
    });
    dataFor.set(chosen, dir);
  }
  if (!start.sft) return;
  const from = config.rounds > 1 ? ` (from round ${start.round}'s SFT model and search)` : '';
  const trained = new Map<string, string>(start.final ? [[variantKey(start.final), start.final.stage]] : []);
  for (const row of rows) {
    const same = trained.get(variantKey(row));
    const sameEntry = same ? ctx.record.stages.find((s) => s.stage === same) : undefined;
    if (sameEntry) {
      // Same objective, data and starting model as an earlier stage: reuse its model and evaluation.
      ctx.record.stages.push({
        ...sameEntry,
        stage: row.stage,
        description: `${row.description}${from} (the same training as ${same}: its model and evaluation)`,
      });
      log(`[${row.stage}] same training as ${same}; reusing its model and evaluation`);
      continue;
    }
    const model = await trainOn(ctx, {
      stage: row.stage,
      name: `train ${row.stage}`,
      init: start.sft,
      dataDir: dataFor.get(row.chosen)!,
      folder: layout.ablationModel(row.stage),
      preference: row,
    });
    await evalModel(ctx, row.stage, `${row.description}${from}`, model);
    trained.set(variantKey(row), row.stage);
  }
}
