--[[
  Marks a trial running for one attempt: its curve and step values from an earlier attempt are
  cleared, and `run` becomes the token later writes must carry.
  Input:
    KEYS[1] trial hash
    KEYS[2] curve list
    ARGV[1] key prefix ("P:")
    ARGV[2] sweep id
    ARGV[3] trial id
    ARGV[4] worker
    ARGV[5] attempt
    ARGV[6] startedAt (ms)
    ARGV[7] run token ('' for none)
  Output:
    RESULT.DONE     the trial is now running
    RESULT.IGNORED  it is already final (the caller must not train it)
    RESULT.MISSING  no such trial
]]
--- @include "results"
--- @include "finalStates"
--- @include "includes/moveState"
local h = redis.call('HMGET', KEYS[1], 'state', 'index', 'lastEpoch')
local state = h[1]
if not state then return RESULT.MISSING end
if FINAL[state] then return RESULT.IGNORED end
local prefix, sid, tid = ARGV[1], ARGV[2], ARGV[3]
local index = tonumber(h[2])
if state ~= 'running' then moveState(prefix, sid, tid, index, state, 'running') end
local last = tonumber(h[3] or '-1')
for e = 0, last do redis.call('HDEL', prefix .. 'sweep:' .. sid .. ':step:' .. e, tid) end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'state', 'running', 'worker', ARGV[4], 'attempts', ARGV[5],
  'startedAt', ARGV[6], 'lastEpoch', -1, 'run', ARGV[7] or '')
return RESULT.DONE
