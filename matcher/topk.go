package matcher

import (
	"math"
	"slices"
)

// One top-k selector serves every path: the exhaustive scan (topK over a
// score slice), the pruned scan (offers as it goes) and the backtest.

// topK selects the k best candidates by score, ties broken by smaller
// GeoNames id, and counts how many passed the filters (score ≥ 0).
func topK(scores []float32, ids []int64, k int) ([]int32, int) {
	var t topSel
	t.reset(k)
	passed := 0
	thr := t.threshold()
	for c, s := range scores {
		if s < 0 {
			continue
		}
		passed++
		if s < thr {
			continue
		}
		t.offer(s, ids[c], int32(c))
		thr = t.threshold()
	}
	return t.sorted(), passed
}

// topSel keeps the k best candidates seen, by score and then smaller
// GeoNames id, as topK does: a min-heap with the worst kept at its root.
type topSel struct {
	k   int
	e   []topEntry
	idx []int32 // sorted()'s order of the entries
}

// topEntry is one kept candidate: one swap moves all of it.
type topEntry struct {
	s    float32
	cand int32
	id   int64
}

func (t *topSel) reset(k int) {
	t.k = k
	t.e = t.e[:0]
}

func (t *topSel) full() bool { return len(t.e) == t.k }

// worst is the k-th score kept; call only when full.
func (t *topSel) worst() float32 { return t.e[0].s }

// threshold is the score below which an offer cannot be kept.
func (t *topSel) threshold() float32 {
	if len(t.e) < t.k {
		return float32(math.Inf(-1))
	}
	return t.e[0].s
}

// worse orders the heap: a before b when a is worse.
func worse(a, b *topEntry) bool {
	if a.s != b.s {
		return a.s < b.s
	}
	return a.id > b.id
}

func (t *topSel) offer(s float32, id int64, c int32) {
	if t.k <= 0 {
		return
	}
	h := t.e
	if len(h) < t.k {
		h = append(h, topEntry{s, c, id})
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !worse(&h[i], &h[p]) {
				break
			}
			h[i], h[p] = h[p], h[i]
			i = p
		}
		t.e = h
		return
	}
	if s < h[0].s || (s == h[0].s && id > h[0].id) {
		return
	}
	h[0] = topEntry{s, c, id}
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			break
		}
		m := l
		if r := l + 1; r < len(h) && worse(&h[r], &h[l]) {
			m = r
		}
		if !worse(&h[m], &h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// sorted returns the kept candidates best first.
func (t *topSel) sorted() []int32 {
	idx := t.order()
	out := make([]int32, len(idx))
	for i, j := range idx {
		out[i] = t.e[j].cand
	}
	return out
}

// order sorts the kept entries' positions best first, into t.idx.
func (t *topSel) order() []int32 {
	idx := t.idx[:0]
	for i := range t.e {
		idx = append(idx, int32(i))
	}
	t.idx = idx
	slices.SortFunc(idx, func(a, b int32) int {
		x, y := &t.e[a], &t.e[b]
		switch {
		case x.s != y.s:
			if x.s > y.s {
				return -1
			}
			return 1
		case x.id < y.id:
			return -1
		case x.id > y.id:
			return 1
		}
		return 0
	})
	return idx
}

// sortedScores are the kept scores in the order sorted() returned
// (order is its result; the selector is unchanged since); the list rules
// read the pool's scores from here instead of scoring again.
func (t *topSel) sortedScores(order []int32) []float32 {
	out := make([]float32, len(order))
	for i, j := range t.idx {
		out[i] = t.e[j].s
	}
	return out
}
