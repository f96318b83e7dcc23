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
// shipped weights; scored/op is how many candidates were scored.
func BenchmarkMatch(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	e.matchIndex() // built once per engine, on the first match (BenchmarkRankIndex)
	for _, m := range matchModes {
		b.Run(m.name, func(b *testing.B) {
			scored := 0
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				res, err := e.Match(ctx, Query{Municipality: "11008", K: 10, Exhaustive: m.exhaustive})
				if err != nil {
					b.Fatal(err)
				}
				scored = res.scored
			}
			cpu.report(b)
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
	cpu := startCPU()
	for b.Loop() {
		res, err := e.Match(ctx, Query{Municipality: "11008", K: 10, Filter: Filter{Countries: []string{"US"}}})
		if err != nil {
			b.Fatal(err)
		}
		scored = res.scored
	}
	cpu.report(b)
	b.ReportMetric(float64(scored), "scored/op")
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
