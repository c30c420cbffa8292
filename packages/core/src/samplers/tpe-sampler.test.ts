import { describe, expect, it } from "vitest";
import { parseSweepSpec } from "../spec.ts";
import type { Params, SweepSpec, TrialRecord } from "../types.ts";
import { samplerRng } from "./index.ts";
import { RandomSampler } from "./random-sampler.ts";
import type { Sampler } from "./sampler.ts";
import { TpeSampler } from "./tpe-sampler.ts";

const spec: SweepSpec = parseSweepSpec({
  name: "tpe",
  dataset: "iris",
  seed: 11,
  parameters: {
    learning_rate: { distribution: "log_uniform_values", min: 1e-5, max: 1 },
    batch_size: { min: 8, max: 256 },
    optimizer: { values: ["sgd", "momentum", "adagrad", "rmsprop", "adam"] },
  },
});

/** Best at lr = 1e-3, batch 32, adam. */
const objective = (p: Params) =>
  -((Math.log10(p.learning_rate as number) + 3) ** 2) -
  (((p.batch_size as number) - 32) / 64) ** 2 -
  (p.optimizer === "adam" ? 0 : 1);

function trial(i: number, params: Params, state: TrialRecord["state"] = "completed"): TrialRecord {
  return {
    sweepId: "s",
    id: `t${i}`,
    index: i,
    params,
    state,
    folds: [],
    ...(state === "completed" ? { mean: objective(params) } : {}),
    createdAt: i,
    flags: [],
  };
}

function optimise(sampler: Sampler, n: number): TrialRecord[] {
  const trials: TrialRecord[] = [];
  for (let i = 0; i < n; i++) {
    const p = sampler.sample({ spec, index: i, rng: samplerRng(spec, i), trials }) as Params;
    trials.push(trial(i, p));
  }
  return trials;
}

describe("TpeSampler", () => {
  it("samples like RandomSampler during the 10 start-up trials", () => {
    const trials = optimise(new RandomSampler(), 9);
    const ctx = { spec, index: 9, rng: samplerRng(spec, 9), trials };
    expect(new TpeSampler().sample(ctx)).toEqual(new RandomSampler().sample({ ...ctx, rng: samplerRng(spec, 9) }));
  });

  it("concentrates on the optimum and beats random search on the same budget", () => {
    const tpe = optimise(new TpeSampler(), 80);
    const random = optimise(new RandomSampler(), 80);
    const late = (ts: TrialRecord[]) => ts.slice(40);
    const lrError = (ts: TrialRecord[]) =>
      late(ts).map((t) => Math.abs(Math.log10(t.params.learning_rate as number) + 3));
    const medianOf = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    expect(medianOf(lrError(tpe))).toBeLessThan(medianOf(lrError(random)) / 2);
    expect(late(tpe).filter((t) => t.params.optimizer === "adam").length).toBeGreaterThan(20);
    const best = (ts: TrialRecord[]) => Math.max(...ts.map((t) => t.mean as number));
    expect(best(tpe)).toBeGreaterThan(best(random));
  });

  it("moves away from a running trial's params (constant liar)", () => {
    const trials = optimise(new TpeSampler(), 30);
    const ctx = (ts: TrialRecord[]) => ({ spec, index: 30, rng: samplerRng(spec, 30), trials: ts });
    const first = new TpeSampler().sample(ctx(trials));
    const withRunning = [...trials, trial(30, first, "running")];
    expect(new TpeSampler().sample(ctx(withRunning))).not.toEqual(first);
    // Without the liar a running trial is ignored entirely.
    expect(new TpeSampler({ constantLiar: false }).sample(ctx(withRunning))).toEqual(
      new TpeSampler({ constantLiar: false }).sample(ctx(trials)),
    );
  });

  it("learns from pruned trials and ignores failed ones", () => {
    const trials = optimise(new TpeSampler(), 20);
    const failed = trials.map((t, i) => (i % 3 === 0 ? { ...t, state: "failed" as const } : t));
    const onlyKept = trials.filter((_, i) => i % 3 !== 0);
    const ctx = (ts: TrialRecord[]) => ({ spec, index: 20, rng: samplerRng(spec, 20), trials: ts });
    expect(new TpeSampler().sample(ctx(failed))).toEqual(new TpeSampler().sample(ctx(onlyKept)));
    const pruned = trials.map((t, i) => (i % 2 ? { ...t, state: "pruned" as const, prunedAt: 3 } : t));
    expect(new TpeSampler().sample(ctx(pruned))).toBeDefined();
  });
});
