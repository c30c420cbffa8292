/**
 * Domain types of the dashboard: what views and plots consume. The API client converts wire data
 * (the coordinator's JSON) into these once, in `convert.ts`; nothing else reads wire shapes.
 */
import type {
  EpochReport,
  FoldResult,
  Goal,
  SweepRecord,
  SweepSpec,
  SweepStatus,
  SweepTest,
  TrialCounts,
  TrialRecord,
  TrialState,
  TrialSummary,
} from "@hpo/core";

export interface SweepSummary {
  readonly id: string;
  readonly name: string;
  readonly status: SweepStatus;
  readonly metricName: string;
  readonly goal: Goal;
  readonly createdAt: number;
  readonly finishedAt?: number;
  /** Wall time so far (running) or in total (finished). */
  readonly durationMs: number;
  /** Planned number of trials (budget.max_trials). */
  readonly total: number;
  readonly proposed: number;
  readonly counts: TrialCounts;
  readonly done: number;
  readonly running: number;
  readonly pruned: number;
  /** Failed plus diverged. */
  readonly failed: number;
  readonly best?: SweepRecord["best"];
  readonly folds: number;
  readonly paramNames: readonly string[];
  readonly spec: SweepSpec;
  readonly reason?: string;
  /** The winner's score on the test split (`cv.test_fraction`), when the sweep has one. */
  readonly test?: SweepTest;
}

/** One leaderboard row. `foldScores[k]` is fold k's final score (undefined when missing). */
export interface TrialRow
  extends TrialSummary,
    /** Corrected 95 % CI of `mean` and the tie with the best (completed trials; docs/statistics.md). */
    Pick<TrialRecord, "ciLow" | "ciHigh" | "pBest" | "tied" | "error"> {
  readonly foldScores: readonly (number | undefined)[];
}

export interface TrialDetail extends TrialRow {
  readonly sweepId: string;
  readonly folds: readonly FoldResult[];
  readonly curve: readonly EpochReport[];
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly attempts?: number;
}

export type SortDir = "asc" | "desc";

/** A leaderboard query, evaluated on the server. */
export interface LeaderboardQuery {
  /** "score" (best first for "desc"... see dir), "index", "std", "sem", "duration", "state", "p:<param>", "f:<fold>". */
  readonly sort: string;
  readonly dir: SortDir;
  /** Keep only these states (empty: all). */
  readonly states: readonly TrialState[];
  /** Keep only trials carrying this flag ("pruned" matches pruned trials too). */
  readonly flag?: string;
  /** Param clauses like `lr<0.01 optimizer=adam`; see the server's filter parser. */
  readonly filter?: string;
}

export interface LeaderboardPage {
  readonly items: readonly TrialRow[];
  readonly total: number;
  readonly offset: number;
  /** Trials of the sweep before filtering. */
  readonly unfiltered: number;
  /**
   * Present while the server is still loading a big sweep: the page then sorts and filters only
   * the `loaded` trials of `of` so far, and the complete answer comes on a later request.
   */
  readonly loading?: { readonly loaded: number; readonly of: number };
}

export type { Fleet, History, HistoryPoint, Importance, TrialSample, WorkerInfo } from "@hpo/core";
