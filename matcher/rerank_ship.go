package matcher

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"hermanar/datasets"
)

// Shipping the second stage (rerank.go). For a municipality with twins of
// its own in the registry (the condition under which the backtest measures
// the second stage), Match, Rank, the API and the pages rank the
// candidates as the backtest's matcher_reranked does: the first stage
// scores every candidate, the second stage re-scores its pool, and the
// pool comes first, in the model's order. The model replaces only what the
// registry can teach, the structure and network components: the problems,
// areas, text and diaspora components keep their policy weights on top,
// so a known tie counts as much as before. A pair's score is
//
//	adjustment × (Σ policy components wᵢ·vᵢ + W·M)
//
// with the weights w renormalised over the components with data as ever,
// W the structure and network weights together and M the model's score on
// [0,1]. The explanation shows M as one component, "learned", whose
// contribution is split by feature (RerankModel.rerankAttribution): the
// parts add up to it exactly.

// CompLearned names the second stage's component in an explanation.
const CompLearned = "learned"

// ExplainedComponents are the names a match's components can carry: the
// scoring components and the second stage's.
var ExplainedComponents = append(slices.Clone(Components), CompTraits, CompLearned)

// RerankFile is the second stage as `hermanar calibrate` writes it
// (rerank_model.json, embedded beside weights_default.json).
type RerankFile struct {
	Model *RerankModel `json:"model"`
	// FirstStage is the provenance of the weights whose scores the model
	// read as its first_stage feature: an engine with other weights does
	// not apply it.
	FirstStage string `json:"first_stage_weights"`
	// Scale maps the model's score M onto the backtest's probability that
	// a pool candidate with that score is the twin chosen, fitted on the
	// cross-validated scores (scale.go's isotonic fit).
	Scale      *BasisScale            `json:"scale,omitempty"`
	Provenance *CalibrationProvenance `json:"provenance,omitempty"`
	// Summary says in one line what the model was fitted on and how well
	// it did held out.
	Summary string `json:"summary"`
}

// ReadRerankFile reads and checks a model file's bytes.
func ReadRerankFile(b []byte) (*RerankFile, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("rerank model file: empty")
	}
	var f RerankFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("rerank model file: %w", err)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// LoadRerankFile reads the model file name.
func LoadRerankFile(name string) (*RerankFile, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	f, err := ReadRerankFile(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

// Validate checks that the model reads this binary's features, in order,
// and is well formed.
func (f *RerankFile) Validate() error {
	if f.Model == nil {
		return fmt.Errorf("rerank model file: no model")
	}
	got, want := f.Model.Features, rerankFeatureNames
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			return fmt.Errorf("rerank model file: the model has %d features, this binary computes %d: feature %d (%q) is missing; refit it with `hermanar calibrate --model`", len(got), len(want), i+1, want[i])
		case i >= len(want):
			return fmt.Errorf("rerank model file: the model has %d features, this binary computes %d: feature %d (%q) is unknown; refit it with `hermanar calibrate --model`", len(got), len(want), i+1, got[i])
		case got[i] != want[i]:
			return fmt.Errorf("rerank model file: feature %d is %q, this binary computes %q there; refit it with `hermanar calibrate --model`", i+1, got[i], want[i])
		}
	}
	if err := f.Model.Validate(); err != nil {
		return fmt.Errorf("rerank model file: %w", err)
	}
	if f.FirstStage == "" {
		return fmt.Errorf("rerank model file: first_stage_weights is empty")
	}
	if f.Scale != nil {
		if err := f.Scale.validate(); err != nil {
			return fmt.Errorf("rerank model file: scale: %w", err)
		}
	}
	return nil
}

