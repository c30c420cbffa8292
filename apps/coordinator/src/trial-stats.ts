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

type BestFolds = { readonly id: string; readonly state: TrialState; readonly folds: readonly FoldScore[] };

/**
 * The best trials' folds already read, per store: the leaderboard asks for them on every page
 * and poll, and they change only with the best's mean (a new best, or the selection phase's
 * extra folds), which is in the key. At most BEST_CACHE_SIZE entries per store.
 */
const bestCache = new WeakMap<object, Map<string, BestFolds | undefined>>();
const BEST_CACHE_SIZE = 64;

async function bestOf(store: Pick<Store, "getTrial">, sweep: SweepRecord): Promise<BestFolds | undefined> {
  const b = sweep.best;
  if (!b) return undefined;
  let cache = bestCache.get(store);
  if (!cache) {
    cache = new Map();
    bestCache.set(store, cache);
  }
  const key = `${sweep.id}|${b.trialId}|${b.mean}|${b.std}`;
  if (cache.has(key)) return cache.get(key);
  const t = await store.getTrial(sweep.id, b.trialId);
  const best = t && { id: t.id, state: t.state, folds: t.folds.map((f) => ({ fold: f.fold, score: f.score })) };
  cache.set(key, best);
  while (cache.size > BEST_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return best;
}

/** Reads the best trial of `sweep` (one store read, remembered) and returns the view that uses it. */
export async function trialStatsView(store: Pick<Store, "getTrial">, sweep: SweepRecord): Promise<TrialStatsView> {
  const best = await bestOf(store, sweep);
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
