import type { SweepSpec } from "@hpo/core";

/**
 * Reopening a sweep: resume after a cancel, extend with more trials (or seconds). The sweep's
 * spec is rewritten with compare-and-set (the caller passes the spec it read and the new one), so
 * two concurrent reopenings never lose an update. Time the sweep spent stopped does not count
 * against `budget.max_seconds` (measured from createdAt): the limit grows by the pause. The
 * Redis side is `lua/reopenSweep-2.lua`.
 */

/** What a reopening adds to the budget. */
export interface ReopenOptions {
  /** Trials added to budget.max_trials. Default 0. */
  readonly trials?: number;
  /** Seconds added to budget.max_seconds (when the sweep has a time limit). Default 0. */
  readonly seconds?: number;
}

/**
 * The spec of a reopened sweep: max_trials and max_seconds grown by `add`, and max_seconds also
 * by the time the sweep was stopped (finishedAt → now), so a pause does not use up the time budget.
 */
export function reopenedSpec(
  spec: SweepSpec,
  stoppedAt: number | undefined,
  now: number,
  add: ReopenOptions = {},
): SweepSpec {
  const { budget } = spec;
  const paused = stoppedAt === undefined ? 0 : Math.max(0, now - stoppedAt) / 1000;
  return {
    ...spec,
    budget: {
      ...budget,
      max_trials: budget.max_trials + (add.trials ?? 0),
      ...(budget.max_seconds !== undefined && {
        max_seconds: Math.round((budget.max_seconds + paused + (add.seconds ?? 0)) * 1000) / 1000,
      }),
    },
  };
}
