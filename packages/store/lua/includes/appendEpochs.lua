--[[
  Appends epochs to a running trial's curve, skipping those at or before `last`, and records each
  value in the epoch's step hash (what the pruners read). The caller checked state and run.
  Input:
    trialKey, curveKey  the trial hash and its curve list
    prefix, sid, tid    key prefix ("P:"), sweep id, trial id
    last                the last epoch already written (-1 for none)
    epochs              a list of { epoch, value ('' when none), report JSON }
  Output: the number appended (the trial's lastEpoch is updated when > 0).
]]
local function appendEpochs(trialKey, curveKey, prefix, sid, tid, last, epochs)
  local rows, appended = {}, 0
  for _, e in ipairs(epochs) do
    local epoch = tonumber(e[1])
    if epoch > last then
      rows[#rows + 1] = e[3]
      if e[2] ~= '' then redis.call('HSET', prefix .. 'sweep:' .. sid .. ':step:' .. epoch, tid, e[2]) end
      last = epoch
      appended = appended + 1
      if #rows == 500 then redis.call('RPUSH', curveKey, unpack(rows)); rows = {} end
    end
  end
  if #rows > 0 then redis.call('RPUSH', curveKey, unpack(rows)) end
  if appended > 0 then redis.call('HSET', trialKey, 'lastEpoch', last) end
  return appended
end
