package matcher

import (
	"cmp"
	"maps"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Pruned top-k, exact from every bounded sub-feature. The candidates
// without a twinning (plain) and with one (linked) are laid out apart,
// each country on its own, and every country's candidates are cut into a
// tree of nodes: a node splits its candidates at the middle of the
// sub-feature whose spread, times its weight, moves the score most (log
// population, elevation, latitude, settlement type, the position, one
// trait, popularity), until a leaf holds at most zoneLeaf candidates. So a
// leaf's candidates are alike on every structure sub-feature, not only on
// size. Each node keeps, for every column the signals' terms read, its
// minimum and maximum and, for lookup keys, the distinct keys it holds.
//
// For a query, every term bounds what a node can contribute (termBound).
// The scan is best-first: the roots (one per layout and country, only the
// filter's countries when it names some) go into a max-heap by bound; the
// best node is opened (its children's bounds computed and pushed) or, for
// a leaf, scored through the very kernel scoreAll uses, and the scan stops
// once the best bound left cannot reach the k-th score kept. The order
// (score, then GeoNames id) is a total one, so the top k is exactly that
// of scoring every candidate; the tests compare both paths on random
// queries, weights and filters. Candidates scored one by one (a tie, a
// profile, a sparse-signal hit) are scored apart first and skipped by the
// scan, as in scoreAll.

// zoneLeaf is the most candidates a leaf holds.
const zoneLeaf = 32

// zoneKeyCap is the most distinct lookup keys a node lists; a node with
// more is bounded by the table's largest value.
const zoneKeyCap = 16

// zoneDepth caps the tree's depth (a leaf deeper than this may hold more
// than zoneLeaf candidates).
const zoneDepth = 48

// pruneMargin absorbs float32 rounding (a few ulps of values ≤ 1) when
// comparing an upper bound with a kept score.
const pruneMargin = 1e-5

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

// zoneNode is a range lo..hi-1 of a layout's candidates; left and right
// are its children, -1 on a leaf.
type zoneNode struct {
	lo, hi      int32
	left, right int32
}

// zoneRoot is the tree of one country's candidates.
type zoneRoot struct {
	country uint16
	node    int32
}

// zoneLayout is one set of candidates in tree order, with each node's
// column ranges.
type zoneLayout struct {
	cols  columns
	cand  []int32 // engine candidate index
	nodes []zoneNode
	roots []zoneRoot
	// top is the node above every country's root (-1: no candidates): a
	// tree over the countries' roots, grouped by where their candidates
	// lie, so that a scan over every country bounds the roots it may
	// open rather than all of them. Its nodes follow the countries'
	// trees in nodes, after their children.
	top   int32
	stats map[string]*zoneStats // by column name
	// box holds, node after node, every column's minimum and maximum
	// (node n's column at slot[name] is box[n*stride+slot], its maximum
	// the next value): what nodeBound reads of a node, side by side.
	box    []float32
	stride int
	slot   map[string]int32
}

// zoneStats are one column's ranges by node; for a key column (a lookup
// term's), also each node's distinct keys (nil with over when it holds
// more than zoneKeyCap).
type zoneStats struct {
	min, max []float32
	keys     [][]uint16
	over     []bool
	mask     []uint64 // key columns of at most 64 categories: the keys as bits
}

// rankIndex holds the candidates in tree order: linked ones (any
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

// splitDim is one way to split a node: a column, the weight of one unit
// of it in the score and the spread beyond which the term stops growing.
type splitDim struct {
	w, span float64
	col     []float32 // by engine candidate
}

// splitDims are the dimensions the tree splits on, weighted by the
// engine's weights so that the split follows what moves the score.
func (e *Engine) splitDims() []splitDim {
	wS, wN := e.w.Components[CompStructure], e.w.Components[CompNetwork]
	if t := wS + wN; t > 0 {
		wS, wN = wS/t, wN/t
	}
	sub := func(comp string) map[string]float64 {
		out := map[string]float64{}
		t := 0.0
		for _, i := range signalsOf(comp) {
			t += e.w.subWeight(&signalList[i])
		}
		for _, i := range signalsOf(comp) {
			if t > 0 {
				out[signalList[i].Name] = e.w.subWeight(&signalList[i]) / t
			}
		}
		return out
	}
	ws, wn := sub(CompStructure), sub(CompNetwork)
	dims := []splitDim{
		{wS * ws[FeatSize] / sizeSpan, sizeSpan, e.logPop},
		{wS * ws[FeatElevation] / elevSpan, elevSpan, e.elev},
		{wS * ws[FeatClimate] / climSpan, climSpan, e.absLat},
		{wS * ws[FeatType] / typeSpan, typeSpan, float32s(e.ptype)},
		{wS * ws[FeatProximity] / 2, 2, e.ux},
		{wS * ws[FeatProximity] / 2, 2, e.uy},
		{wS * ws[FeatProximity] / 2, 2, e.uz},
		{wN * wn[FeatMexPopularity], 1, e.reg.popMx},
		{wN * wn[FeatGlobalPopularity], 1, e.reg.popAll},
	}
	for _, d := range traitDefs {
		col := make([]float32, e.n)
		for c, t := range e.traits {
			if t&d.bit != 0 {
				col[c] = 1
			}
		}
		dims = append(dims, splitDim{wS * ws[FeatTraits] / float64(len(traitDefs)), 1, col})
	}
	return slices.DeleteFunc(dims, func(d splitDim) bool { return d.w <= 0 })
}

func float32s(u []uint8) []float32 {
	out := make([]float32, len(u))
	for i, v := range u {
		out[i] = float32(v)
	}
	return out
}

// buildZone appends the node of cands[lo:hi] and its subtree, reordering
// cands; it returns the node's index. rows holds, for each position of
// cands, its values on every dimension (nd of them, side by side), and is
// reordered with cands: a node reads its candidates' values in one
// sequential pass instead of a column lookup per dimension.
func (l *zoneLayout) buildZone(cands []int32, rows []float32, lo, hi, depth int, dims []splitDim) int32 {
	id := int32(len(l.nodes))
	l.nodes = append(l.nodes, zoneNode{lo: int32(lo), hi: int32(hi), left: -1, right: -1})
	if hi-lo <= zoneLeaf || depth >= zoneDepth {
		return id
	}
	nd := len(dims)
	var mnBuf, mxBuf [64]float32
	mn, mx := mnBuf[:nd], mxBuf[:nd]
	copy(mn, rows[lo*nd:(lo+1)*nd])
	copy(mx, mn)
	for r := lo + 1; r < hi; r++ {
		row := rows[r*nd : (r+1)*nd]
		for d, v := range row {
			if v < mn[d] {
				mn[d] = v
			}
			if v > mx[d] {
				mx[d] = v
			}
		}
	}
	best, bestGain := -1, 0.0
	var bestMid float32
	for di, d := range dims {
		if gain := d.w * min(float64(mx[di])-float64(mn[di]), d.span); gain > bestGain {
			best, bestGain, bestMid = di, gain, mn[di]+(mx[di]-mn[di])/2
			if bestMid <= mn[di] {
				bestMid = mx[di] // adjacent floats: split min from max
			}
		}
	}
	if best < 0 {
		return id // every candidate alike on every dimension
	}
	i, j := lo, hi-1
	var tmp [64]float32
	for i <= j {
		if rows[i*nd+best] < bestMid {
			i++
		} else {
			cands[i], cands[j] = cands[j], cands[i]
			ri, rj := rows[i*nd:(i+1)*nd], rows[j*nd:(j+1)*nd]
			copy(tmp[:nd], ri)
			copy(ri, rj)
			copy(rj, tmp[:nd])
			j--
		}
	}
	left := l.buildZone(cands, rows, lo, i, depth+1, dims)
	right := l.buildZone(cands, rows, i, hi, depth+1, dims)
	l.nodes[id].left, l.nodes[id].right = left, right
	return id
}

func (e *Engine) zoneLayout(cands []int32) zoneLayout {
	sortByCountry(cands, e.country)
	l := zoneLayout{stats: map[string]*zoneStats{}}
	dims := e.splitDims()
	// Each country's tree is built on its own (on every core: the
	// ranges of cands are disjoint), then the trees are laid end to end
	// in country order, as one pass over the countries would lay them.
	type span struct{ lo, hi int }
	var spans []span
	for lo := 0; lo < len(cands); {
		hi := lo
		for hi < len(cands) && e.country[cands[hi]] == e.country[cands[lo]] {
			hi++
		}
		spans = append(spans, span{lo, hi})
		lo = hi
	}
	nd := len(dims)
	if nd > 64 {
		panic("matcher: more than 64 split dimensions")
	}
	rows := make([]float32, len(cands)*nd)
	for i, c := range cands {
		for d := range dims {
			rows[i*nd+d] = dims[d].col[c]
		}
	}
	trees := make([][]zoneNode, len(spans))
	bySize := make([]int, len(spans))
	for i := range bySize {
		bySize[i] = i
	}
	slices.SortStableFunc(bySize, func(a, b int) int { return (spans[b].hi - spans[b].lo) - (spans[a].hi - spans[a].lo) })
	eachParallel(len(spans), func(j int) {
		i := bySize[j]
		var t zoneLayout
		t.buildZone(cands, rows, spans[i].lo, spans[i].hi, 0, dims)
		trees[i] = t.nodes
	})
	for i, t := range trees {
		off := int32(len(l.nodes))
		for _, nd := range t {
			if nd.left >= 0 {
				nd.left, nd.right = nd.left+off, nd.right+off
			}
			l.nodes = append(l.nodes, nd)
		}
		l.roots = append(l.roots, zoneRoot{country: e.country[cands[spans[i].lo]], node: off})
	}
	treeNodes := len(l.nodes)
	// The roots' tree groups the countries by their boxes: each
	// country's minimum and maximum on every dimension.
	boxes := make([]float32, len(spans)*2*nd)
	for i, sp := range spans {
		bx := boxes[i*2*nd : (i+1)*2*nd]
		copy(bx[:nd], rows[sp.lo*nd:(sp.lo+1)*nd])
		copy(bx[nd:], bx[:nd])
		for r := sp.lo + 1; r < sp.hi; r++ {
			for d, v := range rows[r*nd : (r+1)*nd] {
				bx[d], bx[nd+d] = min(bx[d], v), max(bx[nd+d], v)
			}
		}
	}
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	l.top = l.buildTop(order, boxes, dims)
	l.cols, l.cand = e.cols.permute(cands), cands
	keyCols := map[string]bool{}
	names := []string{colLogPop}
	seen := map[string]bool{}
	for _, s := range signalList {
		if s.term == nil {
			continue
		}
		names = append(names, s.term.cols...)
		if s.term.op == opLookup {
			keyCols[s.term.cols[0]] = true
		}
	}
	names = slices.DeleteFunc(names, func(n string) bool {
		dup := seen[n]
		seen[n] = true
		return dup
	})
	nn := len(l.nodes)
	stats := make([]*zoneStats, len(names))
	eachParallel(len(names), func(ni int) {
		name := names[ni]
		st := &zoneStats{min: make([]float32, nn), max: make([]float32, nn)}
		var at func(i int32) float32
		switch col := l.cols.column(name).(type) {
		case []float32:
			at = func(i int32) float32 { return col[i] }
		case []uint8:
			at = func(i int32) float32 { return float32(col[i]) }
		case []uint16:
			at = func(i int32) float32 { return float32(col[i]) }
		}
		key := keyCols[name]
		if key {
			small := true
			for i := range int32(len(cands)) {
				if at(i) >= 64 {
					small = false
					break
				}
			}
			if small {
				st.mask = make([]uint64, nn)
			}
		}
		// The keys are listed for a column too wide for bits.
		list := key && st.mask == nil
		if list {
			st.keys, st.over = make([][]uint16, nn), make([]bool, nn)
		}
		// In the countries' trees children come after their parent: they
		// are filled from the end; the roots' tree, after them, from its
		// start (its children come first).
		for i := range nn {
			n := treeNodes - 1 - i
			if n < 0 {
				n = i
			}
			nd := l.nodes[n]
			if nd.left < 0 {
				mn, mx := at(nd.lo), at(nd.lo)
				var seen []uint16
				for i := nd.lo; i < nd.hi; i++ {
					v := at(i)
					mn, mx = min(mn, v), max(mx, v)
					if list && !st.over[n] && !slices.Contains(seen, uint16(v)) {
						if len(seen) == zoneKeyCap {
							st.over[n], seen = true, nil
						} else {
							seen = append(seen, uint16(v))
						}
					}
				}
				st.min[n], st.max[n] = mn, mx
				if list {
					st.keys[n] = seen
				}
				if st.mask != nil {
					for i := nd.lo; i < nd.hi; i++ {
						st.mask[n] |= 1 << uint(at(i))
					}
				}
				continue
			}
			a, b := nd.left, nd.right
			st.min[n], st.max[n] = min(st.min[a], st.min[b]), max(st.max[a], st.max[b])
			if !key {
				continue
			}
			if st.mask != nil {
				st.mask[n] = st.mask[a] | st.mask[b]
			}
			if !list {
				continue
			}
			if st.over[a] || st.over[b] {
				st.over[n] = true
				continue
			}
			// The lists are read only once built: a child's list that
			// holds the other's serves the node too (in one country's
			// tree every node lists the same country).
			u := st.keys[a]
			if !containsAll(u, st.keys[b]) {
				if containsAll(st.keys[b], u) {
					u = st.keys[b]
				} else {
					u = slices.Clone(u)
					for _, k := range st.keys[b] {
						if !slices.Contains(u, k) {
							u = append(u, k)
						}
					}
				}
			}
			if len(u) > zoneKeyCap {
				st.over[n] = true
				continue
			}
			st.keys[n] = u
		}
		stats[ni] = st
	})
	for i, name := range names {
		l.stats[name] = stats[i]
	}
	l.slot = make(map[string]int32, len(l.stats))
	for _, name := range slices.Sorted(maps.Keys(l.stats)) {
		l.slot[name] = int32(2 * len(l.slot))
	}
	l.stride = 2 * len(l.slot)
	l.box = make([]float32, nn*l.stride)
	for name, st := range l.stats {
		o := int(l.slot[name])
		for n := range nn {
			l.box[n*l.stride+o], l.box[n*l.stride+o+1] = st.min[n], st.max[n]
		}
	}
	return l
}

// buildTop appends the roots' tree over the countries in order (by
// position in spans; boxes holds each one's minimum and maximum on every
// dimension) and returns its node: the country's own root for one
// country, -1 for none. A node splits its countries in halves by the
// middle of their boxes on the dimension where the halves' boxes are
// narrower than the whole by the most, times its weight (so that its
// children's bounds differ from its own: the roots' boxes are wide on
// size, narrow on position). order is reordered.
func (l *zoneLayout) buildTop(order []int, boxes []float32, dims []splitDim) int32 {
	switch len(order) {
	case 0:
		return -1
	case 1:
		return l.roots[order[0]].node
	}
	nd := len(dims)
	lo := func(i, d int) float32 { return boxes[i*2*nd+d] }
	hi := func(i, d int) float32 { return boxes[i*2*nd+nd+d] }
	width := func(part []int, d int, span float64) float64 {
		mn, mx := lo(part[0], d), hi(part[0], d)
		for _, i := range part[1:] {
			mn, mx = min(mn, lo(i, d)), max(mx, hi(i, d))
		}
		return min(float64(mx)-float64(mn), span)
	}
	byMiddle := func(d int) {
		slices.SortStableFunc(order, func(a, b int) int {
			return cmp.Compare(lo(a, d)+hi(a, d), lo(b, d)+hi(b, d))
		})
	}
	h := len(order) / 2
	best, bestGain := 0, math.Inf(-1)
	for di, d := range dims {
		byMiddle(di)
		gain := d.w * (width(order, di, d.span) - (width(order[:h], di, d.span)+width(order[h:], di, d.span))/2)
		if gain > bestGain {
			best, bestGain = di, gain
		}
	}
	byMiddle(best)
	left := l.buildTop(order[:h], boxes, dims)
	right := l.buildTop(order[h:], boxes, dims)
	l.nodes = append(l.nodes, zoneNode{left: left, right: right})
	return int32(len(l.nodes) - 1)
}

// containsAll reports whether every key of sub is in keys.
func containsAll(keys, sub []uint16) bool {
	for _, k := range sub {
		if !slices.Contains(keys, k) {
			return false
		}
	}
	return true
}

// sortByCountry orders cands by country, keeping their order within a
// country (a counting sort: a stable comparison sort of ~183k costs more).
func sortByCountry(cands []int32, country []uint16) {
	var count [1 << 16]int32
	for _, c := range cands {
		count[country[c]]++
	}
	pos := int32(0)
	for i, n := range count {
		count[i] = pos
		pos += n
	}
	out := make([]int32, len(cands))
	for _, c := range cands {
		out[count[country[c]]] = c
		count[country[c]]++
	}
	copy(cands, out)
}

// eachParallel runs f(0..n-1) on GOMAXPROCS goroutines.
func eachParallel(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// zoneTerm is a bound term prepared for nodeBound: its numbers in
// float64, where its columns' ranges sit in a node's box, and for a
// lookup its key statistics.
type zoneTerm struct {
	kind       uint8 // zoneClip, …: the op as a small number (a string switch costs in this loop)
	k, inv     float64
	q0, q1, q2 float64
	o0, o1, o2 int32 // offsets of the columns' minimum in a node's box (the maximum follows)
	key        *zoneStats
	table      []float32
	tabMax     float32
	top        uint64 // a lookup with key bits: the keys worth tabMax (past the table too)
}

// The ops as nodeBound switches on them.
const (
	zoneClip uint8 = iota
	zoneScaled
	zoneUnitDot
	zoneColumn
	zoneLookup
)

var zoneKinds = map[termOp]uint8{opClipDiff: zoneClip, opScaledDiff: zoneScaled, opUnitDot: zoneUnitDot, opColumn: zoneColumn, opLookup: zoneLookup}

// zoneBounds are a query's bound terms for one layout, grouped by op so
// that nodeBound runs one loop per op rather than a switch per term.
type zoneBounds struct {
	base                              float64
	clip, scaled, dot, column, lookup []zoneTerm
	// addMax is the most the column and lookup terms (the ones that
	// add) give any node of the layout: each one's weight times its
	// largest value.
	addMax float64
}

// zoneTerms prepares every term of bk for l into zb, reusing its slices.
func (l *zoneLayout) zoneTerms(bk *boundKernel, zb *zoneBounds) {
	zb.base, zb.addMax = float64(bk.base), 0
	zb.clip, zb.scaled, zb.dot, zb.column, zb.lookup = zb.clip[:0], zb.scaled[:0], zb.dot[:0], zb.column[:0], zb.lookup[:0]
	add := func(t *boundTerm) {
		zt := zoneTerm{kind: zoneKinds[t.op], k: float64(t.k), inv: float64(t.inv), q0: float64(t.q0), q1: float64(t.q1), q2: float64(t.q2),
			table: t.table, tabMax: t.tmax}
		cols := signalList[t.sig].term.cols
		offs := [3]int32{}
		for i, name := range cols {
			offs[i] = l.slot[name]
		}
		zt.o0, zt.o1, zt.o2 = offs[0], offs[1], offs[2]
		switch zt.kind {
		case zoneClip:
			zb.clip = append(zb.clip, zt)
		case zoneScaled:
			zb.scaled = append(zb.scaled, zt)
		case zoneUnitDot:
			// The largest q·x over [lo, hi] is q·hi for q ≥ 0, q·lo
			// otherwise: the offsets point at the one to read.
			for _, o := range []struct {
				q   float64
				off *int32
			}{{zt.q0, &zt.o0}, {zt.q1, &zt.o1}, {zt.q2, &zt.o2}} {
				if o.q >= 0 {
					*o.off++
				}
			}
			zb.dot = append(zb.dot, zt)
		case zoneColumn:
			if l.top >= 0 {
				zb.addMax += zt.k * float64(l.stats[cols[0]].max[l.top])
			}
			zb.column = append(zb.column, zt)
		case zoneLookup:
			zt.key = l.stats[cols[0]]
			if zt.key.mask != nil {
				for k := range 64 {
					if k >= len(zt.table) || zt.table[k] == zt.tabMax {
						zt.top |= 1 << k
					}
				}
			}
			zb.addMax += zt.k * float64(zt.tabMax)
			zb.lookup = append(zb.lookup, zt)
		}
	}
	for i := range bk.str {
		add(&bk.str[i])
	}
	for i := range bk.net {
		add(&bk.net[i])
	}
}

// posPart is max(x, 0) for a finite x, by its bits (no branch: the sign
// of these differences is unpredictable); −0 gives +0.
func posPart(x float64) float64 {
	b := math.Float64bits(x)
	return math.Float64frombits(b &^ uint64(int64(b)>>63))
}

// min1 is min(x, 1) for x ≥ 0, by its bits (as clip1 does in float32).
func min1(x float64) float64 {
	const one = 0x3ff0000000000000
	d := int64(math.Float64bits(x)) - one
	return math.Float64frombits(uint64(one + d&(d>>63)))
}

// nodeBound is the most any candidate of node n of l can score: the
// kernel's base plus, for every term, the most it can add (negative for a
// structure penalty), in float64. It reads the node's box, one short run
// of memory, rather than a column of ranges per term. When the penalties
// alone, with every adding term at its largest, leave the node below
// cut, it returns that (a bound too, and below cut) without reading the
// lookups.
func (l *zoneLayout) nodeBound(zb *zoneBounds, n int32, cut float64) float64 {
	box := l.box[int(n)*l.stride:]
	box = box[:l.stride]
	bound := zb.base
	for i := range zb.clip {
		zt := &zb.clip[i]
		// The distance from q to the node's range: at most one of the
		// two parts is positive.
		d := posPart(float64(box[zt.o0])-zt.q0) + posPart(zt.q0-float64(box[zt.o0+1]))
		bound -= zt.k * min1(d*zt.inv)
	}
	for i := range zb.scaled {
		zt := &zb.scaled[i]
		d := posPart(float64(box[zt.o0])-zt.q0) + posPart(zt.q0-float64(box[zt.o0+1]))
		bound -= zt.k * (d * zt.inv)
	}
	for i := range zb.dot {
		zt := &zb.dot[i]
		// o0, o1, o2 point at each column's end that maximises q·x.
		dot := zt.q0*float64(box[zt.o0]) + zt.q1*float64(box[zt.o1]) + zt.q2*float64(box[zt.o2])
		if dot > 1 {
			dot = 1
		}
		bound += zt.k * (dot - 1)
	}
	if c := bound + zb.addMax; c+pruneMargin < cut {
		return c
	}
	for i := range zb.column {
		zt := &zb.column[i]
		bound += zt.k * float64(box[zt.o0+1])
	}
	for i := range zb.lookup {
		zt := &zb.lookup[i]
		st := zt.key
		m := zt.tabMax
		switch {
		case st.mask != nil && st.mask[n]&zt.top != 0:
			// The node holds a key of the table's largest value (as a
			// country's root, holding most keys, does): m stays tabMax.
		case st.mask != nil:
			// The node's keys as bits: the best of their values (a node
			// holds few keys).
			m = float32(math.Inf(-1))
			tab := zt.table
			for mask := st.mask[n]; mask != 0; mask &= mask - 1 {
				v := zt.tabMax
				if key := bits.TrailingZeros64(mask); key < len(tab) {
					v = tab[key]
				}
				if v > m {
					m = v
				}
			}
		case !st.over[n]:
			m = float32(math.Inf(-1))
			for _, key := range st.keys[n] {
				if v := zt.table[key]; v > m {
					m = v
				}
			}
		}
		bound += zt.k * float64(m)
	}
	return bound
}

// zoneRef is one node of one layout with its bound for a query.
type zoneRef struct {
	bound  float64
	layout int32 // 0 linked, 1 plain
	node   int32
}

// zoneHeap is a max-heap of nodes by bound.
type zoneHeap []zoneRef

func (h *zoneHeap) push(r zoneRef) {
	*h = append(*h, r)
	s := *h
	// Up from a hole at the end: parents move down, r goes in once.
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p].bound >= r.bound {
			break
		}
		s[i] = s[p]
		i = p
	}
	s[i] = r
}

