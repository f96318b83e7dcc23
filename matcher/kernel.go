package matcher

import (
	"fmt"
	"math"
)

// The dense kernel scores candidates without a profile, a tie or a
// sparse-signal hit (the common case) from candidate columns, one block at
// a time. Each signal of signalList with a term contributes one pass over
// the block, in list order; the float32 operations and their order are
// fixed per op, so every path that uses the kernel (the exhaustive scan,
// the pruned scan, the exported features read by the numpy peer) gets the
// same bits.
//
// For a query, with a = the structure component's share of the weight and
// b = the network's (both renormalised over the components with data),
// and w the signal's sub-weight renormalised within its component:
//
//	structure signal, k = a·w (halved for unit_dot), base = Σ k (2k for unit_dot):
//	  clip_diff:   s -= k·min(|q − col|·inv, 1)
//	  scaled_diff: s -= k·|q − col|·inv
//	  unit_dot:    s += k·(q₀·col₀ + q₁·col₁ + q₂·col₂ − 1)
//	network signal, k = b·w, summed apart and added once: s += t, with
//	  column:      t += k·col
//	  lookup:      t += k·table[col]
//
// s starts at base, t at 0.

// termOp is how a dense term reads its columns.
type termOp string

const (
	opClipDiff   termOp = "clip_diff"
	opScaledDiff termOp = "scaled_diff"
	opUnitDot    termOp = "unit_dot"
	opColumn     termOp = "column"
	opLookup     termOp = "lookup"
)

// termSpec is a signal's dense term.
type termSpec struct {
	op    termOp
	cols  []string                       // candidate columns read, by name
	inv   float32                        // clip_diff and scaled_diff: 1/span
	query func(qs *queryState) []float32 // the query's side: one value, three for unit_dot
}

// Candidate column names, as exported for the peer.
const (
	colID      = "id"
	colLogPop  = "log_pop"
	colElev    = "elev"
	colAbsLat  = "abs_lat"
	colPType   = "ptype"
	colUX      = "ux"
	colUY      = "uy"
	colUZ      = "uz"
	colPopMx   = "pop_mx"
	colPopAll  = "pop_all"
	colCountry = "country"
	colUSState = "us_state"
	colTraits  = "traits" // a place's trait set (traits.go)
	colAdmin1  = "admin1" // first-level division, numbered across countries
)

// columns are the candidates' attributes in one order: the engine's, or a
// layout of the pruned scan.
type columns struct {
	ids                  []int64
	logPop, elev, absLat []float32
	ux, uy, uz           []float32
	popMx, popAll        []float32
	ptype, usState       []uint8
	country              []uint16
	traits               []uint8
	admin1               []uint16
}

// column returns a column by name: a []int64, []float32, []uint8 or []uint16.
func (cl *columns) column(name string) any {
	if name == colID {
		return cl.ids
	}
	switch f, u8, u16, ok := cl.typed(name); {
	case !ok:
		panic("matcher: no column " + name)
	case u8 != nil:
		return u8
	case u16 != nil:
		return u16
	default:
		return f
	}
}

// typed returns a column by name as the one of its three kinds it is (the
// others nil), without boxing it in an interface as column does: a bind
// per query reads a dozen columns. ok is false for a name that is no
// column (the ids, int64, are read apart).
func (cl *columns) typed(name string) (f []float32, u8 []uint8, u16 []uint16, ok bool) {
	switch name {
	case colLogPop:
		return cl.logPop, nil, nil, true
	case colElev:
		return cl.elev, nil, nil, true
	case colAbsLat:
		return cl.absLat, nil, nil, true
	case colUX:
		return cl.ux, nil, nil, true
	case colUY:
		return cl.uy, nil, nil, true
	case colUZ:
		return cl.uz, nil, nil, true
	case colPopMx:
		return cl.popMx, nil, nil, true
	case colPopAll:
		return cl.popAll, nil, nil, true
	case colPType:
		return nil, cl.ptype, nil, true
	case colUSState:
		return nil, cl.usState, nil, true
	case colTraits:
		return nil, cl.traits, nil, true
	case colCountry:
		return nil, nil, cl.country, true
	case colAdmin1:
		return nil, nil, cl.admin1, true
	}
	return nil, nil, nil, false
}

