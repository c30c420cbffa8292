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
 * Creates many trials of one sweep in one call (a scheduler top-up). KEYS: sweep hash.
 * ARGV: prefix ("P:"), sweepId, createdAt, then per trial: trialId, index, params JSON.
 * A trial that already exists is left unchanged. Returns -1 when the sweep does not exist, else
 * one flag per trial: 1 created, 0 already there.
 */
export const PROPOSE_TRIALS = `${COMMON}
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local prefix, sid, createdAt = ARGV[1], ARGV[2], ARGV[3]
local out = {}
local top = -1
for i = 4, #ARGV, 3 do
  local tid, index = ARGV[i], tonumber(ARGV[i + 1])
  local key = prefix .. 'trial:' .. sid .. ':' .. tid
  if redis.call('EXISTS', key) == 1 then out[#out + 1] = 0
  else
    redis.call('HSET', key, 'sweepId', sid, 'id', tid, 'index', index, 'params', ARGV[i + 2],
      'state', 'queued', 'folds', '[]', 'flags', '[]', 'createdAt', createdAt, 'lastEpoch', -1)
    move(prefix, sid, tid, index, nil, 'queued')
    redis.call('ZADD', KEYS[1] .. ':trials', index, tid)
    redis.call('ZADD', KEYS[1] .. ':unscored', index, tid)
    out[#out + 1] = 1
  end
  if index > top then top = index end
end
local proposed = tonumber(redis.call('HGET', KEYS[1], 'proposed') or '0')
if top + 1 > proposed then redis.call('HSET', KEYS[1], 'proposed', top + 1) end
return out
`;

/**
 * KEYS: trial hash, curve list. ARGV: prefix, sweepId, trialId, worker, attempt, startedAt, run
 * (token of this run; '' for none).
 * Returns 1 when the trial is now running (its curve from an earlier attempt is cleared),
 * 0 when it is already final (the caller must not train it), -1 when it does not exist.
 */
export const MARK_RUNNING = `${COMMON}
local h = redis.call('HMGET', KEYS[1], 'state', 'index', 'lastEpoch')
local state = h[1]
if not state then return -1 end
if FINAL[state] then return 0 end
local prefix, sid, tid = ARGV[1], ARGV[2], ARGV[3]
local index = tonumber(h[2])
if state ~= 'running' then move(prefix, sid, tid, index, state, 'running') end
local last = tonumber(h[3] or '-1')
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
 * Appends epochs (ARGV[from..to]: epoch, value ('' when none), report JSON per epoch) to a
 * running trial's curve, skipping those at or before `last`; records each value in the epoch's
 * step hash. Returns the number appended and the new last epoch. Caller checked state and run.
 */
const APPEND = `
local function append(trialKey, curveKey, prefix, sid, tid, last, from, to)
  local rows, appended = {}, 0
  for i = from, to, 3 do
    local epoch = tonumber(ARGV[i])
    if epoch > last then
      rows[#rows + 1] = ARGV[i + 2]
      if ARGV[i + 1] ~= '' then redis.call('HSET', prefix .. 'sweep:' .. sid .. ':step:' .. epoch, tid, ARGV[i + 1]) end
      last = epoch
      appended = appended + 1
      if #rows == 500 then redis.call('RPUSH', curveKey, unpack(rows)); rows = {} end
    end
  end
  if #rows > 0 then redis.call('RPUSH', curveKey, unpack(rows)) end
  if appended > 0 then redis.call('HSET', trialKey, 'lastEpoch', last) end
  return appended
end
`;

/**
 * KEYS: trial hash, sweep hash, curve list, trial log list. ARGV: [1] prefix, [2] sweepId,
 * [3] trialId, [4] new state, [5] mean ('' when none), [6] std, [7] run ('' = any; otherwise a
 * stale run, one replaced by a later markRunning, is ignored and returns 0), [8] channel to
 * PUBLISH the sweep id on when the trial moved ('' = none), [9] n = number of fields, [10] m =
 * number of epochs, [11] lines kept in the trial log; then n field/value pairs written into the
 * trial hash (incl. finishedAt); then m epochs as in APPEND_EPOCHS (appended first, only while the
 * trial is running and `run` is current); then trial log lines (JSON), appended to the log
 * whatever the outcome (a worker's lines about an ignored result are kept too) and trimmed.
 * The goal comes from the sweep hash; durationMs = finishedAt − startedAt (0 if never started).
 * A trial already in a final state is left alone (returns 0). Otherwise the state moves, counts
 * follow, and a completed trial with a mean enters the leaderboard and may become the best.
 */
export const FINISH_TRIAL = `${COMMON}${APPEND}
local h = redis.call('HMGET', KEYS[1], 'state', 'run', 'index', 'startedAt', 'lastEpoch')
local state = h[1]
if not state then return -1 end
local n, m = tonumber(ARGV[9]), tonumber(ARGV[10])
local logFrom = 12 + 2 * n + 3 * m
if logFrom <= #ARGV then
  for i = logFrom, #ARGV, 500 do
    redis.call('RPUSH', KEYS[4], unpack(ARGV, i, math.min(i + 499, #ARGV)))
  end
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[11]), -1)
end
if FINAL[state] then return 0 end
if ARGV[7] ~= '' and h[2] ~= ARGV[7] then return 0 end
local prefix, sid, tid, to = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if state == 'running' then append(KEYS[1], KEYS[3], prefix, sid, tid, tonumber(h[5] or '-1'), 12 + 2 * n, logFrom - 1) end
local fields, finished = {}, nil
for i = 12, 11 + 2 * n, 2 do
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = ARGV[i + 1]
  if ARGV[i] == 'finishedAt' then finished = tonumber(ARGV[i + 1]) end
end
local started = tonumber(h[4] or '')
fields[#fields + 1] = 'durationMs'
fields[#fields + 1] = (started and finished) and (finished - started) or 0
fields[#fields + 1] = 'state'
fields[#fields + 1] = to
redis.call('HSET', KEYS[1], unpack(fields))
move(prefix, sid, tid, tonumber(h[3]), state, to)
if to == 'completed' and ARGV[5] ~= '' then
  local mean = tonumber(ARGV[5])
  local s = redis.call('HMGET', KEYS[2], 'goal', 'bestMean')
  local maximize = s[1] ~= 'minimize'
  redis.call('ZADD', KEYS[2] .. ':scores', maximize and -mean or mean, tid)
  redis.call('ZREM', KEYS[2] .. ':unscored', tid)
  local best = s[2]
  local better = (not best) or (maximize and mean > tonumber(best)) or ((not maximize) and mean < tonumber(best))
  if better then redis.call('HSET', KEYS[2], 'bestTrial', tid, 'bestMean', ARGV[5], 'bestStd', ARGV[6]) end
end
if ARGV[8] ~= '' then redis.call('PUBLISH', ARGV[8], sid) end
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
export const APPEND_EPOCHS = `${APPEND}
local h = redis.call('HMGET', KEYS[1], 'state', 'run', 'lastEpoch')
if not h[1] then return -1 end
if h[1] ~= 'running' then return 0 end
if ARGV[4] ~= '' and h[2] ~= ARGV[4] then return 0 end
return append(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], tonumber(h[3] or '-1'), 5, #ARGV)
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