// Save writes f as indented JSON, checked first.
func (f *RerankFile) Save(name string) error {
	if err := f.Validate(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	return datasets.WriteBytesSync(name, 0o644, append(b, '\n'))
}

// rerankDefaultJSON is the second stage shipped with the binary, written
// by `hermanar calibrate --model matcher/rerank_model.json`.
//
//go:embed rerank_model.json
var rerankDefaultJSON []byte

var (
	defaultRerankOnce sync.Once
	defaultRerankVal  *RerankFile
	defaultRerankErr  error
)

// DefaultRerank is the embedded second stage; nil when the embedded file
// is empty. An embedded file this binary cannot read is an error (a test
// holds the shipped one readable).
func DefaultRerank() (*RerankFile, error) {
	defaultRerankOnce.Do(func() {
		if len(bytes.TrimSpace(rerankDefaultJSON)) == 0 {
			return
		}
		defaultRerankVal, defaultRerankErr = ReadRerankFile(rerankDefaultJSON)
	})
	return defaultRerankVal, defaultRerankErr
}

// rerankFor is the second stage an engine with inputs in applies: in's,
// else the embedded one; none when it was fitted on another first stage
// or the weights carry a twinned set (the first stage of a twinned
// municipality would then differ from the one the model read).
func rerankFor(in Inputs) (*RerankFile, error) {
	if in.NoRerank {
		return nil, nil
	}
	f := in.Rerank
	if f != nil {
		if err := f.Validate(); err != nil {
			return nil, err
		}
	} else {
		var err error
		if f, err = DefaultRerank(); err != nil {
			return nil, err
		}
	}
	if f == nil || f.FirstStage != in.Weights.Provenance || in.Weights.Twinned != nil {
		return nil, nil
	}
	return f, nil
}

// Rerank is the second stage the engine applies, nil when none.
func (e *Engine) Rerank() *RerankFile { return e.rerank }

// learnedQuery is one query's second stage: its model, context and pool.
type learnedQuery struct {
	f     *RerankFile
	rc    *rerankCtx
	pool  []int32   // re-scored candidates, ascending
	first []float32 // each pool candidate's first-stage score (its input)
	// norm is each pool candidate's traits and learned parts over their
	// weight (the shipped score without the policy components, on [0,1]):
	// what the scale reads.
	norm []float32
	// m is each pool candidate's model score (explanations read it).
	m []float64
	// plain is the split of a candidate without a tie, profile or
	// twinning of its own (scored by the kernel, not one by one): its
	// weights are the same for every such candidate of the query.
	plain    learnedParts
	plainSet bool
	row      []float32
	// sc holds the pool's rows (sc.rows[k] is pool member k's) until
	// release, so that an explanation reads its row instead of writing it
	// again; nil once released or when the rows were too wide for it.
	sc *learnedScratch
	// best are the pool's best candidates with each reserved trait the
	// municipality has (traitBest), for the reservation.
	best []traitPicks
	// reserved are the candidates the reservation placed, with the trait
	// each was placed for.
	reserved map[int32]Trait
}

// learnedTraitsShare is the share of the traits signal's first-stage
// weight kept on top of the second stage (the rest goes to the model).
// Measured on the real files, held out (README, The second stage): 0.5
// gives MRR 0.064, 0.25 0.074, 0.1 0.079, none 0.081; any share re-orders
// every list. The shared traits are shown instead by the reservation
// (reserveTraits) and explained in the traits component, without weight.
const learnedTraitsShare = 0.0

// traitsSignal is the traits signal's position in signalList.
var traitsSignal = slices.IndexFunc(signalList, func(s Signal) bool { return s.Name == FeatTraits })

// learnedFor starts the second stage of qs when it applies: the engine
// ships one and the municipality has twins of its own.
func (e *Engine) learnedFor(qs *queryState, f *RerankFile) *learnedQuery {
	if f == nil || len(qs.twinned) == 0 {
		return nil
	}
	return &learnedQuery{f: f, rc: e.newRerankCtx(qs), row: make([]float32, len(rerankFeatureNames))}
}

// at is candidate c's position in the pool, -1 when it is not in it.
func (lq *learnedQuery) at(c int32) int {
	if i, ok := slices.BinarySearch(lq.pool, c); ok {
		return i
	}
	return -1
}

// learnedParts is a pair's score split into what the second stage keeps
// and what it replaces: the adjustment (wishes, interest), the policy
// components' weighted sum, the structure and network's (the first
// stage's score without the policy components: the model's input), their
// weight W, and, inside structure, the shared traits' part and weight,
// kept on top as policy (a border city for a border city counts as the
// first stage says).
type learnedParts struct {
	adj, policy, first, w float64
	traits, wTraits       float64
	structW               float64 // the structure component's weight
	// traitsOn is set when the pair has the traits signal (with a weight
	// on top of the model or none): its explanation shows the shared
	// traits either way.
	traitsOn bool
}

// score is the shipped score with the model's score m.
func (p *learnedParts) score(m float64) float64 {
	return p.adj * (p.policy + p.traits + (p.w-p.wTraits)*m)
}

// norm is the traits and learned parts over their weight.
func (p *learnedParts) norm(m float64) float64 {
	if p.w <= 0 {
		return 0
	}
	return (p.traits + (p.w-p.wTraits)*m) / p.w
}

// traitsOf sets p's traits part for candidate c from p.structW.
func (e *Engine) traitsOf(qs *queryState, c int32, p *learnedParts) {
	p.traits, p.wTraits, p.traitsOn = 0, 0, false
	if traitsSignal < 0 || qs.subW[traitsSignal] == 0 || p.structW == 0 {
		return
	}
	p.traitsOn = true
	p.wTraits = learnedTraitsShare * p.structW * float64(qs.subW[traitsSignal])
	p.traits = p.wTraits * float64(signalList[traitsSignal].value(e, qs, &qs.sig[traitsSignal], c))
}

// learnedSplit splits candidate c's score (learnedParts).
func (e *Engine) learnedSplit(qs *queryState, c int32, pp *pairParts) learnedParts {
	return e.learnedSplitOf(qs, c, e.scoreOne(qs, c, pp), pp)
}

// learnedSplitOf is learnedSplit from c's score and parts as scoreOne
// gave them (an explanation has them already).
func (e *Engine) learnedSplitOf(qs *queryState, c int32, score float64, pp *pairParts) learnedParts {
	parts, rev := pp.fwd(), pp.rev()
	share := 1.0
	if pp.both && pp.f+pp.r > 0 {
		share = pp.r / (pp.f + pp.r)
	} else if pp.both {
		share = 0.5
	}
	den := 0.0
	for i, p := range parts {
		if p.ok {
			den += qs.compW[i]
		}
	}
	out := learnedParts{adj: 1}
	if den == 0 {
		return out
	}
	for i, p := range parts {
		if !p.ok {
			continue
		}
		v := p.value
		if pp.both {
			v = share*p.value + (1-share)*rev[i].value
		}
		wi := qs.compW[i] / den
		switch p.name {
		case CompStructure:
			out.structW = wi
			fallthrough
		case CompNetwork:
			out.first += wi * v
			out.w += wi
		default:
			out.policy += wi * v
		}
	}
	if pair := out.policy + out.first; pair > 0 {
		out.adj = score / pair
	}
	e.traitsOf(qs, c, &out)
	return out
}

// learnedScores re-scores the pool of qs: out holds the first stage's
// scores of every candidate (negative: rejected); on return each pool
// candidate's is 2 + its shipped score, so the pool ranks first in the
// model's order (with the policy components on top) and the rest follow
// in the first stage's order, as in the backtest. minHead raises the
// pool's head (the first stage's best) to a list's pool of more than
// the pool's head (rerankHead); candidates scored one by one (ties, profiles) that pass
// the filter join the pool too. It returns how many it re-scored.
// (learnedPruned builds the same pool without a vector of every score.)
func (e *Engine) learnedScores(qs *queryState, lq *learnedQuery, out []float32, minHead int) int {
	if !qs.q.Filter.IncludeTwinned {
		// Existing twins go apart (fit.go): they take no place in the pool.
		for c := range qs.twinned {
			out[c] = rejected
		}
	}
	pool := e.rerankPool(qs, lq.rc, out)
	var extra []int32
	if minHead > e.rerankHead() {
		top, _ := topK(out, e.ids, minHead)
		extra = append(extra, top...)
	}
	for c := range qs.explicit {
		if out[c] >= 0 {
			extra = append(extra, c)
		}
	}
	if len(extra) > 0 {
		pool = append(pool, extra...)
		slices.Sort(pool)
		pool = slices.Compact(pool)
	}
	first := make([]float32, len(pool))
	for k, c := range pool {
		first[k] = out[c]
	}
	s := e.learnedScorePool(qs, lq, pool, first)
	for k, c := range pool {
		out[c] = s[k]
	}
	return len(pool)
}

// learnedScorePool re-scores pool (ascending, every member passing the
// filter), first holding each member's first-stage score: it sets lq's
// pool and returns each member's 2 + shipped score. The rows are written
// into one reused buffer and the trees score them in blocks
// (flatForest.scoreRows).
func (e *Engine) learnedScorePool(qs *queryState, lq *learnedQuery, pool []int32, first []float32) []float32 {
	lq.pool = pool
	lq.first = make([]float32, len(pool))
	lq.norm = make([]float32, len(pool))
	s := make([]float32, len(pool))
	lq.release()
	sc := getLearnedScratch(len(pool))
	nf := len(lq.row)
	if nf > len(row64{}) { // too wide for the flat rows: each scored at once
		var pp pairParts
		for k, c := range pool {
			e.learnedPart(qs, lq, sc, &pp, k, c, first[k])
			e.rerankRow(qs, lq.rc, c, lq.first[k], lq.row)
			sc.m[k] = lq.f.Model.Score(lq.row)
		}
		lq.m = slices.Clone(sc.m)
		for k, m := range sc.m {
			s[k] = float32(2 + sc.parts[k].score(m))
			lq.norm[k] = float32(sc.parts[k].norm(m))
		}
		learnedScratchPool.Put(sc)
		e.traitBest(qs, lq, s)
		return s
	}
	// The split every plain member shares is the first plain member's,
	// set before the members are split into halves.
	if !lq.plainSet {
		for _, c := range pool {
			if !qs.explicit[c] {
				var pp pairParts
				lq.plain, lq.plainSet = e.learnedSplit(qs, c, &pp), true
				break
			}
		}
	}
	ff := forestOf(lq.f.Model)
	lq.m = make([]float64, len(pool))
	// span scores members [lo, hi): their splits, rows, model scores and
	// shipped scores, each member's apart from every other's, so that the
	// two halves of a pool can be scored at the same time.
	span := func(lo, hi int) {
		var pp pairParts
		for k := lo; k < hi; k++ {
			c := pool[k]
			e.learnedPart(qs, lq, sc, &pp, k, c, first[k])
			e.rerankRow(qs, lq.rc, c, lq.first[k], sc.rows[k][:nf])
		}
		if ff != nil {
			ff.scoreRows(sc.rows[lo:hi], sc.m[lo:hi])
		} else {
			for k := lo; k < hi; k++ {
				sc.m[k] = lq.f.Model.Score(sc.rows[k][:nf])
			}
		}
		for k := lo; k < hi; k++ {
			m := sc.m[k]
			lq.m[k] = m
			s[k] = float32(2 + sc.parts[k].score(m))
			lq.norm[k] = float32(sc.parts[k].norm(m))
		}
	}
	n := len(pool)
	if n >= learnedSplitMin && e.borrowCore() {
		// A core is idle: the second half on it (parallel.go, borrowCore).
		h := (n / 2) &^ 3 // whole blocks of four rows on this side
		var wg sync.WaitGroup
		wg.Go(func() {
			defer e.returnCore()
			span(h, n)
		})
		span(0, h)
		wg.Wait()
	} else {
		span(0, n)
	}
	lq.sc = sc
	e.traitBest(qs, lq, s)
	return s
}

// learnedSplitMin is the smallest pool whose scoring is split over two
// cores when one is idle: below it, starting the second costs about what
// it saves.
const learnedSplitMin = 64

// learnedPart sets pool member k's (candidate c's) split in sc and its
// first-stage input in lq: its own split when it is scored one by one,
// else the plain split (lq.plain, set) with its kernel score and traits.
func (e *Engine) learnedPart(qs *queryState, lq *learnedQuery, sc *learnedScratch, pp *pairParts, k int, c int32, first float32) {
	lp := &sc.parts[k]
	if qs.explicit[c] {
		*lp = e.learnedSplit(qs, c, pp)
	} else {
		if !lq.plainSet {
			lq.plain, lq.plainSet = e.learnedSplit(qs, c, pp), true
		}
		*lp = lq.plain
		lp.first = float64(first) // the kernel's score, as the backtest reads it
		e.traitsOf(qs, c, lp)
	}
	lq.first[k] = float32(lp.first)
}

// learnedScratch is learnedScorePool's working space for one pool: each
// member's row, split and model score, reused from query to query.
type learnedScratch struct {
	rows  []row64
	parts []learnedParts
	m     []float64
}

var learnedScratchPool sync.Pool

// release gives the pool's rows back for another query; the query's
// explanations are written by then (a later one writes its row again).
func (lq *learnedQuery) release() {
	if lq != nil && lq.sc != nil {
		learnedScratchPool.Put(lq.sc)
		lq.sc = nil
	}
}

// getLearnedScratch is working space for a pool of n, from the pool of
// them; put it back when done.
func getLearnedScratch(n int) *learnedScratch {
	sc, _ := learnedScratchPool.Get().(*learnedScratch)
	if sc == nil {
		sc = &learnedScratch{}
	}
	if cap(sc.rows) < n {
		sc.rows = make([]row64, n, n+n/4)
		sc.parts = make([]learnedParts, n, n+n/4)
		sc.m = make([]float64, n, n+n/4)
	}
	sc.rows, sc.parts, sc.m = sc.rows[:n], sc.parts[:n], sc.m[:n]
	return sc
}

// learnedTop is the top k of qs under the second stage, best first, with
// their shipped scores; passed counts the candidates the filters keep.
func (e *Engine) learnedTop(qs *queryState, lq *learnedQuery, buf []float32) (top []int32, scores []float32, passed, scored int) {
	e.scoreAll(qs, buf)
	e.filterTraits(qs, buf)
	for _, s := range buf {
		if s >= 0 {
			passed++
		}
	}
	scored = e.learnedScores(qs, lq, buf, qs.q.K)
	top, _ = topK(buf, e.ids, qs.q.K)
	scores = scoresOf(buf, top)
	for i := range scores {
		if scores[i] >= 2 {
			scores[i] -= 2
		}
	}
	return top, scores, passed, scored
}

// FeaturePart is one second-stage feature's part of the learned
// component: its input value and its contribution to the score.
type FeaturePart struct {
	Name         string  `json:"name"`
	Value        float64 `json:"value"`
	Contribution float64 `json:"contribution"`
}

// RerankBase names the part of the learned score no feature explains (the
// trees' expected output before any split).
const RerankBase = "base"

// CompTraits names, in a learned match, the shared traits' part of the
// structure component, kept on top of the model.
const CompTraits = "traits"

// learnedComponents replaces, in m's components (built by explainDetail
// from the pair's parts), the structure and network components by the
// shared traits' part and the learned component when c is in the second
// stage's pool, and returns the shipped score (m.Score unrounded) and
// true; false leaves m alone.
func (e *Engine) learnedComponents(qs *queryState, c int32, m *Match, brief bool, pairScore float64, pp *pairParts) (float64, bool) {
	lq := qs.learned
	if lq == nil {
		return 0, false
	}
	k := lq.at(c)
	if k < 0 {
		return 0, false
	}
	lp := e.learnedSplitOf(qs, c, pairScore, pp)
	mod := lq.f.Model
	score := lq.m[k] // mod.Score of the row, computed with the pool
	var bias float64
	var parts []float64
	var x *row64
	if lq.sc != nil {
		x = &lq.sc.rows[k] // the pool's row
	} else {
		e.rerankRow(qs, lq.rc, c, lq.first[k], lq.row)
	}
	if ff := forestOf(mod); ff != nil && len(lq.row) <= len(row64{}) {
		// mod's attribution, to the bit (TestFlatForestEqualsModel)
		if x == nil {
			x = new(row64)
			copy(x[:], lq.row)
		}
		bias, parts = ff.attribution(x)
	} else if x != nil {
		bias, parts = mod.rerankAttribution(x[:len(lq.row)])
	} else {
		bias, parts = mod.rerankAttribution(lq.row)
	}
	row := lq.row
	if x != nil {
		row = x[:len(lq.row)]
	}
	kept := m.Components[:0]
	for _, comp := range m.Components {
		if comp.Name != CompStructure && comp.Name != CompNetwork {
			kept = append(kept, comp)
		}
	}
	if lp.wTraits > 0 || lp.traitsOn {
		tc := Component{Name: CompTraits, Weight: round6(lp.wTraits), Contribution: lp.adj * lp.traits}
		if lp.wTraits > 0 {
			tc.Value = round6(lp.traits / lp.wTraits)
		} else {
			tc.Value = round6(float64(signalList[traitsSignal].value(e, qs, &qs.sig[traitsSignal], c)))
		}
		if !brief {
			if t, ok := lq.reserved[c]; ok {
				tc.Evidence = append(tc.Evidence, reservedEvidence(t, qs.lang))
			}
			tc.Evidence = e.appendSignalEvidence(qs, traitsSignal, c, tc.Evidence)
			tc.Source = "Natural Earth; GeoNames (CC BY 4.0)"
		}
		kept = append(kept, tc)
	}
	wl := lp.w - lp.wTraits
	f := wl * lp.adj
	comp := Component{Name: CompLearned, Value: round6(score), Weight: round6(wl), Contribution: f * score,
		Source: tr(qs.lang, "modelo aprendido de los hermanamientos registrados (hermanar calibrate); GeoNames (CC BY 4.0); CONAPO",
			"model learned from the recorded twinnings (hermanar calibrate); GeoNames (CC BY 4.0); CONAPO")}
	np := 1
	for _, p := range parts {
		if p != 0 {
			np++
		}
	}
	comp.Parts = make([]FeaturePart, 0, np)
	comp.Parts = append(comp.Parts, FeaturePart{Name: RerankBase, Contribution: f * bias})
	for i, p := range parts {
		if p != 0 {
			comp.Parts = append(comp.Parts, FeaturePart{Name: rerankFeatureNames[i], Value: round6(float64(row[i])), Contribution: f * p})
		}
	}
	if !brief {
		comp.Evidence = learnedEvidence(qs.lang, comp.Parts)
	}
	m.Components = append(kept, comp)
	return lp.score(score), true
}

// learnedReplaces reports whether learnedComponents drops candidate c's
// component name from its explanation (the second stage re-scored c and
// replaces structure and network): explainInto then writes no evidence
// for it.
func (e *Engine) learnedReplaces(qs *queryState, c int32, name string) bool {
	return qs.learned != nil && (name == CompStructure || name == CompNetwork) && qs.learned.at(c) >= 0
}

// roundParts rounds each feature part to 6 decimals and lets the largest
// one absorb what rounding leaves, so that the parts add up to the
// component's (rounded) contribution.
func roundParts(comp *Component) {
	if len(comp.Parts) == 0 {
		return
	}
	sum, big := 0.0, 0
	for i := range comp.Parts {
		comp.Parts[i].Contribution = round6(comp.Parts[i].Contribution)
		sum += comp.Parts[i].Contribution
		if math.Abs(comp.Parts[i].Contribution) > math.Abs(comp.Parts[big].Contribution) {
			big = i
		}
	}
	comp.Parts[big].Contribution = round6(comp.Parts[big].Contribution + comp.Contribution - sum)
	for i := range comp.Parts {
		comp.Parts[i].Contribution += 0 // no "-0" in JSON
	}
}

// learnedEvidence lists the features that move the learned score most,
// in words, for pages and the CLI. Each line is written into one buffer
// and becomes one string (a match's explanation is on the path of every
// request).
func learnedEvidence(lang string, parts []FeaturePart) []string {
	var idx [6]int // the six largest parts, largest first (stable: earlier first on ties)
	n := 0
	for i, p := range parts {
		if p.Name == RerankBase || math.Abs(p.Contribution) < 5e-4 {
			continue
		}
		a := math.Abs(p.Contribution)
		j := n
		for j > 0 && a > math.Abs(parts[idx[j-1]].Contribution) {
			j--
		}
		if j >= len(idx) {
			continue
		}
		if n < len(idx) {
			n++
		}
		copy(idx[j+1:n], idx[j:n-1])
		idx[j] = i
	}
	if n == 0 {
		return nil
	}
	out := make([]string, 1, n+1)
	out[0] = tr(lang, "Un modelo aprendido de los hermanamientos registrados ordenó esta lista; lo que más pesó:",
		"A model learned from the recorded twinnings ranked this list; what weighed most:")
	// Every line into one buffer, made one string and cut into lines.
	var buf [512]byte
	var ends [len(idx)]int
	b := buf[:0]
	for j, i := range idx[:n] {
		p := parts[i]
		b = append(b, featureLabel(p.Name, lang)...)
		b = append(b, " ("...)
		b = appendFeatureValue(b, p.Name, p.Value)
		b = append(b, "): "...)
		b = appendSigned3(b, p.Contribution)
		ends[j] = len(b)
	}
	all, lo := string(b), 0
	for _, hi := range ends[:n] {
		out = append(out, all[lo:hi])
		lo = hi
	}
	return out
}

// appendSigned3 appends v as fmt's "%+.3f" writes it: three decimals and
// a sign, "+" for zero and above (strconv writes "+Inf" itself).
func appendSigned3(b []byte, v float64) []byte {
	at := len(b)
	b = strconv.AppendFloat(b, v, 'f', 3, 64)
	if b[at] != '-' && b[at] != '+' {
		b = append(b, 0)
		copy(b[at+1:], b[at:])
		b[at] = '+'
	}
	return b
}

// featureLabels are FeatureLabel of every second-stage feature and of
// RerankBase in Spanish and English, built once.
var featureLabels = sync.OnceValue(func() map[string][2]string {
	out := map[string][2]string{}
	for _, n := range append(slices.Clone(rerankFeatureNames), RerankBase) {
		out[n] = [2]string{FeatureLabel(n, "es"), FeatureLabel(n, "en")}
	}
	return out
})

// featureLabel is FeatureLabel(name, lang) from featureLabels.
func featureLabel(name, lang string) string {
	l, ok := featureLabels()[name]
	if !ok {
		return FeatureLabel(name, lang)
	}
	return tr(lang, l[0], l[1])
}

// appendFeatureValue appends a feature's input, written as people read
// it, to b.
func appendFeatureValue(b []byte, name string, v float64) []byte {
	switch name {
	case "log_mx_twins", "log_all_twins", "log_my_twins", "log_state_twins":
		return strconv.AppendFloat(b, math.Expm1(v), 'f', 0, 64)
	case "country_count", "co_twins", "ptype", "is_us":
		return strconv.AppendFloat(b, v, 'f', 0, 64)
	case "log_km":
		return append(appendThousands(b, int64(math.Round(math.Pow(10, v)-1))), " km"...)
	case "log_pop_me":
		return appendThousands(b, int64(math.Round(math.Pow(10, v)-1)))
	case "cand_my_countries":
		return strconv.AppendFloat(b, math.Expm1(v), 'f', 0, 64)
	case "country_share", "region_share", "cand_latam_share", "cand_abroad_share":
		return append(strconv.AppendFloat(b, v*100, 'f', 0, 64), '%')
	}
	return strconv.AppendFloat(b, v, 'f', 3, 64)
}

// calibrateLearned sets m.Calibrated for a learned match: the learned
// scale at the traits and learned parts over their weight, when no policy
// component adds anything for the pair (the backtest has no ties or
// profiles to calibrate them).
func (e *Engine) calibrateLearned(qs *queryState, m *Match) {
	s := qs.learned.f.Scale
	if s == nil || m.Adjustment != 0 {
		return
	}
	num, w := 0.0, 0.0
	for _, c := range m.Components {
		switch {
		case c.Name == CompLearned || c.Name == CompTraits:
			num += c.Weight * c.Value
			w += c.Weight
		case c.Value != 0:
			return
		}
	}
	if w <= 0 {
		return
	}
	v := round6(s.Apply(num / w))
	m.Calibrated, m.CalibratedBasis = &v, CompLearned
}

// learnedBasis is the basis of a learned match: its components' names.
func learnedBasis(m *Match) []string {
	out := make([]string, 0, len(m.Components))
	for _, c := range m.Components {
		out = append(out, c.Name)
	}
	return out
}

// learnedCode is the explanation code of a learned match: the initials of
// the components that carry it ("D+L").
func learnedCode(m *Match) string {
	code := ""
	for _, c := range m.Components {
		if c.Value >= 0.5 && c.Weight*c.Value >= 0.05 {
			if code != "" {
				code += "+"
			}
			code += string(c.Name[0] - 'a' + 'A')
		}
	}
	if code == "" {
		return "L"
	}
	return code
}

// FitShippedRerank fits the second stage that ships, on every backtest
// query of in (opts.Default the first stage), and measures it held out:
// the same fits by fold as eval's (foldRerankers), each query scored by
// the shipped scoring path with the model that never saw its
// municipality. The final model reads its training rows as those fits do
// (each query without its own pair); the scale is fitted on the held-out
// scores. It returns the file (Provenance left to the caller) and the
// held-out result.
func FitShippedRerank(ctx context.Context, in Inputs, opts EvalOptions) (*RerankFile, *ShippedFit, error) {
	opts.defaults()
	in.Weights = opts.Default
	in.NoRerank = true
	e, err := NewEngine(in)
	if err != nil {
		return nil, nil, err
	}
	queries := BacktestQueries(e.reg)
	if len(queries) == 0 {
		return nil, nil, fmt.Errorf("calibrate: no municipality has two or more resolved foreign twins among %d twinnings", len(in.Twinnings))
	}
	folds := AssignFolds(queries, opts.Folds, opts.Seed)
	nfolds := 0
	for _, f := range folds {
		nfolds = max(nfolds, f+1)
	}
	models, err := foldRerankers(ctx, e, in, queries, folds, nfolds, opts)
	if err != nil {
		return nil, nil, err
	}
	halves := rerankHalves(queries)
	stats := make([]rankStat, len(queries))
	tops := make([][]int32, len(queries))
	sample := &binSample{}
	var mu sync.Mutex
	progress := newProgress(opts.Progress, "rerank held out", len(queries))
	err = parallel(ctx, len(queries), opts.Workers, func() func(i int) error {
		buf := make([]float32, e.n)
		return func(i int) error {
			q := queries[i]
			qs, err := e.prepare(Query{Municipality: q.Municipality, K: 10, Filter: Filter{ExcludeTwinned: true}, registry: e.reg.hide(q.Municipality, q.Hidden)})
			if err != nil {
				return err
			}
			e.scoreAll(qs, buf)
			f := &RerankFile{Model: models[folds[q.Municipality]][halves[i]], FirstStage: opts.Default.Provenance}
			h := e.candIndex[q.Hidden]
			var all [ScaleBins]int64
			var sum [ScaleBins]float64
			hit := -1
			if lq := e.learnedFor(qs, f); lq != nil {
				e.learnedScores(qs, lq, buf, 0)
				e.reserveScores(lq, buf)
				for k, c := range lq.pool {
					v := float64(lq.norm[k])
					b := scaleBin(v)
					all[b]++
					sum[b] += v
					if c == h {
						hit = b
					}
				}
			}
			stats[i] = rankOf(buf, h)
			tops[i], _ = topK(buf, e.ids, 10)
			mu.Lock()
			for b := range all {
				sample.all[b] += all[b]
				sample.sum[b] += sum[b]
			}
			if hit >= 0 {
				sample.hits[hit]++
			}
			sample.queries++
			mu.Unlock()
			progress.step()
			return nil
		}
	})
	progress.done()
	if err != nil {
		return nil, nil, err
	}
	res := summarize(stats, tops, e.n)
	res.Name, res.Kind = MethodMatcherShipped, KindMatcher
	start := time.Now()
	// The final model's foreign rows read the whole registry, each
	// foreign query without its own pair, as its Mexican rows do.
	var wrows []float32
	var wgroups []rerankGroup
	if opts.World.On() {
		if wrows, wgroups, err = e.worldRowsOf(ctx, e.reg, e.w.For(true), e.worldQueries(e.reg, opts.World, opts.Seed), opts.World, opts.Workers); err != nil {
			return nil, nil, err
		}
	}
	train := queries
	if opts.SingleTwins {
		train = append(slices.Clone(queries), singleTwinQueries(e.reg)...)
	}
	finals, used, err := fitRerankWith(ctx, e, e.reg, train, wrows, wgroups, opts.Workers, nil)
	if err != nil {
		return nil, nil, err
	}
	final := finals[0]
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "rerank final: %d trees on %d of %d queries (%.1fs)\n", len(final.Trees), used, len(queries), time.Since(start).Seconds())
	}
	final.Provenance = fmt.Sprintf("all %d backtest queries of %d municipalities, %d with the hidden twin in the pool", len(queries), len(folds), used)
	if len(wgroups) > 0 {
		final.Provenance += "; " + opts.World.describe(len(wgroups))
	}
	out := &RerankFile{Model: final, FirstStage: opts.Default.Provenance, Scale: sample.fit()}
	return out, &ShippedFit{Result: res, Queries: len(queries), Municipalities: len(folds), Folds: nfolds}, nil
}

