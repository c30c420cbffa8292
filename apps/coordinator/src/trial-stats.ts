import { type FoldScore, type SweepRecord, type TrialState, type TrialStats, trialStatsOf } from "@hpo/core";
import type { Store } from "@hpo/store";

/**
 * Adds the leaderboard statistics (corrected CI, tie with the best: docs/statistics.md) to the
 * records the API serves. They depend on the sweep's current best trial, so they are computed
 * when served, never stored.
 */
export interface TrialStatsView {
  /** The trial with `ciLow`, `ciHigh`, `pBest` and `tied` when it completed. */
  trial<T extends { readonly state: TrialState; readonly folds: readonly FoldScore[] }>(
    trial: T,
  ): T & Partial<TrialStats>;
  /** The sweep with `best.ciLow` / `best.ciHigh`. */
  sweep(sweep: SweepRecord): SweepRecord;
}

/** Reads the best trial of `sweep` (one store read) and returns the view that uses it. */
export async function trialStatsView(store: Pick<Store, "getTrial">, sweep: SweepRecord): Promise<TrialStatsView> {
  const best = sweep.best ? await store.getTrial(sweep.id, sweep.best.trialId) : undefined;
  const cv = sweep.spec.cv;
  const view: TrialStatsView = {
    trial: (trial) => {
      const stats = trialStatsOf(trial, best, cv);
      return stats ? { ...trial, ...stats } : trial;
    },
    sweep: (s) => {
      const stats = best && s.best && best.id === s.best.trialId ? trialStatsOf(best, best, cv) : undefined;
      return stats && s.best ? { ...s, best: { ...s.best, ciLow: stats.ciLow, ciHigh: stats.ciHigh } } : s;
    },
  };
  return view;
}
