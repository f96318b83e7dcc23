package matcher

import (
	"math"
	"slices"
)

// A shortlist must fit its municipality. After scoring, the best
// candidates form a pool from which the list is drawn by three documented
// rules (README, "How a list is drawn"):
//
//  1. Existing twins apart: a place the municipality is already twinned
//     with leaves the list (unless Filter.IncludeTwinned) and is shown in
//     Result.Twinned instead.
//  2. Size needs a reason: a candidate SizeGapClasses or more size classes
//     away from the municipality (a village and a metropolis) stays only
//     with evidence beyond size and popularity: a tie or a stated
//     interest, a shared problem, area or text, or a distinctive trait
//     both share (coast, border, mountain, capital).
//  3. Variety: the list is picked greedily (maximal marginal relevance):
//     each next pick is the candidate whose score, less a penalty for each
//     place of the same country (DiversityCountry) and of the same
//     first-level division (DiversityAdmin1) already picked, is highest.
//     Filter.NoDiversity turns this off and keeps the score order.
//
// Scores are untouched: each match keeps its own explained score, and the
// backtest ranks every candidate by score, without these rules.

// Parameters of the list rules.
const (
	SizeGapClasses   = 3     // size classes apart that need evidence (class 0 < 5,000 … class 5 > 1,000,000)
	DiversityCountry = 0.02  // score penalty per pick already in the candidate's country
	DiversityAdmin1  = 0.03  // extra penalty per pick already in its first-level division
	poolFactor       = 4     // the pool holds poolFactor×k candidates …
	poolMin          = 40    // … and at least poolMin
	fitMargin        = 1e-12 // ties in adjusted score keep the score order
)

// poolSize is how many top candidates the list rules draw from.
func poolSize(k int) int { return min(MaxK, max(poolMin, poolFactor*k)) }

// usesPool reports whether the rules can change the plain top k: always,
// unless the filter asks for the raw score order with the twins mixed in.
func usesPool(f Filter) bool { return !f.IncludeTwinned || !f.NoDiversity || !f.NoSizeRule }

// fitList draws the list of k from pool (best first by score, as the top-k
// selectors return it) by the three rules.
func (e *Engine) fitList(qs *queryState, pool []int32, k int) []int32 {
	f := qs.q.Filter
	type cand struct {
		c     int32
		s     float64
		cc    uint16
		admin string
	}
	keep := make([]cand, 0, len(pool))
	qClass := SizeClass(qs.muniPopulation())
	qTraits := e.municipalityTraits(qs.muni)
	for _, c := range pool {
		if !f.IncludeTwinned && qs.twinned[c] {
			continue
		}
		if !f.NoSizeRule {
			p := &e.in.Snap.Places[e.placeIdx[c]]
			if gap := int(qClass) - int(SizeClass(p.Population)); (gap >= SizeGapClasses || -gap >= SizeGapClasses) && !e.pairSupported(qs, c, qTraits) {
				continue
			}
		}
		p := &e.in.Snap.Places[e.placeIdx[c]]
		keep = append(keep, cand{c: c, s: e.scoreOne(qs, c, nil), cc: e.country[c], admin: p.Admin1})
	}
	if f.NoDiversity {
		out := make([]int32, 0, k)
		for _, x := range keep[:min(k, len(keep))] {
			out = append(out, x.c)
		}
		return out
	}
	out := make([]int32, 0, k)
	nCountry := map[uint16]int{}
	nAdmin := map[[2]any]int{}
	used := make([]bool, len(keep))
	for len(out) < k && len(out) < len(keep) {
		best, bestV := -1, 0.0
		for i, x := range keep {
			if used[i] {
				continue
			}
			v := x.s - DiversityCountry*float64(nCountry[x.cc]) - DiversityAdmin1*float64(nAdmin[[2]any{x.cc, x.admin}])
			if best < 0 || v > bestV+fitMargin {
				best, bestV = i, v
			}
		}
		used[best] = true
		x := keep[best]
		nCountry[x.cc]++
		nAdmin[[2]any{x.cc, x.admin}]++
		out = append(out, x.c)
	}
	return out
}

// pairSupported reports whether candidate c has evidence beyond size and
// popularity for this query: a tie or stated interest, a shared problem,
// area or text, or a distinctive trait both places share.
func (e *Engine) pairSupported(qs *queryState, c int32, qTraits Trait) bool {
	if qs.diaspora[c] != nil {
		return true
	}
	if qTraits&e.traits[c]&distinctTraits != 0 {
		return true
	}
	if cp := qs.dyn.profiles[c]; cp != nil && qs.pv != nil {
		if v, ok := problemScore(qs.pv, cp); ok && v > 0 {
			return true
		}
		if qs.text != nil && qs.text[ProfileKey(e.ids[c])].Score > 0 {
			return true
		}
	}
	return false
}

// twinsApart returns the municipality's existing twins, best score first
// (then smaller GeoNames id), for Result.Twinned.
func (e *Engine) twinsApart(qs *queryState) []int32 {
	out := make([]int32, 0, len(qs.twinned))
	score := map[int32]float64{}
	for c := range qs.twinned {
		out = append(out, c)
		score[c] = e.scoreOne(qs, c, nil)
	}
	slices.SortFunc(out, func(a, b int32) int {
		switch {
		case score[a] > score[b]:
			return -1
		case score[a] < score[b]:
			return 1
		case e.ids[a] < e.ids[b]:
			return -1
		case e.ids[a] > e.ids[b]:
			return 1
		}
		return 0
	})
	return out
}

// muniPopulation is the municipality's population, or its seat's when the
// municipality has none recorded.
func (qs *queryState) muniPopulation() int64 {
	if qs.muni.Population > 0 {
		return qs.muni.Population
	}
	return int64(math.Pow(10, float64(qs.logPop))) - 1
}