// ShippedFit is what FitShippedRerank measured held out.
type ShippedFit struct {
	Result                         MethodResult
	Queries, Municipalities, Folds int
}

// The shared-traits reservation. The second stage ranks by what the
// registry teaches, which seldom puts a border city first for a border
// municipality; weighting the shared traits on top of the model instead
// re-orders every list and costs the held-out MRR (README, The second
// stage). So a learned list keeps its model order and reserves places
// only where its head says nothing of a distinctive trait the
// municipality has: when none of the first TraitReserveHead places shares
// one of reservedTraits with it, the last places of that head (at most
// TraitReserve in all, dealt round-robin over the traits missing) go to
// the best candidates of the pool that share it, by shipped score. The
// backtest ranks with the same rule (reserveScores).

// Parameters of the reservation. Measured held out on the real files
// with no traits weight on top: 1, 2 or 3 places all keep MRR 0.081
// (the hidden twins the reserved places displace are few); Tijuana gets
// 1, 2 or 3 border cities.
const (
	TraitReserve     = 2  // places at most
	TraitReserveHead = 10 // the head of the list the rule reads
)

// reservedTraits are the traits places are reserved for, rarest first.
var reservedTraits = []Trait{TraitBorder, TraitMountain, TraitCoastal}

// traitBest sets lq.best: for each of reservedTraits the municipality of
// qs has, the TraitReserve best candidates of the pool that have it (best
// shipped score s first, then smaller GeoNames id).
func (e *Engine) traitBest(qs *queryState, lq *learnedQuery, s []float32) {
	lq.best = lq.best[:0]
	if TraitReserve <= 0 {
		return
	}
	qt := e.municipalityTraits(qs.muni)
	for _, t := range reservedTraits {
		if qt&t == 0 {
			continue
		}
		var best []int32
		var bs []float32
		for k, c := range lq.pool {
			if e.traits[c]&t == 0 {
				continue
			}
			j := len(best)
			for j > 0 && (s[k] > bs[j-1] || (s[k] == bs[j-1] && e.ids[c] < e.ids[best[j-1]])) {
				j--
			}
			if j >= TraitReserve {
				continue
			}
			best, bs = slices.Insert(best, j, c), slices.Insert(bs, j, s[k])
			if len(best) > TraitReserve {
				best, bs = best[:TraitReserve], bs[:TraitReserve]
			}
		}
		if len(best) > 0 {
			lq.best = append(lq.best, traitPicks{t: t, c: best})
		}
	}
}

