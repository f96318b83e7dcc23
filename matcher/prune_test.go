package matcher

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// The roots' tree above the countries reaches every country's root once,
// and each of its nodes' ranges and keys hold its children's (so its
// bound is at least theirs and the scan that opens it from the top
// stays exact).
func TestRootsTreeCoversEveryCountryOnce(t *testing.T) {
	e := rankFixture(t)
	ix := e.matchIndex()
	for name, l := range map[string]*zoneLayout{"linked": &ix.linked, "plain": &ix.plain} {
		if len(l.roots) == 0 {
			if l.top != -1 {
				t.Fatalf("%s: no countries but top %d", name, l.top)
			}
			continue
		}
		isRoot := map[int32]bool{}
		for _, r := range l.roots {
			isRoot[r.node] = true
		}
		reached := map[int32]int{}
		var walk func(n int32)
		walk = func(n int32) {
			if isRoot[n] {
				reached[n]++
				return
			}
			nd := l.nodes[n]
			if nd.left < 0 {
				t.Fatalf("%s: node %d of the roots' tree is a leaf", name, n)
			}
			for _, ch := range [2]int32{nd.left, nd.right} {
				for col, st := range l.stats {
					if st.min[ch] < st.min[n] || st.max[ch] > st.max[n] {
						t.Fatalf("%s: node %d's %s range [%g, %g] does not hold child %d's [%g, %g]", name, n, col, st.min[n], st.max[n], ch, st.min[ch], st.max[ch])
					}
					if st.mask != nil && st.mask[ch]&^st.mask[n] != 0 {
						t.Fatalf("%s: node %d's %s keys miss some of child %d's", name, n, col, ch)
					}
					if st.keys != nil && !st.over[n] {
						if st.over[ch] {
							t.Fatalf("%s: node %d lists its %s keys, child %d has too many", name, n, col, ch)
						}
						for _, k := range st.keys[ch] {
							found := false
							for _, kn := range st.keys[n] {
								found = found || kn == k
							}
							if !found {
								t.Fatalf("%s: node %d's %s keys miss %d of child %d", name, n, col, k, ch)
							}
						}
					}
				}
				walk(ch)
			}
		}
		walk(l.top)
		if len(reached) != len(l.roots) {
			t.Fatalf("%s: the roots' tree reaches %d of %d countries", name, len(reached), len(l.roots))
		}
		for n, c := range reached {
			if c != 1 {
				t.Fatalf("%s: root %d reached %d times", name, n, c)
			}
		}
	}
}

// The scan split over two goroutines (a core borrowed) returns exactly
// the one goroutine's top k, scores included, on random weights,
// municipalities, filters and k up to past the second stage's head (a
// scan that is not split must return it too).
func TestSplitScanEqualsOneGoroutine(t *testing.T) {
	s := mustSnapshot(t)
	rnd := rand.New(rand.NewPCG(16, 2))
	filters := []Filter{{}, {MinPopulation: 20_000}, {Countries: []string{"US"}}, {Countries: []string{"ES", "GT", "US", "FR"}},
		{Traits: []string{"coastal"}}, {MaxPopulation: 80_000, Traits: []string{"seat"}}, {ExcludeTwinned: true}}
	splits := 0
	for trial := range 2 {
		w := DefaultWeights()
		if trial > 0 {
			w = randomWeights(rnd)
		}
		e := rankFixtureWith(t, w)
		for i := range 12 {
			m := s.Municipalities[rnd.IntN(len(s.Municipalities))].CVEGEO
			if i == 0 {
				m = "11008"
			}
			for _, f := range filters {
				k := 1 + rnd.IntN(260)
				if i%2 == 0 {
					k = splitMinK + rnd.IntN(120) // long enough to split
				}
				run := func(split bool) ([]int32, []float32, int64, bool) {
					qs, err := e.prepare(Query{Municipality: m, K: k, Filter: f})
					if err != nil {
						t.Fatal(err)
					}
					r := e.newRanker(k, f, qs.dyn, e.matchIndex())
					if split {
						e.cores.limit.Store(64)
					} else {
						e.cores.limit.Store(1)
						e.holdCore()
						defer e.releaseCore()
					}
					top := r.prunedTop(qs)
					return top, r.sel.sortedScores(top), r.scored, r.helper != nil
				}
				one, oneS, _, _ := run(false)
				two, twoS, _, didSplit := run(true)
				if didSplit {
					splits++
				}
				if !slices.Equal(one, two) || !slices.Equal(oneS, twoS) {
					t.Fatalf("trial %d %s k %d %+v: split scan %v %v, one goroutine %v %v", trial, m, k, f, two, twoS, one, oneS)
				}
			}
		}
	}
	if splits == 0 {
		t.Fatal("no scan was split")
	}
}

// sameResult compares two results as a user sees them (lists, scores,
// explanations), the scan's count of candidates scored aside: a scan
// split over two goroutines scores a few more or fewer from one run to
// the next.
func sameResult(a, b *Result) bool {
	x, y := *a, *b
	x.scored, y.scored = 0, 0
	return reflect.DeepEqual(x, y)
}
