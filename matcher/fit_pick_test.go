package matcher

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// pickRescan is the variety pick written plainly: every pick rescans the
// whole pool for the highest penalised score, the first among equals.
func pickRescan(e *Engine, keep []fitCand, k int) []int32 {
	nC, nA := map[uint16]int{}, map[uint16]int{}
	used := make([]bool, len(keep))
	var out []int32
	for len(out) < k && len(out) < len(keep) {
		best, bestV := -1, 0.0
		for i, x := range keep {
			if used[i] {
				continue
			}
			v := (x.s - DiversityHub*x.hub) - (DiversityCountry*float64(nC[e.country[x.c]]) + DiversityAdmin1*float64(nA[e.admin1[x.c]]))
			if best < 0 || v > bestV {
				best, bestV = i, v
			}
		}
		used[best] = true
		nC[e.country[keep[best].c]]++
		nA[e.admin1[keep[best].c]]++
		out = append(out, keep[best].c)
	}
	return out
}

// TestPickVariedMatchesRescan holds the lazy heap pick equal to rescanning
// the pool on random pools: few countries and divisions (many penalties),
// scores on a coarse grid (many exact ties), hubs zero, large or tiny
// (ties that only rounding makes), and the
// scratch reused across pools as in a bulk run.
func TestPickVariedMatchesRescan(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 11))
	const nCand = 400
	e := &Engine{country: make([]uint16, nCand), admin1: make([]uint16, nCand),
		countries: make([]string, 5), admin1s: make([]string, 10)}
	for c := range nCand {
		e.country[c] = uint16(rng.IntN(5))
		e.admin1[c] = e.country[c]*2 + uint16(rng.IntN(2))
	}
	for trial := range 500 {
		n := rng.IntN(220)
		grid := 40 // scores 0 to 0.39, or 0 to 0.03 in every other trial, where penalties dominate
		if trial%2 == 1 {
			grid = 4
		}
		keep := make([]fitCand, n)
		for i := range keep {
			c := int32(rng.IntN(nCand))
			keep[i] = fitCand{c: c, cc: e.country[c], a: e.admin1[c], s: float64(rng.IntN(grid)) / 100}
			switch rng.IntN(3) {
			case 0:
				keep[i].hub = float64(rng.IntN(5)) / 4
			case 1:
				// hubs that move w by about an ulp of a small score:
				// distinct w's that become equal once penalised
				keep[i].hub = float64(rng.IntN(4)) * 1e-17
			}
		}
		slices.SortStableFunc(keep, func(a, b fitCand) int {
			switch {
			case a.s > b.s:
				return -1
			case a.s < b.s:
				return 1
			}
			return 0
		})
		k := 1 + rng.IntN(60)
		want := pickRescan(e, keep, k)
		fs := e.getFitScratch()
		fs.keep = append(fs.keep[:0], keep...)
		got := fs.pickVaried(k)
		fitScratchPool.Put(fs)
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d (pool %d, k %d): got %v, want %v", trial, n, k, got, want)
		}
	}
}
