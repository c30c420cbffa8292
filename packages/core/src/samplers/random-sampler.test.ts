import { describe, expect, it } from "vitest";
import { createRng } from "../rng.ts";
import { parseSweepSpec } from "../spec.ts";
import type { Params, SweepSpec } from "../types.ts";
import { createSampler, samplerRng } from "./index.ts";
import { RandomSampler } from "./random-sampler.ts";
import { fromUnit, sampleDistribution } from "./sample-distribution.ts";

const spec = (seed: number) =>
  parseSweepSpec({
    name: "r",
    dataset: "iris",
    seed,
    parameters: {
      learning_rate: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 },
      batch_size: { values: [16, 32, 64] },
      optimizer: { values: ["sgd", "momentum", "adam"] },
      momentum: { min: 0.5, max: 0.99, when: { optimizer: ["momentum"] } },
      beta1: { min: 0.8, max: 0.95, when: { optimizer: "adam" } },
      dropout: { distribution: "q_uniform", min: 0, max: 0.5, q: 0.05 },
      epochs: { min: 1, max: 3 },
    },
  });

function run(s: SweepSpec, n: number): Params[] {
  const sampler = new RandomSampler();
  return Array.from({ length: n }, (_, i) => sampler.sample({ spec: s, index: i, rng: samplerRng(s, i), trials: [] }));
}

describe("RandomSampler", () => {
  it("is deterministic under a seed and differs across seeds", () => {
    expect(run(spec(5), 50)).toEqual(run(spec(5), 50));
    expect(run(spec(6), 50)).not.toEqual(run(spec(5), 50));
  });

  it("stays in bounds with the right types", () => {
    for (const t of run(spec(1), 2000)) {
      expect(t.learning_rate).toBeGreaterThanOrEqual(1e-4);
      expect(t.learning_rate).toBeLessThanOrEqual(1e-1);
      expect([16, 32, 64]).toContain(t.batch_size);
      expect(Number.isInteger(t.epochs)).toBe(true);
      expect([1, 2, 3]).toContain(t.epochs);
      const k = (t.dropout as number) / 0.05;
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-9);
      expect(t.dropout).toBeLessThanOrEqual(0.5);
    }
  });

  it("hits both int_uniform ends and every q_uniform point", () => {
    const trials = run(spec(2), 3000);
    expect(new Set(trials.map((t) => t.epochs))).toEqual(new Set([1, 2, 3]));
    expect(new Set(trials.map((t) => t.dropout)).size).toBe(11);
  });

  it("samples log-uniform in log space (about a third per decade over 3 decades)", () => {
    const lrs = run(spec(3), 3000).map((t) => t.learning_rate as number);
    const share = lrs.filter((x) => x < 1e-3).length / lrs.length;
    expect(share).toBeGreaterThan(0.28);
    expect(share).toBeLessThan(0.39);
  });

  it("includes a conditional parameter exactly when its condition holds", () => {
    for (const t of run(spec(4), 500)) {
      expect("momentum" in t).toBe(t.optimizer === "momentum");
      expect("beta1" in t).toBe(t.optimizer === "adam");
    }
  });

  it("is what createSampler returns for random", () => {
    expect(createSampler("random").name).toBe("random");
    expect(createSampler("grid").name).toBe("grid");
  });
});

describe("fromUnit / sampleDistribution", () => {
  it("maps the unit interval's ends into bounds", () => {
    const d = { kind: "log_uniform_values", min: 0.001, max: 1 } as const;
    expect(fromUnit(d, 0)).toBeCloseTo(0.001, 12);
    expect(fromUnit(d, 0.9999999999)).toBeLessThanOrEqual(1);
    expect(fromUnit({ kind: "int_uniform", min: -2, max: 2 }, 0.9999999)).toBe(2);
    expect(fromUnit({ kind: "categorical", values: ["a", "b"] }, 0.5)).toBe("b");
    expect(fromUnit({ kind: "q_uniform", min: 1, max: 2, q: 0.3 }, 0.9999)).toBe(1.9);
  });

  it("consumes exactly one draw per parameter", () => {
    const a = createRng(1);
    sampleDistribution({ kind: "constant", value: 1 }, a);
    const b = createRng(1);
    b.next();
    expect(a.next()).toBe(b.next());
  });
});
