--[[
  Reopens a sweep (resume after a cancel, or extend), with compare-and-set of its spec so two
  concurrent reopenings never lose an update.
  Input:
    KEYS[1] sweep hash
    KEYS[2] running-sweeps set
    ARGV[1] key prefix ("P:")
    ARGV[2] sweep id
    ARGV[3] the spec JSON the caller read
    ARGV[4] the new spec JSON
    ARGV[5] mode: "resume" (only a cancelled sweep; its cancelled trials go back to queued,
            their partial results and curves dropped) or "extend" (a running, completed or
            cancelled sweep; a completed one runs again, a cancelled one stays cancelled until
            resumed)
  Output:
    the number of trials re-queued (>= 0)
    RESULT.MISSING       no such sweep
    RESULT.SPEC_CHANGED  the spec changed meanwhile (read again and retry)
    RESULT.NOT_ALLOWED   the sweep's status does not allow it
]]
--- @include "results"
--- @include "includes/moveState"
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return RESULT.MISSING end
if redis.call('HGET', KEYS[1], 'spec') ~= ARGV[3] then return RESULT.SPEC_CHANGED end
local prefix, sid, mode = ARGV[1], ARGV[2], ARGV[5]
if mode == 'resume' and status ~= 'cancelled' then return RESULT.NOT_ALLOWED end
if mode == 'extend' and status == 'failed' then return RESULT.NOT_ALLOWED end
redis.call('HSET', KEYS[1], 'spec', ARGV[4])
local requeued = 0
if mode == 'resume' or status == 'completed' then
  redis.call('HSET', KEYS[1], 'status', 'running')
  redis.call('HDEL', KEYS[1], 'finishedAt', 'reason')
  redis.call('SADD', KEYS[2], sid)
end
if mode == 'resume' then
  local ids = redis.call('ZRANGE', KEYS[1] .. ':state:cancelled', 0, -1, 'WITHSCORES')
  for i = 1, #ids, 2 do
    local tid, index = ids[i], tonumber(ids[i + 1])
    local t = prefix .. 'trial:' .. sid .. ':' .. tid
    redis.call('HDEL', t, 'error', 'errorCode', 'finishedAt', 'durationMs', 'mean', 'std', 'sem', 'prunedAt', 'worker', 'run')
    redis.call('HSET', t, 'state', 'queued', 'folds', '[]', 'flags', '[]')
    redis.call('DEL', t .. ':curve')
    moveState(prefix, sid, tid, index, 'cancelled', 'queued')
    requeued = requeued + 1
  end
end
return requeued