func (h *zoneHeap) pop() zoneRef {
	s := *h
	top := s[0]
	last := len(s) - 1
	x := s[last]
	// Down from a hole at the root: the larger child moves up until the
	// last entry fits. The last entry's old place holds a sentinel below
	// every bound, so a missing right child needs no test, and the larger
	// child is chosen without a branch (these compares go either way).
	n := last
	s[n] = zoneRef{bound: math.Inf(-1)}
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		pair := s[l : l+2 : l+2]
		d := 0
		if pair[1].bound > pair[0].bound {
			d = 1
		}
		if x.bound >= pair[d].bound {
			break
		}
		m := l + d
		s[i] = s[m]
		i = m
	}
	if n > 0 {
		s[i] = x
	}
	*h = s[:n]
	return top
}

// zoneFilter is what a filter asks of a candidate, checked one by one and
// used to skip whole nodes.
type zoneFilter struct {
	pop       popBounds
	traits    Trait
	countries map[uint16]bool // nil: every country
}

func (e *Engine) zoneFilterOf(qs *queryState) zoneFilter {
	zf := zoneFilter{pop: popBoundsOf(qs.q.Filter), traits: qs.traitFilter}
	if cs := qs.q.Filter.Countries; len(cs) > 0 {
		zf.countries = map[uint16]bool{}
		for _, cc := range cs {
			if cid, ok := e.countryID[cc]; ok {
				zf.countries[cid] = true
			}
		}
	}
	return zf
}

