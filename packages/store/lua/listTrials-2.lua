--[[
  One page of trials in one round trip (the API's hot read).
  Input:
    KEYS[1] the main ZSET
    KEYS[2] a second ZSET
    ARGV[1] mode:
            "one"    the page of KEYS[1]; total = its size
            "concat" KEYS[1] then KEYS[2] (scored trials, then the others); total = both sizes
            "state"  KEYS[1] when it holds as many trials as KEYS[2] (the state set), else
                     KEYS[2]; total = the size of KEYS[2] (completed trials without a mean are
                     not in `scores`)
    ARGV[2] offset
    ARGV[3] limit
    ARGV[4] trial hash key prefix ("P:trial:{sid}:")
  Output: { total, hash1, hash2, ... }, each hash as HGETALL's flat array
]]
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
