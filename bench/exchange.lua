-- exchange.lua — wrk: replays the signed exchange calls of $REQS (bench/exchange.mjs), each once
local reqs, n = {}, 0
for line in io.lines(os.getenv("REQS")) do reqs[#reqs + 1] = line end
request = function()
  n = n + 1
  local id, date, sig, body = reqs[n]:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)")
  return wrk.format("POST", "/x/GOV/BCA/CSDLQGDC/person/v1", {
    ["X-Road-Client"] = "VN/GOV/BENCH/B", ["X-Road-Id"] = id, ["X-Road-UserId"] = "bench",
    ["X-Road-Issue"] = "RESIDENCE", ["X-Road-Date"] = date, ["X-Road-Signature"] = sig,
    ["Content-Type"] = "application/json" }, body)
end
