/**
 * Samplers propose trial parameters (one implementation per file; all pass the contract of testing/sampler-contract.ts).
 *
 *   method        sampler              reads ctx.trials?
 *   grid          GridSampler          no  (index → combination; undefined when exhausted)
 *   random        RandomSampler        no
 *   quasi_random  QuasiRandomSampler   no  (scrambled Halton point `index`)
 *   tpe (bayes)   TpeSampler           yes (finished trials; running/queued ones as constant liar)
 *
 * Call sequence (coordinator):
 *
 *   const sampler = createSampler(spec.method);          // once per sweep (stateless, cheap)
 *   for each new trial index i (0, 1, 2, …, in order):
 *     const params = sampler.sample({ spec, index: i, rng: samplerRng(spec, i), trials });
 *     if (params === undefined) → the space is exhausted (grid): stop proposing;
 *     else store the trial with `params` BEFORE enqueueing it.
 *
 * `trials` are the sweep's earlier trials, oldest first, in every state: TPE learns from
 * completed (by `mean`), pruned (by `prunedAt`) and diverged (as bad) trials, counts queued and
 * running ones as bad so parallel proposals differ, and ignores failed and cancelled ones.
 * The result is a pure function of (spec, index, trials). Grid, random and quasi-random depend on
 * (spec, index) alone, so a restarted coordinator re-proposes the same trial; for TPE the trial
 * states may have moved on, which is why params are stored before enqueueing (idempotent restart).
 * Cost: TPE ≈ O(n) per suggestion in the number of trials (see bench/sampler-cost.ts).
 * `new TpeSampler({ multivariate: true })` models the unconditional parameters jointly (Optuna's
 * multivariate TPE; O(n·D) per candidate) and `considerEndpoints` widens the edge kernels; the
 * sweep methods use the defaults (univariate, no endpoints), as Optuna does.
 */
import { createRng, mixSeed, type Rng } from "../rng.ts";
import type { SearchMethod, SweepSpec } from "../types.ts";
import { GridSampler } from "./grid-sampler.ts";
import { QuasiRandomSampler } from "./quasi-random-sampler.ts";
import { RandomSampler } from "./random-sampler.ts";
import type { Sampler } from "./sampler.ts";
import { TpeSampler } from "./tpe-sampler.ts";

export { activeParams, isActive, sameValue } from "./active-params.ts";
export { GridSampler, type GridSamplerOptions, permuteIndex } from "./grid-sampler.ts";
export { type GridSpace, gridSpace } from "./grid-space.ts";
export { type JointDimension, MultivariateParzen } from "./multivariate-parzen.ts";
export { QuasiRandomSampler } from "./quasi-random-sampler.ts";
export { RandomSampler } from "./random-sampler.ts";
export { distributionValues, fromUnit, sampleDistribution, supportSize } from "./sample-distribution.ts";
export type { SampleContext, Sampler } from "./sampler.ts";
export { TpeSampler, type TpeSamplerOptions } from "./tpe-sampler.ts";
export { defaultGamma, splitTrials, type TpeSplit } from "./tpe-split.ts";

/**
 * The sampler of a sweep method (a fresh, stateless instance).
 */
export function createSampler(method: SearchMethod): Sampler {
  switch (method) {
    case "grid":
      return new GridSampler();
    case "random":
      return new RandomSampler();
    case "quasi_random":
      return new QuasiRandomSampler();
    case "tpe":
      return new TpeSampler();
    default:
      throw new RangeError(`createSampler: unknown method ${JSON.stringify(method)}`);
  }
}

/** The generator for trial `index` of a sweep: createRng(mixSeed(spec.seed, index)). */
export function samplerRng(spec: Pick<SweepSpec, "seed">, index: number): Rng {
  return createRng(mixSeed(spec.seed, index));
}
