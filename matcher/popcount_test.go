package matcher

import (
	"context"
	"math/rand/v2"
	"testing"
)

// The count of candidates a population filter lets through is the same
// by binary search as by looking at every candidate, at the edges of the
// bounds too (populations taken from the candidates themselves).
func TestPopulationPassedCountsEveryCandidate(t *testing.T) {
	e := mustEngine(t, Inputs{})
	slow := func(pb popBounds) int {
		n := 0
		for _, lp := range e.logPop {
			if pb.in(lp) {
				n++
			}
		}
		return n
	}
	rng := rand.New(rand.NewPCG(1, 16))
	pop := func() int64 { return e.in.Snap.Places[e.placeIdx[rng.IntN(e.n)]].Population }
	cases := []struct {
		name     string
		min, max int64
	}{
		{"no bounds", 0, 0},
		{"at least 100,000", 100_000, 0},
		{"at most 5,000", 0, 5_000},
		{"a no-op upper bound", 0, 9_000_000_000},
		{"nothing passes", 50_000_000_000, 0},
	}
	for range 40 {
		a, b := pop(), pop()
		cases = append(cases, struct {
			name     string
			min, max int64
		}{"between two candidates' populations", min(a, b), max(a, b)})
	}
	for _, tc := range cases {
		pb := popBoundsOf(Filter{MinPopulation: tc.min, MaxPopulation: tc.max})
		if got, want := e.populationPassed(pb), slow(pb); got != want {
			t.Errorf("%s [%d, %d]: got %d, want %d", tc.name, tc.min, tc.max, got, want)
		}
	}
	// And through Match, as the API reports it.
	res, err := e.Match(context.Background(), Query{Municipality: "11008", K: 3, Filter: Filter{MinPopulation: 20_000, MaxPopulation: 80_000}})
	if err != nil {
		t.Fatal(err)
	}
	if want := slow(popBoundsOf(Filter{MinPopulation: 20_000, MaxPopulation: 80_000})); res.Candidates != want {
		t.Errorf("Match: %d candidates, want %d", res.Candidates, want)
	}
}
