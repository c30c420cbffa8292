/**
 * The read-only scan interface the dashboard's sweep table loads trials through (its leaderboard
 * over 100,000 trials): only the fields a leaderboard shows, fold list decoded to its scores.
 * Implemented by `createPackedTrialScan` (sweep-table-scan.ts, Lua batch reads) and by the
 * coordinator's Store-backed fallback. Writes always go through `Store`.
 */
import type { TrialState, TrialSummary } from "@hpo/core";

/** A trial as the leaderboard needs it. `foldScores[k]` is fold k's score (undefined when missing). */
export interface TrialScanRow extends TrialSummary {
  readonly foldScores: readonly (number | undefined)[];
}

export interface TrialScan {
  /** Trials by index order, ranks `offset` … `offset + count − 1` of the sweep's trial set. */
  range(sweepId: string, offset: number, count: number): Promise<TrialScanRow[]>;
  /** The given trials (missing ones skipped). */
  byIds(sweepId: string, ids: readonly string[]): Promise<TrialScanRow[]>;
  /** Ids of the sweep's trials in `state`, by index. */
  idsInState(sweepId: string, state: TrialState): Promise<string[]>;
}
