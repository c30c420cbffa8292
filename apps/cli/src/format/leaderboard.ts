import type { ParamValue, SweepRecord, TrialRecord } from "@hpo/core";
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

/**
 * The leaderboard of a sweep as a text table: rank, trial, params, K-fold mean ± std of the
 * sweep metric, per-fold scores, state, duration. Trials are ranked by `rankTrials`
 * (best first by the metric goal; unfinished trials last, unranked).
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
    `folds (k=${sweep.spec.cv.folds})`,
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
      scored ? String(rank) : "-",
      t.id,
      ...(perKey
        ? keys.map((k) => (k in t.params ? formatValue(t.params[k] as ParamValue) : ""))
        : [formatParams(t.params)]),
      scored ? `${formatScore(t.mean)} ± ${formatScore(t.std ?? 0)}` : "-",
      foldScores(t)
        .map((s) => formatFold(s))
        .join(" ") || "-",
      t.state + (t.prunedAt !== undefined ? `@${t.prunedAt}` : ""),
      formatDuration(t.durationMs ?? durationOf(t)),
    ]);
  }
  const hidden = trials.length - ranked.length;
  return hidden > 0
    ? `${table.toString()}\n(${hidden} more trial${hidden === 1 ? "" : "s"} not shown)`
    : table.toString();
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
  const done = c.completed + c.pruned + c.failed + c.diverged + c.cancelled;
  const parts = [
    `sweep ${sweep.id} "${sweep.name}": ${sweep.status}`,
    `${sweep.spec.method} search on ${sweep.spec.dataset.name ?? sweep.spec.dataset.path ?? "?"}, ${sweep.spec.cv.folds}-fold${sweep.spec.cv.stratified ? " stratified" : ""} CV`,
    `${done}/${sweep.proposed} trials finished (${c.completed} completed, ${c.pruned} pruned, ${c.failed + c.diverged} failed, ${c.cancelled} cancelled, ${c.running} running, ${c.queued} queued)`,
  ];
  if (sweep.best) {
    parts.push(
      `best: ${sweep.best.trialId} ${sweep.spec.metric.name} ${formatScore(sweep.best.mean)} ± ${formatScore(sweep.best.std)}`,
    );
  }
  const wall = (sweep.finishedAt ?? Date.now()) - sweep.createdAt;
  parts.push(`wall time: ${formatDuration(wall)}${sweep.reason ? ` (${sweep.reason})` : ""}`);
  return parts.join("\n");
}

/** One line per failed or diverged trial with its error (at most `max`, default 5); "" when none. */
export function renderFailures(trials: readonly TrialRecord[], max = 5): string {
  const failed = trials.filter((t) => (t.state === "failed" || t.state === "diverged") && t.error);
  if (failed.length === 0) return "";
  const lines = failed.slice(0, max).map((t) => `  ${t.id} ${t.state}: ${(t.error ?? "").split("\n")[0]}`);
  if (failed.length > max) lines.push(`  … and ${failed.length - max} more`);
  return [`${failed.length} trial${failed.length === 1 ? "" : "s"} failed:`, ...lines].join("\n");
}