// traitPicks are the best pool candidates with trait t.
type traitPicks struct {
	t Trait
	c []int32
}

// reserveTraits returns list with the reservation applied (list itself
// when no place is reserved). The reserved candidates take the last places
// of the head, best first, and the head's places they displace move down
// (out of a list of TraitReserveHead or fewer).
func (e *Engine) reserveTraits(lq *learnedQuery, list []int32) []int32 {
	h := min(len(list), TraitReserveHead)
	if lq == nil {
		return list
	}
	lq.reserved = nil
	if len(lq.best) == 0 || h == 0 {
		return list
	}
	var have Trait
	for _, c := range list[:h] {
		have |= e.traits[c]
	}
	var missing []traitPicks
	for _, p := range lq.best {
		if have&p.t == 0 {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return list
	}
	var chosen []int32
	lq.reserved = map[int32]Trait{}
	for j := 0; len(chosen) < min(TraitReserve, h); j++ {
		more := false
		for _, p := range missing {
			if j >= len(p.c) || len(chosen) >= min(TraitReserve, h) {
				continue
			}
			more = true
			if !slices.Contains(chosen, p.c[j]) {
				chosen = append(chosen, p.c[j])
				lq.reserved[p.c[j]] = p.t
			}
		}
		if !more {
			break
		}
	}
	out := make([]int32, 0, len(list))
	out = append(out, list[:h-len(chosen)]...)
	out = append(out, chosen...)
	for _, c := range list[h-len(chosen):] {
		if !slices.Contains(chosen, c) {
			out = append(out, c)
		}
	}
	return out[:len(list)]
}

// reserveScores applies the reservation to a backtest's scores (every
// candidate's, after learnedScores): the reserved candidates get scores
// between those of the places around them, so that ranking by score gives
// the list reserveTraits draws from the plain score order.
func (e *Engine) reserveScores(lq *learnedQuery, scores []float32) {
	if len(lq.best) == 0 {
		return
	}
	top, _ := topK(scores, e.ids, TraitReserveHead)
	list := e.reserveTraits(lq, top)
	first := -1
	for i := range list {
		if list[i] != top[i] {
			first = i
			break
		}
	}
	if first < 0 {
		return
	}
	// list[first:h] are the reserved ones, best first; top[first] is the
	// first place they displace.
	lo := float64(scores[top[first]])
	hi := lo + 1
	if first > 0 {
		hi = float64(scores[top[first-1]])
	}
	n := 0
	for i := first; i < len(list) && !slices.Contains(top[first:], list[i]); i++ {
		n++
	}
	for j := range n {
		v := float32(lo + (hi-lo)*float64(n-j)/float64(n+1))
		if v <= float32(lo) {
			v = math.Nextafter32(float32(lo), float32(hi))
		}
		scores[list[first+j]] = v
	}
}

// reservedEvidence says why a reserved candidate is in the list.
func reservedEvidence(t Trait, lang string) string {
	for _, d := range traitDefs {
		if d.bit == t {
			es, _, _ := strings.Cut(d.label.ES, " (")
			en, _, _ := strings.Cut(d.label.EN, " (")
			return tr(lang, fmt.Sprintf("Lugar reservado: comparte con el municipio un rasgo (%s) que ninguna de las %d primeras de la lista compartía", strings.ToLower(es), TraitReserveHead),
				fmt.Sprintf("Reserved place: it shares a trait with the municipality (%s) that none of the first %d of the list shared", strings.ToLower(en), TraitReserveHead))
		}
	}
	return ""
}

// ReservedNote is the sentence that says m holds a place reserved for a
// shared trait (in lang), empty when it does not.
func ReservedNote(m *Match, lang string) string {
	for _, c := range m.Components {
		if c.Name != CompTraits || len(c.Evidence) == 0 {
			continue
		}
		for _, t := range reservedTraits {
			if s := reservedEvidence(t, lang); s == c.Evidence[0] {
				return s
			}
		}
	}
	return ""
}
