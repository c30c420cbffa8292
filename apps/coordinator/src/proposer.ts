import { createSampler, type Params, type Sampler, type SweepSpec, samplerRng, type TrialRecord } from "@hpo/core";

/**
 * Proposes the params of trial `index` of a sweep, or undefined when its space is exhausted.
 * Must be a pure function of (spec, index, earlier trials) so a restarted coordinator proposes
 * the same trials. `history` loads the earlier trials (oldest first) only if the sampler needs them.
 */
export type Proposer = (
  sweepId: string,
  spec: SweepSpec,
  index: number,
  history: () => Promise<readonly TrialRecord[]>,
) => Promise<Params | undefined>;

/** Samplers that read nothing but (spec, index): the history is not loaded for them. */
const HISTORY_FREE = new Set(["grid", "random"]);

/**
 * The proposer backed by @hpo/core's samplers. Keeps one sampler and the first spec object per
 * sweep, so samplers that cache per spec object (grid) build their space once.
 */
export function createCoreProposer(): Proposer {
  const bySweep = new Map<string, { spec: SweepSpec; sampler: Sampler }>();
  return async (sweepId, spec, index, history) => {
    let entry = bySweep.get(sweepId);
    if (!entry) {
      if (bySweep.size > 1000) bySweep.clear(); // finished sweeps are never asked again
      entry = { spec, sampler: createSampler(spec.method) };
      bySweep.set(sweepId, entry);
    }
    const trials = HISTORY_FREE.has(entry.sampler.name) ? [] : await history();
    return entry.sampler.sample({ spec: entry.spec, index, rng: samplerRng(entry.spec, index), trials });
  };
}
