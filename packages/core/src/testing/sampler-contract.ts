/**
 * The contract every Sampler passes (in the spirit of Optuna's `optuna/testing/`): values inside
 * their distribution with the right types, determinism under a seed, conditional parameters
 * present exactly when their condition holds, history never mutated. Run it from a test file:
 *
 *   runSamplerContract("tpe", () => new TpeSampler());
 *
 * Test-only (imports vitest): exported as `@hpo/core/testing`, not from the package index.
 */
import { describe, expect, it } from "vitest";
import { isActive } from "../samplers/active-params.ts";
import { samplerRng } from "../samplers/index.ts";
import type { Sampler } from "../samplers/sampler.ts";
import { parseSweepSpec } from "../spec.ts";
import { supportOf } from "../spec-distributions.ts";
import type { Distribution, Params, SweepSpec, TrialRecord } from "../types.ts";

export interface SamplerContractOptions {
  /** Only enumerable distributions (grid). Default false. */
  readonly finiteOnly?: boolean;
  /** Trials to propose in a run (each then "completes" with a synthetic score). Default 40. */
  readonly trials?: number;
}

function contractSpec(seed: number, finiteOnly: boolean): SweepSpec {
  return parseSweepSpec({
    name: "contract",
    dataset: "iris",
    method: finiteOnly ? "grid" : "random",
    seed,
    parameters: {
      ...(finiteOnly
        ? { learning_rate: { values: [0.001, 0.01, 0.1] } }
        : {
            learning_rate: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 },
            weight_decay: { min: 0, max: 0.01 },
          }),
      batch_size: { distribution: "q_uniform", min: 16, max: 128, q: 16 },
      epochs: { min: 1, max: 3 },
      optimizer: { values: ["sgd", "momentum", "adam"] },
      momentum: finiteOnly
        ? { values: [0.5, 0.9], when: { optimizer: ["momentum"] } }
        : { min: 0.5, max: 0.99, when: { optimizer: ["momentum"] } },
      nesterov: { values: [true, false], when: { optimizer: "momentum" } },
      hidden: { values: [[32], [64, 32]] },
      residual: { value: false },
      // W&B's weighted values: a value of probability 0 is never proposed (grid too).
      activation: { values: ["relu", "tanh", "elu"], probabilities: [0.6, 0.4, 0] },
    },
  });
}

/** A synthetic objective so model-based samplers have something to learn. */
function score(p: Params): number {
  const lr = typeof p.learning_rate === "number" ? p.learning_rate : 0.01;
  return (
    0.9 -
    0.05 * Math.log10(lr / 0.01) ** 2 +
    (p.optimizer === "adam" ? 0.03 : 0) -
    0.0001 * ((p.batch_size as number) - 64)
  );
}

/** Proposes `n` trials in order, each completing before the next (one running at the end). */
export function simulate(sampler: Sampler, spec: SweepSpec, n: number): Params[] {
  const trials: TrialRecord[] = [];
  const out: Params[] = [];
  for (let i = 0; i < n; i++) {
    const snapshot = Object.freeze(trials.map((t) => Object.freeze({ ...t })));
    const p = sampler.sample({ spec, index: i, rng: samplerRng(spec, i), trials: snapshot });
    if (!p) break;
    out.push(p);
    trials.push({
      sweepId: "contract",
      id: `t${String(i).padStart(4, "0")}`,
      index: i,
      params: p,
      state: i === n - 2 ? "running" : "completed",
      folds: [],
      ...(i === n - 2 ? {} : { mean: score(p), std: 0, sem: 0 }),
      createdAt: i,
      flags: [],
    });
  }
  return out;
}

function within(d: Distribution, v: unknown): boolean {
  const multipleOf = (x: number, q: number) => Math.abs(x / q - Math.round(x / q)) < 1e-9;
  switch (d.kind) {
    case "constant":
      return JSON.stringify(v) === JSON.stringify(d.value);
    case "categorical":
      return d.values.some((w, i) => JSON.stringify(w) === JSON.stringify(v) && (d.probabilities?.[i] ?? 1) > 0);
    case "int_uniform":
      return Number.isInteger(v) && (v as number) >= d.min && (v as number) <= d.max;
    case "q_uniform": {
      if (typeof v !== "number" || v < d.min - 1e-12 || v > d.max + 1e-12) return false;
      const k = (v - d.min) / d.q;
      return Math.abs(k - Math.round(k)) < 1e-9;
    }
    default: {
      const s = supportOf(d);
      if (typeof v !== "number" || !Number.isFinite(v) || !s) return false;
      if (v < s.min || v > s.max || (s.minOpen && v === s.min) || (s.maxOpen && v === s.max)) return false;
      return "q" in d ? multipleOf(v, d.q) : true;
    }
  }
}

