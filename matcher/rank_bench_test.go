package matcher

import (
	"context"
	"testing"
)

// BenchmarkRankAll ranks every municipality of the embedded snapshot
// (~2,471) against every candidate (~183k), top 50, with explained rows,
// on GOMAXPROCS workers. Budget (DESIGN §8): ≤ 20 s on the 2-core machine.
func BenchmarkRankAll(b *testing.B) {
	e := rankFixture(b)
	ctx := context.Background()
	rows := 0
	b.ReportAllocs()
	for b.Loop() {
		rows = 0
		st, err := e.Rank(ctx, RankRequest{K: DefaultRankK}, func(RankRow) error { rows++; return nil })
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Municipalities), "municipalities")
	}
	b.ReportMetric(float64(rows), "rows")
}

// BenchmarkRankState is one state (Guanajuato, 46 municipalities).
func BenchmarkRankState(b *testing.B) {
	e := rankFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Rank(ctx, RankRequest{State: "11", K: DefaultRankK}, func(RankRow) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRankAllExhaustive scores every candidate of every municipality
// (no pruning), the baseline the pruned scan is measured against.
func BenchmarkRankAllExhaustive(b *testing.B) {
	e := rankFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Rank(ctx, RankRequest{K: DefaultRankK, exhaustive: true}, func(RankRow) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
