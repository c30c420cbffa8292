/**
 * Search efficiency (issue 4): on digits with 3-fold CV and the same total epoch budget, the best
 * K-fold mean accuracy reached and the epochs spent to reach 0.97, for random search, TPE, and
 * TPE + ASHA, over several seeds. Goal: TPE + ASHA reaches random search's best accuracy with at
 * most a third of the epochs.
 *
 *   pnpm exec tsx bench/search-efficiency.ts [--budget 120] [--max-epochs 12] [--seeds 3] [--first-seed 0]
 *       [--methods random,tpe,tpe+asha] [--backend auto|wasm|cpu] [--json]
 *
 * Trials run one after another in this process (no Redis: the pruner's rung values are kept in a
 * Map, exactly what the store does per step). An epoch is one epoch of all 3 folds; the budget is
 * the sum of epochs trained by every trial of a run. A trial that would overrun the budget is
 * stopped and ignored. Only completed trials count for "best" (a pruned trial has no final score).
 */
import { parseArgs } from "node:util";
import {
  createPruner,
  createSampler,
  type Params,
  parseSweepSpec,
  type SweepSpec,
  samplerRng,
  type TrialRecord,
} from "../packages/core/src/index.ts";
import { type BackendPreference, selectBackend, trainTrial } from "../packages/trainer/src/index.ts";

const { values: args } = parseArgs({
  options: {
    budget: { type: "string", default: "120" },
    "max-epochs": { type: "string", default: "12" },
    seeds: { type: "string", default: "3" },
    "first-seed": { type: "string", default: "0" },
    methods: { type: "string", default: "random,tpe,tpe+asha" },
    backend: { type: "string", default: "auto" },
    target: { type: "string", default: "0.97" },
    json: { type: "boolean", default: false },
  },
});
const budget = Number(args.budget);
const maxEpochs = Number(args["max-epochs"]);
const seeds = Number(args.seeds);
const firstSeed = Number(args["first-seed"]);
const target = Number(args.target);
const methods = String(args.methods).split(",");

interface RunResult {
  readonly method: string;
  readonly seed: number;
  readonly trials: number;
  readonly pruned: number;
  readonly best: number;
  /** Cumulative epochs when each new best was reached: [epochs, best] pairs. */
  readonly progress: readonly (readonly [number, number])[];
  readonly epochsToTarget: number | undefined;
  readonly seconds: number;
}

function sweep(method: string, seed: number): SweepSpec {
  return parseSweepSpec({
    name: `efficiency-${method}-${seed}`,
    method: method.startsWith("tpe") ? "tpe" : "random",
    dataset: "digits",
    metric: { name: "val_accuracy", goal: "maximize" },
    cv: { folds: 3, seed },
    budget: { max_trials: 1000, max_parallel: 1, max_epochs: maxEpochs },
    early_terminate: method.endsWith("+asha") ? { type: "asha", min_resource: 1, reduction_factor: 3 } : "none",
    seed,
    parameters: {
      learning_rate: { distribution: "log_uniform_values", min: 1e-4, max: 0.3 },
      batch_size: { values: [16, 32, 64, 128] },
      optimizer: { values: ["sgd", "momentum", "adam"] },
      dropout: { min: 0, max: 0.5 },
      hidden: { values: [[64], [128, 64]] },
    },
  });
}

