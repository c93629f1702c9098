-- wrk script: optional bearer token, method and JSON body from the environment; `BENCH_BUST=1`
-- appends a changing query parameter so that every request misses the cache; `BENCH_HEADER` adds a
-- header. Prints one JSON line with the figures bench/run.py reads.
local token = os.getenv("BENCH_TOKEN") or ""
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local bust = os.getenv("BENCH_BUST") == "1"
local header = os.getenv("BENCH_HEADER") or ""  -- one extra "Name: value" header (If-None-Match, ...)
local counter = 0

wrk.method = method
if token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
if header ~= "" then
  local name, value = string.match(header, "^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

request = function()
  if not bust then return wrk.format() end
  counter = counter + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "nocache=" .. math.random(1, 1e9) .. "-" .. counter)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'BENCH {"rps": %.1f, "p50_ms": %.2f, "p99_ms": %.2f, "errors": %d, "non2xx": %d, "requests": %d}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors, summary.errors.status, summary.requests))
end
