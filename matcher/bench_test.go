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
	e.matchIndex() // built once per engine, on the first match (BenchmarkRankIndex)
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

// BenchmarkMatchCountry restricts candidates to one country (the pruned
// scan over that country's trees).
func BenchmarkMatchCountry(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	e.matchIndex()
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

// BenchmarkRankIndex builds the pruned scan's layout of every candidate,
// which an engine does once, on its first match or bulk ranking.
func BenchmarkRankIndex(b *testing.B) {
	e := benchEngine(b)
	b.ReportAllocs()
	for b.Loop() {
		ix := e.newRankIndex()
		b.ReportMetric(float64(len(ix.plain.nodes)+len(ix.linked.nodes)), "nodes")
	}
}
