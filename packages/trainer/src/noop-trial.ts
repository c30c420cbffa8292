import {
  createRng,
  type FoldResult,
  foldRunsOf,
  mixSeed,
  type Reporter,
  repeatRangeOf,
  type TrialJob,
  type TrialOutcome,
} from "@hpo/core";

function numParam(job: TrialJob, name: string, fallback: number): number {
  const v = job.params[name];
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : fallback;
}

/**
 * The `noop` training mode, for measuring orchestration alone: no tfjs, no dataset. The fold scores
 * are a smooth function of learning_rate, batch_size and dropout (best near lr 3e-3, batch 32,
 * dropout 0.2) plus seeded noise per fold, in [0, 1] — as an accuracy for metrics to maximize, and
 * as 1 − that for metrics to minimize. Reports `maxEpochs` epochs of a curve approaching the scores.
 */
export async function noopTrial(job: TrialJob, reporter: Reporter, signal?: AbortSignal): Promise<TrialOutcome> {
  const started = Date.now();
  const lr = Math.max(numParam(job, "learning_rate", 1e-3), 1e-12);
  const bs = Math.max(numParam(job, "batch_size", 32), 1);
  const dropout = numParam(job, "dropout", 0);
  const quality =
    Math.exp(-((Math.log10(lr) + 2.5) ** 2) / 2) *
    Math.exp(-((Math.log2(bs) - 5) ** 2) / 18) *
    (1 - 0.5 * (dropout - 0.2) ** 2);
  const maximize = job.metric.goal === "maximize";
  const name = job.metric.name;
  const range = job.repeatRange ?? repeatRangeOf(job.cv);
  const first = range.from * job.cv.folds; // fold index of the first fold
  // repeats past the first of a selection phase draw fresh noise
  const rng = createRng(
    first === 0 ? mixSeed(job.seed, job.trialId, "noop") : mixSeed(job.seed, job.trialId, "noop", first),
  );
  const k = foldRunsOf(job.cv, range);
  const finals: number[] = [];
  for (let fold = 0; fold < k; fold++)
    finals.push(Math.min(1, Math.max(0, 0.5 + 0.45 * quality + 0.01 * rng.normal())));
  const epochs = Math.max(1, job.maxEpochs);
  // plain loops and no closures per call: this runs once per trial of every noop benchmark
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (signal?.aborted) return { state: "cancelled", folds: [], flags: [], error: "cancelled" };
    const folds: Record<string, number>[] = [];
    let sum = 0;
    for (const f of finals) {
      const v = curveAt(f, epoch, epochs, maximize);
      folds.push({ [name]: v });
      sum += v;
    }
    if (await reporter.report({ epoch, folds, value: sum / k })) {
      return {
        state: "pruned",
        prunedAt: epoch,
        folds: foldResults(finals, first, epoch, epochs, maximize, name, started),
        flags: [],
      };
    }
  }
  return { state: "completed", folds: foldResults(finals, first, epochs, epochs, maximize, name, started), flags: [] };
}

/** The score of a fold whose final accuracy is `f` after `epoch` of `epochs` (as 1 − accuracy to minimize). */
function curveAt(f: number, epoch: number, epochs: number, maximize: boolean): number {
  const acc = 0.5 + (f - 0.5) * (1 - Math.exp((-3 * epoch) / epochs));
  return maximize ? acc : 1 - acc;
}

function foldResults(
  finals: readonly number[],
  first: number,
  epoch: number,
  epochs: number,
  maximize: boolean,
  name: string,
  started: number,
): FoldResult[] {
  const out: FoldResult[] = [];
  for (let fold = 0; fold < finals.length; fold++) {
    const score = curveAt(finals[fold] as number, epoch, epochs, maximize);
    out.push({
      fold: first + fold,
      score,
      metrics: { [name]: score },
      epochs: epoch,
      durationMs: Date.now() - started,
    });
  }
  return out;
}
