package matcher

import (
	"context"
	"sort"
	"sync"

	"hermanar/datasets"
)

// Result is a ranked, explained list of partners for one query.
type Result struct {
	Query   QueryEcho `json:"query"`
	Matches []Match   `json:"matches"`
	// Twinned are the places the municipality is already twinned with,
	// kept out of Matches unless the filter includes them.
	Twinned    []Match `json:"already_twinned,omitempty"`
	Candidates int     `json:"candidates"` // how many passed the filters
	Weights    string  `json:"weights"`    // provenance of the weights
	// Scale is the provenance of the score scale behind each match's
	// Calibrated value; absent when the weights have none.
	Scale string `json:"scale,omitempty"`
	// WishesHidden counts cities left out because the municipality does
	// not meet their stated wishes (Filter.IgnoreWishes shows them).
	WishesHidden int `json:"wishes_hidden,omitempty"`
	// Model is the provenance of the second stage that ranked the list
	// (a municipality with twins of its own); absent when none did.
	Model string `json:"model,omitempty"`

	scored   int // candidates whose score was computed (benchmarks report it)
	reranked int // candidates the second stage re-scored
}

// QueryEcho repeats what was asked, resolved.
type QueryEcho struct {
	Municipality string   `json:"municipality"`
	Name         string   `json:"name"`
	State        string   `json:"state"`
	K            int      `json:"k"`
	Lang         string   `json:"lang"`
	Filter       Filter   `json:"filter"`
	Profile      string   `json:"profile"`  // "stored", "prefilled" or "request"
	Coverage     []string `json:"coverage"` // components with data for this query
}

// Match is one ranked candidate with its explanation. The contributions of
// its components sum to Score.
type Match struct {
	Rank  int               `json:"rank"`
	Place datasets.PlaceRef `json:"place"`
	Score float64           `json:"score"`
	// Calibrated is Score on the score scale (scale.go): the backtest's
	// probability that a city with this score is the twin a municipality
	// really chose, the same for every municipality. Absent when the
	// weights have no scale, or a tie or profile lifts the pair beyond
	// what the backtest can calibrate. Score stays the weighted sum.
	Calibrated *float64 `json:"calibrated,omitempty"`
	// CalibratedBasis is the basis whose fit gave Calibrated ("structure":
	// the score on size, climate and traits alone).
	CalibratedBasis string        `json:"calibrated_basis,omitempty"`
	Components      []Component   `json:"components"`
	Coverage        float64       `json:"coverage"` // share of the total weight with data
	Twinned         bool          `json:"twinned"`  // already twinned with the municipality
	Categories      []CategoryRef `json:"categories,omitempty"`
	Terms           []string      `json:"terms,omitempty"`
	Code            string        `json:"code"` // short explanation code, e.g. "D+S"
	// Basis names the components that had data for this pair, the ones
	// the score rests on ("structure" alone: size, climate and traits only).
	Basis []string `json:"basis"`
	// Directions is set when both sides have profiles: the pair scored
	// from each side and how the two combine (see Component.Forward).
	Directions *Directions `json:"directions,omitempty"`
	// Adjustment is Score divided by the components' weighted sum when the
	// city's stated wishes or interest moved the score (Partner says why);
	// absent means 1. Each contribution is value × weight × adjustment.
	Adjustment float64 `json:"adjustment,omitempty"`
	// Partner is what the city's record adds: offers both ways, wishes,
	// interest, contact, provenance (partner.go).
	Partner *PartnerNotes `json:"partner,omitempty"`
}

