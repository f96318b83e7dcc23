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
// Each entry's order is one integer (selKey), so a step of the heap is one
// compare.
type topSel struct {
	k   int
	e   []topEntry
	tmp []topEntry // sorted's space
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

// The kept entries form a 4-ary min-heap (children of i at 4i+1…4i+4):
// half the depth of a binary one, each step the smallest of four keys
// found without a branch (the compares of a heap go either way, so a
// branch mispredicts), against one test, ending the walk, per level.

// sentinels is how many entries past the heap's end hold a key larger
// than any, so that a node's four children are always there to compare.
const sentinels = 3

// offer proposes candidate c with score s ≥ 0 and GeoNames id id.
func (t *topSel) offer(s float32, id int64, c int32) {
	if t.k <= 0 {
		return
	}
	t.offerKey(topEntry{selKey(s, id), c})
}

// offerKey proposes an entry by its key (a selKey), as offer does; a
// split scan merges the other selector's entries through it.
func (t *topSel) offerKey(x topEntry) {
	if t.k <= 0 {
		return
	}
	h := t.e
	if len(h) < t.k {
		// Up from a hole at the end: parents move down, x goes in once.
		h = append(h, x)
		i := len(h) - 1
		for i > 0 {
			p := (i - 1) / 4
			if x.key >= h[p].key {
				break
			}
			h[i] = h[p]
			i = p
		}
		h[i] = x
		if len(h) == t.k {
			sent := topEntry{key: math.MaxUint64}
			h = append(h, sent, sent, sent)[:t.k]
		}
		t.e = h
		return
	}
	if x.key <= h[0].key {
		return
	}
	siftDown4(h, x)
}

// siftDown4 puts x at the root of the full 4-ary min-heap h (sentinels
// past its end, in its capacity), in place of the root, moving the
// smallest child up into the hole until x fits.
func siftDown4(h []topEntry, x topEntry) {
	i, n := 0, len(h)
	hs := h[:n+sentinels]
	for {
		l := 4*i + 1
		if l >= n {
			break
		}
		c := hs[l : l+4 : l+4]
		// Each select is a 0 or 1 from a compare (the compiler sets it
		// from the flags; an if that assigns an index it branches on).
		a, b, t := 0, 0, 0
		if c[1].key < c[0].key {
			a = 1
		}
		if c[3].key < c[2].key {
			b = 1
		}
		b += 2
		if c[b].key < c[a].key {
			t = 1
		}
		a += t * (b - a)
		if c[a].key >= x.key {
			break
		}
		m := l + a
		hs[i] = hs[m]
		i = m
	}
	hs[i] = x
}

// sorted returns the kept candidates best first. It heap-sorts the
// entries (the worst moves out, into t.tmp, one after the other) and
// leaves them sorted in t.e, so the selector is spent until the next
// reset; sortedScores still reads it.
func (t *topSel) sorted() []int32 {
	n := len(t.e)
	h := slices.Grow(t.e, sentinels)[:n]
	tmp := slices.Grow(t.tmp[:0], n)[:n]
	sent := topEntry{key: math.MaxUint64}
	for m := n - 1; m >= 0; m-- {
		tmp[m] = h[0]
		x := h[m]
		hs := h[:m+sentinels]
		hs[m], hs[m+1], hs[m+2] = sent, sent, sent
		if m > 0 {
			siftDown4(h[:m], x)
		}
	}
	copy(h, tmp)
	t.e, t.tmp = h, tmp
	out := make([]int32, n)
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
