import { finishedTrialsOf, type ParamValue, type SweepRecord, sweepSubject, type TrialRecord } from "@hpo/core";
import Table from "cli-table3";
import { formatDuration } from "./duration.ts";
import { formatParams, formatScore, formatValue } from "./params.ts";
import { foldScores, rankTrials } from "./ranking.ts";

/** Options of `renderLeaderboard`. */
export interface LeaderboardOptions {
  /** Colour the header (for terminals); default false. */
  readonly color?: boolean;
  /** Show at most this many rows; default: all. */
  readonly limit?: number;
}

/** Parameter columns are used up to this many distinct keys; beyond, one "params" column. */
const MAX_PARAM_COLUMNS = 6;

/** Marks the trials tied with the best in the leaderboard's rank column. */
export const TIE_MARK = "≈";

/** The legend under a leaderboard with `tied` trials (the best included) marked. */
export function tieLegend(tied: number): string {
  return `${TIE_MARK} tied with the best (${tied} trial${tied === 1 ? "" : "s"}, the best included): not distinguishable from it at α = 0.05 by a corrected paired t-test on the same folds; 95% CI: corrected resampled t (docs/statistics.md)`;
}

/**
 * The leaderboard of a sweep as a text table: rank (with TIE_MARK for trials tied with the best),
 * trial, params, K-fold mean ± std of the sweep metric, its corrected 95 % CI, per-fold scores,
 * state, duration. Trials are ranked by `rankTrials` (best first by the metric goal; unfinished
 * trials last, unranked). The CI and the tie come from the API (`TrialRecord.ciLow`, `tied`).
 */
export function renderLeaderboard(
  sweep: SweepRecord,
  trials: readonly TrialRecord[],
  options: LeaderboardOptions = {},
): string {
  const ranked = rankTrials(trials, sweep.spec.metric.goal).slice(0, options.limit ?? trials.length);
  const keys = [...new Set(ranked.flatMap((t) => Object.keys(t.params)))].sort();
  const perKey = keys.length <= MAX_PARAM_COLUMNS;
  const metric = sweep.spec.metric;
  const head = [
    "rank",
    "trial",
    ...(perKey ? keys : ["params"]),
    `${metric.name} (${metric.goal === "maximize" ? "max" : "min"}) mean ± std`,
    "95% CI",
    `folds (${(sweep.spec.cv.repeats ?? 1) > 1 ? `${sweep.spec.cv.repeats} × k=${sweep.spec.cv.folds}` : `k=${sweep.spec.cv.folds}`})`,
    "state",
    "duration",
  ];
  const table = new Table({
    head,
    style: { head: options.color ? ["cyan"] : [], border: [], compact: true },
    ...(perKey ? {} : { colWidths: [], wordWrap: true }),
  });
  let rank = 0;
  for (const t of ranked) {
    const scored = t.mean !== undefined && Number.isFinite(t.mean);
    if (scored) rank += 1;
    table.push([
      scored ? `${rank}${t.tied ? ` ${TIE_MARK}` : ""}` : "-",
      t.id,
      ...(perKey
        ? keys.map((k) => (k in t.params ? formatValue(t.params[k] as ParamValue) : ""))
        : [formatParams(t.params)]),
      scored ? `${formatScore(t.mean)} ± ${formatScore(t.std ?? 0)}` : "-",
      formatInterval(t.ciLow, t.ciHigh),
      foldScores(t)
        .map((s) => formatFold(s))
        .join(" ") || "-",
      t.state + (t.prunedAt !== undefined ? `@${t.prunedAt}` : ""),
      formatDuration(t.durationMs ?? durationOf(t)),
    ]);
  }
  const hidden = trials.length - ranked.length;
  const tied = trials.filter((t) => t.tied).length;
  const lines = [table.toString()];
  if (hidden > 0) lines.push(`(${hidden} more trial${hidden === 1 ? "" : "s"} not shown)`);
  if (tied > 0) lines.push(tieLegend(tied));
  return lines.join("\n");
}

