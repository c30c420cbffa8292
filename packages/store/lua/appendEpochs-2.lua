--[[
  appendEpoch for several epochs of one trial in one call (a worker's buffered epochs). Epochs
  at or before the last one written are skipped.
  Input:
    KEYS[1] trial hash
    KEYS[2] curve list
    ARGV[1] key prefix ("P:")
    ARGV[2] sweep id
    ARGV[3] trial id
    ARGV[4] run token ('' = any run, as in appendEpoch)
    ARGV[5] the epochs, JSON: [[epoch, value ('' when none), report JSON], ...]
  Output:
    the number appended (0 also when the trial is not running or the run is stale)
    RESULT.MISSING  no such trial
]]
--- @include "results"
--- @include "includes/appendEpochs"
local h = redis.call('HMGET', KEYS[1], 'state', 'run', 'lastEpoch')
if not h[1] then return RESULT.MISSING end
if h[1] ~= 'running' then return 0 end
if ARGV[4] ~= '' and h[2] ~= ARGV[4] then return 0 end
return appendEpochs(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], tonumber(h[3] or '-1'), cjson.decode(ARGV[5]))
