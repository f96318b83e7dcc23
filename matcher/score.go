package matcher

import (
	"math"
)

// Scale of each structure similarity: the difference at which it reaches 0.
const (
	sizeSpan = 2.5    // orders of magnitude of population
	elevSpan = 2500.0 // metres
	climSpan = 40.0   // degrees of absolute latitude
	typeSpan = 2.0
	rejected = -1.0 // score of a candidate a filter removed
)

// structureParts returns the five structure similarities of candidate c.
func (e *Engine) structureParts(qs *queryState, c int32) [5]float32 {
	var f [5]float32
	f[0] = 1 - min(abs32(qs.logPop-e.logPop[c])/sizeSpan, 1)
	f[1] = 1 - abs32(float32(qs.ptype)-float32(e.ptype[c]))/typeSpan
	f[2] = 1 - min(abs32(qs.elev-e.elev[c])/elevSpan, 1)
	f[3] = 1 - min(abs32(qs.absLat-e.absLat[c])/climSpan, 1)
	f[4] = (1 + qs.ux*e.ux[c] + qs.uy*e.uy[c] + qs.uz*e.uz[c]) / 2
	return f
}

// networkParts returns the five network signals of candidate c.
func (e *Engine) networkParts(qs *queryState, c int32) [5]float32 {
	var f [5]float32
	f[0] = qs.reg.popMx[c]
	f[1] = qs.reg.popAll[c]
	if qs.twinShare != nil {
		f[2] = qs.twinShare[e.country[c]]
	}
	if _, ok := qs.coTwin[c]; ok {
		f[3] = 1
	}
	if qs.stateVal != nil {
		f[4] = qs.stateVal[e.usState[c]]
	}
	return f
}

// scoreAll writes every candidate's score into out (len Candidates());
// candidates a filter rejects get a negative score. The common case, a
// candidate without a profile, a tie or a twinning link, runs in a loop
// over columns; the few others go through scoreOne, which the loop
// reproduces exactly for the common case.
func (e *Engine) scoreAll(qs *queryState, out []float32) {
	wS := float32(e.w.Components[CompStructure])
	wN := float32(0)
	if qs.netOK {
		wN = float32(e.w.Components[CompNetwork])
	}
	wD := float32(0)
	if qs.diasOK {
		wD = float32(e.w.Components[CompDiaspora])
	}
	inv := 1 / (wS + wN + wD)
	aS, aN := wS*inv, wN*inv
	sw, nw := qs.sw, qs.nw
	lp, el, al, typ := qs.logPop, qs.elev, qs.absLat, float32(qs.ptype)
	ux, uy, uz := qs.ux, qs.uy, qs.uz
	logPop, elev, absLat, ptype := e.logPop, e.elev, e.absLat, e.ptype
	eux, euy, euz := e.ux[:e.n], e.uy[:e.n], e.uz[:e.n]
	popMx, popAll := qs.reg.popMx, qs.reg.popAll
	country, usState := e.country, e.usState
	twinShare, stateVal := qs.twinShare, qs.stateVal
	if twinShare == nil {
		twinShare = make([]float32, len(e.countries))
	}
	if stateVal == nil {
		stateVal = make([]float32, len(e.usStates)+1)
	}

	// Per-query constants folded into the sub-weights.
	k0, k1, k2, k3, k4 := aS*sw[0], aS*sw[1], aS*sw[2], aS*sw[3], aS*sw[4]*0.5
	base := k0 + k1 + k2 + k3 + 2*k4
	n0, n1, n2, n4 := aN*nw[0], aN*nw[1], aN*nw[2], aN*nw[4]
	net := wN > 0
	loop := func(c int32) float32 {
		s := base - k0*min1(abs32(lp-logPop[c])*(1/sizeSpan)) -
			k1*abs32(typ-float32(ptype[c]))*(1/typeSpan) -
			k2*min1(abs32(el-elev[c])*(1/elevSpan)) -
			k3*min1(abs32(al-absLat[c])*(1/climSpan)) +
			k4*(ux*eux[c]+uy*euy[c]+uz*euz[c]-1)
		if net {
			s += n0*popMx[c] + n1*popAll[c] + n2*twinShare[country[c]] + n4*stateVal[usState[c]]
		}
		return s
	}
	all := func(out []float32) {
		n := len(out)
		logPop, elev, absLat, ptype := logPop[:n], elev[:n], absLat[:n], ptype[:n]
		eux, euy, euz := eux[:n], euy[:n], euz[:n]
		for c := range out {
			s := base - k0*min1(abs32(lp-logPop[c])*(1/sizeSpan)) -
				k1*abs32(typ-float32(ptype[c]))*(1/typeSpan) -
				k2*min1(abs32(el-elev[c])*(1/elevSpan)) -
				k3*min1(abs32(al-absLat[c])*(1/climSpan)) +
				k4*(ux*eux[c]+uy*euy[c]+uz*euz[c]-1)
			out[c] = s
		}
		if net {
			popMx, popAll, country, usState := popMx[:n], popAll[:n], country[:n], usState[:n]
			for c := range out {
				out[c] += n0*popMx[c] + n1*popAll[c] + n2*twinShare[country[c]] + n4*stateVal[usState[c]]
			}
		}
	}
	f := qs.q.Filter
	popFilter := f.MinPopulation > 0 || f.MaxPopulation > 0
	var lo, hi float32
	if popFilter {
		lo = float32(math.Log10(float64(f.MinPopulation) + 1))
		hi = float32(math.Inf(1))
		if f.MaxPopulation > 0 {
			hi = float32(math.Log10(float64(f.MaxPopulation) + 1))
		}
	}
	scoreRange := func(idx []int32) {
		for _, c := range idx {
			out[c] = loop(c)
		}
	}
	if len(f.Countries) > 0 {
		for i := range out {
			out[i] = rejected
		}
		for _, cc := range f.Countries {
			if cid, ok := e.countryID[cc]; ok {
				scoreRange(e.byCountry[cid])
			}
		}
	} else {
		all(out[:e.n])
	}
	if popFilter {
		for c := range out {
			if out[c] >= 0 && (logPop[c] < lo-1e-6 || logPop[c] > hi+1e-6) {
				out[c] = rejected
			}
		}
	}
	for c := range qs.explicit {
		if out[c] < 0 {
			continue
		}
		if (f.ExcludeTwinned && qs.twinned[c]) || (f.OnlyProfiled && qs.dyn.profiles[c] == nil) {
			out[c] = rejected
			continue
		}
		out[c] = float32(e.scoreOne(qs, c, nil))
	}
	if f.OnlyProfiled {
		for c := range out {
			if qs.dyn.profiles[int32(c)] == nil {
				out[c] = rejected
			}
		}
	}
}

