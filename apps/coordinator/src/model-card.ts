import { builtinDataset, HPO_VERSION, type SweepRecord, type TrialRecord } from "@hpo/core";
import type { ModelCard } from "@hpo/trainer/export";
import type { StoredRefit } from "./refit-run.ts";

/** The tfjs version the trainer builds models with (the `generatedBy` of model.json holds it too). */
const TFJS_VERSION = "4.22.0";

/**
 * `model-card.json` of an export: the config and where it came from, its selection score (the
 * K-fold mean, with its corrected 95 % confidence interval and tie with the best when served with
 * them: trial-stats.ts), its test score, the data.
 */
export function modelCardOf(sweep: SweepRecord, trial: TrialRecord, refit: StoredRefit, now: number): ModelCard {
  const { spec } = sweep;
  return {
    hpoVersion: HPO_VERSION,
    tfjsVersion: TFJS_VERSION,
    backend: refit.backend,
    sweepId: sweep.id,
    trialId: trial.id,
    params: trial.params,
    model: spec.model,
    metric: { name: spec.metric.name, goal: spec.metric.goal },
    ...(trial.mean !== undefined && {
      selection: {
        mean: trial.mean,
        std: trial.std ?? 0,
        folds: trial.folds.length,
        ...(trial.ciLow !== undefined && trial.ciHigh !== undefined && { ci95: [trial.ciLow, trial.ciHigh] as const }),
        ...(trial.tied !== undefined && { tiedWithBest: trial.tied }),
      },
    }),
    ...(refit.test && { test: refit.test }),
    dataset: {
      spec: builtinDataset({ trialId: trial.id, dataset: spec.dataset }),
      ...(refit.datasetSha256 && { sha256: refit.datasetSha256 }),
      rows: refit.rows,
      trainRows: refit.trainRows + refit.innerRows,
      testRows: refit.test?.rows ?? 0,
    },
    refit: { seed: refit.seed, epochs: refit.epochs, innerRows: refit.innerRows },
    cv: spec.cv,
    createdAt: new Date(now).toISOString(),
  };
}
