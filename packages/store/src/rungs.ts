/**
 * Rung (step) state of pruners, kept in Redis so that every worker decides from the same data.
 *
 * Design: one Lua script per report (`REPORT_STEP`) records this trial's K-fold mean at the epoch
 * in `P:sweep:{sid}:step:{epoch}` (HASH trial id → value) and, in the same atomic call, returns
 * every value of that epoch, the number of finished (completed + pruned) trials of the sweep and,
 * when asked, this trial's own values at epochs 1..epoch (median rule: best so far). Because the
 * write and the read are one script, two workers reporting the same rung at once are serialised
 * by Redis: the second always sees the first, and no report is decided on a half-written rung.
 * The write is an overwrite keyed by trial id, so a replayed report changes nothing (idempotent),
 * and `markRunning` clears a trial's step values up to the last epoch of its curve when a new
 * attempt starts: callers append the epoch to the curve (appendEpoch/appendEpochs, same connection)
 * before they report it here.
 */

/**
 * KEYS: [1] trial hash, [2] step hash of `epoch`, [3] sweep hash.
 * ARGV: [1] trialId, [2] value ('' = record nothing), [3] run ('' = any run), [4] epoch,
 * [5] step key prefix ("P:sweep:{sid}:step:"), [6] "1" to return this trial's history.
 * Records only for a running trial of the current run (a stale run's report is read-only).
 * Returns { recorded (0|1), finished, flat HGETALL of the step, history (values or '' per epoch) }.
 */
export const REPORT_STEP = `
local state = redis.call('HGET', KEYS[1], 'state')
local ok = state == 'running'
if ok and ARGV[3] ~= '' and redis.call('HGET', KEYS[1], 'run') ~= ARGV[3] then ok = false end
if ok and ARGV[2] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
local finished = tonumber(redis.call('HGET', KEYS[3], 'c:completed') or '0')
  + tonumber(redis.call('HGET', KEYS[3], 'c:pruned') or '0')
local history = {}
if ARGV[6] == '1' then
  for e = 1, tonumber(ARGV[4]) do
    history[e] = redis.call('HGET', ARGV[5] .. e, ARGV[1]) or ''
  end
end
return { ok and 1 or 0, finished, redis.call('HGETALL', KEYS[2]), history }
`;

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

/** Decodes REPORT_STEP's reply. */
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