// passes reports whether candidate c passes the filter's per-candidate
// checks (population, traits, country).
func (e *Engine) passes(zf *zoneFilter, c int32) bool {
	if !zf.pop.in(e.logPop[c]) || e.traits[c]&zf.traits != zf.traits {
		return false
	}
	return zf.countries == nil || zf.countries[e.country[c]]
}

// nodeMayPass reports whether some candidate of node n of l may pass the
// population and trait filters.
func (l *zoneLayout) nodeMayPass(zf *zoneFilter, n int32) bool {
	if zf.pop.on {
		lp := l.stats[colLogPop]
		if lp.max[n] < zf.pop.lo-1e-6 || lp.min[n] > zf.pop.hi+1e-6 {
			return false
		}
	}
	if zf.traits != 0 {
		st := l.stats[colTraits]
		if st == nil || st.mask == nil {
			return true
		}
		for m := st.mask[n]; m != 0; m &= m - 1 {
			if Trait(bits.TrailingZeros64(m))&zf.traits == zf.traits {
				return true
			}
		}
		return false
	}
	return true
}

// prunedTop returns the top k candidates of qs, best first, as topK over
// scoreAll (and filterTraits) would.
func (r *ranker) prunedTop(qs *queryState) []int32 {
	e, ix := r.e, r.ix
	k := &r.kern
	e.kernelInto(k, qs)
	layouts := [2]*zoneLayout{&ix.linked, &ix.plain}
	kernels := &r.kernels
	k.bindInto(&kernels[0], qs, &ix.linked.cols, false)
	k.bindInto(&kernels[1], qs, &ix.plain.cols, true)
	r.sel.reset(qs.q.K)
	f := qs.q.Filter
	zf := e.zoneFilterOf(qs)

	// Candidates scored one by one (qs.explicit) are left out of the
	// scans; as in scoreAll, a negative dense score still rejects them.
	r.explicitIn, r.explicitOK, r.skipBits = 0, 0, 0
	if len(qs.explicit) > 0 {
		cl := e.queryColumns(qs)
		dense := &r.kernels[2]
		k.bindInto(dense, qs, &cl, false)
		for c := range qs.explicit {
			r.skipBits |= 1 << (uint32(c) & 63)
			if !e.passes(&zf, c) {
				continue
			}
			r.explicitIn++
			if (f.ExcludeTwinned && qs.twinned[c]) || (f.OnlyProfiled && qs.dyn.profiles[c] == nil) {
				continue
			}
			if d := dense.one(c); d >= 0 {
				if s := float32(e.scoreOne(qs, c, nil)); s >= 0 {
					r.explicitOK++
					r.sel.offer(s, e.ids[c], c)
				}
			}
		}
	}
	if f.OnlyProfiled {
		return r.sel.sorted() // every profiled candidate is scored one by one
	}

	h := zoneHeap(r.heap[:0])
	for li, l := range layouts {
		l.zoneTerms(&kernels[li], &r.terms[li])
		if zf.countries == nil {
			// Every country: the roots' tree, opened as any node is.
			if l.top >= 0 && l.nodeMayPass(&zf, l.top) {
				r.bounds++
				h.push(zoneRef{bound: l.nodeBound(&r.terms[li], l.top, math.Inf(-1)), layout: int32(li), node: l.top})
			}
			continue
		}
		for _, root := range l.roots {
			if !zf.countries[root.country] {
				continue
			}
			if l.nodeMayPass(&zf, root.node) {
				r.bounds++
				h.push(zoneRef{bound: l.nodeBound(&r.terms[li], root.node, math.Inf(-1)), layout: int32(li), node: root.node})
			}
		}
	}
	sc := headScan{e: e, sel: &r.sel, buf: &r.buf, kernels: &r.kernels, terms: &r.terms, layouts: layouts,
		skip: qs.explicit, skipBits: r.skipBits, zf: &zf}
	if qs.q.K >= splitMinK && zf.countries == nil && len(h) > 0 && e.borrowCore() {
		h = r.splitScan(&sc, h)
		e.returnCore()
	} else {
		h = sc.run(h)
	}
	r.scored += sc.scored
	r.bounds += sc.bounds
	r.heap = h[:0]
	return r.sel.sorted()
}

