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
	DiversityHub     = 0.15  // penalty on a hub: its share of the most Mexican twins any place has, on a log scale
	poolFactor       = 4     // the pool holds poolFactor×k candidates …
	poolMin          = 60    // … and at least poolMin
	fitMargin        = 1e-12 // ties in adjusted score keep the score order
)

// poolSize is how many top candidates the list rules draw from.
func poolSize(k int) int { return min(MaxK, max(poolMin, poolFactor*k)) }

// usesPool reports whether the rules can change the plain top k: always,
// unless the filter asks for the raw score order with the twins mixed in.
func usesPool(f Filter) bool { return !f.IncludeTwinned || !f.NoDiversity || !f.NoSizeRule }

// fitList draws the list of k from pool (best first by score, as the top-k
// selectors return it) by the three rules.
func (e *Engine) fitList(qs *queryState, pool []int32, k int, scores []float32) []int32 {
	f := qs.q.Filter
	type cand struct {
		c   int32
		s   float64
		cc  uint16
		hub float64
	}
	keep := make([]cand, 0, len(pool))
	qClass := SizeClass(qs.muniPopulation())
	qTraits := e.municipalityTraits(qs.muni)
	for i, c := range pool {
		if !f.IncludeTwinned && qs.twinned[c] {
			continue
		}
		if !f.NoSizeRule {
			p := &e.in.Snap.Places[e.placeIdx[c]]
			if gap := int(qClass) - int(SizeClass(p.Population)); (gap >= SizeGapClasses || -gap >= SizeGapClasses) && !e.pairSupported(qs, c, qTraits) {
				continue
			}
		}
		keep = append(keep, cand{c: c, s: float64(scores[i]), cc: e.country[c], hub: qs.reg.hubness(c)})
	}
	if f.NoDiversity {
		out := make([]int32, 0, k)
		for _, x := range keep[:min(k, len(keep))] {
			out = append(out, x.c)
		}
		return out
	}
	// Count picks per country and per first-level division through small
	// group numbers (not maps): the greedy loop reads them k×pool times.
	cGroup, aGroup := make([]int32, len(keep)), make([]int32, len(keep))
	cIDs, aIDs := map[uint16]int32{}, map[uint16]int32{} // e.admin1 numbers (country, division) pairs
	for i, x := range keep {
		g, ok := cIDs[x.cc]
		if !ok {
			g = int32(len(cIDs))
			cIDs[x.cc] = g
		}
		cGroup[i] = g
		a, ok := aIDs[e.admin1[x.c]]
		if !ok {
			a = int32(len(aIDs))
			aIDs[e.admin1[x.c]] = a
		}
		aGroup[i] = a
	}
	nCountry, nAdmin := make([]int, len(cIDs)), make([]int, len(aIDs))
	out := make([]int32, 0, k)
	used := make([]bool, len(keep))
	first := 0 // keep[:first] are all picked already
	for len(out) < k && len(out) < len(keep) {
		for used[first] {
			first++
		}
		best, bestV := -1, 0.0
		for i := first; i < len(keep); i++ {
			x := &keep[i]
			if best >= 0 && x.s <= bestV+fitMargin {
				break // keep is by score, best first, and no penalty is negative: none after can win
			}
			if used[i] {
				continue
			}
			v := x.s - DiversityCountry*float64(nCountry[cGroup[i]]) - DiversityAdmin1*float64(nAdmin[aGroup[i]]) - DiversityHub*x.hub
			if best < 0 || v > bestV+fitMargin {
				best, bestV = i, v
			}
		}
		used[best] = true
		nCountry[cGroup[best]]++
		nAdmin[aGroup[best]]++
		out = append(out, keep[best].c)
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

// scoresOf lists scores[c] for each c of top.
func scoresOf(scores []float32, top []int32) []float32 {
	out := make([]float32, len(top))
	for i, c := range top {
		out[i] = scores[c]
	}
	return out
}
