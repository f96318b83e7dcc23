package matcher

import (
	"context"
	"testing"
)

// BenchmarkRankAll ranks every municipality of the embedded snapshot
// (~2,471) against every candidate (~183k), top 50, with explained rows,
// on GOMAXPROCS workers, with the shipped weights: the pruned scan and
// scoring every candidate side by side. scored/muni is how many
// candidates were scored per municipality. The pruned scan's layout is
// built before the clock starts, as in BenchmarkMatch: it is built once
// per engine and measured on its own (BenchmarkRankIndex); a cold run
// with few iterations would otherwise count a share of it that depends
// on how many iterations the run makes.
func BenchmarkRankAll(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	e.matchIndex()
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

// BenchmarkHeadScan is the first stage's pruned scan alone, as a match
// runs it: the twinned fixture's head (11008: RerankPoolHead best, plus
// its twins, which go apart), the untwinned match's pool (11020, top 10
// drawn from poolSize(10)) and the US only head. bounded/op is how many
// nodes were bounded, scored/op how many candidates were scored: counts
// that do not depend on the machine's load. one_core holds every core
// first (as under load), borrow lets the scan split over an idle one
// (only the twinned head is long enough: splitMinK).
func BenchmarkHeadScan(b *testing.B) {
	e := benchEngine(b)
	cases := []struct {
		name, muni string
		k          int
		f          Filter
	}{
		{"twinned_head", "11008", RerankPoolHead, Filter{}},
		{"untwinned_pool", "11020", poolSize(10), Filter{}},
		{"us_head", "11008", RerankPoolHead, Filter{Countries: []string{"US"}}},
	}
	for _, c := range cases {
		for _, mode := range []string{"one_core", "borrow"} {
			b.Run(c.name+"/"+mode, func(b *testing.B) {
				qs, err := e.prepare(Query{Municipality: c.muni, K: 10, Filter: c.f})
				if err != nil {
					b.Fatal(err)
				}
				qs.q.K = c.k + len(qs.twinned)
				// The scan holds a core, as inside a match; borrow lets it
				// take every other core the process has, one_core (what
				// ships: coreGate) none.
				limit := int32(1)
				if mode == "borrow" {
					limit = limitAll()
				}
				e.cores.limit.Store(limit)
				e.holdCore()
				defer func() { e.releaseCore(); e.cores.limit.Store(0) }()
				r := e.matchRanker()
				var scored, bounds int64
				b.ReportAllocs()
				cpu := startCPU()
				for b.Loop() {
					r.scored, r.bounds = 0, 0
					r.prunedTop(qs)
					scored, bounds = r.scored, r.bounds
				}
				cpu.report(b)
				b.ReportMetric(float64(scored), "scored/op")
				b.ReportMetric(float64(bounds), "bounded/op")
			})
		}
	}
}