// headScan is one goroutine's part of the pruned scan: its selector,
// scratch and kernels (the kernels' scratch is per goroutine), the
// layouts and bound terms (read only, shared), and what it counted.
type headScan struct {
	e        *Engine
	sel      *topSel
	buf      *[kernelBlock]float32
	kernels  *[3]boundKernel
	terms    *[2]zoneBounds
	layouts  [2]*zoneLayout
	skip     map[int32]bool
	skipBits uint64
	zf       *zoneFilter
	// In a split scan both goroutines offer to one selector under mu
	// (a leaf's candidates at once), and shared holds its k-th score once
	// it is full (float32 bits: scores ≥ 0 order as their bits do; 0
	// while unknown), so that each prunes by the one top k. nil: one
	// goroutine, sel its own.
	mu             *sync.Mutex
	shared         *atomic.Uint32
	scored, bounds int64
}

// cut is the score a node's bound must reach to be opened: the k-th
// score kept; −Inf while the selector is not full.
func (sc *headScan) cut() float64 {
	if sc.mu != nil {
		if v := sc.shared.Load(); v != 0 {
			return float64(math.Float32frombits(v))
		}
		return math.Inf(-1)
	}
	if sc.sel.full() {
		return float64(sc.sel.worst())
	}
	return math.Inf(-1)
}

