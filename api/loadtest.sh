#!/bin/sh
# Loopback load test of GET /api/v1/municipalities/{id}/matches, rotating
# over every municipality the server knows (BENCHMARKS.md records the
# numbers). Bounded: loopback only, fixed duration, fixed connections.
#
#   api/loadtest.sh [URL] [DURATION] [CONNECTIONS] [THREADS]
#   URL defaults to http://127.0.0.1:8080 (start `hermanar serve --rate-limits off`
#   first: the default per-IP limit on match lists would answer most requests 429);
#   DURATION 30s, CONNECTIONS 16, THREADS 1 (the server needs the cores).
#   WARMUP=10s runs an unmeasured pass first (WARMUP=0 skips it), so the
#   measured run sees the server's steady state: every municipality's
#   default list computed once and cached until the next write.
#   UNIQUE=1 makes every request distinct, bypassing the cache (the
#   engine's own throughput).
#   ENCODING is the Accept-Encoding sent: gzip by default, as browsers and
#   most HTTP libraries send it; ENCODING=identity asks for plain answers.
#
# Needs wrk (Debian package wrk) and curl.
set -eu
URL=${1:-http://127.0.0.1:8080}
DURATION=${2:-30s}
CONNS=${3:-16}
THREADS=${4:-1}
WARMUP=${WARMUP:-10s}
K=${K:-10}
ENCODING=${ENCODING:-gzip}
case "$ENCODING" in *[!a-z0-9,.\;=\ -]*) echo "loadtest: ENCODING must be an Accept-Encoding value such as gzip or identity" >&2; exit 2 ;; esac

case "$URL" in
  http://127.0.0.1:*|http://localhost:*|http://\[::1\]:*) ;;
  *) echo "loadtest: loopback URLs only (got $URL)" >&2; exit 2 ;;
esac
case "$CONNS" in ''|*[!0-9]*) echo "loadtest: CONNECTIONS must be a number" >&2; exit 2 ;; esac
if [ "$CONNS" -gt 256 ]; then echo "loadtest: at most 256 connections" >&2; exit 2; fi
command -v wrk >/dev/null || { echo "loadtest: wrk not found (apt-get install wrk)" >&2; exit 2; }

dir=$(dirname "$0")/loadtest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

curl -fsS "$URL/readyz" >/dev/null || { echo "loadtest: $URL is not ready" >&2; exit 1; }
curl -fsS "$URL/api/v1/municipalities" | grep -o '"cvegeo":"[0-9]*"' | cut -d'"' -f4 > "$tmp/ids"
n=$(wc -l < "$tmp/ids")
[ "$n" -gt 0 ] || { echo "loadtest: no municipalities listed" >&2; exit 1; }
echo "loadtest: $n municipalities, k=$K, $CONNS connections, $THREADS wrk thread(s), $DURATION, Accept-Encoding: $ENCODING" >&2

export IDS_FILE="$tmp/ids" K UNIQUE="${UNIQUE:-0}" ENCODING
if [ "$WARMUP" != 0 ]; then
  echo "loadtest: warm-up $WARMUP (not measured)" >&2
  wrk -t "$THREADS" -c "$CONNS" -d "$WARMUP" --timeout 5s -s "$dir/matches.lua" "$URL" >/dev/null
fi
wrk -t "$THREADS" -c "$CONNS" -d "$DURATION" --timeout 5s --latency -s "$dir/matches.lua" "$URL"
