import type { SweepSpec } from "@hpo/core";

/**
 * Reopening a sweep: resume after a cancel, extend with more trials (or seconds). The sweep's
 * spec is rewritten with compare-and-set (the caller passes the spec it read and the new one), so
 * two concurrent reopenings never lose an update. Time the sweep spent stopped does not count
 * against `budget.max_seconds` (measured from createdAt): the limit grows by the pause.
 */

/**
 * KEYS: [1] sweep hash, [2] running set. ARGV: [1] prefix ("P:"), [2] sweepId, [3] old spec JSON,
 * [4] new spec JSON, [5] mode: "resume" (only a cancelled sweep; its cancelled trials go back to
 * queued, their partial results and curves dropped) or "extend" (a running, completed or
 * cancelled sweep; a completed one runs again, a cancelled one stays cancelled until resumed).
 * Returns the number of trials re-queued (≥ 0); -1 no such sweep; -2 the spec changed meanwhile
 * (retry); -3 the status does not allow it.
 */
export const REOPEN_SWEEP = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -1 end
if redis.call('HGET', KEYS[1], 'spec') ~= ARGV[3] then return -2 end
local prefix, sid, mode = ARGV[1], ARGV[2], ARGV[5]
if mode == 'resume' and status ~= 'cancelled' then return -3 end
if mode == 'extend' and status == 'failed' then return -3 end
redis.call('HSET', KEYS[1], 'spec', ARGV[4])
local requeued = 0
if mode == 'resume' or status == 'completed' then
  redis.call('HSET', KEYS[1], 'status', 'running')
  redis.call('HDEL', KEYS[1], 'finishedAt', 'reason')
  redis.call('SADD', KEYS[2], sid)
end
if mode == 'resume' then
  local from = KEYS[1] .. ':state:cancelled'
  local ids = redis.call('ZRANGE', from, 0, -1, 'WITHSCORES')
  for i = 1, #ids, 2 do
    local tid, index = ids[i], tonumber(ids[i + 1])
    local t = prefix .. 'trial:' .. sid .. ':' .. tid
    redis.call('HDEL', t, 'error', 'finishedAt', 'durationMs', 'mean', 'std', 'sem', 'prunedAt', 'worker', 'run')
    redis.call('HSET', t, 'state', 'queued', 'folds', '[]', 'flags', '[]')
    redis.call('DEL', t .. ':curve')
    redis.call('ZREM', from, tid)
    redis.call('ZADD', KEYS[1] .. ':state:queued', index, tid)
    requeued = requeued + 1
  end
  redis.call('HINCRBY', KEYS[1], 'c:cancelled', -requeued)
  redis.call('HINCRBY', KEYS[1], 'c:queued', requeued)
end
return requeued
`;

/** What a reopening adds to the budget. */
export interface ReopenOptions {
  /** Trials added to budget.max_trials. Default 0. */
  readonly trials?: number;
  /** Seconds added to budget.max_seconds (when the sweep has a time limit). Default 0. */
  readonly seconds?: number;
}

/**
 * The spec of a reopened sweep: max_trials and max_seconds grown by `add`, and max_seconds also
 * by the time the sweep was stopped (finishedAt → now), so a pause does not use up the time budget.
 */
export function reopenedSpec(
  spec: SweepSpec,
  stoppedAt: number | undefined,
  now: number,
  add: ReopenOptions = {},
): SweepSpec {
  const { budget } = spec;
  const paused = stoppedAt === undefined ? 0 : Math.max(0, now - stoppedAt) / 1000;
  return {
    ...spec,
    budget: {
      ...budget,
      max_trials: budget.max_trials + (add.trials ?? 0),
      ...(budget.max_seconds !== undefined && {
        max_seconds: Math.round((budget.max_seconds + paused + (add.seconds ?? 0)) * 1000) / 1000,
      }),
    },
  };
}
