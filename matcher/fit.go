package matcher

import (
	"math"
	"slices"
	"sync"
)

// A shortlist must fit its municipality. After scoring, the best
// candidates form a pool from which the list is drawn by four documented
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
//  4. Shared traits get a place, in a list the second stage ranks: when
//     none of the first TraitReserveHead shares a distinctive trait of the
//     municipality, its last places go to the best candidates that share
//     it (reserveTraits, rerank_ship.go). Filter.NoDiversity turns this off
//     too.
//
// Scores are untouched: each match keeps its own explained score, and the
// backtest ranks every candidate by score, without these rules.

// Parameters of the list rules.
const (
	SizeGapClasses   = 3    // size classes apart that need evidence (class 0 < 5,000 … class 5 > 1,000,000)
	DiversityCountry = 0.02 // score penalty per pick already in the candidate's country
	DiversityAdmin1  = 0.03 // extra penalty per pick already in its first-level division
	DiversityHub     = 0.15 // penalty on a hub: its share of the most Mexican twins any place has, on a log scale
	poolFactor       = 4    // the pool holds poolFactor×k candidates …
	poolMin          = 60   // … and at least poolMin
)

// poolSize is how many top candidates the list rules draw from.
func poolSize(k int) int { return min(MaxK, max(poolMin, poolFactor*k)) }

// usesPool reports whether the rules can change the plain top k: always,
// unless the filter asks for the raw score order with the twins mixed in.
func usesPool(f Filter) bool { return !f.IncludeTwinned || !f.NoDiversity || !f.NoSizeRule }

// fitList draws the list of k from pool (best first by score, as the top-k
// selectors return it) by the four rules.
func (e *Engine) fitList(qs *queryState, pool []int32, k int, scores []float32) []int32 {
	f := qs.q.Filter
	fs := e.getFitScratch()
	defer fitScratchPool.Put(fs)
	keep := fs.keep[:0]
	qClass := SizeClass(qs.muniPopulation())
	qTraits := e.municipalityTraits(qs.muni)
	for i, c := range pool {
		if !f.IncludeTwinned && qs.twinned[c] {
			continue
		}
		if !f.NoSizeRule {
			// e.sizeClass, not the place record: the records are large and
			// read at random here, a cache miss each.
			if gap := int(qClass) - int(e.sizeClass[c]); (gap >= SizeGapClasses || -gap >= SizeGapClasses) && !e.pairSupported(qs, c, qTraits) {
				continue
			}
		}
		keep = append(keep, fitCand{c: c, cc: e.country[c], a: e.admin1[c], s: float64(scores[i]), hub: qs.reg.hubness(c)})
	}
	fs.keep = keep
	if f.NoDiversity {
		out := make([]int32, 0, k)
		for _, x := range keep[:min(k, len(keep))] {
			out = append(out, x.c)
		}
		return out
	}
	return e.reserveTraits(qs.learned, fs.pickVaried(k))
}

// fitCand is one candidate of the pool that passed the first two rules:
// its country and first-level division, score and hubness; w is the score
// less the hub penalty.
type fitCand struct {
	c      int32
	cc, a  uint16
	s, hub float64
	w      float64
}

// fitGroup is the pool's candidates of one first-level division, as
// order[lo:hi] (best w first), with head the first not yet picked and
// picks how many were picked.
type fitGroup struct {
	lo, hi, head, picks int32
}

// fitCountry is the pool's divisions of one country, as groups[lo:hi],
// with its picks and its best candidate now (best, in group bestG, with
// penalised score v; best < 0 when none is left).
type fitCountry struct {
	lo, hi, picks int32
	best, bestG   int32
	v             float64
}

// fitScratch is fitList's reusable space: the kept pool and pickVaried's
// order, groups and countries.
type fitScratch struct {
	keep      []fitCand
	keys      []uint64
	order     []int32
	groups    []fitGroup
	countries []fitCountry
	used      []bool
}

var fitScratchPool sync.Pool

