import {
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
import { loadDataset } from "../datasets/load-dataset.ts";
import { diagnosticFlags } from "../diagnostics.ts";
import { type FoldData, prepareFold } from "../fold-data.ts";
import { splitFolds } from "../fold-split.ts";
import { type RuntimeFault, runtimeFaultOf } from "../runtime-fault.ts";
import { installWasmKernels } from "../wasm-kernels.ts";
import { type BarrierStep, FoldBarrier, type StepMetrics } from "./fold-barrier.ts";
import { loadModelModule, type ModuleSplit, type ModuleTrainContext } from "./model-module.ts";
import { moduleTf } from "./tf-namespace.ts";
import { trainConfigOf } from "./train-built-model.ts";

/** Options of `trainModuleTrial`. */
export interface ModuleTrialOptions {
  /** Directories a CSV `dataset.path` may point into (HPO_DATA_DIRS). */
  readonly dataDirs?: readonly string[];
  /** Directories a `model.module` may point into (HPO_MODEL_DIRS). */
  readonly modelDirs?: readonly string[];
  /**
   * How long the other folds get to return after one failed or the trial was stopped, before
   * hpo stops waiting (the thread is then replaced). Default 10 000 ms.
   */
  readonly settleMs?: number;
}

/** The outcome of a module trial, and whether its thread must be replaced. */
export interface ModuleTrialResult {
  readonly outcome: TrialOutcome;
  /**
   * True when the module left something behind in the thread: tensors it did not dispose, or a
   * fold still running after the trial ended. The thread must then be replaced, not reused.
   */
  readonly dirty: boolean;
}

const failed = (e: unknown): TrialOutcome => ({
  state: "failed",
  folds: [],
  flags: [],
  error: e instanceof Error ? e.message : String(e),
  ...(e instanceof HpoError && { errorCode: e.code }),
});

/** The fold's rows as tensors (owned by the caller) and arrays. */
export function splitOf(x: Float32Array, y: Float32Array, features: number, classes: number): ModuleSplit {
  const rows = y.length;
  const yTensor = tf.tidy(() =>
    classes > 0
      ? tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(y), "int32"), classes), "float32")
      : tf.tensor2d(y, [rows, 1]),
  ) as tf.Tensor2D;
  return { x: tf.tensor2d(x, [rows, features]), y: yTensor, rows, xValues: x, yValues: y };
}

/** Resolves true when `p` settles within `ms`, false otherwise. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void p.finally(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Trains one trial with a model module (`job.model.module`, see model-module.ts): loads the
 * dataset and splits, encodes and standardizes the K folds as the built-in trainer does, then runs
 * the module's `train(ctx)` for every fold at once in this thread. At every step the folds meet
 * at `ctx.report` (FoldBarrier): the K-fold mean of the sweep's metric goes to `reporter.report`
 * (the pruner), whose answer reaches every fold. Outcomes: `completed`; `pruned` (prunedAt = the
 * step, fold scores of that step); `cancelled` (`signal` aborted); `diverged` (the metric is NaN
 * or infinite at some step); `failed` with the reason when the module cannot be loaded, throws,
 * breaks the report contract, reports no step, or leaves tensors undisposed.
 * @throws RuntimeFault when the runtime under the module fails (a wasm abort or trap, a failed
 *   allocation): the thread must be replaced.
 */