// permute copies the columns of the given candidates, in that order.
func (cl *columns) permute(cands []int32) columns {
	n := len(cands)
	out := columns{ids: make([]int64, n), logPop: make([]float32, n), elev: make([]float32, n),
		absLat: make([]float32, n), ux: make([]float32, n), uy: make([]float32, n), uz: make([]float32, n),
		popMx: make([]float32, n), popAll: make([]float32, n), ptype: make([]uint8, n), usState: make([]uint8, n),
		country: make([]uint16, n), traits: make([]uint8, n), admin1: make([]uint16, n)}
	for i, c := range cands {
		out.traits[i], out.admin1[i] = cl.traits[c], cl.admin1[c]
		out.ids[i], out.logPop[i], out.elev[i], out.absLat[i] = cl.ids[c], cl.logPop[c], cl.elev[c], cl.absLat[c]
		out.ux[i], out.uy[i], out.uz[i] = cl.ux[c], cl.uy[c], cl.uz[c]
		out.popMx[i], out.popAll[i] = cl.popMx[c], cl.popAll[c]
		out.ptype[i], out.usState[i], out.country[i] = cl.ptype[c], cl.usState[c], cl.country[c]
	}
	return out
}

// queryColumns are the engine's columns with the popularity of the
// query's registry (a backtest hides one pair).
func (e *Engine) queryColumns(qs *queryState) columns {
	cl := e.cols
	cl.popMx, cl.popAll = qs.reg.popMx, qs.reg.popAll
	return cl
}

// weightedTerm is one dense term of a query with its folded weight.
type weightedTerm struct {
	sig int // position in signalList
	k   float32
}

// kernel is a query's dense score, before it is bound to columns.
type kernel struct {
	base     float32
	str, net []weightedTerm
}

// kernelOf folds the query's weights into the dense terms.
func (e *Engine) kernelOf(qs *queryState) kernel {
	var k kernel
	e.kernelInto(&k, qs)
	return k
}

// kernelInto is kernelOf into k, reusing its term slices.
func (e *Engine) kernelInto(k *kernel, qs *queryState) {
	k.base, k.str, k.net = 0, k.str[:0], k.net[:0]
	wS := float32(qs.w.Components[CompStructure])
	wN := float32(0)
	if qs.netOK {
		wN = float32(qs.w.Components[CompNetwork])
	}
	wD := float32(0)
	if qs.diasOK {
		wD = float32(qs.w.Components[CompDiaspora])
	}
	inv := 1 / (wS + wN + wD)
	aS, aN := wS*inv, wN*inv
	for i := range signalList {
		s := &signalList[i]
		if s.term == nil || !qs.sig[i].present {
			continue
		}
		switch s.Component {
		case CompStructure:
			w := aS * qs.subW[i]
			if s.term.op == opUnitDot {
				w *= 0.5
				k.base += 2 * w
			} else {
				k.base += w
			}
			k.str = append(k.str, weightedTerm{i, w})
		case CompNetwork:
			if wN > 0 {
				k.net = append(k.net, weightedTerm{i, aN * qs.subW[i]})
			}
		}
	}
}

// boundTerm is a dense term bound to one set of columns.
type boundTerm struct {
	op         termOp
	k, inv     float32
	q0, q1, q2 float32
	a, b, c    []float32
	u8         []uint8
	u16        []uint16
	table      []float32
	tmax       float32 // the table's largest value
	sig        int
	bound      float32
}

// boundKernel is a kernel bound to columns.
type boundKernel struct {
	base     float32
	str, net []boundTerm
	// fused: the structure terms are the usual six (size, type,
	// elevation, climate, proximity, traits, in that order), which
	// structFused computes in one pass with the same operations.
	fused bool
	tmp   *[kernelBlock]float32 // the network terms' sum, per block
}

// fusedOps is the structure terms' ops that structFused computes.
var fusedOps = []termOp{opClipDiff, opScaledDiff, opClipDiff, opClipDiff, opUnitDot, opLookup}

// bind resolves the kernel's columns in cl. With plain, the columns hold
// only candidates without a twinning link, and network terms that are 0
// on all of them are left out (adding 0 changes no bit).
func (k *kernel) bind(qs *queryState, cl *columns, plain bool) boundKernel {
	var bk boundKernel
	k.bindInto(&bk, qs, cl, plain)
	return bk
}

