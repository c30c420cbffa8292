/**
 * Rung (step) state of pruners, kept in Redis so that every worker decides from the same data.
 *
 * Design: one Lua script per report (`lua/reportStep-3.lua`) records this trial's K-fold mean at
 * the epoch in `P:sweep:{sid}:step:{epoch}` (HASH trial id → value) and, in the same atomic call, returns
 * every value of that epoch, the number of finished (completed + pruned) trials of the sweep and,
 * when asked, this trial's own values at epochs 1..epoch (median rule: best so far). Because the
 * write and the read are one script, two workers reporting the same rung at once are serialised
 * by Redis: the second always sees the first, and no report is decided on a half-written rung.
 * The write is an overwrite keyed by trial id, so a replayed report changes nothing (idempotent),
 * and `markRunning` clears a trial's step values up to the last epoch of its curve when a new
 * attempt starts: callers append the epoch to the curve (appendEpochs, same connection)
 * before they report it here.
 */

/** What `Store.reportStep` returns: the rung as it stood right after this trial's report. */
export interface StepReport {
  /** False when nothing was written (trial not running, or a stale run). */
  readonly recorded: boolean;
  /** Trials of the sweep that finished as completed or pruned (median rule's n_startup_trials). */
  readonly finished: number;
  /** Every trial's K-fold mean at this epoch, this trial included when recorded. */
  readonly values: ReadonlyMap<string, number>;
  /** This trial's values at epochs 1..epoch (NaN where none); empty unless asked for. */
  readonly history: readonly number[];
}

export interface ReportStepOptions {
  /** The run token of the reporting worker (as given to markRunning); default: any run. */
  readonly run?: string;
  /** Also return this trial's values at epochs 1..epoch. Default false. */
  readonly history?: boolean;
}

/** Decodes the reply of `reportStep-3.lua`. */
export function decodeStepReport(reply: unknown): StepReport {
  const [recorded, finished, flat, history] = reply as [number, number, string[], string[]];
  const values = new Map<string, number>();
  for (let i = 0; i + 1 < flat.length; i += 2) values.set(flat[i] as string, Number(flat[i + 1]));
  return {
    recorded: recorded === 1,
    finished: Number(finished),
    values,
    history: history.map((v) => (v === "" ? Number.NaN : Number(v))),
  };
}
