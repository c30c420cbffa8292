/**
 * TpeSampler proposes the same trials, seed for seed, as the sampler the stored fixture was made
 * with (`__fixtures__/tpe-proposals.json`, the output of `proposals` below for each case, made
 * before the TPE path was refactored). Guards refactors of the TPE path: a change of proposals
 * that is meant needs a new fixture, and says so in its commit.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSweepSpec } from "../spec.ts";
import { testTrial } from "../testing/index.ts";
import type { Params, SweepSpec, TrialRecord } from "../types.ts";
import { samplerRng } from "./index.ts";
import { TpeSampler, type TpeSamplerOptions } from "./tpe-sampler.ts";

const spaces: Record<string, unknown> = {
  mixed: {
    learning_rate: { distribution: "log_uniform_values", min: 1e-5, max: 1 },
    batch_size: { min: 8, max: 256 },
    optimizer: { values: ["sgd", "momentum", "adagrad", "rmsprop", "adam"] },
  },
  conditional: {
    optimizer: { values: ["sgd", "momentum", "adam"] },
    momentum: { min: 0.5, max: 0.99, when: { optimizer: "momentum" } },
    dropout: { distribution: "q_uniform", min: 0, max: 0.5, q: 0.1 },
    hidden: { values: [[16], [32, 16], [64]] },
    epochs: { distribution: "int_uniform", min: 5, max: 10 },
    learning_rate: { distribution: "log_uniform_values", min: 1e-4, max: 0.1 },
  },
};

const options: Record<string, TpeSamplerOptions> = {
  univariate: {},
  multivariate: { multivariate: true },
  endpoints: { considerEndpoints: true, nStartupTrials: 5 },
};

/** A made-up score: low lr error, batch near 32, adam; some trials pruned, the last few running. */
function score(p: Params): number {
  const lr = Math.log10((p.learning_rate as number) ?? 1e-3) + 3;
  const batch = (((p.batch_size as number | undefined) ?? 32) - 32) / 64;
  return -(lr ** 2) - batch ** 2 - (p.optimizer === "adam" ? 0 : 1) - ((p.dropout as number | undefined) ?? 0);
}

function proposals(space: string, option: string, seed: number, n: number): Params[] {
  const spec: SweepSpec = parseSweepSpec({ name: "tpe-fixture", dataset: "iris", seed, parameters: spaces[space] });
  const sampler = new TpeSampler(options[option]);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < n; i++) {
    const params = sampler.sample({ spec, index: i, rng: samplerRng(spec, i), trials }) as Params;
    const state = i >= n - 3 ? "running" : i % 5 === 4 ? "pruned" : "completed";
    trials.push(testTrial(i, params, state, score(params)));
  }
  return trials.map((t) => t.params);
}

describe("TpeSampler proposals", () => {
  it("are the stored ones, seed for seed", () => {
    const out: Record<string, Params[]> = {};
    for (const space of Object.keys(spaces))
      for (const option of Object.keys(options))
        for (const seed of [1, 7, 2026]) out[`${space}/${option}/${seed}`] = proposals(space, option, seed, 40);
    const stored = JSON.parse(readFileSync(new URL("./__fixtures__/tpe-proposals.json", import.meta.url), "utf8"));
    expect(out).toEqual(stored);
  });
});
