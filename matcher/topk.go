package matcher

import (
	"math"
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
// Each entry's order is one integer (selKey), so a step of the heap is one
// compare.
type topSel struct {
	k int
	e []topEntry
}

// topEntry is one kept candidate.
type topEntry struct {
	key  uint64 // selKey: larger is better
	cand int32
}

// selKey orders a score s ≥ 0 and a GeoNames id as one integer: the score's
// bits (which order like the scores themselves when s ≥ 0), then the id
// complemented, so that of equal scores the smaller id is the larger key.
// NewEngine holds every candidate id within 32 bits.
func selKey(s float32, id int64) uint64 {
	if s == 0 {
		s = 0 // −0 as +0
	}
	return uint64(math.Float32bits(s))<<32 | uint64(^uint32(id))
}

// keyScore is the score of a selKey.
func keyScore(key uint64) float32 { return math.Float32frombits(uint32(key >> 32)) }

func (t *topSel) reset(k int) {
	t.k = k
	t.e = t.e[:0]
}

func (t *topSel) full() bool { return len(t.e) == t.k }

// worst is the k-th score kept; call only when full.
func (t *topSel) worst() float32 { return keyScore(t.e[0].key) }

// threshold is the score below which an offer cannot be kept.
func (t *topSel) threshold() float32 {
	if len(t.e) < t.k {
		return float32(math.Inf(-1))
	}
	return keyScore(t.e[0].key)
}

// offer proposes candidate c with score s ≥ 0 and GeoNames id id.
func (t *topSel) offer(s float32, id int64, c int32) {
	if t.k <= 0 {
		return
	}
	x := topEntry{selKey(s, id), c}
	h := t.e
	if len(h) < t.k {
		// Up from a hole at the end: parents move down, x goes in once.
		h = append(h, x)
		i := len(h) - 1
		for i > 0 {
			p := (i - 1) / 2
			if x.key >= h[p].key {
				break
			}
			h[i] = h[p]
			i = p
		}
		h[i] = x
		if len(h) == t.k {
			// A sentinel past the end, larger than any key, spares
			// siftDownFull the test for a missing right child.
			h = append(h, topEntry{key: math.MaxUint64})[:t.k]
		}
		t.e = h
		return
	}
	if x.key <= h[0].key {
		return
	}
	siftDownFull(h, x)
}

// siftDownFull puts x at the root of the min-heap h, in place of the
// root, moving the smaller child up into the hole until x fits. h has a
// sentinel at h[len(h)] (in its capacity), larger than any key, so a
// missing right child needs no test; the smaller child is chosen without
// a branch, and the only test that can go either way ends the walk.
func siftDownFull(h []topEntry, x topEntry) {
	i, n := 0, len(h)
	hs := h[:n+1]
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		pair := hs[l : l+2 : l+2]
		d := 0
		if pair[1].key < pair[0].key {
			d = 1
		}
		if pair[d].key >= x.key {
			break
		}
		m := l + d
		hs[i] = hs[m]
		i = m
	}
	hs[i] = x
}

// sorted returns the kept candidates best first. It heap-sorts the
// entries in place (each worst moves to the end), so the selector is
// spent until the next reset; sortedScores still reads it.
func (t *topSel) sorted() []int32 {
	h := t.e
	for n := len(h) - 1; n > 0; n-- {
		worst, x := h[0], h[n]
		h[n] = topEntry{key: math.MaxUint64} // siftDownFull's sentinel
		siftDownFull(h[:n], x)
		h[n] = worst
	}
	out := make([]int32, len(h))
	for i := range h {
		out[i] = h[i].cand
	}
	return out
}

// sortedScores are the kept scores in the order sorted() returned
// (order is its result; the selector is unchanged since); the list rules
// read the pool's scores from here instead of scoring again.
func (t *topSel) sortedScores(order []int32) []float32 {
	out := make([]float32, len(order))
	for i := range order {
		out[i] = keyScore(t.e[i].key)
	}
	return out
}
