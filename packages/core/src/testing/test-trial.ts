import type { Params, TrialRecord } from "../types.ts";

/**
 * Trial `index` of sweep "s" (id `t<index>`, created at `index`) as a sampler sees it in its
 * history: `params`, `state` (default completed) and, for a completed trial, the K-fold `mean`.
 */
export function testTrial(
  index: number,
  params: Params,
  state: TrialRecord["state"] = "completed",
  mean?: number,
): TrialRecord {
  return {
    sweepId: "s",
    id: `t${index}`,
    index,
    params,
    state,
    folds: [],
    ...(state === "completed" && mean !== undefined ? { mean } : {}),
    createdAt: index,
    flags: [],
  };
}
