--[[
  The packed leaderboard fields of the given trials (the dashboard's bulk read by id). No
  number in the name: it takes as many keys as trials.
  Input:
    KEYS    the trial hashes
    ARGV    the field names
  Output: the packed string of packTrials
]]
--- @include "includes/packTrials"
return packTrials(KEYS, ARGV)
