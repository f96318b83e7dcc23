#!/bin/sh
# Refreshes the embedded boundary files from the pinned npm packages.
# The files are copied unchanged; SHA256SUMS pins their bytes, so a rebuild
# either reproduces them exactly or fails.
# Run from the repository root: sh datasets/atlas/rebuild.sh
set -eu
out=datasets/atlas/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent world-atlas@2.0.2 us-atlas@3.0.1 @svg-maps/mexico@2.0.0 >/dev/null)
mkdir "$tmp/wa" "$tmp/us" "$tmp/mx"
tar xzf "$tmp/world-atlas-2.0.2.tgz" -C "$tmp/wa"
tar xzf "$tmp/us-atlas-3.0.1.tgz" -C "$tmp/us"
tar xzf "$tmp/svg-maps-mexico-2.0.0.tgz" -C "$tmp/mx"
mkdir -p "$out"
# Natural Earth (public domain), via world-atlas.
for f in countries-110m.json countries-50m.json countries-10m.json land-10m.json; do
	cp "$tmp/wa/package/$f" "$out/$f"
done
# US Census cartographic boundaries (public domain), via us-atlas.
cp "$tmp/us/package/states-10m.json" "$out/states-10m.json"
# Mexican states as a ready-drawn SVG (MapSVG, CC BY 4.0), via @svg-maps/mexico.
cp "$tmp/mx/package/mexico.svg" "$out/mexico-states.svg"
cp "$tmp/wa/package/LICENSE" "$out/LICENSE-world-atlas"
cp "$tmp/us/package/LICENSE" "$out/LICENSE-us-atlas"
cp "$tmp/mx/package/LICENSE.md" "$out/LICENSE-svg-maps-mexico.md"
(cd "$out" && sha256sum -c ../SHA256SUMS)
