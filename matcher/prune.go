package matcher

import (
	"math"
	"slices"
)

// Pruned top-k, exact from every bounded sub-feature. Candidates are laid
// out in blocks of kernelBlock (the linked ones, with a twinning, apart
// from the plain ones), ordered by country, then latitude band, then log
// population, so that a block's candidates are alike. Each block keeps,
// for every column the signals' terms read, its minimum and maximum (and,
// for lookup keys, the distinct keys it holds). For a query, every term
// bounds what a block can contribute (termBound); the blocks are scored
// best bound first, and the scan stops once the next block's bound cannot
// beat the k-th score kept. The blocks that are scored go through the
// very kernel scoreAll uses, and the order (score, then GeoNames id) is a
// total one, so the top k is exactly Match's; the tests compare both
// paths on random weights.

// pruneMinTargets is the fewest municipalities for which building the
// sorted layout (~20 ms) pays off.
const pruneMinTargets = 4

// pruneMargin absorbs float32 rounding (a few ulps of values ≤ 1) when
// comparing an upper bound with a kept score.
const pruneMargin = 1e-5

// prunable reports whether a filter leaves every candidate in play, which
// the pruned path assumes.
func prunable(f Filter) bool {
	return len(f.Countries) == 0 && !f.ExcludeTwinned && !f.OnlyProfiled && len(f.Traits) == 0
}

// popBounds are a population filter in log10 space, as scoreAll applies it.
type popBounds struct {
	on     bool
	lo, hi float32
}

func popBoundsOf(f Filter) popBounds {
	if f.MinPopulation <= 0 && f.MaxPopulation <= 0 {
		return popBounds{}
	}
	b := popBounds{on: true, lo: float32(math.Log10(float64(f.MinPopulation) + 1)), hi: float32(math.Inf(1))}
	if f.MaxPopulation > 0 {
		b.hi = float32(math.Log10(float64(f.MaxPopulation) + 1))
	}
	return b
}

// in reports whether a candidate of log population lp passes, with
// scoreAll's tolerance.
func (b popBounds) in(lp float32) bool {
	return !b.on || (lp >= b.lo-1e-6 && lp <= b.hi+1e-6)
}

// zoneLayout is one set of candidates in block order, with each block's
// column ranges.
type zoneLayout struct {
	cols   columns
	cand   []int32 // engine candidate index
	blocks int
	stats  map[string]*zoneStats // by column name
}

// zoneStats are one column's per-block ranges; for a key column (a lookup
// term's), also the distinct keys of each block, keys[off[b]:off[b+1]].
type zoneStats struct {
	min, max []float32
	off      []int32
	keys     []uint16
}

// rankIndex holds the candidates in block order: linked ones (any
// twinning, so a popularity signal) and plain ones.
type rankIndex struct {
	linked, plain zoneLayout
}

func (e *Engine) newRankIndex() *rankIndex {
	var linked, plain []int32
	for c := range int32(e.n) {
		if e.reg.popMx[c] != 0 || e.reg.popAll[c] != 0 {
			linked = append(linked, c)
		} else {
			plain = append(plain, c)
		}
	}
	return &rankIndex{linked: e.zoneLayout(linked), plain: e.zoneLayout(plain)}
}

// zoneBand is the latitude band (degrees) of the block order.
const zoneBand = 2

func (e *Engine) zoneLayout(cands []int32) zoneLayout {
	band := func(c int32) int32 { return int32(e.absLat[c] / zoneBand) }
	slices.SortStableFunc(cands, func(a, b int32) int {
		switch {
		case e.country[a] != e.country[b]:
			return int(e.country[a]) - int(e.country[b])
		case band(a) != band(b):
			return int(band(a) - band(b))
		case e.logPop[a] < e.logPop[b]:
			return -1
		case e.logPop[a] > e.logPop[b]:
			return 1
		}
		return 0
	})
	l := zoneLayout{cols: e.cols.permute(cands), cand: cands, stats: map[string]*zoneStats{}}
	n := len(cands)
	l.blocks = (n + kernelBlock - 1) / kernelBlock
	keyCols := map[string]bool{}
	names := []string{colLogPop}
	for _, s := range signalList {
		if s.term == nil {
			continue
		}
		names = append(names, s.term.cols...)
		if s.term.op == opLookup {
			keyCols[s.term.cols[0]] = true
		}
	}
	for _, name := range names {
		if l.stats[name] != nil {
			continue
		}
		st := &zoneStats{min: make([]float32, l.blocks), max: make([]float32, l.blocks)}
		at := func(i int) float32 { return 0 }
		switch col := l.cols.column(name).(type) {
		case []float32:
			at = func(i int) float32 { return col[i] }
		case []uint8:
			at = func(i int) float32 { return float32(col[i]) }
		case []uint16:
			at = func(i int) float32 { return float32(col[i]) }
		}
		if keyCols[name] {
			st.off = make([]int32, l.blocks+1)
		}
		for b := range l.blocks {
			lo, hi := b*kernelBlock, min((b+1)*kernelBlock, n)
			mn, mx := at(lo), at(lo)
			var seen []uint16
			for i := lo; i < hi; i++ {
				v := at(i)
				mn, mx = min(mn, v), max(mx, v)
				if keyCols[name] && !slices.Contains(seen, uint16(v)) {
					seen = append(seen, uint16(v))
				}
			}
			st.min[b], st.max[b] = mn, mx
			if keyCols[name] {
				st.keys = append(st.keys, seen...)
				st.off[b+1] = int32(len(st.keys))
			}
		}
		l.stats[name] = st
	}
	return l
}

