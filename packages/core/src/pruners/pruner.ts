import type { Goal } from "../types.ts";

/** What a pruner sees for one trial at one epoch (step). Values are K-fold means. */
export interface PruneContext {
  readonly trialId: string;
  readonly step: number;
  readonly value: number;
  readonly goal: Goal;
  /** Values of other trials of the sweep at this same step (completed or running). */
  readonly others: readonly number[];
}

/** Decides whether a running trial should stop. Pure; rung state is kept by the caller (Redis). */
export interface Pruner {
  readonly name: string;
  shouldPrune(ctx: PruneContext): boolean;
}