// bindInto is bind into bk, reusing its term slices and scratch.
func (k *kernel) bindInto(bk *boundKernel, qs *queryState, cl *columns, plain bool) {
	bk.base = k.base
	bk.str, bk.net = bk.str[:0], bk.net[:0]
	if bk.tmp == nil {
		bk.tmp = new([kernelBlock]float32)
	}
	one := func(t weightedTerm) boundTerm {
		s := &signalList[t.sig]
		d := &qs.sig[t.sig]
		bt := boundTerm{op: s.term.op, k: t.k, inv: s.term.inv, sig: t.sig, table: d.table, tmax: d.tmax, bound: 1}
		if s.bound != nil {
			bt.bound = s.bound(d)
		}
		if s.term.query != nil {
			q := s.term.query(qs)
			bt.q0 = q[0]
			if len(q) == 3 {
				bt.q1, bt.q2 = q[1], q[2]
			}
		}
		for i, name := range s.term.cols {
			f, u8, u16, _ := cl.typed(name)
			switch {
			case f != nil:
				switch i {
				case 0:
					bt.a = f
				case 1:
					bt.b = f
				default:
					bt.c = f
				}
			case u8 != nil:
				bt.u8 = u8
			case u16 != nil:
				bt.u16 = u16
			default:
				panic(fmt.Sprintf("matcher: column %s of %s is not a float32, uint8 or uint16 column", name, s.Name))
			}
		}
		return bt
	}
	for _, t := range k.str {
		bk.str = append(bk.str, one(t))
	}
	bk.fused = len(bk.str) == len(fusedOps)
	for i, t := range bk.str {
		if !bk.fused || t.op != fusedOps[i] || (t.op == opLookup && (t.u8 == nil || len(t.table) != traitSets)) {
			bk.fused = false
			break
		}
	}
	for _, t := range k.net {
		bt := one(t)
		if plain && bt.bound == 0 {
			continue
		}
		bk.net = append(bk.net, bt)
	}
}

// kernelBlock is how many candidates the kernel scores in one pass.
const kernelBlock = 256

// block writes the scores of candidates lo..hi-1 (hi-lo ≤ kernelBlock)
// into out[:hi-lo]; idx, when not nil, lists the candidates instead
// (out[i] is the score of idx[i]).
func (bk *boundKernel) block(lo, hi int, idx []int32, out []float32) {
	n := hi - lo
	if idx != nil {
		n = len(idx)
	}
	out = out[:n]
	if bk.fused && idx == nil {
		bk.structFused(lo, hi, out)
	} else {
		for i := range out {
			out[i] = bk.base
		}
		for t := range bk.str {
			bk.str[t].apply(lo, hi, idx, out)
		}
	}
	if len(bk.net) == 0 {
		return
	}
	tmp := bk.tmp[:n]
	clear(tmp)
	for t := range bk.net {
		bk.net[t].apply(lo, hi, idx, tmp)
	}
	for i := range out {
		out[i] += tmp[i]
	}
}

// structFused writes base plus the six structure terms of candidates
// lo..hi-1 into out in one pass: per candidate the very float32
// operations of apply, in the same order, so the bits are the same; the
// columns are resliced to len(out) so the loop has no bounds checks.
func (bk *boundKernel) structFused(lo, hi int, out []float32) {
	n := len(out)
	sz, ty, el, cl, px, tr := &bk.str[0], &bk.str[1], &bk.str[2], &bk.str[3], &bk.str[4], &bk.str[5]
	a0 := sz.a[lo:hi]
	a0 = a0[:n]
	u1 := ty.u8[lo:hi]
	u1 = u1[:n]
	a2 := el.a[lo:hi]
	a2 = a2[:n]
	a3 := cl.a[lo:hi]
	a3 = a3[:n]
	x4, y4, z4 := px.a[lo:hi], px.b[lo:hi], px.c[lo:hi]
	x4, y4, z4 = x4[:n], y4[:n], z4[:n]
	u5 := tr.u8[lo:hi]
	u5 = u5[:n]
	tab := (*[traitSets]float32)(tr.table)
	base := bk.base
	k0, q0, i0 := sz.k, sz.q0, sz.inv
	k1, q1, i1 := ty.k, ty.q0, ty.inv
	k2, q2, i2 := el.k, el.q0, el.inv
	k3, q3, i3 := cl.k, cl.q0, cl.inv
	k4, qx, qy, qz := px.k, px.q0, px.q1, px.q2
	k5 := tr.k
	for i := range out {
		s := base
		d := clip1(abs32(q0-a0[i]) * i0)
		s -= k0 * d
		s -= k1 * abs32(q1-float32(u1[i])) * i1
		d = clip1(abs32(q2-a2[i]) * i2)
		s -= k2 * d
		d = clip1(abs32(q3-a3[i]) * i3)
		s -= k3 * d
		s += k4 * (qx*x4[i] + qy*y4[i] + qz*z4[i] - 1)
		s += k5 * tab[u5[i]&(traitSets-1)]
		out[i] = s
	}
}

