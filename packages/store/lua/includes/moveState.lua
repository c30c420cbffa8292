--[[
  The one rule for a trial's state: its `state` field, its place in the `state:{state}` sets and
  the sweep's `c:{state}` counts move together. moveState records the move in the sets and the
  counts (the caller writes the `state` field in the same script).
  Input:
    prefix  the key prefix with its colon ("P:")
    sid     sweep id
    tid     trial id
    index   the trial's index (its score in the state sets)
    from    the state it leaves (nil for a new trial)
    to      the state it enters
]]
local function moveState(prefix, sid, tid, index, from, to)
  local sweep = prefix .. 'sweep:' .. sid
  if from then
    redis.call('HINCRBY', sweep, 'c:' .. from, -1)
    redis.call('ZREM', sweep .. ':state:' .. from, tid)
  end
  redis.call('HINCRBY', sweep, 'c:' .. to, 1)
  redis.call('ZADD', sweep .. ':state:' .. to, index, tid)
end
