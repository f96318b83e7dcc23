package matcher

import (
	"math"
	"slices"
	"sort"
)

// Pruned top-k. A dense candidate's score is the kernel's base minus the
// structure penalties, plus the network term. The size penalty depends
// only on the |log population| difference, so with candidates sorted by
// log population, a query scans outwards from its own size and stops on
// each side once even a candidate with no other penalty and the largest
// network term a candidate without twinning links can have (each network
// signal's bound) could not beat the k-th score kept so far. Candidates
// with a twinning link are always scored. The candidates that do get
// scored go through the very kernel scoreAll uses, and the order (score,
// then GeoNames id) is a total one, so the top k is exactly Match's; the
// tests compare both paths.

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

// rankIndex splits the candidates: linked ones (any twinning, so a
// popularity signal) are always scored; plain ones are sorted by log
// population for the outward scan. Each keeps its engine index in cand.
type rankIndex struct {
	linked, plain         columns
	linkedCand, plainCand []int32
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
	slices.SortStableFunc(plain, func(a, b int32) int {
		switch {
		case e.logPop[a] < e.logPop[b]:
			return -1
		case e.logPop[a] > e.logPop[b]:
			return 1
		}
		return 0
	})
	return &rankIndex{linked: e.cols.permute(linked), plain: e.cols.permute(plain), linkedCand: linked, plainCand: plain}
}

// prunedTop returns the top k candidates of qs, best first, as topK over
// scoreAll would. The filter is prunable.
func (r *ranker) prunedTop(qs *queryState) []int32 {
	e, ix := r.e, r.ix
	k := e.kernelOf(qs)
	linked := k.bind(qs, &ix.linked, false)
	plain := k.bind(qs, &ix.plain, true)
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
	scan := func(bk *boundKernel, l *columns, cand []int32, lo, hi int) {
		r.scored += int64(hi - lo)
		scoreLayout(bk, l, cand, lo, hi, skip, pb, &r.sel)
	}
	scan(&linked, &ix.linked, ix.linkedCand, 0, len(ix.linkedCand))

	// The most a plain candidate can gain from the network term: each
	// network signal's bound on candidates without twinning links.
	nmax := 0.0
	for _, t := range plain.net {
		nmax += float64(t.k) * float64(t.bound)
	}
	kSize, base := 0.0, float64(k.base)
	for _, t := range plain.str {
		if signalList[t.sig].Name == FeatSize {
			kSize = float64(t.k)
		}
	}
	beaten := func(d float64) bool { // no plain candidate this far in size can enter
		if !r.sel.full() {
			return false
		}
		return base-kSize*min(d*(1/sizeSpan), 1)+nmax+pruneMargin < float64(r.sel.worst())
	}
	pl := &ix.plain
	// Plain candidates are sorted by log population, so a population
	// filter is a window [first, n) of them.
	first, n := 0, len(pl.ids)
	if pb.on {
		first = sort.Search(n, func(i int) bool { return pl.logPop[i] >= pb.lo-1e-6 })
		n = sort.Search(n, func(i int) bool { return pl.logPop[i] > pb.hi+1e-6 })
		n = max(n, first)
	}
	lp := qs.logPop
	hi, _ := slices.BinarySearch(pl.logPop, lp)
	hi = min(max(hi, first), n)
	lo := hi
	inf := math.Inf(1)
	for lo > first || hi < n {
		dLo, dHi := inf, inf
		if lo > first {
			if dLo = float64(lp) - float64(pl.logPop[lo-1]); beaten(dLo) {
				lo, dLo = first, inf
			}
		}
		if hi < n {
			if dHi = float64(pl.logPop[hi]) - float64(lp); beaten(dHi) {
				hi, dHi = n, inf
			}
		}
		switch {
		case dLo == inf && dHi == inf:
		case dLo <= dHi:
			a := max(first, lo-kernelBlock)
			scan(&plain, pl, ix.plainCand, a, lo)
			lo = a
		default:
			b := min(n, hi+kernelBlock)
			scan(&plain, pl, ix.plainCand, hi, b)
			hi = b
		}
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