// termBound is the most term t can add to the score of any candidate of
// block b (negative for a structure penalty), in float64.
func (l *zoneLayout) termBound(t *boundTerm, b int) float64 {
	s := &signalList[t.sig]
	k := float64(t.k)
	dist := func(q float32, st *zoneStats) float64 {
		switch {
		case q < st.min[b]:
			return float64(st.min[b]) - float64(q)
		case q > st.max[b]:
			return float64(q) - float64(st.max[b])
		}
		return 0
	}
	switch t.op {
	case opClipDiff:
		return -k * min(dist(t.q0, l.stats[s.term.cols[0]])*float64(t.inv), 1)
	case opScaledDiff:
		return -k * dist(t.q0, l.stats[s.term.cols[0]]) * float64(t.inv)
	case opUnitDot:
		dot := 0.0
		for i, q := range [3]float32{t.q0, t.q1, t.q2} {
			st := l.stats[s.term.cols[i]]
			dot += max(float64(q)*float64(st.min[b]), float64(q)*float64(st.max[b]))
		}
		return k * (min(dot, 1) - 1)
	case opColumn:
		return k * float64(l.stats[s.term.cols[0]].max[b])
	case opLookup:
		st := l.stats[s.term.cols[0]]
		m := float32(0)
		for _, key := range st.keys[st.off[b]:st.off[b+1]] {
			m = max(m, t.table[key])
		}
		return k * float64(m)
	}
	return math.Inf(1)
}

// zoneBlockRef is one block of one layout with its bound for a query.
type zoneBlockRef struct {
	bound  float64
	layout int // 0 linked, 1 plain
	block  int
}

// prunedTop returns the top k candidates of qs, best first, as topK over
// scoreAll would. The filter is prunable.
func (r *ranker) prunedTop(qs *queryState) []int32 {
	e, ix := r.e, r.ix
	k := e.kernelOf(qs)
	layouts := [2]*zoneLayout{&ix.linked, &ix.plain}
	kernels := [2]boundKernel{k.bind(qs, &ix.linked.cols, false), k.bind(qs, &ix.plain.cols, true)}
	r.sel.reset(qs.q.K)

	// Candidates scored one by one are left out of the scans; as in
	// scoreAll, a negative dense score still rejects them.
	pb := popBoundsOf(qs.q.Filter)
	skip := make(map[int32]bool, len(qs.explicit))
	if len(qs.explicit) > 0 {
		cl := e.queryColumns(qs)
		dense := k.bind(qs, &cl, false)
		for c := range qs.explicit {
			skip[c] = true
			if d := dense.one(c); d >= 0 && pb.in(e.logPop[c]) {
				if s := float32(e.scoreOne(qs, c, nil)); s >= 0 {
					r.sel.offer(s, e.ids[c], c)
				}
			}
		}
	}

	refs := r.refs[:0]
	for li, l := range layouts {
		bk := &kernels[li]
		lp := l.stats[colLogPop]
		for b := range l.blocks {
			if pb.on && (lp.max[b] < pb.lo-1e-6 || lp.min[b] > pb.hi+1e-6) {
				continue // no candidate of the block passes the population filter
			}
			bound := float64(bk.base)
			for t := range bk.str {
				bound += l.termBound(&bk.str[t], b)
			}
			for t := range bk.net {
				bound += l.termBound(&bk.net[t], b)
			}
			refs = append(refs, zoneBlockRef{bound: bound, layout: li, block: b})
		}
	}
	slices.SortFunc(refs, func(a, b zoneBlockRef) int {
		switch {
		case a.bound > b.bound:
			return -1
		case a.bound < b.bound:
			return 1
		}
		return 0
	})
	r.refs = refs
	for _, ref := range refs {
		if r.sel.full() && ref.bound+pruneMargin < float64(r.sel.worst()) {
			break // no candidate of this block, nor of any after it, can enter
		}
		l := layouts[ref.layout]
		lo, hi := ref.block*kernelBlock, min((ref.block+1)*kernelBlock, len(l.cand))
		r.scored += int64(hi - lo)
		scoreLayout(&kernels[ref.layout], &l.cols, l.cand, lo, hi, skip, pb, &r.sel)
	}
	return r.sel.sorted()
}

// scoreLayout scores candidates lo..hi-1 of layout l with the kernel
// bound to it and offers them to sel.
func scoreLayout(bk *boundKernel, l *columns, cand []int32, lo, hi int, skip map[int32]bool, pb popBounds, sel *topSel) {
	var buf [kernelBlock]float32
	for off := lo; off < hi; off += kernelBlock {
		end := min(off+kernelBlock, hi)
		out := buf[:end-off]
		bk.block(off, end, nil, out)
		thr := max(sel.threshold(), 0)
		for i, s := range out {
			if s < thr {
				continue
			}
			c := off + i
			if len(skip) > 0 && skip[cand[c]] {
				continue
			}
			if !pb.in(l.logPop[c]) {
				continue
			}
			sel.offer(s, l.ids[c], cand[c])
			thr = max(sel.threshold(), 0)
		}
	}
}
