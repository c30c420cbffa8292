/**
 * Pruners decide whether a running trial stops early. Call sequence (worker + store):
 *
 *   const pruner = createPruner(spec.early_terminate);            // once per sweep, stateless
 *   after every epoch the trainer reports { epoch, value } (value = K-fold mean of the metric):
 *     const group = pruner.groupOf(trialId);                      // "all", or a Hyperband bracket
 *     atomically (one Lua script / MULTI):                        // many workers report at once
 *       record value at key (sweep, group, epoch) for trialId;    // e.g. a hash trialId → value
 *       read the values of the other trials at (sweep, group, epoch)
 *     const stop = pruner.shouldPrune({ trialId, step: epoch, value, goal: spec.metric.goal,
 *                                       others, best: bestSoFar, finishedTrials });
 *     if stop → the trainer ends the trial as "pruned", prunedAt = epoch (curve kept).
 *
 * Recording must be idempotent (a re-delivered job reports the same epoch again: overwrite by
 * trialId). Pruners are pure: two workers given the same context decide the same.
 */

import type { AshaOptions, HyperbandOptions, MedianOptions } from "../spec-early-terminate.ts";
import type { EarlyTerminateSpec } from "../types.ts";
import { AshaPruner } from "./asha-pruner.ts";
import { HyperbandPruner } from "./hyperband-pruner.ts";
import { MedianPruner } from "./median-pruner.ts";
import type { PruneContext, Pruner } from "./pruner.ts";

export type { AshaOptions, EarlyTerminateOptions, HyperbandOptions, MedianOptions } from "../spec-early-terminate.ts";
export { AshaPruner, type AshaPrunerOptions, isPromotable } from "./asha-pruner.ts";
export { HyperbandPruner } from "./hyperband-pruner.ts";
export { MedianPruner } from "./median-pruner.ts";
export type { PruneContext, Pruner } from "./pruner.ts";

/** Never prunes (early_terminate: none). */
export class NopPruner implements Pruner {
  readonly name = "none";
  shouldPrune(_ctx: PruneContext): boolean {
    return false;
  }
  groupOf(): string {
    return "all";
  }
}

/**
 * The pruner of a normalised `early_terminate` (as parseSweepSpec leaves it, defaults filled).
 * @throws RangeError for an unknown type (parseSweepSpec refuses those first).
 */
export function createPruner(spec: EarlyTerminateSpec): Pruner {
  switch (spec.type) {
    case "none":
      return new NopPruner();
    case "median":
      return new MedianPruner(spec as MedianOptions);
    case "asha":
      return AshaPruner.fromSpec(spec as AshaOptions);
    case "hyperband":
      return new HyperbandPruner(spec as HyperbandOptions);
    default:
      throw new RangeError(
        `createPruner: unknown early_terminate type ${JSON.stringify((spec as { type: unknown }).type)}`,
      );
  }
}