export async function trainModuleTrial(
  job: TrialJob,
  reporter: Reporter,
  signal: AbortSignal,
  options: ModuleTrialOptions = {},
): Promise<ModuleTrialResult> {
  const path = job.model.module ?? "";
  const what = `model module "${path}"`;
  let prepared: FoldData[];
  let first = 0; // fold index of prepared[0] (repeated K-fold: the job's repeats)
  let classes: number;
  let task: "classification" | "regression";
  let module: Awaited<ReturnType<typeof loadModelModule>>;
  try {
    module = await loadModelModule(path, options.modelDirs ?? []);
    const dataset = job.dataset;
    if (dataset === undefined) throw new HpoError("INVALID_SPEC", `${what}: the sweep names no dataset`);
    const data = loadDataset(dataset, { dataDirs: options.dataDirs ?? [] });
    task = data.task;
    classes = data.task === "classification" ? data.classes.length : 0;
    const range = job.repeatRange ?? repeatRangeOf(job.cv);
    first = range.from * job.cv.folds;
    prepared = splitFolds(data, job.cv, range).map((fold) =>
      prepareFold(data, fold, {
        standardize: trainConfigOf(job.params).standardize,
        ...(dataset.max_categories !== undefined && { maxCategories: dataset.max_categories }),
      }),
    );
    await tf.ready();
    if (tf.getBackend() === "wasm") installWasmKernels();
  } catch (e) {
    const fault = runtimeFaultOf(e);
    if (fault) throw fault;
    return { outcome: failed(e), dirty: false };
  }

  const k = prepared.length;
  const metric = job.metric.name;
  const curve: EpochReport[] = [];
  let prunedAt: number | undefined;
  let diverged: string | undefined;
  const onStep = async ({ step, folds, finished }: BarrierStep): Promise<boolean> => {
    const records = folds.map((m, f) => (finished[f] ? { ...m, early_stopped: 1 } : m));
    const missing = records.findIndex((r) => r[metric] === undefined);
    if (missing >= 0)
      throw new HpoError(
        "INVALID_SPEC",
        `${what}: fold ${first + missing} reported step ${step} without "${metric}", the sweep's metric`,
      );
    const values = records.map((r) => r[metric] as number);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      diverged = `trial ${job.trialId}: ${metric} is ${values[bad]} at step ${step} of fold ${first + bad}`;
      curve.push({ epoch: step, folds: records, value: Number.NaN });
      return true;
    }
    const report: EpochReport = { epoch: step, folds: records, value: values.reduce((a, v) => a + v, 0) / k };
    curve.push(report);
    const stop = await reporter.report(report);
    if (stop && !signal.aborted) prunedAt = step;
    return stop || signal.aborted;
  };
  const barrier = new FoldBarrier(k, onStep, what, first);
  const stopper = new AbortController();
  const stopAll = () => {
    stopper.abort();
    barrier.stop();
  };
  if (signal.aborted) stopAll();
  else signal.addEventListener("abort", stopAll, { once: true });

  const before = tf.memory().numTensors;
  const splits: ModuleSplit[] = [];
  const finals: (StepMetrics | undefined)[] = new Array(k).fill(undefined);
  const durations = new Array<number>(k).fill(0);
  let fault: RuntimeFault | undefined;
  const runs = prepared.map(async (d, f) => {
    const fold = first + f;
    const t0 = performance.now();
    try {
      const train = splitOf(d.xTrain, d.yTrain, d.nFeatures, classes);
      splits.push(train);
      const validation = splitOf(d.xVal, d.yVal, d.nFeatures, classes);
      splits.push(validation);
      const ctx: ModuleTrainContext = {
        tf: moduleTf,
        trialId: job.trialId,
        params: job.params,
        fold,
        folds: k,
        seed: mixSeed(job.seed, "fold", fold),
        epochs: job.maxEpochs,
        task,
        classes,
        inputShape: [d.nFeatures],
        metric,
        train,
        validation,
        signal: stopper.signal,
        report: (step, metrics) => barrier.report(f, step, metrics),
        log: (message, fields) => reporter.log?.(message, { fold, ...fields }),
        saveModel: async () => {}, // only a refit keeps the model (export/refit-module.ts)
      };
      const result = await module.train(ctx);
      if (result !== undefined && (result === null || typeof result !== "object"))
        throw new HpoError(
          "INVALID_SPEC",
          `train() returned ${JSON.stringify(result)}: return nothing or the fold's final metrics`,
        );
      finals[f] = result ?? undefined;
    } catch (e) {
      const f = runtimeFaultOf(e);
      if (f) fault ??= f;
      const message = e instanceof Error ? e.message : String(e);
      barrier.fail(
        new HpoError(
          e instanceof HpoError ? e.code : "TRAINING_FAILED",
          module.form === "train"
            ? `${what}: train() of fold ${fold} threw: ${message}`
            : `${what}: fold ${fold} failed: ${message}`,
        ),
      );
      stopper.abort();
    } finally {
      durations[f] = performance.now() - t0;
      barrier.finish(f);
    }
  });
  const all = Promise.all(runs);
  // once the trial is decided (a failure, a stop), the other folds get settleMs to return
  const settled = await new Promise<boolean>((resolve) => {
    void all.then(() => resolve(true));
    const onStop = () => void settlesWithin(all, options.settleMs ?? 10_000).then(resolve);
    if (stopper.signal.aborted) onStop();
    else stopper.signal.addEventListener("abort", onStop, { once: true });
  });
  signal.removeEventListener("abort", stopAll);
  if (fault) throw fault;
  for (const s of splits) {
    s.x.dispose();
    s.y.dispose();
  }
  const leaked = tf.memory().numTensors - before;
  const dirty = !settled || leaked > 0;
  const outcome = ((): TrialOutcome => {
    if (barrier.error) return failed(barrier.error);
    if (!settled)
      return failed(
        new HpoError(
          "TRAINING_FAILED",
          `${what}: train() did not return within ${(options.settleMs ?? 10_000) / 1000} s of being told to stop`,
        ),
      );
    if (diverged)
      return {
        state: "diverged",
        folds: [],
        flags: [...new Set([...diagnosticFlags(curve), "diverged"])],
        error: diverged,
      };
    if (signal.aborted) return { state: "cancelled", folds: [], flags: [], error: "cancelled" };
    if (leaked > 0)
      return failed(
        new HpoError(
          "TRAINING_FAILED",
          `${what}: leaked ${leaked} tensor${leaked === 1 ? "" : "s"}; dispose what train() creates (model.dispose(), optimizer.dispose(), tf.tidy)`,
        ),
      );
    if (curve.length === 0)
      return failed(
        new HpoError(
          "INVALID_SPEC",
          `${what}: train() returned without reporting a step (await ctx.report(step, metrics))`,
        ),
      );
    const last = barrier.lastMetrics();
    const at = prunedAt !== undefined ? curve.at(-1)?.folds : undefined;
    const folds: FoldResult[] = prepared.map((_, f) => {
      const metrics = (at?.[f] ?? finals[f] ?? last[f] ?? {}) as Record<string, number>;
      return {
        fold: first + f,
        score: metrics[metric] as number,
        metrics,
        epochs: barrier.stepsOf(f),
        durationMs: Math.round(durations[f] as number),
      };
    });
    const flags = diagnosticFlags(curve);
    return prunedAt !== undefined ? { state: "pruned", prunedAt, folds, flags } : { state: "completed", folds, flags };
  })();
  return { outcome, dirty };
}