// partScore is one component's value and whether it has data.
type partScore struct {
	name  string
	value float64
	ok    bool
}

// scoreOne scores candidate c through the general path and, when parts is
// not nil, records every component.
func (e *Engine) scoreOne(qs *queryState, c int32, parts *[]partScore) float64 {
	comps := e.components(qs, c, false)
	fwd := weighted(e.w, comps)
	if parts != nil {
		*parts = comps[:]
	}
	cp := qs.dyn.profiles[c]
	if cp == nil || qs.pv == nil {
		return fwd
	}
	// Both sides have profiles: score the pair from the candidate's side
	// too and combine with a harmonic mean, so a match must suit both.
	rev := weighted(e.w, e.components(qs, c, true))
	if fwd+rev == 0 {
		return 0
	}
	h := 2 * fwd * rev / (fwd + rev)
	return h
}

func weighted(w Weights, comps [6]partScore) float64 {
	num, den := 0.0, 0.0
	for _, p := range comps {
		if !p.ok {
			continue
		}
		wt := w.Components[p.name]
		num += wt * p.value
		den += wt
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// components computes the six components for candidate c. reverse swaps
// the roles for the asymmetric text relevance.
func (e *Engine) components(qs *queryState, c int32, reverse bool) [6]partScore {
	var out [6]partScore
	for i, n := range Components {
		out[i].name = n
	}
	cp := qs.dyn.profiles[c]
	if qs.pv != nil && cp != nil {
		out[0].value, out[0].ok = problemScore(qs.pv, cp)
		out[1].value, out[1].ok = cosine(qs.pv.areas, cp.areas)
		if qs.pv.hasText && cp.hasText && e.in.Text != nil {
			if reverse {
				out[3].value, out[3].ok = e.reverseText(qs, c), true
			} else if qs.text != nil {
				out[3].value, out[3].ok = qs.text[ProfileKey(e.ids[c])].Score, true
			}
		}
	}
	if qs.diasOK {
		out[2].value, out[2].ok = diasporaValue(qs.diaspora[c]), true
	}
	sp := e.structureParts(qs, c)
	s := float32(0)
	for i := range sp {
		s += qs.sw[i] * sp[i]
	}
	out[4].value, out[4].ok = float64(s), true
	if qs.netOK {
		np := e.networkParts(qs, c)
		n := float32(0)
		for i := range np {
			n += qs.nw[i] * np[i]
		}
		out[5].value, out[5].ok = float64(n), true
	}
	return out
}

func (e *Engine) reverseText(qs *queryState, c int32) float64 {
	cp, ok := qs.dyn.placeProfiles[e.ids[c]]
	if !ok || e.in.Text == nil {
		return 0
	}
	m, err := e.in.Text.TextScores(cp, ProfileKey(e.ids[c]))
	if err != nil {
		return 0
	}
	if v, ok := m[MunicipalityKey(qs.muni.CVEGEO)]; ok {
		return v.Score
	}
	// The query profile is not in the text index (an ad-hoc profile):
	// relevance is taken as symmetric.
	if qs.text != nil {
		return qs.text[ProfileKey(e.ids[c])].Score
	}
	return 0
}

// problemScore: the same problems (soft cosine of taxonomy vectors), and
// solutions both ways: their practices against my problems and mine
// against theirs. Solutions can raise the value above the shared-problem
// similarity but never pull it below, so sharing every problem scores 1
// and a profile is never closer to another than to itself.
func problemScore(me, them *profileVec) (float64, bool) {
	same, okSame := cosine(me.sprob, them.prob)
	sol, n := 0.0, 0
	if v, ok := cosine(them.sprac, me.prob); ok {
		sol, n = sol+v, n+1
	}
	if v, ok := cosine(me.sprac, them.prob); ok {
		sol, n = sol+v, n+1
	}
	switch {
	case okSame && n > 0:
		return math.Max(same, (same+sol/float64(n))/2), true
	case okSame:
		return same, true
	case n > 0:
		return sol / float64(n), true
	}
	return 0, false
}

// diasporaValue maps a tie to [0,1]: any tie counts for half, and its size
// adds the rest on a log scale that saturates at 100,000 people; a
// recorded interest of the foreign city adds a bonus.
func diasporaValue(a *tieAgg) float64 {
	if a == nil {
		return 0
	}
	v := 0.5 + 0.5*math.Min(1, math.Log1p(float64(a.size))/math.Log1p(100_000))
	if a.interest {
		v += 0.2
	}
	return math.Min(v, 1)
}

func min1(x float32) float32 { return min(x, 1) }

// abs32 clears the sign bit; branch-free, so the scoring loop stays tight.
func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }
