import { builtinDataset, HPO_VERSION, type SweepRecord, type TrialRecord } from "@hpo/core";
import type { ModelCard } from "@hpo/trainer/export";
import type { StoredProgramRefit } from "./program-refit.ts";
import type { StoredRefit } from "./refit-run.ts";

/** The tfjs version the trainer builds models with (the `generatedBy` of model.json holds it too). */
const TFJS_VERSION = "4.22.0";

/**
 * `model-card.json` of an export: the config and where it came from, its selection score (the
 * K-fold mean, with its corrected 95 % confidence interval and tie with the best when served with
 * them: trial-stats.ts), its test score, the data.
 */
export function modelCardOf(
  sweep: SweepRecord,
  trial: TrialRecord,
  refit: StoredRefit | StoredProgramRefit,
  now: number,
): ModelCard {
  const { spec } = sweep;
  const head = {
    hpoVersion: HPO_VERSION,
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
    cv: spec.cv,
    createdAt: new Date(now).toISOString(),
  };
  if ("kind" in refit)
    return {
      ...head,
      backend: "program",
      refit: { seed: refit.seed, epochs: refit.run.steps, innerRows: 0 },
      program: {
        path: refit.path,
        argv: refit.run.argv,
        metrics: refit.run.metrics,
        durationMs: refit.run.durationMs,
        files: Object.keys(refit.files).length,
        bytes: refit.bytes,
      },
    };
  return {
    ...head,
    tfjsVersion: TFJS_VERSION,
    backend: refit.backend,
    ...(refit.test && { test: refit.test }),
    dataset: {
      spec: builtinDataset({ trialId: trial.id, dataset: spec.dataset }),
      ...(refit.datasetSha256 && { sha256: refit.datasetSha256 }),
      rows: refit.rows,
      trainRows: refit.trainRows + refit.innerRows,
      testRows: refit.test?.rows ?? 0,
    },
    refit: { seed: refit.seed, epochs: refit.epochs, innerRows: refit.innerRows },
  };
}
