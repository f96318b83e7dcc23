package matcher

import (
	"context"
	"testing"
)

// BenchmarkRankAll ranks every municipality of the embedded snapshot
// (~2,471) against every candidate (~183k), top 50, with explained rows,
// on GOMAXPROCS workers, with the shipped weights: the pruned scan and
// scoring every candidate side by side. scored/muni is how many
// candidates were scored per municipality.
func BenchmarkRankAll(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	for _, m := range matchModes {
		b.Run(m.name, func(b *testing.B) {
			var st RankStats
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				var err error
				st, err = e.Rank(ctx, RankRequest{K: DefaultRankK, Exhaustive: m.exhaustive}, func(RankRow) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b)
			b.ReportMetric(float64(st.Municipalities), "municipalities")
			b.ReportMetric(float64(st.Rows), "rows")
			b.ReportMetric(float64(st.Scored)/float64(max(st.Municipalities, 1)), "scored/muni")
		})
	}
}

// BenchmarkRankState is one state (Guanajuato, 46 municipalities).
func BenchmarkRankState(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Rank(ctx, RankRequest{State: "11", K: DefaultRankK}, func(RankRow) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
