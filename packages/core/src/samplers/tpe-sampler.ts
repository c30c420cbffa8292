import type { Rng } from "../rng.ts";
import type { Distribution, Params, ParamValue, TrialRecord } from "../types.ts";
import { activeParams, sameValue } from "./active-params.ts";
import { CategoricalParzen, type NumericalDomain, NumericalParzen } from "./parzen-estimator.ts";
import { qSteps, sampleDistribution, tidy } from "./sample-distribution.ts";
import type { SampleContext, Sampler } from "./sampler.ts";
import { defaultGamma, splitTrials } from "./tpe-split.ts";

export interface TpeSamplerOptions {
  /** Trials sampled at random before TPE starts (finished: completed, pruned, diverged); default 10. */
  readonly nStartupTrials?: number;
  /** Candidates drawn from l(x) per parameter; the best l(x)/g(x) wins; default 24. */
  readonly nEiCandidates?: number;
  /** Weight of the prior kernel; default 1. */
  readonly priorWeight?: number;
  /** Count running and queued trials as bad so parallel proposals differ; default true. */
  readonly constantLiar?: boolean;
  /** Size of the good set for n usable trials; default min(⌈0.1·n⌉, 25). */
  readonly gamma?: (n: number) => number;
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011) with Optuna's defaults, univariate:
 * for each parameter, l(x) is a Parzen estimator over the good trials and g(x) over the others;
 * 24 candidates drawn from l(x) are scored by l(x)/g(x) and the best is proposed. Log-uniform
 * parameters work in log space; int_uniform and q_uniform are discrete (probability mass of each
 * point); categorical ones use weighted counts with a uniform prior. Conditional parameters learn
 * only from trials where they were active. Deterministic in (spec, index, trials); ctx.rng is the
 * only randomness. Before nStartupTrials finished trials it samples like RandomSampler.
 */
export class TpeSampler implements Sampler {
  readonly name = "tpe";
  readonly #nStartup: number;
  readonly #nCandidates: number;
  readonly #priorWeight: number;
  readonly #liar: boolean;
  readonly #gamma: (n: number) => number;

  constructor(options: TpeSamplerOptions = {}) {
    this.#nStartup = options.nStartupTrials ?? 10;
    this.#nCandidates = options.nEiCandidates ?? 24;
    this.#priorWeight = options.priorWeight ?? 1;
    this.#liar = options.constantLiar ?? true;
    this.#gamma = options.gamma ?? defaultGamma;
  }

  sample(ctx: SampleContext): Params {
    const { spec, rng } = ctx;
    const split = splitTrials(ctx.trials, spec.metric.goal, this.#gamma, this.#liar);
    const values: Record<string, ParamValue> = {};
    const random = split.finished < this.#nStartup;
    for (const [name, p] of Object.entries(spec.parameters)) {
      values[name] = random
        ? sampleDistribution(p.distribution, rng)
        : this.#suggest(name, p.distribution, split.below, split.above, rng);
    }
    return activeParams(spec.parameters, values);
  }

  #suggest(
    name: string,
    d: Distribution,
    below: readonly TrialRecord[],
    above: readonly TrialRecord[],
    rng: Rng,
  ): ParamValue {
    switch (d.kind) {
      case "constant":
        return d.value;
      case "categorical": {
        const l = new CategoricalParzen(
          d.values.length,
          categoryObservations(name, d.values, below),
          this.#priorWeight,
        );
        const g = new CategoricalParzen(
          d.values.length,
          categoryObservations(name, d.values, above),
          this.#priorWeight,
        );
        let best = -1;
        let bestScore = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < this.#nCandidates; i++) {
          const c = l.sample(rng);
          const score = Math.log(l.probability(c)) - Math.log(g.probability(c));
          if (score > bestScore) {
            bestScore = score;
            best = c;
          }
        }
        return d.values[best] as ParamValue;
      }
      default: {
        const domain = numericalDomain(d);
        const l = new NumericalParzen(domain, numericalObservations(name, d, below), this.#priorWeight);
        const g = new NumericalParzen(domain, numericalObservations(name, d, above), this.#priorWeight);
        let best = Number.NaN;
        let bestScore = Number.NEGATIVE_INFINITY;
        const seen = new Map<number, number>();
        for (let i = 0; i < this.#nCandidates; i++) {
          const x = l.sample(rng);
          let score = seen.get(x);
          if (score === undefined) {
            score = Math.log(l.density(x)) - Math.log(g.density(x));
            seen.set(x, score);
          }
          if (score > bestScore || Number.isNaN(best)) {
            bestScore = score;
            best = x;
          }
        }
        return fromTpeSpace(d, best);
      }
    }
  }
}

type NumericalDistribution = Extract<
  Distribution,
  { kind: "uniform" | "int_uniform" | "log_uniform_values" | "q_uniform" }
>;

function numericalDomain(d: NumericalDistribution): NumericalDomain {
  switch (d.kind) {
    case "uniform":
      return { low: d.min, high: d.max, step: 0, first: d.min, steps: 0 };
    case "log_uniform_values":
      return { low: Math.log(d.min), high: Math.log(d.max), step: 0, first: 0, steps: 0 };
    case "int_uniform":
      return { low: d.min - 0.5, high: d.max + 0.5, step: 1, first: d.min, steps: d.max - d.min };
    case "q_uniform": {
      const steps = qSteps(d);
      return { low: d.min - d.q / 2, high: d.min + steps * d.q + d.q / 2, step: d.q, first: d.min, steps };
    }
  }
}

function fromTpeSpace(d: NumericalDistribution, x: number): number {
  switch (d.kind) {
    case "log_uniform_values":
      return Math.min(d.max, Math.max(d.min, Math.exp(x)));
    case "int_uniform":
      return Math.round(x);
    case "q_uniform":
      return tidy(x);
    default:
      return x;
  }
}

/** Values of `name` in trials where it was active and inside the distribution's bounds. */
function numericalObservations(name: string, d: NumericalDistribution, trials: readonly TrialRecord[]): Float64Array {
  const out = new Float64Array(trials.length);
  const { min, max } = d;
  const log = d.kind === "log_uniform_values";
  let n = 0;
  for (let i = 0; i < trials.length; i++) {
    const v = (trials[i] as TrialRecord).params[name];
    if (typeof v === "number" && v >= min && v <= max) out[n++] = log ? Math.log(v) : v;
  }
  return out.subarray(0, n);
}

function categoryObservations(
  name: string,
  values: readonly ParamValue[],
  trials: readonly TrialRecord[],
): Uint32Array {
  const out = new Uint32Array(trials.length);
  let n = 0;
  const scalar = new Map<ParamValue, number>();
  values.forEach((v, i) => {
    if (!Array.isArray(v) && !scalar.has(v)) scalar.set(v, i);
  });
  for (const t of trials) {
    const v = t.params[name];
    if (v === undefined) continue;
    const i = Array.isArray(v) ? values.findIndex((w) => sameValue(v, w)) : (scalar.get(v) ?? -1);
    if (i >= 0) out[n++] = i;
  }
  return out.subarray(0, n);
}