/**
 * Every W&B distribution at once: built-in parameter names where one fits (parsed, so W&B's
 * names are normalised as users write them), plus `shift`/`steps` (normal, q_normal: no built-in
 * parameter takes negatives) added as a program would have them, and a weighted categorical
 * whose third value has probability 0.
 */
function wandbSpec(seed: number): SweepSpec {
  const parsed = parseSweepSpec({
    name: "contract-wandb",
    dataset: "iris",
    method: "random",
    seed,
    parameters: {
      learning_rate: { distribution: "log_uniform", min: -9.2, max: -2.3 },
      epsilon: { distribution: "inv_log_uniform", min: 10, max: 20 },
      l1: { distribution: "inv_log_uniform_values", min: 1e-6, max: 1e-2 },
      weight_decay: { distribution: "q_log_uniform", min: -9, max: -2, q: 0.0001 },
      batch_size: { distribution: "q_log_uniform_values", min: 16, max: 256, q: 16 },
      clip_norm: { distribution: "log_normal", mu: 0, sigma: 1 },
      clip_value: { distribution: "q_log_normal", mu: 0, sigma: 1, q: 0.5 },
      dropout: { distribution: "beta", a: 2, b: 5 },
      early_stopping_min_delta: { distribution: "q_beta", a: 0.5, b: 0.5, q: 0.1 },
      epochs: { min: 1, max: 3 },
      optimizer: { values: ["sgd", "adam", "rmsprop"], probabilities: [0.3, 0.7, 0] },
      momentum: { distribution: "beta", a: 5, b: 2, when: { optimizer: ["sgd"] } },
    },
  });
  return {
    ...parsed,
    parameters: {
      ...parsed.parameters,
      shift: { distribution: { kind: "normal", mu: -3, sigma: 2 } },
      steps: { distribution: { kind: "q_normal", mu: 10, sigma: 3, q: 2 } },
    },
  };
}

export function runSamplerContract(name: string, make: () => Sampler, options: SamplerContractOptions = {}): void {
  const finiteOnly = options.finiteOnly ?? false;
  const n = options.trials ?? 40;

  if (!finiteOnly) {
    describe(`sampler contract: ${name}, every W&B distribution`, () => {
      const spec = wandbSpec(5);
      const run = simulate(make(), spec, n);

      it("keeps every value inside its distribution's support (multiples of q, probability > 0)", () => {
        expect(run).toHaveLength(n);
        for (const p of run) {
          for (const [key, v] of Object.entries(p)) {
            const param = spec.parameters[key];
            expect(param, `unexpected parameter ${key}`).toBeDefined();
            expect(within(param!.distribution, v), `${key} = ${JSON.stringify(v)}`).toBe(true);
          }
          expect("momentum" in p).toBe(p.optimizer === "sgd");
        }
      });

      it("varies every non-constant parameter", () => {
        for (const key of Object.keys(spec.parameters)) {
          if (key === "momentum") continue;
          expect(new Set(run.map((p) => JSON.stringify(p[key]))).size, key).toBeGreaterThan(1);
        }
      });

      it("is deterministic under a seed", () => {
        expect(simulate(make(), wandbSpec(5), n)).toEqual(run);
      });
    });
  }

  describe(`sampler contract: ${name}`, () => {
    const spec = contractSpec(3, finiteOnly);
    const run = simulate(make(), spec, n);

    it("proposes trials until the budget (or the space) runs out", () => {
      expect(run.length).toBeGreaterThan(0);
      if (!finiteOnly) expect(run).toHaveLength(n);
    });

    it("keeps every value inside its distribution with the right type", () => {
      for (const p of run) {
        for (const [key, v] of Object.entries(p)) {
          const param = spec.parameters[key];
          expect(param, `unexpected parameter ${key}`).toBeDefined();
          expect(within(param!.distribution, v), `${key} = ${JSON.stringify(v)}`).toBe(true);
        }
      }
    });

    it("includes a parameter exactly when its condition holds", () => {
      for (const p of run) {
        for (const key of Object.keys(spec.parameters)) {
          expect(key in p, `${key} in ${JSON.stringify(p)}`).toBe(isActive(key, spec.parameters, p));
        }
        expect("momentum" in p).toBe(p.optimizer === "momentum");
      }
    });

    it("is deterministic under a seed: same sweep, same trials", () => {
      expect(simulate(make(), contractSpec(3, finiteOnly), n)).toEqual(run);
    });

    it("depends on the seed", () => {
      expect(simulate(make(), contractSpec(4, finiteOnly), n)).not.toEqual(run);
    });

    it("gives the same answer when asked again for the same index (restart)", () => {
      const sampler = make();
      const s = contractSpec(3, finiteOnly);
      const a = sampler.sample({ spec: s, index: 5, rng: samplerRng(s, 5), trials: [] });
      const b = make().sample({ spec: s, index: 5, rng: samplerRng(s, 5), trials: [] });
      expect(b).toEqual(a);
    });
  });
}