// run is the best-first scan from the nodes of h until no node left can
// reach the top k; it returns h emptied (its space kept).
func (sc *headScan) run(h zoneHeap) zoneHeap { return sc.runUntil(h, false) }

// runUntil is run; with untilFull it stops, returning the nodes left,
// after the leaf that fills the selector.
func (sc *headScan) runUntil(h zoneHeap, untilFull bool) zoneHeap {
	for len(h) > 0 {
		ref := h.pop()
		// Down the tree while the better child stays the best node left:
		// it would be pushed and popped at once, so it is taken directly
		// (the nodes are still opened in the order of their bounds).
		for {
			cut := sc.cut()
			if ref.bound+pruneMargin < cut {
				return h[:0] // no candidate of this node, nor of any left, can enter
			}
			l := sc.layouts[ref.layout]
			nd := l.nodes[ref.node]
			if nd.left < 0 {
				sc.scored += int64(nd.hi - nd.lo)
				sc.scoreLeaf(&sc.kernels[ref.layout], l, int(nd.lo), int(nd.hi))
				if untilFull && sc.sel.full() {
					return h
				}
				break
			}
			var kids [2]zoneRef
			nk := 0
			for _, ch := range [2]int32{nd.left, nd.right} {
				if !l.nodeMayPass(sc.zf, ch) {
					continue
				}
				sc.bounds++
				b := l.nodeBound(&sc.terms[ref.layout], ch, cut)
				if b+pruneMargin < cut {
					continue
				}
				kids[nk] = zoneRef{bound: b, layout: ref.layout, node: ch}
				nk++
			}
			if nk == 0 {
				break
			}
			if nk == 2 {
				if kids[1].bound > kids[0].bound {
					kids[0], kids[1] = kids[1], kids[0]
				}
				h.push(kids[1])
			}
			if len(h) > 0 && h[0].bound > kids[0].bound {
				h.push(kids[0])
				break
			}
			ref = kids[0]
		}
	}
	return h
}

