/**
 * Lua scripts that make each trial/sweep transition atomic. Every script is idempotent: replaying
 * it (at-least-once delivery, a retried job, a restarted coordinator) changes nothing twice.
 * Counts `c:{state}` in the sweep hash always move together with the trial's `state` field and
 * its membership in the `state:{state}` sets.
 */

const COMMON = `
local FINAL = { completed = true, pruned = true, failed = true, diverged = true, cancelled = true }
local function move(prefix, sid, tid, index, from, to)
  local sweep = prefix .. 'sweep:' .. sid
  if from then
    redis.call('HINCRBY', sweep, 'c:' .. from, -1)
    redis.call('ZREM', sweep .. ':state:' .. from, tid)
  end
  redis.call('HINCRBY', sweep, 'c:' .. to, 1)
  redis.call('ZADD', sweep .. ':state:' .. to, index, tid)
end
`;

/**
 * KEYS: trial hash, sweep hash. ARGV: prefix ("P:"), sweepId, trialId, index, params JSON, createdAt.
 * Returns 1 when created, 0 when the trial already existed, -1 when the sweep does not exist.
 */
export const PROPOSE_TRIAL = `${COMMON}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
local prefix, sid, tid, index = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'sweepId', sid, 'id', tid, 'index', index, 'params', ARGV[5],
  'state', 'queued', 'folds', '[]', 'flags', '[]', 'createdAt', ARGV[6], 'lastEpoch', -1)
move(prefix, sid, tid, index, nil, 'queued')
redis.call('ZADD', KEYS[2] .. ':trials', index, tid)
redis.call('ZADD', KEYS[2] .. ':unscored', index, tid)
local proposed = tonumber(redis.call('HGET', KEYS[2], 'proposed') or '0')
if index + 1 > proposed then redis.call('HSET', KEYS[2], 'proposed', index + 1) end
return 1
`;

/**
 * KEYS: trial hash, curve list. ARGV: prefix, sweepId, trialId, worker, attempt, startedAt, run
 * (token of this run; '' for none).
 * Returns 1 when the trial is now running (its curve from an earlier attempt is cleared),
 * 0 when it is already final (the caller must not train it), -1 when it does not exist.
 */
export const MARK_RUNNING = `${COMMON}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return -1 end
if FINAL[state] then return 0 end
local prefix, sid, tid = ARGV[1], ARGV[2], ARGV[3]
local index = tonumber(redis.call('HGET', KEYS[1], 'index'))
if state ~= 'running' then move(prefix, sid, tid, index, state, 'running') end
local last = tonumber(redis.call('HGET', KEYS[1], 'lastEpoch') or '-1')
for e = 0, last do redis.call('HDEL', prefix .. 'sweep:' .. sid .. ':step:' .. e, tid) end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'state', 'running', 'worker', ARGV[4], 'attempts', ARGV[5],
  'startedAt', ARGV[6], 'lastEpoch', -1, 'run', ARGV[7] or '')
return 1
`;

/**
 * KEYS: trial hash, curve list. ARGV: prefix, sweepId, trialId, epoch, value, report JSON, run
 * ('' = any run; otherwise ignored unless it is the run that marked the trial running).
 * Appends when the trial is running and `epoch` is past the last one written; returns 1 when
 * appended, 0 when ignored (duplicate/out of order or trial not running), -1 when missing.
 */
export const APPEND_EPOCH = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return -1 end
if state ~= 'running' then return 0 end
if (ARGV[7] or '') ~= '' and redis.call('HGET', KEYS[1], 'run') ~= ARGV[7] then return 0 end
local prefix, sid, tid, epoch = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local last = tonumber(redis.call('HGET', KEYS[1], 'lastEpoch') or '-1')
if epoch <= last then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[6])
redis.call('HSET', KEYS[1], 'lastEpoch', epoch)
if ARGV[5] ~= '' then redis.call('HSET', prefix .. 'sweep:' .. sid .. ':step:' .. epoch, tid, ARGV[5]) end
return 1
`;

/**
 * KEYS: trial hash, sweep hash. ARGV: prefix, sweepId, trialId, new state, fields JSON (flat
 * string map written into the trial hash, incl. finishedAt), mean ('' when none), std, run ('' =
 * any; otherwise a stale run, one replaced by a later markRunning, is ignored and returns 0).
 * The goal comes from the sweep hash; durationMs = finishedAt − startedAt (0 if never started).
 * A trial already in a final state is left alone (returns 0). Otherwise the state moves, counts
 * follow, and a completed trial with a mean enters the leaderboard and may become the best.
 */
export const FINISH_TRIAL = `${COMMON}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return -1 end
if FINAL[state] then return 0 end
if (ARGV[8] or '') ~= '' and redis.call('HGET', KEYS[1], 'run') ~= ARGV[8] then return 0 end
local prefix, sid, tid, to = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local index = tonumber(redis.call('HGET', KEYS[1], 'index'))
local fields = cjson.decode(ARGV[5])
for k, v in pairs(fields) do redis.call('HSET', KEYS[1], k, v) end
local started = tonumber(redis.call('HGET', KEYS[1], 'startedAt') or '')
local finished = tonumber(fields['finishedAt'] or '')
if started and finished then redis.call('HSET', KEYS[1], 'durationMs', finished - started)
else redis.call('HSET', KEYS[1], 'durationMs', 0) end
redis.call('HSET', KEYS[1], 'state', to)
move(prefix, sid, tid, index, state, to)
if to == 'completed' and ARGV[6] ~= '' then
  local mean = tonumber(ARGV[6])
  local maximize = redis.call('HGET', KEYS[2], 'goal') ~= 'minimize'
  redis.call('ZADD', KEYS[2] .. ':scores', maximize and -mean or mean, tid)
  redis.call('ZREM', KEYS[2] .. ':unscored', tid)
  local best = redis.call('HGET', KEYS[2], 'bestMean')
  local better = (not best) or (maximize and mean > tonumber(best)) or ((not maximize) and mean < tonumber(best))
  if better then redis.call('HSET', KEYS[2], 'bestTrial', tid, 'bestMean', ARGV[6], 'bestStd', ARGV[7]) end
