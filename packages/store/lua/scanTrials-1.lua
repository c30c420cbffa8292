--[[
  The packed leaderboard fields of a range of a sweep's trials (the dashboard's bulk read).
  Input:
    KEYS[1] the sweep's trial set
    ARGV[1] trial hash key prefix ("P:trial:{sid}:")
    ARGV[2] offset
    ARGV[3] count
    ARGV[4..] the field names
  Output: the packed string of packTrials
]]
--- @include "includes/packTrials"
local ids = redis.call('ZRANGE', KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1)
local keys = {}
for i = 1, #ids do keys[i] = ARGV[1] .. ids[i] end
return packTrials(keys, {unpack(ARGV, 4)})
