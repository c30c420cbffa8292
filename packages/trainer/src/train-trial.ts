import {
  type EpochReport,
  type FoldResult,
  HpoError,
  mixSeed,
  type Reporter,
  type TrialJob,
  type TrialOutcome,
} from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import type { Dataset } from "./datasets/dataset.ts";
import { loadDataset } from "./datasets/load-dataset.ts";
import { diagnosticFlags } from "./diagnostics.ts";
import { prepareFold } from "./fold-data.ts";
import { splitFolds } from "./fold-split.ts";
import { type FoldRecord, FoldTrainer, METRIC_KEYS } from "./fold-trainer.ts";
import { learningRateAt } from "./lr-schedule.ts";
import { noopTrial } from "./noop-trial.ts";
import { parseTrainConfig } from "./params.ts";

/** Options of `trainTrial`. */
export interface TrainTrialOptions {
  /** Directories a CSV `dataset.path` may point into (HPO_DATA_DIRS); default: none. */
  readonly dataDirs?: readonly string[];
}

function checkMetric(job: TrialJob, data: Dataset): void {
  const keys: readonly string[] = METRIC_KEYS[data.task];
  if (!keys.includes(job.metric.name)) {
    throw new HpoError(
      "INVALID_SPEC",
      `trial ${job.trialId}: metric "${job.metric.name}" is not available for ${data.task}; available: ${keys.join(", ")}`,
    );
  }
}

function foldResult(t: FoldTrainer, metric: string, durationMs: number, record?: FoldRecord): FoldResult {
  const metrics = record ?? t.finalRecord ?? {};
  return {
    fold: t.fold,
    score: metrics[metric] as number,
    metrics,
    epochs: t.epochs,
    durationMs: Math.round(durationMs),
  };
}

/**
 * Trains one trial: K folds (stratified when `cv.stratified` and classification) in lockstep,
 * epoch by epoch, reporting after every epoch the per-fold records and the K-fold mean of the sweep
 * metric. Outcomes: `completed` (scores at the last epoch, or the best one under early stopping),
 * `pruned` (the reporter resolved true; `prunedAt` is that epoch), `cancelled` (`signal` aborted;
 * checked between mini-batches), `diverged` (a NaN or infinite loss: stops at once, `error` says
 * where), `failed` (bad params, dataset or metric: `error` holds the message). Every tensor it
 * creates is disposed on every path. `job.mode === "noop"` skips training (see `noopTrial`).
 * The tfjs backend must be selected beforehand (`selectBackend`); otherwise tfjs's default is used.
 */
export async function trainTrial(
  job: TrialJob,
  reporter: Reporter,
  signal: AbortSignal,
  options: TrainTrialOptions = {},
): Promise<TrialOutcome> {
  if (job.mode === "noop") return noopTrial(job, reporter, signal);
  const trainers: FoldTrainer[] = [];
  try {
    const config = parseTrainConfig(job.params, job.model);
    const data = loadDataset(job.dataset, { dataDirs: options.dataDirs ?? [] });
    checkMetric(job, data);
    const k = job.cv.folds;
    const folds = splitFolds(data, job.cv);
    await tf.ready();
    const durations = new Array<number>(k).fill(0);
    folds.forEach((fold, f) => {
      const t0 = performance.now();
      trainers.push(
        new FoldTrainer(
          f,
          prepareFold(data, fold),
          config,
          data.task,
          data.classes.length,
          mixSeed(job.seed, "fold", f),
        ),
      );
      durations[f] = performance.now() - t0;
    });
    const metric = job.metric.name;
    const curve: EpochReport[] = [];
    const maxEpochs = Math.max(1, config.epochs ?? job.maxEpochs);
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const lr = learningRateAt(config, epoch - 1, maxEpochs);
      const records: FoldRecord[] = [];
      for (const t of trainers) {
        if (t.stopped) {
          records.push({ ...(t.finalRecord ?? {}), early_stopped: 1 });
          continue;
        }
        const t0 = performance.now();
        if (!(await t.trainEpoch(lr, signal))) return { state: "cancelled", folds: [], flags: [], error: "cancelled" };
        const rec = t.evaluate(lr);
        durations[t.fold] = (durations[t.fold] as number) + performance.now() - t0;
        for (const key of ["loss", "val_loss"]) {
          if (!Number.isFinite(rec[key])) {
            const reason = `trial ${job.trialId}: ${key === "loss" ? "training" : "validation"} loss is ${rec[key]} at epoch ${epoch} of fold ${t.fold} (learning_rate ${config.learningRate}, optimizer ${config.optimizer})`;
            curve.push({ epoch, folds: [...records, rec], value: Number.NaN });
            return {
              state: "diverged",
              folds: [],
              flags: [...new Set([...diagnosticFlags(curve), "diverged"])],
              error: reason,
            };
          }
        }
        t.observe(rec);
        records.push(t.stopped ? { ...(t.finalRecord ?? rec), early_stopped: 1 } : rec);
      }
      const value = records.reduce((a, r) => a + (r[metric] as number), 0) / records.length;
      const report: EpochReport = { epoch, folds: records, value };
      curve.push(report);
      const prune = await reporter.report(report);
      if (signal.aborted) return { state: "cancelled", folds: [], flags: [], error: "cancelled" };
      if (prune) {
        return {
          state: "pruned",
          prunedAt: epoch,
          folds: trainers.map((t, f) => foldResult(t, metric, durations[f] as number, records[f])),
          flags: diagnosticFlags(curve),
        };
      }
      if (trainers.every((t) => t.stopped)) break;
    }
    return {
      state: "completed",
      folds: trainers.map((t, f) => foldResult(t, metric, durations[f] as number)),
      flags: diagnosticFlags(curve),
    };
  } catch (e) {
    return { state: "failed", folds: [], flags: [], error: e instanceof Error ? e.message : String(e) };
  } finally {
    for (const t of trainers) t.dispose();
  }
}
