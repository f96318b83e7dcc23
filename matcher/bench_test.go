package matcher

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuClock reports the process's CPU time (user and system, every
// thread, the collector's included) per iteration beside the wall time:
// on a shared machine the wall clock counts other programs' turns, the
// CPU time much less so.
type cpuClock struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startCPU collects the garbage of the set-up first, so that a benchmark
// does not pay for collecting what its fixture left behind.
func startCPU() cpuClock {
	runtime.GC()
	return cpuClock{processCPU()}
}

func (c cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(processCPU()-c.start)/float64(b.N)/1e3, "cpu-µs/op")
}

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
// shipped weights; scored/op is how many candidates were scored (with the
// first stage), reranked/op how many the second stage re-scored: the
// fixture gives Manuel Doblado a twin, so its match takes the second
// stage (rerank_ship.go), its pool drawn from the pruned scan or, in the
// exhaustive mode, from every candidate's score.
func BenchmarkMatch(b *testing.B) {
	benchMatchModes(b, "11008", Filter{})
}

// BenchmarkMatchUntwinned is BenchmarkMatch for a municipality without a
// twin of its own (11020, with a diaspora tie): the first stage alone, as
// for most municipalities on the real files.
func BenchmarkMatchUntwinned(b *testing.B) {
	benchMatchModes(b, "11020", Filter{})
}

func benchMatchModes(b *testing.B, muni string, f Filter) {
	e := benchEngine(b)
	ctx := context.Background()
	e.matchIndex() // built once per engine, on the first match (BenchmarkRankIndex)
	for _, m := range matchModes {
		b.Run(m.name, func(b *testing.B) {
			var scored, reranked int
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				res, err := e.Match(ctx, Query{Municipality: muni, K: 10, Filter: f, Exhaustive: m.exhaustive})
				if err != nil {
					b.Fatal(err)
				}
				scored, reranked = res.scored, res.reranked
			}
			cpu.report(b)
			b.ReportMetric(float64(scored), "scored/op")
			b.ReportMetric(float64(reranked), "reranked/op")
		})
	}
}

// BenchmarkMatchCountry restricts candidates to one country (the pruned
// scan over that country's trees).
func BenchmarkMatchCountry(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	e.matchIndex()
	var scored, reranked int
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		res, err := e.Match(ctx, Query{Municipality: "11008", K: 10, Filter: Filter{Countries: []string{"US"}}})
		if err != nil {
			b.Fatal(err)
		}
		scored, reranked = res.scored, res.reranked
	}
	cpu.report(b)
	b.ReportMetric(float64(scored), "scored/op")
	b.ReportMetric(float64(reranked), "reranked/op")
}

// BenchmarkRankIndex builds the pruned scan's layout of every candidate,
// which an engine does once, on its first match or bulk ranking.
func BenchmarkRankIndex(b *testing.B) {
	e := benchEngine(b)
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		ix := e.newRankIndex()
		b.ReportMetric(float64(len(ix.plain.nodes)+len(ix.linked.nodes)), "nodes")
	}
	cpu.report(b)
}

// BenchmarkMatchCores is BenchmarkMatch/pruned with every core of the
// process to borrow when one is idle (borrow) and with the engine held to
// one core (one_core: nothing is split, what ships, as under API load),
// on the same engine: the wall time a borrowed core saves and the CPU
// time it costs (coreGate).
func BenchmarkMatchCores(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	e.matchIndex()
	for _, m := range []struct {
		name  string
		limit int32 // the core gate's size
	}{{"borrow", limitAll()}, {"one_core", 1}} {
		b.Run(m.name, func(b *testing.B) {
			e.cores.limit.Store(m.limit)
			defer e.cores.limit.Store(0)
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				if _, err := e.Match(ctx, Query{Municipality: "11008", K: 10}); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b)
		})
	}
}