end
return 1
`;

/**
 * KEYS: sweep hash, running set. ARGV: sweepId, status, finishedAt, reason.
 * Only a running sweep changes status (returns 1); a final sweep is left alone (0); -1 missing.
 */
export const SET_SWEEP_STATUS = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -1 end
if status ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
if ARGV[2] ~= 'running' then
  redis.call('HSET', KEYS[1], 'finishedAt', ARGV[3])
  redis.call('SREM', KEYS[2], ARGV[1])
end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[4]) end
return 1
`;

/**
 * APPEND_EPOCH for several epochs of one trial in one call (a worker's buffered epochs).
 * KEYS: trial hash, curve list. ARGV: prefix, sweepId, trialId, run ('' = any run, as in
 * APPEND_EPOCH), then per epoch: epoch, value ('' when none), report JSON. Epochs at or before
 * the last one written are skipped.
 * Returns the number appended, or -1 when the trial does not exist.
 */
export const APPEND_EPOCHS = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return -1 end
if state ~= 'running' then return 0 end
if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'run') ~= ARGV[4] then return 0 end
local prefix, sid, tid = ARGV[1], ARGV[2], ARGV[3]
local last = tonumber(redis.call('HGET', KEYS[1], 'lastEpoch') or '-1')
local appended = 0
for i = 5, #ARGV, 3 do
  local epoch = tonumber(ARGV[i])
  if epoch > last then
    redis.call('RPUSH', KEYS[2], ARGV[i + 2])
    if ARGV[i + 1] ~= '' then redis.call('HSET', prefix .. 'sweep:' .. sid .. ':step:' .. epoch, tid, ARGV[i + 1]) end
    last = epoch
    appended = appended + 1
  end
end
if appended > 0 then redis.call('HSET', KEYS[1], 'lastEpoch', last) end
return appended
`;

/**
 * One page of trials in one round trip (the API's hot read). KEYS: [1] the main ZSET, [2] a second
 * one. ARGV: mode, offset, limit, trial hash key prefix ("P:trial:{sid}:").
 * - "one": the page of KEYS[1]; total = its size.
 * - "concat": KEYS[1] then KEYS[2] (scored trials, then the others); total = both sizes.
 * - "state": KEYS[1] when it holds as many trials as KEYS[2] (the state set), else KEYS[2];
 *   total = the size of KEYS[2] (completed trials without a mean are not in `scores`).
 * Returns { total, hash1, hash2, ... } with each hash as HGETALL's flat array.
 */
export const LIST_TRIALS = `
local mode, offset, limit, tp = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local ids = {}
local total = 0
local function take(key, start, count)
  if count <= 0 then return end
  for _, id in ipairs(redis.call('ZRANGE', key, start, start + count - 1)) do ids[#ids + 1] = id end
end
if mode == 'one' then
  total = redis.call('ZCARD', KEYS[1])
  take(KEYS[1], offset, limit)
elseif mode == 'concat' then
  local n1 = redis.call('ZCARD', KEYS[1])
  total = n1 + redis.call('ZCARD', KEYS[2])
  local from1 = math.max(0, math.min(limit, n1 - offset))
  take(KEYS[1], offset, from1)
  take(KEYS[2], math.max(0, offset - n1), limit - from1)
else
  local n1 = redis.call('ZCARD', KEYS[1])
  total = redis.call('ZCARD', KEYS[2])
  take(n1 == total and KEYS[1] or KEYS[2], offset, limit)
end
local out = { total }
for i, id in ipairs(ids) do out[i + 1] = redis.call('HGETALL', tp .. id) end
return out
`;
