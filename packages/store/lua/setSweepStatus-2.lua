--[[
  Changes the status of a running sweep; a final sweep is left alone.
  Input:
    KEYS[1] sweep hash
    KEYS[2] running-sweeps set
    ARGV[1] sweep id
    ARGV[2] new status
    ARGV[3] finishedAt (ms; written when the new status is not running)
    ARGV[4] reason ('' = none)
  Output:
    RESULT.DONE     changed
    RESULT.IGNORED  the sweep is no longer running
    RESULT.MISSING  no such sweep
]]
--- @include "results"
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return RESULT.MISSING end
if status ~= 'running' then return RESULT.IGNORED end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
if ARGV[2] ~= 'running' then
  redis.call('HSET', KEYS[1], 'finishedAt', ARGV[3])
  redis.call('SREM', KEYS[2], ARGV[1])
end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[4]) end
return RESULT.DONE