func (e *Engine) getFitScratch() *fitScratch {
	if fs, ok := fitScratchPool.Get().(*fitScratch); ok {
		return fs
	}
	return &fitScratch{}
}

// pickVaried is the third rule, the greedy variety pick over fs.keep: each
// next pick is the candidate with the highest penalised score
// w − (DiversityCountry × picks in its country + DiversityAdmin1 × picks
// in its division), the first (best by score) among equals. Penalties are
// shared: within a division the order by w never changes, and a pick
// changes the penalties of its own country only. So each country keeps
// its best candidate, recomputed (over its divisions' heads) only when the
// country had a pick, and a pick compares the countries' best.
func (fs *fitScratch) pickVaried(k int) []int32 {
	keep := fs.keep
	// Order by country, division, then w (best first) and pool position:
	// integer keys sorted by country, division and position, then each
	// division (a few candidates) sorted by w by insertion.
	keys := fs.keys[:0]
	for i := range keep {
		keep[i].w = keep[i].s - DiversityHub*keep[i].hub
		keys = append(keys, uint64(keep[i].cc)<<48|uint64(keep[i].a)<<32|uint64(i))
	}
	slices.Sort(keys)
	order := fs.order[:0]
	for _, key := range keys {
		order = append(order, int32(uint32(key)))
	}
	fs.keys = keys
	for j := 1; j < len(order); j++ {
		for m := j; m > 0 && keys[m]>>32 == keys[m-1]>>32 && keep[order[m]].w > keep[order[m-1]].w; m-- {
			order[m], order[m-1] = order[m-1], order[m]
		}
	}
	groups, countries := fs.groups[:0], fs.countries[:0]
	for j, i := range order {
		x := &keep[i]
		var prev *fitCand
		if j > 0 {
			prev = &keep[order[j-1]]
		}
		if prev == nil || prev.cc != x.cc {
			countries = append(countries, fitCountry{lo: int32(len(groups))})
		}
		if prev == nil || prev.cc != x.cc || prev.a != x.a {
			groups = append(groups, fitGroup{lo: int32(j), head: int32(j)})
			countries[len(countries)-1].hi = int32(len(groups))
		}
		groups[len(groups)-1].hi = int32(j + 1)
	}
	used := append(fs.used[:0], make([]bool, len(keep))...)
	fs.order, fs.groups, fs.countries, fs.used = order, groups, countries, used
	for ci := range countries {
		fs.countryBest(&countries[ci])
	}
	out := make([]int32, 0, min(k, len(keep)))
	for len(out) < k && len(out) < len(keep) {
		var bc *fitCountry
		for ci := range countries {
			c := &countries[ci]
			if c.best >= 0 && (bc == nil || c.v > bc.v || (c.v == bc.v && c.best < bc.best)) {
				bc = c
			}
		}
		used[bc.best] = true
		groups[bc.bestG].picks++
		bc.picks++
		out = append(out, keep[bc.best].c)
		fs.countryBest(bc)
	}
	return out
}

// countryBest finds country c's best candidate not yet picked.
func (fs *fitScratch) countryBest(c *fitCountry) {
	keep, order, used := fs.keep, fs.order, fs.used
	c.best = -1
	for gi := c.lo; gi < c.hi; gi++ {
		g := &fs.groups[gi]
		for g.head < g.hi && used[order[g.head]] {
			g.head++
		}
		if g.head == g.hi {
			continue
		}
		pen := DiversityCountry*float64(c.picks) + DiversityAdmin1*float64(g.picks)
		i := order[g.head]
		v := keep[i].w - pen
		// Rounding can make w's that differ equal once the penalty is
		// taken off; such equals follow the head, and the first by score
		// among them is the one to pick.
		for j := g.head + 1; j < g.hi; j++ {
			o := order[j]
			if used[o] {
				continue
			}
			if keep[o].w-pen != v {
				break
			}
			i = min(i, o)
		}
		if c.best < 0 || v > c.v || (v == c.v && i < c.best) {
			c.best, c.bestG, c.v = i, gi, v
		}
	}
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
