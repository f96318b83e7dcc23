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
-- ENCODING: the Accept-Encoding header sent, "gzip" by default as
-- browsers and most HTTP client libraries send it; "identity" asks for
-- uncompressed answers.
local headers = { ["Accept-Encoding"] = os.getenv("ENCODING") or "gzip" }
local i = 0
-- The requests of a cached run, formatted once: wrk runs on the same
-- cores as the server, and formatting each request again would take
-- CPU from the server it measures.
local reqs = {}

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed((seed or 1) + os.time())
  for j = #ids, 2, -1 do
    local r = math.random(j)
    ids[j], ids[r] = ids[r], ids[j]
  end
  if not unique then
    for j = 1, #ids do
      reqs[j] = wrk.format("GET", "/api/v1/municipalities/" .. ids[j] .. "/matches?k=" .. k, headers)
    end
  end
end

function request()
  i = i % #ids + 1
  if not unique then
    return reqs[i]
  end
  local path = "/api/v1/municipalities/" .. ids[i] .. "/matches?k=" .. k ..
    "&max_population=" .. (9000000000 - math.random(1, 1000000000))
  return wrk.format("GET", path, headers)
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
