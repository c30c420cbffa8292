--[[
  Packs the given fields of trial hashes into ONE string: fields joined by US (\31), trials by
  RS (\30); a missing field is ''. One reply to parse instead of thousands (sweep-table-scan.ts).
  Input: keys (trial hash keys), fields (field names). Output: the packed string.
]]
local function packTrials(keys, fields)
  local out = {}
  for i = 1, #keys do
    local v = redis.call('HMGET', keys[i], unpack(fields))
    for j = 1, #v do if not v[j] then v[j] = '' end end
    out[i] = table.concat(v, '\31')
  end
  return table.concat(out, '\30')
end
