-- wrk script for api/loadtest.sh: each request asks for the matches of
-- the next municipality in a shuffled list, so the load spreads over
-- every municipality instead of one cached answer.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local k = os.getenv("K") or "10"
-- UNIQUE=1 makes every request distinct (a no-op population bound that
-- changes each time), so none is served from the cache: the engine's
-- own throughput.
local unique = os.getenv("UNIQUE") == "1"
local i = 0

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed((seed or 1) + os.time())
  for j = #ids, 2, -1 do
    local r = math.random(j)
    ids[j], ids[r] = ids[r], ids[j]
  end
end

function request()
  i = i % #ids + 1
  local path = "/api/v1/municipalities/" .. ids[i] .. "/matches?k=" .. k
  if unique then
    path = path .. "&max_population=" .. (9000000000 - math.random(1, 1000000000))
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.1f req_per_s=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests, s, summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
