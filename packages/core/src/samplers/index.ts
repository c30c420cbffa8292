/**
 * Samplers propose trial parameters. Call sequence (coordinator):
 *
 *   const sampler = createSampler(spec.method);          // once per sweep (stateless, cheap)
 *   for each new trial index i (0, 1, 2, …, in order):
 *     const params = sampler.sample({ spec, index: i, rng: samplerRng(spec, i), trials });
 *     if (params === undefined) → the space is exhausted (grid): stop proposing;
 *     else store the trial with `params` BEFORE enqueueing it (idempotent on restart).
 *
 * `trials` are the sweep's earlier trials (oldest first, finished and running). Because the
 * result depends only on (spec, index, trials), a restarted coordinator proposes the same trial.
 * Model-based samplers (tpe) read `trials`: pass running ones too (they count as bad: constant liar).
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
