/**
 * Pruners decide whether a running trial stops early. Call sequence (worker, after every epoch):
 *
 *   const pruner = createPruner(spec.early_terminate)       (phase 2; NopPruner until then)
 *   trainer reports EpochReport { epoch, value = K-fold mean of the metric }
 *   the store records the value at that step and returns the other trials' values at that step
 *   stop = pruner.shouldPrune({ trialId, step: epoch, value, goal: spec.metric.goal, others })
 *   if stop → the trainer ends the trial as "pruned" with prunedAt = epoch.
 */
import type { PruneContext, Pruner } from "./pruner.ts";

export type { PruneContext, Pruner } from "./pruner.ts";

/** Never prunes (early_terminate: none). */
export class NopPruner implements Pruner {
  readonly name = "none";
  shouldPrune(_ctx: PruneContext): boolean {
    return false;
  }
}
