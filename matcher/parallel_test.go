package matcher

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// The idle-core gate lends a second core only while one is free, and
// never more cores than the machine has, however many ask at once.
func TestBorrowCoreOnlyWhenACoreIsIdle(t *testing.T) {
	steps := []struct {
		do     string
		borrow bool // borrowCore's answer, for "borrow"
	}{
		{do: "hold"}, {do: "borrow", borrow: true}, // one match, one idle core: it borrows
		{do: "borrow", borrow: false}, // both cores taken
		{do: "return"}, {do: "hold"},  // a second match takes the core back
		{do: "borrow", borrow: false},                 // serve's load: one match per core
		{do: "release"}, {do: "borrow", borrow: true}, // one match finished
		{do: "return"}, {do: "release"}, {do: "borrow", borrow: true},
	}
	var e Engine
	e.cores.limit.Store(2)
	for i, s := range steps {
		switch s.do {
		case "hold":
			e.holdCore()
		case "release":
			e.releaseCore()
		case "return":
			e.returnCore()
		case "borrow":
			if got := e.borrowCore(); got != s.borrow {
				t.Fatalf("step %d: borrowCore() = %v with %d of 2 held before, want %v", i, got, e.cores.held.Load()-b2i(got), s.borrow)
			}
		}
	}

	var c Engine
	c.cores.limit.Store(2)
	c.holdCore()
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			if c.borrowCore() {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || c.cores.held.Load() != 2 {
		t.Fatalf("64 borrowers beside one match: %d borrowed, %d held; want 1 and 2", ok.Load(), c.cores.held.Load())
	}
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// A match and a bulk ranking hold a core while they run and give it back.
func TestMatchAndRankGiveTheirCoresBack(t *testing.T) {
	e := rankFixture(t)
	if _, err := e.Match(context.Background(), Query{Municipality: "11008", K: 10}); err != nil {
		t.Fatal(err)
	}
	if h := e.cores.held.Load(); h != 0 {
		t.Fatalf("after Match %d cores held, want 0", h)
	}
	mustRank(t, e, RankRequest{K: 5, Workers: 2})
	if h := e.cores.held.Load(); h != 0 {
		t.Fatalf("after Rank %d cores held, want 0", h)
	}
	// A worker that stops on an error gives its core back too.
	stop := context.Canceled
	if _, err := e.Rank(context.Background(), RankRequest{K: 5, Workers: 2}, func(RankRow) error { return stop }); err != stop {
		t.Fatalf("Rank stopped by emit: err %v, want %v", err, stop)
	}
	if h := e.cores.held.Load(); h != 0 {
		t.Fatalf("after a stopped Rank %d cores held, want 0", h)
	}
}
