/**
 * Pruners decide whether a running trial stops early. Call sequence (worker + store):
 *
 *   const pruner = createPruner(spec.early_terminate);            // once per sweep, stateless
 *   after every epoch the trainer reports { epoch, value } (value = K-fold mean of the metric):
 *     record value for (sweep, epoch, trialId) in Redis;          // idempotent: overwrite by trialId
 *     read every trial's value at (sweep, epoch)                  // atomically with the write
 *     const stop = pruner.shouldPrune({
 *       trialId, step: epoch, value, goal: spec.metric.goal,
 *       others: othersInGroup(pruner, trialId, valuesAtEpoch),   // same Hyperband bracket, not itself
 *       best: bestValueSoFar, finishedTrials });                  // median rule: best and startup count
 *     if stop → the trainer ends the trial as "pruned", prunedAt = epoch (curve kept).
 *
 * Pruners are pure: two workers given the same context decide the same, so consistency under
 * concurrent reports comes from the atomic write-and-read of the step's values.
 */

import type { AshaOptions, HyperbandOptions, MedianOptions } from "../spec-early-terminate.ts";
import type { EarlyTerminateSpec } from "../types.ts";
import { AshaPruner } from "./asha-pruner.ts";
import { HyperbandPruner } from "./hyperband-pruner.ts";
import { MedianPruner } from "./median-pruner.ts";
import type { PruneContext, Pruner } from "./pruner.ts";

export type { AshaOptions, EarlyTerminateOptions, HyperbandOptions, MedianOptions } from "../spec-early-terminate.ts";
export { AshaPruner, type AshaPrunerOptions, isPromotable } from "./asha-pruner.ts";
export { HyperbandPruner, type HyperbandPrunerOptions } from "./hyperband-pruner.ts";
export { MedianPruner, type MedianPrunerOptions } from "./median-pruner.ts";
export type { PruneContext, Pruner } from "./pruner.ts";

/**
 * The `others` of a PruneContext from every trial's value at one step (trialId → K-fold mean):
 * drops `trialId` itself and trials of other groups (Hyperband brackets compete separately).
 */
export function othersInGroup(pruner: Pruner, trialId: string, values: ReadonlyMap<string, number>): number[] {
  const group = pruner.groupOf(trialId);
  const out: number[] = [];
  for (const [id, v] of values) if (id !== trialId && pruner.groupOf(id) === group) out.push(v);
  return out;
}

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

/** The successive-halving options ASHA and Hyperband share, in camelCase. */
const halving = (o: AshaOptions | HyperbandOptions) => ({
  minResource: o.min_resource,
  maxResource: o.max_resource,
  reductionFactor: o.reduction_factor,
});

/**
 * The pruner of a normalised `early_terminate` (as parseSweepSpec leaves it, defaults filled): the
 * one place the spec's snake_case options become the pruners' camelCase ones.
 * @throws RangeError for an unknown type or an option out of range (parseSweepSpec refuses those first).
 */
export function createPruner(spec: EarlyTerminateSpec): Pruner {
  switch (spec.type) {
    case "none":
      return new NopPruner();
    case "median": {
      const o = spec as MedianOptions;
      return new MedianPruner({
        nStartupTrials: o.n_startup_trials,
        nWarmupSteps: o.n_warmup_steps,
        intervalSteps: o.interval_steps,
        nMinTrials: o.n_min_trials,
      });
    }
    case "asha":
      return new AshaPruner({ ...halving(spec as AshaOptions), gracePeriod: (spec as AshaOptions).grace_period });
    case "hyperband": {
      const rungs = (spec as HyperbandOptions).rungs;
      return new HyperbandPruner({ ...halving(spec as HyperbandOptions), ...(rungs ? { rungs } : {}) });
    }
    default:
      throw new RangeError(
        `createPruner: unknown early_terminate type ${JSON.stringify((spec as { type: unknown }).type)}`,
      );
  }
}
