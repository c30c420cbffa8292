import type { SweepRecord } from "@hpo/core";

/** Why a running sweep stops proposing trials. */
export interface BudgetStop {
  /** Recorded as the sweep's `reason`, e.g. `time budget of 60 s used`. */
  readonly reason: string;
  /**
   * True when the trials in flight are cancelled as well (target reached, time budget used): the
   * sweep ends now. False for max_trials: the trials in flight finish first.
   */
  readonly cancelInFlight: boolean;
}

/**
 * The budget rule that stops a running sweep at time `now` (ms), or undefined when it may go on:
 * 1. `metric.target` reached by the best completed trial's K-fold mean (≥ when maximizing, ≤ when
 *    minimizing) → stop and cancel what is in flight;
 * 2. `budget.max_seconds` of wall-clock time since createdAt used → stop and cancel (a resumed or
 *    extended sweep has its stopped time added to max_seconds by the store);
 * 3. `budget.max_trials` proposed → stop proposing, let the trials in flight finish.
 * A pure function of the stored sweep: a restarted coordinator decides the same.
 */
export function budgetStop(sweep: SweepRecord, now: number): BudgetStop | undefined {
  const { budget, metric } = sweep.spec;
  if (metric.target !== undefined && sweep.best) {
    const reached = metric.goal === "maximize" ? sweep.best.mean >= metric.target : sweep.best.mean <= metric.target;
    if (reached) {
      return {
        reason: `target ${metric.name} ${metric.target} reached by ${sweep.best.trialId}`,
        cancelInFlight: true,
      };
    }
  }
  if (budget.max_seconds !== undefined && now - sweep.createdAt >= budget.max_seconds * 1000) {
    return { reason: `time budget of ${budget.max_seconds} s used`, cancelInFlight: true };
  }
  if (sweep.proposed >= budget.max_trials) {
    return { reason: `max_trials ${budget.max_trials} proposed`, cancelInFlight: false };
  }
  return undefined;
}
