--[[
  Appends one epoch to a running trial's curve when `epoch` is past the last one written, and
  records its value in the epoch's step hash.
  Input:
    KEYS[1] trial hash
    KEYS[2] curve list
    ARGV[1] key prefix ("P:")
    ARGV[2] sweep id
    ARGV[3] trial id
    ARGV[4] epoch
    ARGV[5] value ('' when none)
    ARGV[6] report JSON
    ARGV[7] run token ('' = any run; otherwise ignored unless it is the run that marked the
            trial running)
  Output:
    RESULT.DONE     appended
    RESULT.IGNORED  duplicate or out of order, trial not running, or a stale run
    RESULT.MISSING  no such trial
]]
--- @include "results"
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return RESULT.MISSING end
if state ~= 'running' then return RESULT.IGNORED end
if (ARGV[7] or '') ~= '' and redis.call('HGET', KEYS[1], 'run') ~= ARGV[7] then return RESULT.IGNORED end
local prefix, sid, tid, epoch = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local last = tonumber(redis.call('HGET', KEYS[1], 'lastEpoch') or '-1')
if epoch <= last then return RESULT.IGNORED end
redis.call('RPUSH', KEYS[2], ARGV[6])
redis.call('HSET', KEYS[1], 'lastEpoch', epoch)
if ARGV[5] ~= '' then redis.call('HSET', prefix .. 'sweep:' .. sid .. ':step:' .. epoch, tid, ARGV[5]) end
return RESULT.DONE
