/**
 * The JSON documents the CLI prints for scripts: `status --json`, `ls --json` (sweep records as
 * the API returns them) and the events of `watch --json`. Their schemas are in docs/openapi.yaml
 * (components CliStatus, CliTrial, CliWatchEvent); test/cli/cli-json.test.ts checks real output
 * against them. Absent numbers are null, so every field is always present.
 */
import type { SweepRecord, TrialRecord } from "@hpo/core";
import { progressOf } from "./format/progress.ts";
import { foldScores, rankTrials } from "./format/ranking.ts";

/** One trial in `status --json` and in a `trial` event. */
export interface TrialJson {
  readonly id: string;
  readonly index: number;
  readonly params: TrialRecord["params"];
  readonly state: TrialRecord["state"];
  readonly mean: number | null;
  readonly std: number | null;
  readonly sem: number | null;
  /** Corrected 95 % CI of `mean`, p-value against the best and the tie (docs/statistics.md). */
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  readonly pBest: number | null;
  readonly tied: boolean | null;
  /** Per-fold scores of the sweep metric, by fold number. */
  readonly folds: readonly number[];
  readonly durationMs: number | null;
  readonly prunedAt: number | null;
  readonly flags: readonly string[];
  readonly error: string | null;
}

/** A trial as scripts see it. */
export function trialJson(t: TrialRecord): TrialJson {
  return {
    id: t.id,
    index: t.index,
    params: t.params,
    state: t.state,
    mean: t.mean ?? null,
    std: t.std ?? null,
    sem: t.sem ?? null,
    ciLow: t.ciLow ?? null,
    ciHigh: t.ciHigh ?? null,
    pBest: t.pBest ?? null,
    tied: t.tied ?? null,
    folds: foldScores(t),
    durationMs: t.durationMs ?? null,
    prunedAt: t.prunedAt ?? null,
    flags: t.flags ?? [],
    error: t.error ?? null,
  };
}

/** The `status --json` document: the sweep record plus its trials, best first. */
export function statusJson(sweep: SweepRecord, trials: readonly TrialRecord[]): SweepRecord & { trials: TrialJson[] } {
  return { ...sweep, trials: rankTrials(trials, sweep.spec.metric.goal).map(trialJson) };
}

type Best = { readonly trialId: string; readonly mean: number; readonly std: number } | null;

/** One line of `watch --json`; `time` is when the CLI saw it (ISO 8601). */
export type WatchEvent =
  | {
      readonly event: "progress";
      readonly time: string;
      readonly sweepId: string;
      readonly status: SweepRecord["status"];
      /** Trials in a final state / expected in all / running / queued. */
      readonly done: number;
      readonly total: number;
      readonly running: number;
      readonly queued: number;
      readonly best: Best;
      readonly elapsedMs: number;
      /** Estimated ms left; null until a trial has finished, and once the sweep is over. */
      readonly etaMs: number | null;
    }
  | { readonly event: "trial"; readonly time: string; readonly sweepId: string; readonly trial: TrialJson }
  | {
      readonly event: "end";
      readonly time: string;
      readonly sweepId: string;
      readonly status: SweepRecord["status"];
      readonly reason: string | null;
      readonly counts: SweepRecord["counts"];
      readonly best: Best;
      readonly elapsedMs: number;
    };

/** The `progress` event of a sweep snapshot taken at `now`. */
export function progressEvent(sweep: SweepRecord, now: number): Extract<WatchEvent, { event: "progress" }> {
  const p = progressOf(sweep, now);
  return {
    event: "progress",
    time: new Date(now).toISOString(),
    sweepId: sweep.id,
    status: sweep.status,
    done: p.done,
    total: p.total,
    running: p.running,
    queued: sweep.counts.queued,
    best: p.best ?? null,
    elapsedMs: Math.round(p.elapsedMs),
    etaMs: p.etaMs === undefined ? null : Math.round(p.etaMs),
  };
}

/** The `trial` event of a trial seen in a final state. */
export function trialEvent(sweepId: string, trial: TrialRecord, now: number): WatchEvent {
  return { event: "trial", time: new Date(now).toISOString(), sweepId, trial: trialJson(trial) };
}

/** The `end` event of a sweep that is no longer running. */
export function endEvent(sweep: SweepRecord, now: number): WatchEvent {
  return {
    event: "end",
    time: new Date(now).toISOString(),
    sweepId: sweep.id,
    status: sweep.status,
    reason: sweep.reason ?? null,
    counts: sweep.counts,
    best: sweep.best ?? null,
    elapsedMs: Math.round(progressOf(sweep, now).elapsedMs),
  };
}
