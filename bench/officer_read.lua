-- officer_read.lua — wrk: each request reads a random citizen from $IDS
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/citizens/" .. ids[math.random(#ids)] .. "?purpose=bench")
end
