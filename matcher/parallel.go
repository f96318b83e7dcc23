package matcher

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"
)

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