async function run(method: string, seed: number): Promise<RunResult> {
  const spec = sweep(method, seed);
  const sampler = createSampler(spec.method);
  const pruner = createPruner(spec.early_terminate);
  const rungs = new Map<string, Map<string, number>>(); // `${group}/${step}` → trialId → value
  const trials: TrialRecord[] = [];
  const progress: [number, number][] = [];
  let spent = 0;
  let best = Number.NEGATIVE_INFINITY;
  let epochsToTarget: number | undefined;
  const t0 = performance.now();
  for (let index = 0; spent < budget; index++) {
    const params = sampler.sample({ spec, index, rng: samplerRng(spec, index), trials }) as Params;
    const trialId = `t${String(index).padStart(4, "0")}`;
    let overBudget = false;
    let bestSoFar = Number.NEGATIVE_INFINITY;
    const outcome = await trainTrial(
      {
        sweepId: spec.name,
        trialId,
        params,
        dataset: spec.dataset,
        model: spec.model,
        cv: spec.cv,
        metric: spec.metric,
        maxEpochs,
        seed: seed * 100_000 + index,
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
          const finished = trials.filter((t) => t.state === "completed" || t.state === "pruned").length;
          if (spent >= budget && r.epoch < maxEpochs) {
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
      // As the store does: a pruned trial keeps the K-fold mean of the epoch it stopped at.
      ...((outcome.state === "completed" || outcome.state === "pruned") && mean !== undefined ? { mean } : {}),
      ...(outcome.prunedAt !== undefined ? { prunedAt: outcome.prunedAt } : {}),
      createdAt: index,
      flags: outcome.flags,
    });
    if (outcome.state === "completed" && mean !== undefined && mean > best) {
      best = mean;
      progress.push([spent, best]);
      if (epochsToTarget === undefined && best >= target) epochsToTarget = spent;
    }
  }
  return {
    method,
    seed,
    trials: trials.length,
    pruned: trials.filter((t) => t.state === "pruned").length,
    best,
    progress,
    epochsToTarget,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Epochs a run needed to reach `level` (undefined if it never did). */
function epochsToReach(r: RunResult, level: number): number | undefined {
  return r.progress.find(([, b]) => b >= level)?.[0];
}

const backend = await selectBackend(String(args.backend) as BackendPreference);
const results: RunResult[] = [];
for (const method of methods) {
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const r = await run(method, seed);
    results.push(r);
    if (!args.json) {
      console.log(
        `${method.padEnd(9)} seed ${seed}: best ${r.best.toFixed(4)} after ${r.trials} trials (${r.pruned} pruned), ` +
          `${target} reached at ${r.epochsToTarget ?? "—"} epochs, ${r.seconds.toFixed(0)} s; new bests (epochs:best) ${r.progress.map(([e, b]) => `${e}:${b.toFixed(4)}`).join(" ")}`,
      );
    }
  }
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const randomBest = results.filter((r) => r.method === "random").map((r) => r.best);
const reference = randomBest.length ? mean(randomBest) : undefined;
const randomOf = (seed: number) => results.find((r) => r.method === "random" && r.seed === seed);
const summary = methods.map((method) => {
  const rs = results.filter((r) => r.method === method);
  // Paired by seed: epochs this method needed to reach the best that random search found with the whole budget.
  const paired = rs.map((r) => {
    const ref = randomOf(r.seed);
    return ref ? epochsToReach(r, ref.best) : undefined;
  });
  const toTarget = rs.map((r) => r.epochsToTarget);
  const toRandom = reference === undefined ? [] : rs.map((r) => epochsToReach(r, reference));
  return {
    method,
    bestMean: mean(rs.map((r) => r.best)),
    reachedTarget: toTarget.filter((x) => x !== undefined).length,
    epochsToTargetMean: toTarget.every((x) => x !== undefined) ? mean(toTarget as number[]) : undefined,
    epochsToRandomBestMean:
      toRandom.length && toRandom.every((x) => x !== undefined) ? mean(toRandom as number[]) : undefined,
    pairedReached: paired.filter((x) => x !== undefined).length,
    pairedEpochsMean: paired.some((x) => x !== undefined) ? mean(paired.map((x) => x ?? budget)) : undefined,
    runs: rs.length,
  };
});

if (args.json)
  console.log(JSON.stringify({ backend: backend.name, budget, maxEpochs, seeds, target, results, summary }, null, 2));
else {
  console.log(
    `\nbackend ${backend.name}; digits, 3-fold; budget ${budget} epochs per run; max ${maxEpochs} epochs per trial; ${seeds} seeds`,
  );
  if (reference !== undefined) console.log(`random search's mean best: ${reference.toFixed(4)} (budget ${budget})`);
  for (const s of summary) {
    console.log(
      `${s.method.padEnd(9)} mean best ${s.bestMean.toFixed(4)}; reached ${target} in ${s.reachedTarget}/${s.runs} runs` +
        (s.epochsToTargetMean !== undefined ? ` (mean ${s.epochsToTargetMean.toFixed(0)} epochs)` : "") +
        (s.pairedEpochsMean !== undefined && s.method !== "random"
          ? `; reached the same seed's random best in ${s.pairedReached}/${s.runs} runs, after ${s.pairedEpochsMean.toFixed(0)} epochs on average (${((100 * s.pairedEpochsMean) / budget).toFixed(0)}% of the budget; a miss counts as the whole budget)`
          : "") +
        (s.epochsToRandomBestMean !== undefined
          ? `; reached random's mean best at ${s.epochsToRandomBestMean.toFixed(0)} epochs on average (${((100 * s.epochsToRandomBestMean) / budget).toFixed(0)}% of the budget)`
          : ""),
    );
  }
}
