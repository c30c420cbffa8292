/** Wire → domain conversions: the only place that knows the coordinator's JSON shapes. */
import {
  type EpochReport,
  type FoldResult,
  maxFoldRunsOf,
  NO_TRIAL_COUNTS,
  type SweepRecord,
  type TrialCounts,
  type TrialRecord,
} from "@hpo/core";
import type { SweepSummary, TrialDetail, TrialRow } from "./types.ts";

export function toSweepSummary(w: SweepRecord, now = Date.now()): SweepSummary {
  const counts: TrialCounts = { ...NO_TRIAL_COUNTS, ...(w.counts ?? {}) };
  const end = w.finishedAt ?? (w.status === "running" ? now : w.createdAt);
  return {
    id: w.id,
    name: w.name ?? w.spec?.name ?? w.id,
    status: w.status,
    metricName: w.spec?.metric?.name ?? "score",
    goal: w.spec?.metric?.goal ?? "maximize",
    createdAt: w.createdAt,
    finishedAt: w.finishedAt,
    durationMs: Math.max(0, end - w.createdAt),
    total: w.spec?.budget?.max_trials ?? w.proposed ?? 0,
    proposed: w.proposed ?? 0,
    counts,
    done: counts.completed,
    running: counts.running,
    pruned: counts.pruned,
    failed: counts.failed + counts.diverged,
    best: w.best,
    folds: w.spec?.cv ? maxFoldRunsOf(w.spec) : 1,
    paramNames: Object.keys(w.spec?.parameters ?? {}),
    spec: w.spec,
    reason: w.reason,
    ...(w.test && { test: w.test }),
  };
}

function foldScores(folds: readonly FoldResult[] | undefined): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (const f of folds ?? []) out[f.fold] = f.score;
  return out;
}

export function toTrialRow(w: TrialRecord): TrialRow {
  return {
    id: w.id,
    index: w.index,
    state: w.state,
    params: w.params ?? {},
    mean: w.mean,
    std: w.std,
    sem: w.sem,
    ciLow: w.ciLow,
    ciHigh: w.ciHigh,
    pBest: w.pBest,
    tied: w.tied,
    foldScores: foldScores(w.folds),
    flags: w.flags ?? [],
    prunedAt: w.prunedAt,
    durationMs: w.durationMs,
    worker: w.worker,
    error: w.error,
  };
}

export function toTrialDetail(w: TrialRecord & { curve?: readonly EpochReport[] }): TrialDetail {
  return {
    ...toTrialRow(w),
    sweepId: w.sweepId,
    folds: w.folds ?? [],
    curve: w.curve ?? [],
    createdAt: w.createdAt,
    startedAt: w.startedAt,
    finishedAt: w.finishedAt,
    attempts: w.attempts,
  };
}
