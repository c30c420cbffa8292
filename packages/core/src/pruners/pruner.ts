import type { Goal } from "../types.ts";

/**
 * What a pruner sees for one trial at one epoch (step). Every value is a **K-fold mean**: the
 * mean over the trial's folds of the sweep metric at that epoch, so pruning works with
 * cross-validation (folds never overwrite one another's step).
 *
 * The caller (worker + store) keeps the per-step values in Redis. For each report it records
 * `value` under (sweep, pruner.groupOf(trialId), step) and, in the same atomic operation, reads
 * the values the other trials of that group recorded at that step; those are `others`.
 */
export interface PruneContext {
  readonly trialId: string;
  /** The epoch just finished, 1-based. */
  readonly step: number;
  /** This trial's K-fold mean at `step`. NaN or ±Infinity means prune. */
  readonly value: number;
  readonly goal: Goal;
  /**
   * K-fold means at `step` of the other trials of the same group (see Pruner.groupOf) that
   * reached it — running, completed or pruned alike; order does not matter; excludes this trial.
   */
  readonly others: readonly number[];
  /** Best K-fold mean of this trial over steps 1..step (the median rule compares it); default `value`. */
  readonly best?: number;
  /**
   * Trials of the sweep that finished (completed or pruned) so far; the median rule's
   * n_startup_trials counts them. Default: `others.length`.
   */
  readonly finishedTrials?: number;
}

/**
 * Decides whether a running trial should stop. Pure and stateless: the same context gives the
 * same answer in any process, so many workers can decide at once given Redis-held rung state.
 */
export interface Pruner {
  readonly name: string;
  /** True to stop the trial now (it ends as `pruned` with prunedAt = ctx.step). */
  shouldPrune(ctx: PruneContext): boolean;
  /**
   * The group a trial competes in: values are recorded and compared per group. "all" for every
   * pruner but Hyperband, whose brackets are groups. Deterministic in the trial id.
   */
  groupOf(trialId: string): string;
}
