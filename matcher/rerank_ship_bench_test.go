package matcher

import (
	"context"
	"testing"
)

// BenchmarkMatchTwinned is one match of a municipality with twins of its
// own (the small twinnings' first backtest municipality), with the second
// stage (first stage over every candidate, then the pool re-scored) and
// without it (the pruned scan), on the same engine data. It reports the
// candidates scored and those the second stage re-scored.
func BenchmarkMatchTwinned(b *testing.B) {
	tw := mustSmallTwinnings(b)
	f := testRerank(b)
	ctx := context.Background()
	for _, mode := range []struct {
		name string
		in   Inputs
	}{
		{"second_stage", Inputs{Twinnings: tw, Rerank: f}},
		{"first_stage_only", Inputs{Twinnings: tw, NoRerank: true}},
	} {
		e := mustEngine(b, mode.in)
		e.matchIndex()
		m := BacktestQueries(e.reg)[0].Municipality
		b.Run(mode.name, func(b *testing.B) {
			var scored, reranked int
			b.ReportAllocs()
			for b.Loop() {
				res, err := e.Match(ctx, Query{Municipality: m, K: 10})
				if err != nil {
					b.Fatal(err)
				}
				scored, reranked = res.scored, res.reranked
			}
			b.ReportMetric(float64(scored), "scored/op")
			b.ReportMetric(float64(reranked), "reranked/op")
		})
	}
}
