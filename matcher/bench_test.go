package matcher

import (
	"context"
	"testing"
)

// benchEngine is what ships: the default weights (weights_default.json)
// and every signal with data — a diaspora tie, twinnings, the corridor,
// profiles on both sides (rankFixture's inputs).
func benchEngine(b *testing.B) *Engine {
	b.Helper()
	return rankFixtureWith(b, DefaultWeights())
}

// matchModes are the two scans a match can take: the pruned one Match
// uses without filters, and scoring every candidate.
var matchModes = []struct {
	name       string
	exhaustive bool
}{{"pruned", false}, {"exhaustive", true}}

// BenchmarkMatch is one explained top-10 match of Manuel Doblado over every
// candidate of the embedded snapshot (~183k foreign places) with the
// shipped weights; scored/op is how many candidates were scored.
func BenchmarkMatch(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	for _, m := range matchModes {
		b.Run(m.name, func(b *testing.B) {
			scored := 0
			b.ReportAllocs()
			for b.Loop() {
				res, err := e.Match(ctx, Query{Municipality: "11008", K: 10, Exhaustive: m.exhaustive})
				if err != nil {
					b.Fatal(err)
				}
				scored = res.scored
			}
			b.ReportMetric(float64(scored), "scored/op")
		})
	}
}

// BenchmarkMatchCountry restricts candidates to one country (always the
// exhaustive scan of that country's candidates).
func BenchmarkMatchCountry(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	scored := 0
	b.ReportAllocs()
	for b.Loop() {
		res, err := e.Match(ctx, Query{Municipality: "11008", K: 10, Filter: Filter{Countries: []string{"US"}}})
		if err != nil {
			b.Fatal(err)
		}
		scored = res.scored
	}
	b.ReportMetric(float64(scored), "scored/op")
}
