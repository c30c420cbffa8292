import { describe, expect, it } from "vitest";
import { parseSweepSpec } from "../spec.ts";
import type { Params, SweepSpec } from "../types.ts";
import { GridSampler, permuteIndex } from "./grid-sampler.ts";
import { samplerRng } from "./index.ts";

function all(spec: SweepSpec, sampler = new GridSampler()): Params[] {
  const out: Params[] = [];
  for (let i = 0; ; i++) {
    const p = sampler.sample({ spec, index: i, rng: samplerRng(spec, i), trials: [] });
    if (!p) return out;
    out.push(p);
    if (i > 10_000) throw new Error("grid never exhausted");
  }
}

const spec = (seed = 0) =>
  parseSweepSpec({
    name: "g",
    dataset: "iris",
    method: "grid",
    seed,
    parameters: {
      batch_size: { values: [16, 32] },
      optimizer: { values: ["sgd", "momentum"] },
      momentum: { values: [0.5, 0.9], when: { optimizer: ["momentum"] } },
      dropout: { distribution: "q_uniform", min: 0, max: 0.2, q: 0.1 },
      epochs: { min: 1, max: 2 },
    },
  });

describe("GridSampler", () => {
  it("visits every combination exactly once, then is exhausted", () => {
    const trials = all(spec());
    // (sgd + momentum·2) · batch 2 · dropout 3 · epochs 2
    expect(trials).toHaveLength(3 * 2 * 3 * 2);
    expect(new Set(trials.map((t) => JSON.stringify(t))).size).toBe(trials.length);
    expect(trials.filter((t) => t.optimizer === "sgd").every((t) => !("momentum" in t))).toBe(true);
    expect(
      trials.filter((t) => t.optimizer === "momentum").every((t) => t.momentum === 0.5 || t.momentum === 0.9),
    ).toBe(true);
    expect(new Set(trials.map((t) => t.dropout))).toEqual(new Set([0, 0.1, 0.2]));
  });

  it("plain order is nested-loop order with the first parameter slowest", () => {
    const trials = all(spec(), new GridSampler({ order: "plain" }));
    expect(trials[0]).toEqual({ batch_size: 16, optimizer: "sgd", dropout: 0, epochs: 1 });
    expect(trials[1]).toEqual({ batch_size: 16, optimizer: "sgd", dropout: 0, epochs: 2 });
    expect(trials.at(-1)).toEqual({ batch_size: 32, optimizer: "momentum", momentum: 0.9, dropout: 0.2, epochs: 2 });
  });

  it("shuffled order is a function of the seed", () => {
    const a = all(spec(1)).map((t) => JSON.stringify(t));
    expect(all(spec(1)).map((t) => JSON.stringify(t))).toEqual(a);
    const b = all(spec(2)).map((t) => JSON.stringify(t));
    expect(b).not.toEqual(a);
    expect([...b].sort()).toEqual([...a].sort());
  });

  it("keeps params in spec key order", () => {
    for (const t of all(spec()))
      expect(Object.keys(t)).toEqual([
        "batch_size",
        "optimizer",
        ...(t.optimizer === "momentum" ? ["momentum"] : []),
        "dropout",
        "epochs",
      ]);
  });

  it("returns undefined past the end and for negative indices", () => {
    const s = spec();
    expect(new GridSampler().sample({ spec: s, index: 36, rng: samplerRng(s, 36), trials: [] })).toBeUndefined();
    expect(new GridSampler().sample({ spec: s, index: -1, rng: samplerRng(s, -1), trials: [] })).toBeUndefined();
  });
});

describe("permuteIndex", () => {
  it.each([1, 2, 3, 7, 64, 1000, 4097])("is a bijection of [0, %i)", (n) => {
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) seen.add(permuteIndex(i, n, 9));
    expect(seen.size).toBe(n);
    expect(Math.max(...seen)).toBe(n - 1);
  });

  it("is not the identity", () => {
    const moved = Array.from({ length: 100 }, (_, i) => permuteIndex(i, 100, 3)).filter((v, i) => v !== i).length;
    expect(moved).toBeGreaterThan(50);
  });
});