// splitMinK is the smallest k whose scan is split when a core is idle:
// the second stage's head (RerankPoolHead and more). A shorter scan, or
// one over a few countries, pays for the helper's start and scores more
// for the split (each goroutine opens nodes the other's finds would have
// pruned) than it saves.
const splitMinK = 150

// splitScan runs the scan of h on two goroutines, this one and a helper
// on the borrowed core. This one scans alone until the selector is full;
// the nodes left are then dealt out alternately by bound (the best to
// one, the next two to the other, …) so that both get promising ones.
// Both offer to the one selector, under a lock taken once per leaf, and
// prune by its k-th score: the candidates kept are those of the scan on
// one goroutine (the order, score then id, is total), the work about
// the same, split.
func (r *ranker) splitScan(sc *headScan, h zoneHeap) zoneHeap {
	if h = sc.runUntil(h, true); len(h) < 2 {
		return sc.run(h)
	}
	if r.helper == nil {
		r.helper = &scanHelper{}
	}
	hp := r.helper
	for i := range 2 {
		tmp := hp.kernels[i].tmp
		hp.kernels[i] = r.kernels[i]
		if tmp == nil {
			tmp = new([kernelBlock]float32)
		}
		hp.kernels[i].tmp = tmp
	}
	var mu sync.Mutex
	var shared atomic.Uint32
	shared.Store(math.Float32bits(nonNegative(sc.sel.worst())))
	sc.mu, sc.shared = &mu, &shared
	other := *sc
	other.buf, other.kernels = &hp.buf, &hp.kernels
	other.scored, other.bounds = 0, 0
	var mineBuf [64]zoneRef
	mine, theirs := mineBuf[:0], hp.heap[:0]
	for i := 0; len(h) > 0; i++ {
		ref := h.pop()
		if i%4 == 0 || i%4 == 3 {
			mine = append(mine, ref)
		} else {
			theirs.push(ref)
		}
	}
	// h is empty; its space holds mine (in bound order, a valid max-heap).
	h = append(h[:0], mine...)
	var wg sync.WaitGroup
	wg.Go(func() { theirs = other.run(theirs) })
	h = sc.run(h)
	wg.Wait()
	hp.heap = theirs[:0]
	sc.mu, sc.shared = nil, nil
	sc.scored += other.scored
	sc.bounds += other.bounds
	return h
}

