import { checkOption } from "../check-option.ts";
import type { Rng } from "../rng.ts";
import type { Distribution, Params, ParamValue, TrialRecord } from "../types.ts";
import { activeParams, sameValue } from "./active-params.ts";
import { bestCandidate } from "./estimator.ts";
import { type JointDimension, MultivariateParzen } from "./multivariate-parzen.ts";
import { CategoricalParzen, NumericalParzen } from "./parzen-estimator.ts";
import { sampleDistribution } from "./sample-distribution.ts";
import type { SampleContext, Sampler } from "./sampler.ts";
import { fromTpeSpace, type NumericalDistribution, numericalDomain, toTpeSpace } from "./tpe-space.ts";
import { defaultGamma, splitTrials } from "./tpe-split.ts";

export interface TpeSamplerOptions {
  /** Trials sampled at random before TPE starts (finished: completed, pruned, diverged), an
   *  integer >= 0; default 10. */
  readonly nStartupTrials?: number;
  /** Candidates drawn from l(x) per parameter, an integer >= 1; the best l(x)/g(x) wins; default 24. */
  readonly nEiCandidates?: number;
  /** Weight of the prior kernel, a finite number > 0; default 1. */
  readonly priorWeight?: number;
  /** Count running and queued trials as bad so parallel proposals differ; default true. */
  readonly constantLiar?: boolean;
  /** Size of the good set for n usable trials; default min(⌈0.1·n⌉, 25). */
  readonly gamma?: (n: number) => number;
  /**
   * Model the unconditional parameters jointly (Optuna's `multivariate=True`: one kernel per trial
   * over all of them, Scott's-rule bandwidths); conditional ones stay univariate. Default false.
   */
  readonly multivariate?: boolean;
  /** Univariate kernels at the lowest and highest observation also span the gap to the bound
   *  (Optuna's `consider_endpoints`); default false. */
  readonly considerEndpoints?: boolean;
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011) with Optuna's defaults, univariate:
 * for each parameter, l(x) is a Parzen estimator over the good trials and g(x) over the others;
 * 24 candidates drawn from l(x) are scored by l(x)/g(x) and the best is proposed. Log-uniform
 * parameters work in log space; int_uniform and q_uniform are discrete (probability mass of each
 * point); categorical ones use weighted counts with a uniform prior (or their `probabilities`:
 * a value of probability 0 is never proposed). W&B's normal, log-normal, beta and quantised
 * kinds are modelled in CDF space (tpe-space.ts). Conditional parameters learn
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
  readonly #multivariate: boolean;
  readonly #endpoints: boolean;

  /** @throws RangeError when an option is out of range (e.g. nEiCandidates 0). */
  constructor(options: TpeSamplerOptions = {}) {
    const check = (name: string, value: number, rule: Parameters<typeof checkOption>[3]) =>
      checkOption("TpeSampler", name, value, rule);
    this.#nStartup = check("nStartupTrials", options.nStartupTrials ?? 10, { integer: true, min: 0 });
    this.#nCandidates = check("nEiCandidates", options.nEiCandidates ?? 24, { integer: true, min: 1 });
    this.#priorWeight = check("priorWeight", options.priorWeight ?? 1, { finite: true, above: 0 });
    this.#liar = options.constantLiar ?? true;
    this.#gamma = options.gamma ?? defaultGamma;
    this.#multivariate = options.multivariate ?? false;
    this.#endpoints = options.considerEndpoints ?? false;
  }

  sample(ctx: SampleContext): Params {
    const { spec, rng } = ctx;
    const split = splitTrials(ctx.trials, spec.metric.goal, this.#gamma, this.#liar);
    const values: Record<string, ParamValue> = {};
    const random = split.finished < this.#nStartup;
    const joint =
      this.#multivariate && !random
        ? Object.entries(spec.parameters).filter(([, p]) => !p.when && jointly(p.distribution))
        : [];
    const jointValues = joint.length > 1 ? this.#suggestJoint(joint, split.below, split.above, rng) : {};
    for (const [name, p] of Object.entries(spec.parameters)) {
      values[name] = random
        ? sampleDistribution(p.distribution, rng)
        : (jointValues[name] ?? this.#suggest(name, p.distribution, split.below, split.above, rng));
    }
    return activeParams(spec.parameters, values);
  }

  /** Multivariate TPE over `params`: candidates drawn jointly from l(x), the best l(x)/g(x) wins. */
  #suggestJoint(
    params: readonly (readonly [string, { readonly distribution: Distribution }])[],
    below: readonly TrialRecord[],
    above: readonly TrialRecord[],
    rng: Rng,
  ): Record<string, ParamValue> {
    const dists = params.map(([, p]) => p.distribution as Exclude<Distribution, { kind: "constant" }>);
    const dims: JointDimension[] = dists.map((d) =>
      d.kind === "categorical"
        ? { kind: "categorical", choices: d.values.length }
        : { kind: "numerical", domain: numericalDomain(d) },
    );
    const columns = (trials: readonly TrialRecord[]) => {
      const cols = params.map(([name], j) => {
        const d = dists[j] as Exclude<Distribution, { kind: "constant" }>;
        return d.kind === "categorical"
          ? jointCategories(name, d.values, trials)
          : Float64Array.from(trials, (t) => toTpeSpace(t.params[name], d));
      });
      // Only trials where every dimension has a usable value are kernels.
      const keep = trials.map((_, i) => cols.every((c) => !Number.isNaN(c[i] as number)));
      return cols.map((c) => c.filter((_, i) => keep[i]));
    };
    const estimator = (trials: readonly TrialRecord[]) =>
      new MultivariateParzen(dims, columns(trials), this.#priorWeight);
    const best = bestCandidate(estimator(below), estimator(above), this.#nCandidates, rng);
    const out: Record<string, ParamValue> = {};
    params.forEach(([name], j) => {
      const d = dists[j] as Exclude<Distribution, { kind: "constant" }>;
      out[name] =
        d.kind === "categorical" ? (d.values[best[j] as number] as ParamValue) : fromTpeSpace(d, best[j] as number);
    });
    return out;
  }

  #suggest(
    name: string,
    d: Distribution,
    below: readonly TrialRecord[],
    above: readonly TrialRecord[],
    rng: Rng,
  ): ParamValue {
    if (d.kind === "constant") return d.value;
    if (d.kind === "categorical") {
      const estimator = (trials: readonly TrialRecord[]) =>
        new CategoricalParzen(
          d.values.length,
          categoryObservations(name, d.values, trials),
          this.#priorWeight,
          d.probabilities,
        );
      return d.values[bestCandidate(estimator(below), estimator(above), this.#nCandidates, rng)] as ParamValue;
    }
    const domain = numericalDomain(d);
    const estimator = (trials: readonly TrialRecord[]) =>
      new NumericalParzen(domain, numericalObservations(name, d, trials), this.#priorWeight, this.#endpoints);
    return fromTpeSpace(d, bestCandidate(estimator(below), estimator(above), this.#nCandidates, rng));
  }
}

/** Values of `name` in TPE space, from trials where it was active and inside the distribution's bounds. */
function numericalObservations(name: string, d: NumericalDistribution, trials: readonly TrialRecord[]): Float64Array {
  const out = new Float64Array(trials.length);
  let n = 0;
  for (let i = 0; i < trials.length; i++) {
    const x = toTpeSpace((trials[i] as TrialRecord).params[name], d);
    if (!Number.isNaN(x)) out[n++] = x;
  }
  return out.subarray(0, n);
}

/** Whether multivariate TPE models a parameter jointly (weighted categoricals stay univariate). */
function jointly(d: Distribution): boolean {
  return d.kind !== "constant" && !(d.kind === "categorical" && d.probabilities);
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

/** Category index of `name` in each trial, NaN when absent or not one of `values`. */
function jointCategories(name: string, values: readonly ParamValue[], trials: readonly TrialRecord[]): Float64Array {
  return Float64Array.from(trials, (t) => {
    const v = t.params[name];
    if (v === undefined) return Number.NaN;
    const i = values.findIndex((w) => sameValue(v, w));
    return i >= 0 ? i : Number.NaN;
  });
}
