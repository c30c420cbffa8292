import { describe, expect, it } from "vitest";
import { createRng } from "./rng.ts";
import { betaCdf, betaQuantile } from "./samplers/beta-math.ts";
import { normalQuantile } from "./samplers/normal-math.ts";
import { fromUnit, sampleDistribution, toUnit } from "./samplers/sample-distribution.ts";
import { parseSweepSpec } from "./spec.ts";
import { hpoErrorOf } from "./testing/hpo-error-of.ts";
import type { Distribution } from "./types.ts";

const base = { name: "t", dataset: "iris" };
const dist = (parameters: Record<string, unknown>, name: string): Distribution =>
  parseSweepSpec({ ...base, parameters }).parameters[name]!.distribution;

const refusal = (parameters: Record<string, unknown>) =>
  hpoErrorOf(() => parseSweepSpec({ ...base, parameters })).message;

function draws(d: Distribution, n: number, seed = 1): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => sampleDistribution(d, rng) as number);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

describe("W&B distributions as written", () => {
  it("reads log_uniform's min/max as natural-log exponents (as W&B), not values", () => {
    const d = dist({ learning_rate: { distribution: "log_uniform", min: -9.21, max: -2.3 } }, "learning_rate");
    expect(d.kind).toBe("log_uniform_values");
    if (d.kind !== "log_uniform_values") return;
    expect(d.min).toBeCloseTo(Math.exp(-9.21), 12);
    expect(d.max).toBeCloseTo(Math.exp(-2.3), 12);
    for (const x of draws(d, 500)) expect(x >= d.min && x <= d.max).toBe(true);
  });

  it("maps inv_log_uniform to exp(-U(min, max)) and inv_log_uniform_values to 1/X log-uniform", () => {
    const inv = dist({ epsilon: { distribution: "inv_log_uniform", min: 2, max: 5 } }, "epsilon");
    expect(inv).toEqual({ kind: "log_uniform_values", min: Math.exp(-5), max: Math.exp(-2) });
    const invValues = dist({ l1: { distribution: "inv_log_uniform_values", min: 0.001, max: 0.1 } }, "l1");
    expect(invValues).toEqual({ kind: "log_uniform_values", min: 0.001, max: 0.1 });
  });

  it("rounds the q_ kinds to multiples of q and fills W&B's defaults (mu 0, sigma 1, a 1, b 1, q 1)", () => {
    const q = dist(
      { batch_size: { distribution: "q_log_uniform", min: Math.log(16), max: Math.log(512), q: 8 } },
      "batch_size",
    );
    expect(q.kind).toBe("q_log_uniform_values");
    for (const x of draws(q, 300)) expect(x % 8).toBe(0);
    expect(dist({ clip_norm: { distribution: "log_normal" } }, "clip_norm")).toEqual({
      kind: "log_normal",
      mu: 0,
      sigma: 1,
    });
    expect(dist({ dropout: { distribution: "beta" } }, "dropout")).toEqual({ kind: "beta", a: 1, b: 1 });
    expect(dist({ clip_value: { distribution: "q_beta", a: 2 } }, "clip_value")).toEqual({
      kind: "q_beta",
      a: 2,
      b: 1,
      q: 1,
    });
  });

  it("infers int_uniform from integer bounds and uniform otherwise, as W&B", () => {
    expect(dist({ epochs: { min: 1, max: 5 } }, "epochs").kind).toBe("int_uniform");
    expect(dist({ dropout: { min: 0.1, max: 0.5 } }, "dropout").kind).toBe("uniform");
  });

  it("accepts repeated values (W&B does: they weigh more)", () => {
    expect(dist({ batch_size: { values: [32, 32, 64] } }, "batch_size")).toEqual({
      kind: "categorical",
      values: [32, 32, 64],
    });
  });

  it("draws values by their probabilities and never one of probability 0", () => {
    const d = dist({ optimizer: { values: ["sgd", "adam", "adamax"], probabilities: [0.2, 0.8, 0] } }, "optimizer");
    const rng = createRng(3);
    const seen = Array.from({ length: 4000 }, () => sampleDistribution(d, rng));
    expect(seen).not.toContain("adamax");
    const adam = seen.filter((v) => v === "adam").length / seen.length;
    expect(adam).toBeGreaterThan(0.76);
    expect(adam).toBeLessThan(0.84);
  });

  it("draws normal, log_normal and beta with their moments", () => {
    const n = draws({ kind: "normal", mu: 3, sigma: 2 }, 4000);
    expect(mean(n)).toBeGreaterThan(2.85);
    expect(mean(n)).toBeLessThan(3.15);
    expect(sd(n)).toBeGreaterThan(1.9);
    expect(sd(n)).toBeLessThan(2.1);
    const ln = draws({ kind: "log_normal", mu: 0, sigma: 0.5 }, 4000).map(Math.log);
    expect(Math.abs(mean(ln))).toBeLessThan(0.05);
    expect(sd(ln)).toBeGreaterThan(0.46);
    expect(sd(ln)).toBeLessThan(0.54);
    const b = draws({ kind: "beta", a: 2, b: 5 }, 4000);
    expect(mean(b)).toBeGreaterThan(2 / 7 - 0.02);
    expect(mean(b)).toBeLessThan(2 / 7 + 0.02);
  });

  it("has quantiles that invert the CDFs", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(betaCdf(0.5, 2, 2)).toBeCloseTo(0.5, 9);
    expect(betaCdf(0.2, 2, 5)).toBeCloseTo(0.34464, 5);
    for (const p of [0.01, 0.3, 0.9]) expect(betaCdf(betaQuantile(p, 0.5, 3), 0.5, 3)).toBeCloseTo(p, 9);
    const d: Distribution = { kind: "log_normal", mu: 1, sigma: 0.3 };
    expect(toUnit(d, fromUnit(d, 0.42) as number)).toBeCloseTo(0.42, 6);
  });
});

describe("W&B distributions refused for the built-in trainer, named by the key written", () => {
  it("refuses a distribution that draws outside the parameter's range", () => {
    expect(refusal({ learning_rate: { distribution: "normal", mu: 0.01, sigma: 0.005 } })).toMatch(
      /parameters\.learning_rate\.distribution normal draws values in \(-∞, ∞\); this parameter takes values in \(0, ∞\)/,
    );
    expect(refusal({ batch_size: { distribution: "log_normal", mu: 4, sigma: 1 } })).toMatch(
      /parameters\.batch_size\.distribution log_normal draws non-integers/,
    );
  });

  it("refuses log_uniform exponents that overflow and probabilities that do not pair", () => {
    expect(refusal({ learning_rate: { distribution: "log_uniform", min: 0.0001, max: 1000 } })).toMatch(
      /parameters\.learning_rate\.max is a natural-log exponent for log_uniform/,
    );
    expect(refusal({ optimizer: { values: ["sgd", "adam"], probabilities: [0.5] } })).toMatch(
      /parameters\.optimizer\.probabilities must have one probability per value \(2\), got 1/,
    );
    expect(refusal({ optimizer: { values: ["sgd", "adam"], probabilities: [0.5, 0.6] } })).toMatch(
      /must sum to 1, got 1.1/,
    );
  });

  it("refuses the non-enumerable kinds for grid", () => {
    try {
      parseSweepSpec({ ...base, method: "grid", parameters: { dropout: { distribution: "beta" } } });
      throw new Error("accepted");
    } catch (e) {
      expect((e as Error).message).toMatch(/parameters\.dropout\.distribution method grid needs values/);
    }
  });
});