// Component is one component's part of a score.
type Component struct {
	Name         string  `json:"name"`
	Value        float64 `json:"value"`
	Weight       float64 `json:"weight"`
	Contribution float64 `json:"contribution"`
	// Forward and Reverse are set when both sides have profiles: the
	// component from the municipality's side (its profile against the
	// city's) and from the city's side. Value is then their blend
	// Directions.ForwardShare × Forward + (1 − ForwardShare) × Reverse.
	Forward  *float64 `json:"forward,omitempty"`
	Reverse  *float64 `json:"reverse,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
	Source   string   `json:"source,omitempty"`
	// Parts split the learned component's contribution by the second
	// stage's features (rerank_ship.go); they add up to Contribution.
	Parts []FeaturePart `json:"parts,omitempty"`
}

// Directions shows how a pair with profiles on both sides is scored: the
// weighted sum of the components from each side, combined by their
// harmonic mean 2·Forward·Reverse/(Forward + Reverse) so that a match
// must suit both. The harmonic mean is a weighted sum of the components'
// blends ForwardShare·forward + (1 − ForwardShare)·reverse, with
// ForwardShare = Reverse/(Forward + Reverse): each side's values count in
// proportion to the other side's total.
type Directions struct {
	Forward      float64 `json:"forward"`       // municipality → city
	Reverse      float64 `json:"reverse"`       // city → municipality
	Combined     float64 `json:"combined"`      // harmonic mean of the two
	ForwardShare float64 `json:"forward_share"` // weight of the forward values in each shown value
}

// CategoryRef is a taxonomy category shared by both sides.
type CategoryRef struct {
	ID    string  `json:"id"`
	Label string  `json:"label"`
	Score float64 `json:"score"`
	SDG   []int   `json:"sdg,omitempty"`
}

var scratchPool = sync.Pool{}

// matchRanker is a ranker for one Match, from the engine's pool: its
// heap, terms, kernels and selector keep their space from one match to
// the next.
func (e *Engine) matchRanker() *ranker {
	ix := e.matchIndex()
	if r, ok := e.rankers.Get().(*ranker); ok {
		r.scored, r.bounds = 0, 0
		return r
	}
	return &ranker{e: e, ix: ix}
}

func (e *Engine) scratch() []float32 {
	if v, ok := scratchPool.Get().(*[]float32); ok && len(*v) == e.n {
		return *v
	}
	return make([]float32, e.n)
}

func (e *Engine) release(s []float32) { scratchPool.Put(&s) }

// Match ranks every candidate for q and explains the top K.
func (e *Engine) Match(ctx context.Context, q Query) (*Result, error) {
	e.holdCore()
	defer e.releaseCore()
	qs, err := e.prepare(q)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var (
		top    []int32
		passed = e.n
	)
	k := qs.q.K
	var poolScore []float32
	if usesPool(qs.q.Filter) {
		qs.q.K = poolSize(k) // the list rules draw k from a larger pool
	}
	scored := 0
	if qs.learned = e.learnedFor(qs, e.rerank); qs.learned != nil {
		defer qs.learned.release() // the pool's rows, read by the explanations
		// The second stage re-scores a pool: its head from the pruned
		// scan, its evidence candidates scored one by one (rerank_pool.go).
		if q.registry == nil && !q.Exhaustive {
			r := e.matchRanker()
			top, poolScore, passed, scored = e.learnedPruned(qs, qs.learned, r)
			e.rankers.Put(r)
		} else {
			scores := e.scratch()
			defer e.release(scores)
			var reranked int
			top, poolScore, passed, reranked = e.learnedTop(qs, qs.learned, scores)
			scored = e.n + reranked
		}
	} else if q.registry == nil && !q.Exhaustive {
		// The pruned scan gives the same top k as scoring every candidate
		// (the tests hold the two paths equal) while scoring few of them.
		r := e.matchRanker()
		top = r.prunedTop(qs)
		scored = int(r.scored)
		poolScore = r.sel.sortedScores(top)
		passed = r.passed(qs)
		e.rankers.Put(r)
	} else {
		scores := e.scratch()
		defer e.release(scores)
		e.scoreAll(qs, scores)
		e.filterTraits(qs, scores)
		top, passed = topK(scores, e.ids, qs.q.K)
		poolScore = scoresOf(scores, top)
		scored = e.n
		if cs := qs.q.Filter.Countries; len(cs) > 0 {
			scored = 0
			for _, cc := range cs {
				if cid, ok := e.countryID[cc]; ok {
					scored += len(e.byCountry[cid])
				}
			}
		}
	}
	if qs.q.K != k {
		qs.q.K = k
		top = e.fitList(qs, top, k, poolScore)
	}
	res := &Result{Query: e.echo(qs), Candidates: passed, Weights: qs.w.Provenance, WishesHidden: e.wishesHidden(qs), scored: scored}
	if e.scale != nil {
		res.Scale = e.scale.Provenance
	}
	if qs.learned != nil {
		res.Model, res.reranked = qs.learned.f.Summary, len(qs.learned.pool)
	}
	res.Matches = make([]Match, len(top))
	// One array holds every row's components (each row's part capped,
	// so that an append past it copies).
	nc := len(ComponentDefs)
	comps := make([]Component, len(top)*nc)
	e.explainTop(qs, top, comps, nc, res.Matches)
	if !qs.q.Filter.IncludeTwinned {
		for i, c := range e.twinsApart(qs) {
			res.Twinned = append(res.Twinned, e.explain(qs, c, i+1))
		}
	}
	return res, nil
}

// Scores returns every candidate's score for q (negative where filtered),
// indexed like CandidateIDs, for backtests and bulk work.
func (e *Engine) Scores(q Query, out []float32) error {
	qs, err := e.prepare(q)
	if err != nil {
		return err
	}
	e.scoreAll(qs, out)
	return nil
}

// CandidateIDs returns the GeoNames ids of the candidates in score order.
func (e *Engine) CandidateIDs() []int64 { return e.ids }

// CandidateIndex returns the position of a place among the candidates.
func (e *Engine) CandidateIndex(id int64) (int, bool) {
	c, ok := e.candIndex[id]
	return int(c), ok
}

func (e *Engine) echo(qs *queryState) QueryEcho {
	src := "prefilled"
	if qs.q.Profile != nil {
		src = "request"
	} else if _, ok := qs.dyn.muniProfiles[qs.muni.CVEGEO]; ok {
		src = "stored"
	}
	cov := []string{CompStructure}
	if qs.diasOK {
		cov = append(cov, CompDiaspora)
	}
	if qs.netOK {
		cov = append(cov, CompNetwork)
	}
	if qs.pv != nil && len(qs.dyn.profiles) > 0 {
		cov = append(cov, CompProblems, CompAreas)
		if e.in.Text != nil {
			cov = append(cov, CompText)
		}
	}
	sort.Slice(cov, func(i, j int) bool { return compOrder(cov[i]) < compOrder(cov[j]) })
	f := qs.q.Filter
	if f.Countries == nil {
		f.Countries = []string{}
	}
	return QueryEcho{Municipality: qs.muni.CVEGEO, Name: qs.muni.Name, State: qs.muni.StateName,
		K: qs.q.K, Lang: qs.lang, Filter: f, Profile: src, Coverage: cov}
}

func compOrder(n string) int {
	for i, c := range Components {
		if c == n {
			return i
		}
	}
	return len(Components)
}

// place is candidate c's gazetteer record.
func (e *Engine) place(c int32) *datasets.Place { return &e.in.Snap.Places[e.placeIdx[c]] }

// placeRef describes candidate c.
func (e *Engine) placeRef(c int32) datasets.PlaceRef { return e.in.Snap.PlaceRef(e.place(c)) }

var _ = datasets.EInvalid

// matchIndex is the candidates' layout for the pruned scan, built on the
// first unfiltered match.
func (e *Engine) matchIndex() *rankIndex {
	e.rankIxOnce.Do(func() { e.rankIx = e.newRankIndex() })
	return e.rankIx
}

// WarmMatchIndex builds the pruned scan's layout now rather than in the
// first match that needs it (which would otherwise wait for it: about
// half a second on 2 cores); a server calls it in the background once it
// is ready.
func (e *Engine) WarmMatchIndex() { e.matchIndex() }

// StructureOnly reports whether every match of the list rests on the
// structure component alone (no profile, tie or twinning data for it).
func (r *Result) StructureOnly() bool {
	for _, m := range r.Matches {
		if len(m.Basis) != 1 || m.Basis[0] != CompStructure {
			return false
		}
	}
	return len(r.Matches) > 0
}
