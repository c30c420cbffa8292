--[[
  Records this trial's K-fold mean at an epoch and, in the same atomic call, reads the rung as it
  now stands (see rungs.ts). Records only for a running trial of the current run (a stale run's
  report is read-only).
  Input:
    KEYS[1] trial hash
    KEYS[2] step hash of the epoch
    KEYS[3] sweep hash
    ARGV[1] trial id
    ARGV[2] value ('' = record nothing)
    ARGV[3] run token ('' = any run)
    ARGV[4] epoch
    ARGV[5] step key prefix ("P:sweep:{sid}:step:")
    ARGV[6] "1" to return this trial's history
  Output: { recorded (0|1), finished (completed + pruned trials), flat HGETALL of the step,
            history (value or '' per epoch 1..epoch; empty unless asked) }
]]
local state = redis.call('HGET', KEYS[1], 'state')
local ok = state == 'running'
if ok and ARGV[3] ~= '' and redis.call('HGET', KEYS[1], 'run') ~= ARGV[3] then ok = false end
if ok and ARGV[2] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
local finished = tonumber(redis.call('HGET', KEYS[3], 'c:completed') or '0')
  + tonumber(redis.call('HGET', KEYS[3], 'c:pruned') or '0')
local history = {}
if ARGV[6] == '1' then
  for e = 1, tonumber(ARGV[4]) do
    history[e] = redis.call('HGET', ARGV[5] .. e, ARGV[1]) or ''
  end
end
return { ok and 1 or 0, finished, redis.call('HGETALL', KEYS[2]), history }
