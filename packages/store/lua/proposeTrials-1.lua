--[[
  Creates many trials of one sweep in one call (a scheduler top-up). A trial that already exists
  is left unchanged, so a replayed top-up changes nothing.
  Input:
    KEYS[1] sweep hash
    ARGV[1] key prefix ("P:")
    ARGV[2] sweep id
    ARGV[3] createdAt (ms)
    ARGV[4] the trials, JSON: [[trialId, index, params JSON], ...]
  Output:
    RESULT.MISSING  no such sweep
    else one flag per trial: 1 created, 0 already there
]]
--- @include "results"
--- @include "includes/moveState"
if redis.call('EXISTS', KEYS[1]) == 0 then return RESULT.MISSING end
local prefix, sid, createdAt = ARGV[1], ARGV[2], ARGV[3]
local out = {}
local top = -1
for _, t in ipairs(cjson.decode(ARGV[4])) do
  local tid, index = t[1], tonumber(t[2])
  local key = prefix .. 'trial:' .. sid .. ':' .. tid
  if redis.call('EXISTS', key) == 1 then out[#out + 1] = 0
  else
    redis.call('HSET', key, 'sweepId', sid, 'id', tid, 'index', index, 'params', t[3],
      'state', 'queued', 'folds', '[]', 'flags', '[]', 'createdAt', createdAt, 'lastEpoch', -1)
    moveState(prefix, sid, tid, index, nil, 'queued')
    redis.call('ZADD', KEYS[1] .. ':trials', index, tid)
    redis.call('ZADD', KEYS[1] .. ':unscored', index, tid)
    out[#out + 1] = 1
  end
  if index > top then top = index end
end
local proposed = tonumber(redis.call('HGET', KEYS[1], 'proposed') or '0')
if top + 1 > proposed then redis.call('HSET', KEYS[1], 'proposed', top + 1) end
return out
