-- wrk script for the autosave benchmark: PUT one answer, going round the audits in MP_AUDITS (ids,
-- comma-separated: phones each save their own audit) and alternating yes and no, so every request
-- changes a stored row. MP_ITEM names the item, MP_TOKEN the shopper's API token.
local item = os.getenv("MP_ITEM")
local audits = {}
for id in string.gmatch(os.getenv("MP_AUDITS"), "%d+") do
  audits[#audits + 1] = id
end
local counter = 0

wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("MP_TOKEN")

request = function()
  counter = counter + 1
  local audit = audits[(counter % #audits) + 1]
  local value = (math.floor(counter / #audits) % 2 == 0) and "yes" or "no"
  return wrk.format(nil, "/api/v1/audits/" .. audit .. "/answers", nil,
                    '{"answers": [{"item": "' .. item .. '", "value": "' .. value .. '"}]}')
end
