import type { Rng } from "../rng.ts";
import type { Params, SweepSpec, TrialRecord } from "../types.ts";

/** What a sampler sees when asked for trial `index`. */
export interface SampleContext {
  readonly spec: SweepSpec;
  /** 0-based index of the trial being proposed. Sampling must be a pure function of
   *  (spec, seed, index, trials) so that a restarted coordinator proposes the same trial. */
  readonly index: number;
  /** Generator seeded from (spec.seed, index). */
  readonly rng: Rng;
  /** Trials proposed before this one (finished and running), oldest first. */
  readonly trials: readonly TrialRecord[];
}

/**
 * Proposes parameters. Implementations are stateless between calls (all state comes from ctx),
 * so they are safe across coordinator restarts. Returns undefined when the space is exhausted
 * (grid). Conditional parameters whose `when` does not match are left out of the result.
 */
export interface Sampler {
  readonly name: string;
  sample(ctx: SampleContext): Params | undefined;
}
