import {
  builtinDataset,
  type EpochReport,
  type FoldResult,
  HpoError,
  mixSeed,
  type Reporter,
  repeatRangeOf,
  type TrialJob,
  type TrialOutcome,
} from "@hpo/core";
import * as tf from "@tensorflow/tfjs-core";
import type { Dataset } from "./datasets/dataset.ts";
import { loadDataset } from "./datasets/load-dataset.ts";
import { diagnosticFlags } from "./diagnostics.ts";
import { type FoldData, prepareFold } from "./fold-data.ts";
import { describeEncoder } from "./fold-encoder.ts";
import { splitFolds, withInnerSplit } from "./fold-split.ts";
import { learningRateAt } from "./lr-schedule.ts";
import { modelInputs } from "./model-inputs.ts";
import { noopTrial } from "./noop-trial.ts";
import { type FoldRecord, METRIC_KEYS, PackedTrainer } from "./packed-trainer.ts";
import { parseTrainConfig } from "./params.ts";
import { runtimeFaultOf } from "./runtime-fault.ts";
import { installWasmKernels } from "./wasm-kernels.ts";

/** Options of `trainTrial`. */
export interface TrainTrialOptions {
  /** Directories a CSV `dataset.path` may point into (HPO_DATA_DIRS); default: none. */
  readonly dataDirs?: readonly string[];
  /**
   * Train the K folds as one pack (stacked weights, batched matmuls); default true. false trains
   * each fold as its own pack of one (the reference the packed path is tested against).
   */
  readonly packFolds?: boolean;
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

/**
 * Folds grouped into packs of equal input width (a pack stacks its models' weights). Each fold
 * fits its own encoding on its training rows, so a category present in only some training folds
 * makes folds of different widths: those train in separate packs.
 */
function packsByWidth(prepared: readonly FoldData[]): number[][] {
  const byWidth = new Map<number, number[]>();
  prepared.forEach((d, f) => {
    const group = byWidth.get(d.nFeatures) ?? [];
    group.push(f);
    byWidth.set(d.nFeatures, group);
  });
  return [...byWidth.values()];
}

/** Tells the trial log how the folds encoded the data, when it took more than numbers as they are. */
function logEncoding(reporter: Reporter, data: Dataset, prepared: readonly FoldData[]): void {
  if (
    !reporter.log ||
    (data.categorical.length === 0 &&
      data.ignored.length === 0 &&
      !prepared.some((d) => d.encoder.numeric.some((n) => n.indicator)))
  )
    return;
  const folds = prepared.map((d) => describeEncoder(d.encoder));
  const columns: Record<string, string> = {};
  for (const name of new Set(folds.flatMap((f) => Object.keys(f)))) {
    const per = folds.map((f) => f[name] ?? "as is");
    columns[name] = per.every((p) => p === per[0])
      ? (per[0] as string)
      : per.map((p, i) => `fold ${i}: ${p}`).join("; ");
  }
  reporter.log("dataset encoded", {
    inputs: prepared.map((d) => d.nFeatures),
    max_categories: prepared[0]?.encoder.maxCategories,
    ...(data.ignored.length > 0 && { ignored: data.ignored }),
    columns,
  });
}

interface Pack {
  readonly trainer: PackedTrainer;
  /** Fold index of each model of the pack. */
  readonly folds: readonly number[];
}

/**
 * Trains one trial: K folds (stratified when `cv.stratified` and classification) in lockstep,
 * epoch by epoch, reporting after every epoch the per-fold records and the K-fold mean of the sweep
 * metric. Outcomes: `completed` (scores at the last epoch, or the best one under early stopping),
 * `pruned` (the reporter resolved true; `prunedAt` is that epoch), `cancelled` (`signal` aborted;
 * checked between mini-batches), `diverged` (a NaN or infinite loss: stops at once, `error` says
 * where), `failed` (bad params, dataset or metric: `error` holds the message). Every tensor it
 * creates is disposed on every path, a failed allocation included.
 * @throws RuntimeFault (runtime-fault.ts) when the runtime fails under the trial (wasm abort or
 *   trap, failed allocation): the thread's tfjs backend must then be replaced, not reused. `job.mode === "noop"` skips training (see `noopTrial`).
 * The tfjs backend must be selected beforehand (`selectBackend`); otherwise tfjs's default is used.
 */
export async function trainTrial(
  job: TrialJob,
  reporter: Reporter,
  signal: AbortSignal,
  options: TrainTrialOptions = {},
): Promise<TrialOutcome> {
  if (job.mode === "noop") return noopTrial(job, reporter, signal);
  const packs: Pack[] = [];
  try {
    const config = parseTrainConfig(job.params, job.model);
    const dataset = builtinDataset(job);
    const data = loadDataset(dataset, { dataDirs: options.dataDirs ?? [] });
    checkMetric(job, data);
    const inputs = modelInputs(data, config);
    const range = job.repeatRange ?? repeatRangeOf(job.cv);
    const first = range.from * job.cv.folds; // fold index of folds[0]
    const folds = splitFolds(data, job.cv, range).map((fold, f) =>
      withInnerSplit(data, job.cv, fold, config.earlyStoppingPatience, first + f),
    );
    const k = folds.length;
    await tf.ready();
    if (tf.getBackend() === "wasm") installWasmKernels();
    const durations = new Array<number>(k).fill(0);
    const t0 = performance.now();
    const prepared = folds.map((fold) =>
      prepareFold(data, fold, {
        classWeight: config.classWeight,
        standardize: inputs.standardize,
        ...(dataset.max_categories !== undefined && { maxCategories: dataset.max_categories }),
      }),
    );
    const prepareMs = (performance.now() - t0) / k;
    logEncoding(reporter, data, prepared);
    const groups = options.packFolds === false ? folds.map((_, f) => [f]) : packsByWidth(prepared);
    for (const group of groups) {
      const t0 = performance.now();
      const trainer = new PackedTrainer(
        group.map((f) => prepared[f] as FoldData),
        config,
        data.task,
        data.classes.length,
        group.map((f) => mixSeed(job.seed, "fold", first + f)),
        inputs,
      );
      packs.push({ trainer, folds: group });
      for (const f of group) durations[f] = prepareMs + (performance.now() - t0) / group.length;
    }
    const metric = job.metric.name;
    const curve: EpochReport[] = [];
    const maxEpochs = Math.max(1, config.epochs ?? job.maxEpochs);
    const stoppedRecord = (p: Pack, j: number): FoldRecord => ({
      ...(p.trainer.finalRecords[j] ?? {}),
      early_stopped: 1,
    });
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const lr = learningRateAt(config, epoch - 1, maxEpochs);
      const records = new Array<FoldRecord>(k);
      for (const p of packs) {
        const { trainer } = p;
        if (trainer.done) {
          p.folds.forEach((f, j) => {
            records[f] = stoppedRecord(p, j);
          });
          continue;
        }
        const wasStopped = [...trainer.stopped];
        const t0 = performance.now();
        if (!(await trainer.trainEpoch(lr, signal)))
          return { state: "cancelled", folds: [], flags: [], error: "cancelled" };
        const recs = trainer.evaluate(lr);
        for (const f of p.folds) durations[f] = (durations[f] as number) + (performance.now() - t0) / p.folds.length;
        for (const [j, rec] of recs.entries()) {
          if (wasStopped[j]) continue;
          for (const key of ["loss", "val_loss"]) {
            if (!Number.isFinite(rec[key])) {
              const fold = first + (p.folds[j] as number);
              const reason = `trial ${job.trialId}: ${key === "loss" ? "training" : "validation"} loss is ${rec[key]} at epoch ${epoch} of fold ${fold} (learning_rate ${config.learningRate}, optimizer ${config.optimizer})`;
              records[fold - first] = rec;
              curve.push({ epoch, folds: records.filter((r) => r !== undefined), value: Number.NaN });
              return {
                state: "diverged",
                folds: [],
                flags: [...new Set([...diagnosticFlags(curve), "diverged"])],
                error: reason,
              };
            }
          }
        }
        trainer.observe(recs);
        p.folds.forEach((f, j) => {
          records[f] = trainer.stopped[j] ? stoppedRecord(p, j) : (recs[j] as FoldRecord);
        });
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
          folds: foldResults(packs, metric, durations, first, records),
          flags: diagnosticFlags(curve),
        };
      }
      if (packs.every((p) => p.trainer.done)) break;
    }
    return { state: "completed", folds: foldResults(packs, metric, durations, first), flags: diagnosticFlags(curve) };
  } catch (e) {
    const fault = runtimeFaultOf(e);
    if (fault) throw fault; // the worker's, not the trial's: the thread is replaced, the trial retried
    return {
      state: "failed",
      folds: [],
      flags: [],
      error: e instanceof Error ? e.message : String(e),
      ...(e instanceof HpoError && { errorCode: e.code }),
    };
  } finally {
    for (const p of packs) p.trainer.dispose();
  }
}

/**
 * Final fold results in fold order: the given epoch's records (pruned) or each model's final
 * record; `first` is the fold index of the trial's first fold (repeats past the first).
 */
function foldResults(
  packs: readonly Pack[],
  metric: string,
  durations: readonly number[],
  first: number,
  records?: readonly FoldRecord[],
): FoldResult[] {
  const out: FoldResult[] = [];
  for (const p of packs) {
    p.folds.forEach((fold, j) => {
      const metrics = records?.[fold] ?? p.trainer.finalRecords[j] ?? {};
      out.push({
        fold: first + fold,
        score: metrics[metric] as number,
        metrics,
        epochs: p.trainer.epochs[j] as number,
        durationMs: Math.round(durations[fold] as number),
      });
    });
  }
  return out.sort((a, b) => a.fold - b.fold);
}