// scanHelper is the state of the helper goroutine of a split scan, kept
// with the ranker from one match to the next.
type scanHelper struct {
	heap    zoneHeap
	buf     [kernelBlock]float32
	kernels [3]boundKernel // the ranker's, each with scratch of its own
}

// scoreLeaf scores candidates lo..hi-1 of layout l with the kernel
// bound to it and offers those that pass the filter to r.sel, leaving out
// the ones in skip (looked up only when r.skipBits, the skipped
// candidates' indexes mod 64 as bits, has the candidate's bit: most
// candidates need no map lookup).
func (sc *headScan) scoreLeaf(bk *boundKernel, l *zoneLayout, lo, hi int) {
	if sc.mu != nil {
		sc.scoreLeafShared(bk, l, lo, hi)
		return
	}
	sel := sc.sel
	cand, ids := l.cand, l.cols.ids
	for off := lo; off < hi; off += kernelBlock {
		end := min(off+kernelBlock, hi)
		out := sc.buf[:end-off]
		bk.block(off, end, nil, out)
		thr := nonNegative(sel.threshold())
		for i, s := range out {
			if s < thr {
				continue
			}
			c := off + i
			if !sc.admits(cand[c]) {
				continue
			}
			sel.offer(s, ids[c], cand[c])
			thr = nonNegative(sel.threshold())
		}
	}
}

