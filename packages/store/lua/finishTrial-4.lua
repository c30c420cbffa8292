--[[
  Moves a trial to a final state with its results. A trial already final is left alone, as is
  one whose `run` was replaced by a later markRunning (a stale run). Otherwise the buffered
  epochs are appended first (only while the trial is running), the fields written, the state
  moved (counts follow), and a completed trial with a mean enters the leaderboard and may become
  the sweep's best. durationMs = finishedAt - startedAt (0 if never started). The goal comes
  from the sweep hash. The trial log lines are appended whatever the outcome (a worker's lines
  about an ignored result are kept too) and the log is trimmed.
  Input:
    KEYS[1] trial hash
    KEYS[2] sweep hash
    KEYS[3] curve list
    KEYS[4] trial log list
    ARGV[1] key prefix ("P:")
    ARGV[2] sweep id
    ARGV[3] trial id
    ARGV[4] the new (final) state
    ARGV[5] K-fold mean ('' when none)
    ARGV[6] K-fold std
    ARGV[7] run token ('' = any run)
    ARGV[8] channel to PUBLISH the sweep id on when the trial moved ('' = none)
    ARGV[9] lines kept in the trial log
    ARGV[10] fields written into the trial hash (incl. finishedAt), JSON: [name, value, ...]
    ARGV[11] buffered epochs, JSON, as in appendEpochs
    ARGV[12] trial log lines, JSON: [line JSON, ...]
  Output:
    RESULT.DONE     the trial moved
    RESULT.IGNORED  already final, or a stale run
    RESULT.MISSING  no such trial
]]
--- @include "results"
--- @include "finalStates"
--- @include "includes/moveState"
--- @include "includes/appendEpochs"
local h = redis.call('HMGET', KEYS[1], 'state', 'run', 'index', 'startedAt', 'lastEpoch')
local state = h[1]
if not state then return RESULT.MISSING end
local log = cjson.decode(ARGV[12])
if #log > 0 then
  for i = 1, #log, 500 do
    redis.call('RPUSH', KEYS[4], unpack(log, i, math.min(i + 499, #log)))
  end
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[9]), -1)
end
if FINAL[state] then return RESULT.IGNORED end
if ARGV[7] ~= '' and h[2] ~= ARGV[7] then return RESULT.IGNORED end
local prefix, sid, tid, to = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if state == 'running' then
  appendEpochs(KEYS[1], KEYS[3], prefix, sid, tid, tonumber(h[5] or '-1'), cjson.decode(ARGV[11]))
end
local fields, finished = cjson.decode(ARGV[10]), nil
for i = 1, #fields, 2 do
  if fields[i] == 'finishedAt' then finished = tonumber(fields[i + 1]) end
end
local started = tonumber(h[4] or '')
fields[#fields + 1] = 'durationMs'
fields[#fields + 1] = (started and finished) and (finished - started) or 0
fields[#fields + 1] = 'state'
fields[#fields + 1] = to
redis.call('HSET', KEYS[1], unpack(fields))
moveState(prefix, sid, tid, tonumber(h[3]), state, to)
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
return RESULT.DONE