// maxFinite is the largest of xs (not empty, no NaN), by plain compares.
func maxFinite(xs []float32) float32 {
	m := xs[0]
	for _, x := range xs[1:] {
		if x > m {
			m = x
		}
	}
	return m
}

// clip1 is min(x, 1) for x ≥ 0 without a branch: the bits of
// non-negative floats order as integers do, so the smaller is picked by a
// mask (a branch here mispredicts on mixed data; the builtin min handles
// NaN and −0, which cannot occur, at a cost).
func clip1(x float32) float32 {
	const one = 0x3f800000
	d := int32(math.Float32bits(x)) - one
	return math.Float32frombits(uint32(one + d&(d>>31)))
}

// apply adds the term of candidates lo..hi-1 (or idx) to out.
func (t *boundTerm) apply(lo, hi int, idx []int32, out []float32) {
	k, inv, q0, q1, q2 := t.k, t.inv, t.q0, t.q1, t.q2
	if idx != nil {
		switch t.op {
		case opClipDiff:
			for i, c := range idx {
				out[i] -= k * clip1(abs32(q0-t.a[c])*inv)
			}
		case opScaledDiff:
			for i, c := range idx {
				out[i] -= k * abs32(q0-float32(t.u8[c])) * inv
			}
		case opUnitDot:
			for i, c := range idx {
				out[i] += k * (q0*t.a[c] + q1*t.b[c] + q2*t.c[c] - 1)
			}
		case opColumn:
			for i, c := range idx {
				out[i] += k * t.a[c]
			}
		case opLookup:
			if t.u16 != nil {
				for i, c := range idx {
					out[i] += k * t.table[t.u16[c]]
				}
			} else {
				for i, c := range idx {
					out[i] += k * t.table[t.u8[c]]
				}
			}
		}
		return
	}
	switch t.op {
	case opClipDiff:
		a := t.a[lo:hi]
		a = a[:len(out)]
		for i := range out {
			out[i] -= k * clip1(abs32(q0-a[i])*inv)
		}
	case opScaledDiff:
		u := t.u8[lo:hi]
		u = u[:len(out)]
		for i := range out {
			out[i] -= k * abs32(q0-float32(u[i])) * inv
		}
	case opUnitDot:
		a, b, c := t.a[lo:hi], t.b[lo:hi], t.c[lo:hi]
		a, b, c = a[:len(out)], b[:len(out)], c[:len(out)]
		for i := range out {
			out[i] += k * (q0*a[i] + q1*b[i] + q2*c[i] - 1)
		}
	case opColumn:
		a := t.a[lo:hi]
		a = a[:len(out)]
		for i := range out {
			out[i] += k * a[i]
		}
	case opLookup:
		tab := t.table
		if t.u16 != nil {
			u := t.u16[lo:hi]
			u = u[:len(out)]
			for i := range out {
				out[i] += k * tab[u[i]]
			}
		} else {
			u := t.u8[lo:hi]
			u = u[:len(out)]
			for i := range out {
				out[i] += k * tab[u[i]]
			}
		}
	}
}

// scoreRange writes the dense scores of candidates lo..hi-1 of the bound
// columns into out[lo:hi].
func (bk *boundKernel) scoreRange(lo, hi int, out []float32) {
	for off := lo; off < hi; off += kernelBlock {
		end := min(off+kernelBlock, hi)
		bk.block(off, end, nil, out[off:end])
	}
}

// scoreIndexes writes the dense scores of the listed candidates into
// out[c] for each c.
func (bk *boundKernel) scoreIndexes(idx []int32, out []float32) {
	var buf [kernelBlock]float32
	for off := 0; off < len(idx); off += kernelBlock {
		part := idx[off:min(off+kernelBlock, len(idx))]
		bk.block(0, 0, part, buf[:])
		for i, c := range part {
			out[c] = buf[i]
		}
	}
}

// one is the dense score of candidate c.
func (bk *boundKernel) one(c int32) float32 {
	var buf [1]float32
	bk.block(0, 0, []int32{c}, buf[:])
	return buf[0]
}