/** "[0.9624, 0.9868]", or "-" without an interval. */
export function formatInterval(low: number | undefined, high: number | undefined): string {
  return low === undefined || high === undefined ? "-" : `[${formatScore(low)}, ${formatScore(high)}]`;
}

/** 3 decimals ("0.981"), or 3 significant digits for small values such as losses ("0.0378"). */
export function formatFold(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 0.1 || x === 0 ? x.toFixed(3) : x.toPrecision(3);
}

function durationOf(t: TrialRecord): number | undefined {
  if (t.startedAt === undefined) return undefined;
  return (t.finishedAt ?? Date.now()) - t.startedAt;
}

/** One-paragraph summary printed above the leaderboard. */
export function renderSweepSummary(sweep: SweepRecord): string {
  const c = sweep.counts;
  const done = finishedTrialsOf(c);
  const parts = [
    `sweep ${sweep.id} "${sweep.name}": ${sweep.status}`,
    `${sweep.spec.method} search on ${sweepSubject(sweep.spec)}, ${cvLabel(sweep.spec.cv)}`,
    `${done}/${sweep.proposed} trials finished (${c.completed} completed, ${c.pruned} pruned, ${c.failed + c.diverged} failed, ${c.cancelled} cancelled, ${c.running} running, ${c.queued} queued)`,
  ];
  if (sweep.best) {
    parts.push(
      `best: ${sweep.best.trialId} ${sweep.spec.metric.name} ${formatScore(sweep.best.mean)} ± ${formatScore(sweep.best.std)}${sweep.best.ciLow !== undefined ? `, 95% CI ${formatInterval(sweep.best.ciLow, sweep.best.ciHigh)}` : ""}`,
    );
  }
  if (sweep.spec.select && sweep.selection)
    parts.push(
      `final selection: ${sweep.selection.join(" ")} re-evaluated with ${sweep.spec.select.repeats} more repeat${sweep.spec.select.repeats === 1 ? "" : "s"}${sweep.status === "running" ? " (running)" : ""}`,
    );
  const test = renderTestScore(sweep);
  if (test) parts.push(test);
  const wall = (sweep.finishedAt ?? Date.now()) - sweep.createdAt;
  parts.push(`wall time: ${formatDuration(wall)}${sweep.reason ? ` (${sweep.reason})` : ""}`);
  return parts.join("\n");
}

/** "5-fold stratified CV", or "3 × 5-fold stratified CV (15 folds per trial)" with cv.repeats. */
export function cvLabel(cv: SweepRecord["spec"]["cv"]): string {
  const kfold = `${cv.folds}-fold${cv.stratified ? " stratified" : ""} CV`;
  const r = cv.repeats ?? 1;
  return r > 1 ? `${r} × ${kfold} (${r * cv.folds} folds per trial)` : kfold;
}

/**
 * The winner's test-split line (`cv.test_fraction`), "" without one: its score on the held-out
 * rows next to the K-fold selection score above it, or that it is being refit, or why it failed.
 */
export function renderTestScore(sweep: SweepRecord): string {
  const { test } = sweep;
  if (!test) return "";
  if (test.state === "pending") return `test: refitting ${test.trialId} on every row outside the test split …`;
  if (test.state === "failed") return `test: the refit of ${test.trialId} failed: ${(test.error ?? "").split("\n")[0]}`;
  return `test: ${test.trialId} ${test.metric} ${formatScore(test.score)} on ${test.rows} held-out rows (refit on all other rows; best above is the K-fold selection score)`;
}

/** One line per failed or diverged trial with its error (at most `max`, default 5); "" when none. */
export function renderFailures(trials: readonly TrialRecord[], max = 5): string {
  const failed = trials.filter((t) => (t.state === "failed" || t.state === "diverged") && t.error);
  if (failed.length === 0) return "";
  const lines = failed.slice(0, max).map((t) => `  ${t.id} ${t.state}: ${(t.error ?? "").split("\n")[0]}`);
  if (failed.length > max) lines.push(`  … and ${failed.length - max} more`);
  return [`${failed.length} trial${failed.length === 1 ? "" : "s"} failed:`, ...lines].join("\n");
}
