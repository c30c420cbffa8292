/**
 * One run of the search-efficiency bench (bench/search-efficiency.ts): a method (sampler, optional
 * pruner) searching the bench's space on digits, 3-fold, until `budget` epochs are spent.
 *
 * Trials run one after another in this process (no Redis: the pruner's rung values are kept in a
 * Map, exactly what the store does per step). An epoch is one epoch of all 3 folds; the budget is
 * the sum of epochs trained by every trial of a run. The trial that would overrun the budget is
 * stopped at the budget and ignored. Only completed trials count for "best" (a pruned trial has no
 * final score); pruned trials keep the K-fold mean of the epoch they stopped at, as the store does.
 */
import {
  createPruner,
  createSampler,
  type Params,
  parseSweepSpec,
  type Sampler,
  type SweepSpec,
  samplerRng,
  TpeSampler,
  type TrialRecord,
} from "../../packages/core/src/index.ts";
import { trainTrial } from "../../packages/trainer/src/index.ts";

export interface RunOptions {
  /** `<sampler>[+<pruner>]`: sampler random | tpe | tpe-mv (multivariate TPE); pruner asha | median | hyperband. */
  readonly method: string;
  readonly seed: number;
  /** Total epochs of the run (summed over trials). */
  readonly budget: number;
  /** Epochs of a trial that is never pruned. */
  readonly maxEpochs: number;
  /** Accuracy whose first reach is recorded. */
  readonly target: number;
}

export interface RunResult {
  readonly method: string;
  readonly seed: number;
  readonly trials: number;
  readonly pruned: number;
  /** Best K-fold mean accuracy of a completed trial (−Infinity when none completed). */
  readonly best: number;
  /** Cumulative epochs when each new best was reached: [epochs, best] pairs. */
  readonly progress: readonly (readonly [number, number])[];
  readonly epochsToTarget: number | undefined;
  readonly seconds: number;
}

/**
 * The search space of every method: an MLP on digits (width and depth as one categorical `hidden`,
 * which the spec requires for layer lists). Batch sizes start
 * at 32 (16 costs 2.4× the wall time of 32 per epoch for no accuracy gain in this bench's range).
 */
export const SPACE = {
  learning_rate: { distribution: "log_uniform_values", min: 1e-4, max: 0.3 },
  batch_size: { values: [32, 64, 128, 256] },
  optimizer: { values: ["sgd", "momentum", "rmsprop", "adam"] },
  dropout: { min: 0, max: 0.5 },
  weight_decay: { distribution: "log_uniform_values", min: 1e-6, max: 1e-2 },
  hidden: { values: [[32], [64], [128], [256], [128, 64]] },
} as const;

function sweepSpec(o: RunOptions): SweepSpec {
  const [, pruner] = o.method.split("+");
  return parseSweepSpec({
    name: `efficiency-${o.method}-${o.seed}`,
    method: o.method.startsWith("tpe") ? "tpe" : "random",
    dataset: "digits",
    metric: { name: "val_accuracy", goal: "maximize" },
    cv: { folds: 3, seed: o.seed },
    budget: { max_trials: 100_000, max_parallel: 1, max_epochs: o.maxEpochs },
    early_terminate: pruner ? { type: pruner } : "none",
    seed: o.seed,
    parameters: SPACE,
  });
}

function samplerOf(method: string, spec: SweepSpec): Sampler {
  const name = method.split("+")[0];
  if (name === "tpe-mv") return new TpeSampler({ multivariate: true });
  if (name !== "random" && name !== "tpe") throw new Error(`unknown sampler in method ${JSON.stringify(method)}`);
  return createSampler(spec.method);
}

/** Runs one method with one seed until the budget is spent. */
export async function searchRun(o: RunOptions): Promise<RunResult> {
  const spec = sweepSpec(o);
  const sampler = samplerOf(o.method, spec);
  const pruner = createPruner(spec.early_terminate);
  const rungs = new Map<string, Map<string, number>>(); // `${group}/${step}` → trialId → value
  const trials: TrialRecord[] = [];
  const progress: [number, number][] = [];
  let spent = 0;
  let best = Number.NEGATIVE_INFINITY;
  let epochsToTarget: number | undefined;
  const t0 = performance.now();
  for (let index = 0; spent < o.budget; index++) {
    const params = sampler.sample({ spec, index, rng: samplerRng(spec, index), trials }) as Params;
    const trialId = `t${String(index).padStart(4, "0")}`;
    let overBudget = false;
    let bestSoFar = Number.NEGATIVE_INFINITY;
    const finished = trials.filter((t) => t.state === "completed" || t.state === "pruned").length;
    const outcome = await trainTrial(
      {
        sweepId: spec.name,
        trialId,
        params,
        dataset: spec.dataset,
        model: spec.model,
        cv: spec.cv,
        metric: spec.metric,
        maxEpochs: o.maxEpochs,
        seed: o.seed * 100_000 + index,
      },
      {
        report: async (r) => {
          spent++;
          bestSoFar = Math.max(bestSoFar, r.value);
          const key = `${pruner.groupOf(trialId)}/${r.epoch}`;
          const at = rungs.get(key) ?? new Map<string, number>();
          rungs.set(key, at);
          const others = [...at.entries()].filter(([id]) => id !== trialId).map(([, v]) => v);
          at.set(trialId, r.value);
          if (spent >= o.budget && r.epoch < o.maxEpochs) {
            overBudget = true;
            return true;
          }
          return pruner.shouldPrune({
            trialId,
            step: r.epoch,
            value: r.value,
            goal: "maximize",
            others,
            best: bestSoFar,
            finishedTrials: finished,
          });
        },
      },
      new AbortController().signal,
    );
    if (overBudget) break;
    const mean = outcome.folds.length
      ? outcome.folds.reduce((a, f) => a + f.score, 0) / outcome.folds.length
      : undefined;
    trials.push({
      sweepId: spec.name,
      id: trialId,
      index,
      params,
      state: outcome.state,
      folds: outcome.folds,
      ...((outcome.state === "completed" || outcome.state === "pruned") && mean !== undefined ? { mean } : {}),
      ...(outcome.prunedAt !== undefined ? { prunedAt: outcome.prunedAt } : {}),
      createdAt: index,
      flags: outcome.flags,
    });
    if (outcome.state === "completed" && mean !== undefined && mean > best) {
      best = mean;
      progress.push([spent, best]);
      if (epochsToTarget === undefined && best >= o.target) epochsToTarget = spent;
    }
  }
  return {
    method: o.method,
    seed: o.seed,
    trials: trials.length,
    pruned: trials.filter((t) => t.state === "pruned").length,
    best,
    progress,
    epochsToTarget,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Epochs a run needed to reach `level` (undefined if it never did). */
export function epochsToReach(r: RunResult, level: number): number | undefined {
  return r.progress.find(([, b]) => b >= level)?.[0];
}
