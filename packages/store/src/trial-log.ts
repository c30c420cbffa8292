/**
 * A trial's log: what the workers that ran it logged about it (start with attempt, worker and
 * backend; hand-backs; retries; pruning; divergence; errors), kept in Redis next to the trial so
 * the dashboard and `hpo logs` can show it after the worker process is gone.
 *
 * Layout: `P:trial:{sid}:{tid}:log`, a LIST of JSON `TrialLogLine`s, oldest first, capped at
 * `TRIAL_LOG_MAX_LINES` (older lines are dropped first). Workers buffer a job's lines and append
 * them in one round trip when the job ends, so logging adds no Redis round trips per epoch.
 */
import type { TrialLogLevel, TrialLogLine } from "@hpo/core";
import type { Redis } from "ioredis";
import type { Keys } from "./keys.ts";
import type { StoreContext } from "./store-context.ts";
import type { Store } from "./store-types.ts";

/** Lines kept per trial; older lines are dropped first. */
export const TRIAL_LOG_MAX_LINES = 500;

/** Longest message kept, in characters (a longer one is cut and ends with "…"). */
export const TRIAL_LOG_MAX_MESSAGE = 2000;

const LEVELS: ReadonlySet<string> = new Set(["info", "warn", "error"]);

function clip(message: string): string {
  return message.length > TRIAL_LOG_MAX_MESSAGE ? `${message.slice(0, TRIAL_LOG_MAX_MESSAGE - 1)}…` : message;
}

/** A line as stored in the log list (JSON, message clipped to TRIAL_LOG_MAX_MESSAGE). */
export function encodeTrialLogLine(line: TrialLogLine): string {
  return JSON.stringify({ ...line, message: clip(line.message) });
}

/** Appends `lines` to the trial's log in one round trip and trims it to the cap. */
export async function appendTrialLog(
  redis: Redis,
  keys: Keys,
  sweepId: string,
  trialId: string,
  lines: readonly TrialLogLine[],
): Promise<void> {
  if (lines.length === 0) return;
  const key = keys.trialLog(sweepId, trialId);
  const encoded = lines.map(encodeTrialLogLine);
  await redis
    .multi()
    .rpush(key, ...encoded)
    .ltrim(key, -TRIAL_LOG_MAX_LINES, -1)
    .exec();
}

function decode(raw: string): TrialLogLine | undefined {
  try {
    const v = JSON.parse(raw) as Partial<TrialLogLine>;
    if (typeof v.time !== "number" || typeof v.message !== "string" || !LEVELS.has(String(v.level))) return undefined;
    return {
      time: v.time,
      level: v.level as TrialLogLevel,
      worker: typeof v.worker === "string" ? v.worker : "?",
      message: v.message,
      ...(v.fields && typeof v.fields === "object" ? { fields: v.fields } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The trial's log, oldest line first (empty when nothing was logged or the trial is unknown). */
export async function readTrialLog(
  redis: Redis,
  keys: Keys,
  sweepId: string,
  trialId: string,
): Promise<TrialLogLine[]> {
  const raw = await redis.lrange(keys.trialLog(sweepId, trialId), 0, -1);
  return raw.map(decode).filter((l): l is TrialLogLine => l !== undefined);
}

/** The store's trial-log methods (see Store.appendTrialLog / getTrialLog). */
export function trialLogOps(ctx: StoreContext): Pick<Store, "appendTrialLog" | "getTrialLog"> {
  return {
    appendTrialLog: (sweepId, trialId, lines) => appendTrialLog(ctx.redis, ctx.keys, sweepId, trialId, lines),
    getTrialLog: (sweepId, trialId) => readTrialLog(ctx.redis, ctx.keys, sweepId, trialId),
  };
}
