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
	k    int
	s    []float32
	id   []int64
	cand []int32
	idx  []int32 // sorted()'s order of the entries
}

func (t *topSel) reset(k int) {
	t.k = k
	t.s, t.id, t.cand = t.s[:0], t.id[:0], t.cand[:0]
}

func (t *topSel) full() bool { return len(t.s) == t.k }

// worst is the k-th score kept; call only when full.
func (t *topSel) worst() float32 { return t.s[0] }

// threshold is the score below which an offer cannot be kept.
func (t *topSel) threshold() float32 {
	if len(t.s) < t.k {
		return float32(math.Inf(-1))
	}
	return t.s[0]
}

// less orders the heap: a before b when a is worse.
func (t *topSel) less(i, j int) bool {
	if t.s[i] != t.s[j] {
		return t.s[i] < t.s[j]
	}
	return t.id[i] > t.id[j]
}

func (t *topSel) swap(i, j int) {
	t.s[i], t.s[j] = t.s[j], t.s[i]
	t.id[i], t.id[j] = t.id[j], t.id[i]
	t.cand[i], t.cand[j] = t.cand[j], t.cand[i]
}

func (t *topSel) offer(s float32, id int64, c int32) {
	if t.k <= 0 {
		return
	}
	if len(t.s) < t.k {
		t.s, t.id, t.cand = append(t.s, s), append(t.id, id), append(t.cand, c)
		for i := len(t.s) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.less(i, p) {
				break
			}
			t.swap(i, p)
			i = p
		}
		return
	}
	if s < t.s[0] || (s == t.s[0] && id > t.id[0]) {
		return
	}
	t.s[0], t.id[0], t.cand[0] = s, id, c
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(t.s) {
			break
		}
		m := l
		if r := l + 1; r < len(t.s) && t.less(r, l) {
			m = r
		}
		if !t.less(m, i) {
			break
		}
		t.swap(i, m)
		i = m
	}
}

// sorted returns the kept candidates best first.
func (t *topSel) sorted() []int32 {
	idx := t.order()
	out := make([]int32, len(idx))
	for i, j := range idx {
		out[i] = t.cand[j]
	}
	return out
}

// order sorts the kept entries' positions best first, into t.idx.
func (t *topSel) order() []int32 {
	idx := t.idx[:0]
	for i := range t.s {
		idx = append(idx, int32(i))
	}
	t.idx = idx
	slices.SortFunc(idx, func(a, b int32) int {
		switch {
		case t.s[a] != t.s[b]:
			if t.s[a] > t.s[b] {
				return -1
			}
			return 1
		case t.id[a] < t.id[b]:
			return -1
		case t.id[a] > t.id[b]:
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
		out[i] = t.s[j]
	}
	return out
}
