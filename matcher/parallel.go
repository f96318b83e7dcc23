package matcher

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// coreGate counts the cores held by the engine's work. A match holds one
// core for its whole run and a bulk worker one for its whole run; a match
// may borrow a second for a part of its work (the head scan, the pool's
// rows and trees, the k explanations, each split in two) only while fewer
// cores are held than the gate hands out. Under API load (serve admits
// one match per core) or in a bulk run (one worker per core) every core
// is held, so nothing borrows and no work is split.
//
// The gate hands out one core unless limit is set (the split tests and
// BenchmarkMatchCores set it), so a shipped match never splits: on the
// 2-core machine, quiet, the split twinned match took 0.700 ms and 836
// CPU-µs against 0.693 ms and 723 CPU-µs on one core (BenchmarkMatchCores,
// 2000 matches, 5 runs each, 2026-12-02): waking the second goroutine and
// sharing the selector cost what the second core saves. limitAll, the
// cores the machine has, is what a caller sets to measure it again.
type coreGate struct {
	held  atomic.Int32
	limit atomic.Int32 // 0: one core (no split)
}

// limitAll is min(GOMAXPROCS, NumCPU): every core the process may use.
func limitAll() int32 { return int32(max(1, min(runtime.GOMAXPROCS(0), runtime.NumCPU()))) }

// size is the number of cores the gate hands out.
func (g *coreGate) size() int32 {
	if l := g.limit.Load(); l > 0 {
		return l
	}
	return 1
}

// holdCore takes a core for the whole of a match or a bulk worker's run,
// whether or not one is idle (the work runs anyway); releaseCore gives it
// back.
func (e *Engine) holdCore()    { e.cores.held.Add(1) }
func (e *Engine) releaseCore() { e.cores.held.Add(-1) }

// borrowCore takes a second core for part of a match's work when one is
// idle, and reports whether it did; returnCore gives a borrowed core back.
func (e *Engine) borrowCore() bool {
	g := &e.cores
	limit := g.size()
	for {
		h := g.held.Load()
		if h >= limit {
			return false
		}
		if g.held.CompareAndSwap(h, h+1) {
			return true
		}
	}
}

func (e *Engine) returnCore() { e.cores.held.Add(-1) }

// newRand is a seeded generator; stream separates independent uses.
func newRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// parallel runs job(i) for i in [0,n) on workers goroutines; each worker
// builds its own job function (and scratch space) once. The first error
// stops the rest.
func parallel(ctx context.Context, n, workers int, worker func() func(i int) error) error {
	var (
		mu    sync.Mutex
		next  int
		first error
		wg    sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if first != nil || next >= n {
			return 0, false
		}
		if err := ctx.Err(); err != nil {
			first = err
			return 0, false
		}
		next++
		return next - 1, true
	}
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job := worker()
			for {
				i, ok := take()
				if !ok {
					return
				}
				if err := job(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// progress prints a line every ~5% of a long loop.
type progress struct {
	mu          sync.Mutex
	w           io.Writer
	label       string
	n, i, every int
	start       time.Time
}

func newProgress(w io.Writer, label string, n int) *progress {
	return &progress{w: w, label: label, n: n, every: max(1, n/20), start: time.Now()}
}

func (p *progress) step() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.i++
	if p.i%p.every == 0 && p.i < p.n {
		fmt.Fprintf(p.w, "%s: %d/%d (%.0fs)\n", p.label, p.i, p.n, time.Since(p.start).Seconds())
	}
}

func (p *progress) done() {
	if p.w != nil {
		fmt.Fprintf(p.w, "%s: %d done in %.1fs\n", p.label, p.n, time.Since(p.start).Seconds())
	}
}
