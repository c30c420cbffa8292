--[[
  Records the final selection phase's result for one completed trial (SweepSpec.select): either
  its merged folds with the new aggregate (the trial's score in the leaderboard changes, and the
  sweep's best is re-read from the top of the scores, since the best may have dropped), or why
  it could not be re-evaluated. Once per trial: a trial that already has a selection result, or
  that is not completed, is left alone (a replayed job changes nothing twice).
  Input:
    KEYS[1] trial hash
    KEYS[2] sweep hash
    ARGV[1] key prefix ("P:")
    ARGV[2] sweep id
    ARGV[3] trial id
    ARGV[4] fields written into the trial hash, JSON: [name, value, ...] (holds `selected` or `selectionError`)
    ARGV[5] the new mean ('' when the selection failed)
    ARGV[6] channel to PUBLISH the sweep id on when the trial changed ('' = none)
  Output:
    RESULT.DONE     recorded
    RESULT.IGNORED  not completed, or already has a selection result
    RESULT.MISSING  no such trial
]]
--- @include "results"
local h = redis.call('HMGET', KEYS[1], 'state', 'selected', 'selectionError')
if not h[1] then return RESULT.MISSING end
if h[1] ~= 'completed' or h[2] or h[3] then return RESULT.IGNORED end
redis.call('HSET', KEYS[1], unpack(cjson.decode(ARGV[4])))
if ARGV[5] ~= '' then
  local mean = tonumber(ARGV[5])
  local maximize = redis.call('HGET', KEYS[2], 'goal') ~= 'minimize'
  local scores = KEYS[2] .. ':scores'
  redis.call('ZADD', scores, maximize and -mean or mean, ARGV[3])
  local top = redis.call('ZRANGE', scores, 0, 0)[1]
  local best = redis.call('HMGET', ARGV[1] .. 'trial:' .. ARGV[2] .. ':' .. top, 'mean', 'std')
  redis.call('HSET', KEYS[2], 'bestTrial', top, 'bestMean', best[1], 'bestStd', best[2] or '0')
end
if ARGV[6] ~= '' then redis.call('PUBLISH', ARGV[6], ARGV[2]) end
return RESULT.DONE