// scoreLeafShared is scoreLeaf in a split scan: the candidates that
// reach the selector's k-th score as last seen are offered at once,
// under the lock.
func (sc *headScan) scoreLeafShared(bk *boundKernel, l *zoneLayout, lo, hi int) {
	sel := sc.sel
	cand, ids := l.cand, l.cols.ids
	var keep [kernelBlock]int32
	for off := lo; off < hi; off += kernelBlock {
		end := min(off+kernelBlock, hi)
		out := sc.buf[:end-off]
		bk.block(off, end, nil, out)
		thr := math.Float32frombits(sc.shared.Load())
		n := 0
		for i, s := range out {
			if s < thr {
				continue
			}
			c := off + i
			if !sc.admits(cand[c]) {
				continue
			}
			keep[n] = int32(i)
			n++
		}
		if n == 0 {
			continue
		}
		sc.mu.Lock()
		for _, i := range keep[:n] {
			c := off + int(i)
			sel.offer(out[i], ids[c], cand[c])
		}
		if sel.full() {
			sc.shared.Store(math.Float32bits(nonNegative(sel.worst())))
		}
		sc.mu.Unlock()
	}
}

// admits reports whether candidate c, scored in a leaf, may be offered:
// not one scored one by one (skip) and passing the filters the leaf's
// bounds do not hold exactly (population, traits).
func (sc *headScan) admits(c int32) bool {
	if sc.skipBits>>(uint32(c)&63)&1 != 0 && sc.skip[c] {
		return false
	}
	zf := sc.zf
	return !(zf.pop.on || zf.traits != 0) || sc.e.passes(zf, c)
}

// nonNegative is max(x, 0) by a plain compare.
func nonNegative(x float32) float32 {
	if x > 0 {
		return x
	}
	return 0
}

// passed is how many candidates pass the filter of the query prunedTop
// last ran (topK's count over scoreAll): those the per-candidate checks
// let through, less the ones scored one by one and rejected.
func (r *ranker) passed(qs *queryState) int {
	e := r.e
	if qs.q.Filter.OnlyProfiled {
		return r.explicitOK
	}
	zf := e.zoneFilterOf(qs)
	n := 0
	if zf.countries == nil {
		n = e.n
	} else {
		for cid := range zf.countries {
			n += len(e.byCountry[cid])
		}
	}
	if zf.pop.on && zf.traits == 0 && zf.countries == nil {
		n = e.populationPassed(zf.pop) // popcount.go: two binary searches
	} else if zf.pop.on || zf.traits != 0 {
		n = 0
		count := func(cs []int32) {
			for _, c := range cs {
				if e.passes(&zf, c) {
					n++
				}
			}
		}
		if zf.countries == nil {
			for c := range int32(e.n) {
				if e.passes(&zf, c) {
					n++
				}
			}
		} else {
			for cid := range zf.countries {
				count(e.byCountry[cid])
			}
		}
	}
	return n - (r.explicitIn - r.explicitOK)
}

// leaves lists the candidates in the scan's order, linked then plain, and
// where each leaf starts in that order.
func (ix *rankIndex) leaves() (order, starts []int32) {
	for _, l := range [2]*zoneLayout{&ix.linked, &ix.plain} {
		off := int32(len(order))
		order = append(order, l.cand...)
		var mine []int32
		for _, nd := range l.nodes {
			if nd.left < 0 {
				mine = append(mine, off+nd.lo)
			}
		}
		slices.Sort(mine)
		starts = append(starts, mine...)
	}
	return order, starts
}
