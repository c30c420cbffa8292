import { HpoError, isHpoError, type SweepRecord } from "@hpo/core";
import type { ApiClient } from "./api-client.ts";
import type { CliContext } from "./context.ts";
import { renderFailures, renderLeaderboard, renderSweepSummary } from "./format/leaderboard.ts";
import { progressOf, renderProgress } from "./format/progress.ts";

/** Options of `watchSweep`. */
export interface WatchOptions {
  /** Poll period in ms; default 1000. */
  readonly intervalMs?: number;
  /** How long the coordinator may stay unreachable before giving up, in ms; default 60 000. */
  readonly unreachableMs?: number;
  /** Stops watching (the sweep goes on) when aborted; resolves with the last snapshot. */
  readonly signal?: AbortSignal;
  /** Rows of the final leaderboard; default all. */
  readonly top?: number;
}

/**
 * Polls a sweep every `intervalMs` until it ends (and its winner's test score, if pending, is in) or `signal` aborts, calling `onPoll` with each
 * snapshot (`unreachable`: the coordinator did not answer this time; the snapshot is the last one
 * seen). Survives a coordinator restart (retries while unreachable up to `unreachableMs`).
 * Resolves with the last snapshot; throws HpoError from the API, UNAVAILABLE when the coordinator
 * stayed unreachable too long or never answered.
 */
export async function followSweep(
  client: ApiClient,
  id: string,
  options: WatchOptions,
  onPoll: (sweep: SweepRecord, unreachable: boolean) => void | Promise<void>,
): Promise<SweepRecord> {
  const intervalMs = options.intervalMs ?? 1_000;
  const unreachableMs = options.unreachableMs ?? 60_000;
  let unreachableSince: number | undefined;
  let sweep: SweepRecord | undefined;
  for (;;) {
    try {
      sweep = await client.getSweep(id);
      unreachableSince = undefined;
    } catch (e) {
      if (!(isHpoError(e) && e.code === "UNAVAILABLE")) throw e;
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > unreachableMs) throw e;
    }
    if (sweep) {
      await onPoll(sweep, unreachableSince !== undefined);
      // a completed sweep's winner is still being scored on the test split: its score comes next
      if (sweep.status !== "running" && sweep.test?.state !== "pending") break;
    }
    if (options.signal?.aborted) break;
    await sleep(intervalMs, options.signal);
  }
  if (!sweep) throw new HpoError("UNAVAILABLE", `watch ${id}: no answer from the coordinator`);
  return sweep;
}

/**
 * Follows a sweep until it ends, drawing a live progress line on stderr (trials done/total,
 * running, best so far, ETA); in a non-interactive stderr a line is printed only when it changes.
 * Then prints the summary and leaderboard on stdout. Resolves with the final sweep (the last
 * snapshot when `signal` stopped it early); throws as `followSweep`.
 */
export async function watchSweep(
  ctx: CliContext,
  client: ApiClient,
  id: string,
  options: WatchOptions = {},
): Promise<SweepRecord> {
  let lastLine = "";
  let lastKey = "";
  const sweep = await followSweep(client, id, options, (snapshot, unreachable) => {
    const columns = ctx.columns();
    const progress = progressOf(snapshot, Date.now());
    const notice = unreachable ? "coordinator unreachable, retrying · " : "";
    const line =
      notice +
      renderProgress(progress, snapshot.spec.metric.name, ctx.interactive ? columns - 1 - notice.length : undefined);
    // The elapsed time and ETA change on every poll: a log (non-interactive) gets a line only
    // when something else changes.
    const key = [
      progress.done,
      progress.total,
      progress.running,
      progress.best?.trialId,
      progress.best?.mean,
      notice,
    ].join("|");
    // A wrapped line could not be redrawn in place: cut it to the terminal width.
    if (ctx.interactive) ctx.errRaw(`\r\x1b[2K${fit(line, columns - 1)}`);
    else if (key !== lastKey) ctx.err(line);
    lastLine = line;
    lastKey = key;
  }).catch((e: unknown) => {
    // the error message starts on a clean line
    if (ctx.interactive && lastLine) ctx.errRaw("\r\x1b[2K");
    throw e;
  });
  if (ctx.interactive && lastLine) ctx.errRaw("\n");
  if (sweep.status === "running") return sweep;
  const trials = await client.listAllTrials(id);
  ctx.out(renderSweepSummary(sweep));
  ctx.out(renderLeaderboard(sweep, trials, { color: ctx.interactive, ...(options.top ? { limit: options.top } : {}) }));
  const failures = renderFailures(trials);
  if (failures) ctx.out(failures);
  return sweep;
}

function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
