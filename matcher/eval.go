package matcher

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"time"

	"hermanar/datasets"
)

// The backtest: every Mexican municipality with at least two foreign twins
// yields one query per twin. The query hides that twin — the pair and every
// count derived from it (popularity, country shares, co-twinning) are
// removed with Registry.Without — and ranks every foreign place of the
// snapshot; the metrics say where the hidden twin lands.
//
// Choices, all applied alike to every method:
//   - The other known twins of the municipality are known answers, not
//     candidates: they are removed from the ranking of that query.
//   - Ties in score are broken uniformly at random, in expectation: with g
//     candidates scoring strictly higher and e others scoring the same, the
//     hidden twin is equally likely to sit at any position g+1…g+e+1, and
//     every metric is its expected value over those positions (so a
//     method that scores everything equal is exactly as good as random).
//   - Metrics are averaged over queries (each hidden pair counts once).

// EvalQuery is one backtest query: a municipality and the twin it hides.
type EvalQuery struct {
	Municipality string `json:"municipality"`
	Hidden       int64  `json:"hidden"`
}

// Method kinds.
const (
	KindBaseline = "baseline"
	KindMatcher  = "matcher"
	KindProposal = "proposal" // a signal the engine lacks, reported apart
	KindAblation = "ablation" // the policy matcher without one signal, reported apart
)

// Method names, in report order.
const (
	MethodRandom            = "random"
	MethodGlobalPopularity  = "global_popularity"
	MethodMexicoPopularity  = "mexico_popularity"
	MethodCountryPopularity = "country_x_mexico_popularity"
	MethodPopulation        = "population_similarity"
	MethodMatcherPolicy     = "matcher_policy"
	MethodMatcherShipped    = "matcher_shipped"
	MethodMatcherCalibrated = "matcher_calibrated"
	// MethodMatcherReranked is the shipped first stage with the second
	// stage (rerank.go) fitted by cross-validation by municipality.
	MethodMatcherReranked = "matcher_reranked"
)

// MethodResult is one method's metrics over every query.
type MethodResult struct {
	Name       string  `json:"name"`
	Kind       string  `json:"kind"`
	RecallAt10 float64 `json:"recall_at_10"`
	RecallAt50 float64 `json:"recall_at_50"`
	MRR        float64 `json:"mrr"`
	NDCGAt10   float64 `json:"ndcg_at_10"`
	Coverage   float64 `json:"coverage"`
	MedianRank float64 `json:"median_rank"`
	// Description says how the method scores, for the report.
	Description string `json:"description"`
}

// QueryResult is where the hidden twin landed for each method.
type QueryResult struct {
	EvalQuery
	Fold  int       `json:"fold"`
	Ranks []float64 `json:"ranks"` // expected rank per method, in EvalReport.Methods order
}

// EvalReport is a whole backtest.
type EvalReport struct {
	Queries        int    `json:"queries"`
	Municipalities int    `json:"municipalities"`
	Candidates     int    `json:"candidates"`
	Twinnings      int    `json:"twinnings"`
	Folds          int    `json:"folds"`
	Seed           uint64 `json:"seed"`
	Corridor       bool   `json:"corridor"` // CONAPO and Banxico data fed the corridor feature
	// ShippedFitted: the shipped weights carry twinned weights that a
	// calibration fitted on backtest queries, so matcher_shipped is
	// in-sample and matcher_calibrated is its held-out measure.
	ShippedFitted bool `json:"shipped_fitted"`
	// ShippedSecondStage: matcher_shipped includes the shipped second
	// stage (for municipalities with twins of their own).
	ShippedSecondStage bool `json:"shipped_second_stage,omitempty"`
	// SecondStageFit says what the second stage's fold models were
	// fitted on ("" when none was fitted).
	SecondStageFit string         `json:"second_stage_fit,omitempty"`
	Methods        []MethodResult `json:"methods"`
	// FoldWeights are the calibrated weights of each fold, fitted without
	// that fold's municipalities.
	FoldWeights []Weights `json:"fold_weights,omitempty"`
	// Proposals are signals the engine does not have yet, measured like
	// the baselines so that their worth is known before anyone builds them.
	Proposals []MethodResult `json:"proposals,omitempty"`
	// Ablations are the policy matcher with one signal's weight set to 0
	// (the others renormalised), one per signal of the declared list with
	// a policy weight: what each signal is worth on these queries.
	Ablations []MethodResult `json:"ablations,omitempty"`
	// HiddenNoMexicanTwin and HiddenNoTwin are the shares of queries whose
	// hidden twin, once hidden, has no other Mexican twin, or no twin at
	// all: no network signal can find those.
	HiddenNoMexicanTwin float64       `json:"hidden_without_mexican_twin"`
	HiddenNoTwin        float64       `json:"hidden_without_any_twin"`
	Elapsed             float64       `json:"elapsed_seconds"`
	PerQuery            []QueryResult `json:"-"`
}

// Method returns the named method's result.
func (r *EvalReport) Method(name string) (MethodResult, bool) {
	for _, m := range r.Methods {
		if m.Name == name {
			return m, true
		}
	}
	return MethodResult{}, false
}

// BestBaseline is the baseline with the highest MRR.
func (r *EvalReport) BestBaseline() MethodResult {
	var best MethodResult
	for _, m := range r.Methods {
		if m.Kind == KindBaseline && m.MRR >= best.MRR {
			best = m
		}
	}
	return best
}

// DesignBaselines are the five baselines of DESIGN §7, the ones the
// acceptance's "twice the best baseline" is measured against.
var DesignBaselines = []string{MethodRandom, MethodGlobalPopularity, MethodMexicoPopularity, MethodCountryPopularity, MethodPopulation}

// BestDesignBaseline is the DESIGN baseline with the highest MRR.
func (r *EvalReport) BestDesignBaseline() MethodResult {
	var best MethodResult
	for _, m := range r.Methods {
		if m.Kind == KindBaseline && slices.Contains(DesignBaselines, m.Name) && m.MRR >= best.MRR {
			best = m
		}
	}
	return best
}

// ShippedHeldOut is the held-out measure of the shipped matcher: the
// cross-validated calibrated matcher when the shipped weights carry
// twinned weights fitted on these queries (the same fit, held out), else
// the shipped weights themselves (fitted on nothing here), else the
// calibrated matcher.
func (r *EvalReport) ShippedHeldOut() (MethodResult, bool) {
	if m, ok := r.Method(MethodMatcherShipped); ok && !r.ShippedFitted {
		return m, true
	}
	return r.Method(MethodMatcherCalibrated)
}

// EvalOptions tune a backtest.
type EvalOptions struct {
	Folds    int    // k of the cross-validation by municipality; default 5
	Seed     uint64 // random baseline, fold assignment and negative sampling
	Workers  int    // parallel queries; default GOMAXPROCS
	Progress io.Writer
	// Default are the weights the calibrated matcher starts from (those
	// for municipalities without twins; their Twinned is ignored); zero
	// means PolicyWeights.
	Default Weights
	// Shipped, when set, are the weights the binary ships, reported as
	// matcher_shipped. Their twinned weights were fitted on every query,
	// so that row is in-sample; matcher_calibrated is the same fit held
	// out.
	Shipped     Weights
	Calibration CalibrateOptions
	// SkipCalibration leaves the calibrated matcher out (faster).
	SkipCalibration bool
	// SkipAblations leaves the per-signal ablations out.
	SkipAblations bool
	// SkipRerank leaves the cross-validated second stage out.
	SkipRerank bool
	// SingleTwins adds, to the second stage's training queries, the
	// municipalities with exactly one twin (each hiding it), which the
	// backtest never scores (rerank.go).
	SingleTwins bool
	// World adds foreign-source training rows to the second stage's fits
	// (rerank_world.go); the zero value adds none.
	World WorldOptions
	// RerankVariants (a developer's tool) adds one matcher_shipped row
	// per settings, named matcher_shipped[settings]: the shipped path with
	// fold models fitted with those settings on the very rows the shipped
	// settings' fold models read.
	RerankVariants []RerankParams
	// PoolHead (an experiment) replaces RerankPoolHead in every second
	// stage the backtest fits and scores, the shipped path's included.
	PoolHead int
	// RelativeInputs (an experiment) adds the pool-relative inputs
	// (rerankRelNames) to the fold models' rows; no shipped model reads
	// them, so only matcher_reranked (the model alone) measures them and
	// matcher_shipped is the first stage's.
	RelativeInputs bool
	// observe, when set, sees every method's scores of every query and
	// the hidden twin's position (the score scale's fit, scale.go). It is
	// called from several goroutines and must not keep scores.
	observe func(e *Engine, method string, qs *queryState, scores []float32, hidden int32)
}

// secondStageFit says what the second stage's fold models read.
func secondStageFit(opts EvalOptions) string {
	s := "Each fold's trees are fitted on the Mexican queries of the other folds' municipalities, each training query without its own pair and every count read without the pairs the model will score"
	if opts.SingleTwins {
		s += ", plus the municipalities with exactly one twin (each hiding it)"
	}
	return s + opts.World.note()
}

func (o *EvalOptions) defaults() {
	if o.Folds <= 0 {
		o.Folds = 5
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Default.Components == nil {
		o.Default = PolicyWeights()
	}
	o.Default = copyWeights(o.Default)
	o.Default.Twinned = nil
	o.Calibration.Seed = o.Seed
	if o.Calibration.Workers <= 0 {
		o.Calibration.Workers = o.Workers
	}
}

// BacktestQueries lists one query per foreign twin of every municipality
// with at least two foreign twins in reg, ordered by municipality and
// place id. Municipalities the snapshot does not know are skipped.
func BacktestQueries(reg *Registry) []EvalQuery {
	munis := make([]string, 0, len(reg.muniTwins))
	for m, twins := range reg.muniTwins {
		if len(twins) < 2 {
			continue
		}
		if _, ok := reg.e.in.Snap.Municipality(m); !ok {
			continue
		}
		munis = append(munis, m)
	}
	sort.Strings(munis)
	var out []EvalQuery
	for _, m := range munis {
		ids := reg.Twins(m)
		slices.Sort(ids)
		for _, id := range ids {
			out = append(out, EvalQuery{Municipality: m, Hidden: id})
		}
	}
	return out
}

// AssignFolds deals municipalities into k folds after a seeded shuffle,
// so that every query of a municipality lands in the same fold.
func AssignFolds(queries []EvalQuery, k int, seed uint64) map[string]int {
	var munis []string
	seen := map[string]bool{}
	for _, q := range queries {
		if !seen[q.Municipality] {
			seen[q.Municipality] = true
			munis = append(munis, q.Municipality)
		}
	}
	sort.Strings(munis)
	r := newRand(seed, 0xf01d)
	r.Shuffle(len(munis), func(i, j int) { munis[i], munis[j] = munis[j], munis[i] })
	out := make(map[string]int, len(munis))
	for i, m := range munis {
		out[m] = i % k
	}
	return out
}

// evalMethod scores every candidate of one query.
type evalMethod struct {
	name, kind, desc string
	score            func(qc *queryCtx, out []float32) error
}

// queryCtx is what every method may read about one query.
type queryCtx struct {
	i    int
	q    EvalQuery
	fold int
	reg  *Registry // without the hidden pair
	qs   *queryState
	seed uint64
}

// Evaluate runs the backtest over the twinnings in in.Twinnings.
func Evaluate(ctx context.Context, in Inputs, opts EvalOptions) (*EvalReport, error) {
	start := time.Now()
	opts.defaults()
	in.Weights = opts.Default
	e, err := NewEngine(in)
	if err != nil {
		return nil, err
	}
	e.poolHead = opts.PoolHead
	e.relInputs = opts.RelativeInputs
	queries := BacktestQueries(e.reg)
	if len(queries) == 0 {
		return nil, datasets.Errf(datasets.EInvalid, "ningún municipio mexicano tiene dos o más hermanas extranjeras resueltas entre %d hermanamientos", "no Mexican municipality has two or more resolved foreign twins among %d twinnings", len(in.Twinnings))
	}
	folds := AssignFolds(queries, opts.Folds, opts.Seed)
	nfolds := 0
	for _, f := range folds {
		nfolds = max(nfolds, f+1)
	}
	rep := &EvalReport{Queries: len(queries), Municipalities: len(folds), Candidates: e.n,
		Twinnings: len(in.Twinnings), Folds: nfolds, Seed: opts.Seed, Corridor: e.corridor.ok}

	var rerankModels [][]*RerankModel // the second stage's fits by fold, when fitted
	methods := baselineMethods(e)
	methods = append(methods, proposalMethods(e)...)
	pin := in
	pin.Weights = PolicyWeights()
	pe, err := NewEngine(pin)
	if err != nil {
		return nil, err
	}
	methods = append(methods, evalMethod{name: MethodMatcherPolicy, kind: KindMatcher,
		desc:  "the matcher with the hand-set policy weights declared with each signal (" + pin.Weights.Provenance + ")",
		score: engineMethod(pe)})
	if opts.Shipped.Components != nil {
		rep.ShippedFitted = opts.Shipped.Twinned != nil
		sin := in
		sin.Weights = opts.Shipped
		se, err := NewEngine(sin)
		if err != nil {
			return nil, err
		}
		se.poolHead = opts.PoolHead
		desc := "the matcher with the shipped weights, fitted on none of these queries"
		if rep.ShippedFitted {
			desc = "the matcher with the shipped weights, in-sample: their twinned weights were fitted on all these queries"
		}
		m := evalMethod{name: MethodMatcherShipped, kind: KindMatcher,
			desc:  desc + " (" + opts.Shipped.Provenance + ")",
			score: engineMethod(se)}
		if se.rerank != nil && !opts.RelativeInputs {
			// The shipped second stage, held out (rerank_ship.go).
			var variants [][][]*RerankModel
			if len(opts.RerankVariants) > 0 && opts.Shipped.Provenance == opts.Default.Provenance {
				ps := append([]RerankParams{{}}, opts.RerankVariants...)
				if variants, err = foldRerankerVariants(ctx, e, in, queries, folds, nfolds, opts, ps); err != nil {
					return nil, err
				}
				rerankModels = variants[0]
			} else if rerankModels, err = e.shippedFolds(ctx, in, queries, folds, nfolds, opts); err != nil {
				return nil, err
			}
			m, rep.ShippedFitted = shippedMethod(se, rerankModels, rerankHalves(queries), opts)
			for v := 1; v < len(variants); v++ {
				vm, _ := shippedMethod(se, variants[v], rerankHalves(queries), opts)
				vm.name += "[" + opts.RerankVariants[v-1].String() + "]"
				vm.desc += "; a variant of the boosting's settings: " + opts.RerankVariants[v-1].String()
				methods = append(methods, vm)
			}
			rep.ShippedSecondStage = true
			rep.SecondStageFit = secondStageFit(opts)
		}
		methods = append(methods, m)
	}
	if !opts.SkipAblations {
		abl, err := ablationMethods(in, PolicyWeights())
		if err != nil {
			return nil, err
		}
		methods = append(methods, abl...)
	}
	if !opts.SkipCalibration {
		engines, weights, err := foldEngines(ctx, e, in, queries, folds, nfolds, opts)
		if err != nil {
			return nil, err
		}
		rep.FoldWeights = weights
		methods = append(methods, evalMethod{name: MethodMatcherCalibrated, kind: KindMatcher,
			desc:  fmt.Sprintf("the weights for municipalities with twins of their own (the twinned weights) fitted by %d-fold cross-validation by municipality, as `hermanar calibrate` fits them on all queries; each query scored by the fold that never saw its municipality", nfolds),
			score: func(qc *queryCtx, out []float32) error { return engineMethod(engines[qc.fold])(qc, out) }})
	}

	if !opts.SkipRerank {
		rep.SecondStageFit = secondStageFit(opts)
		models := rerankModels
		if models == nil {
			if models, err = foldRerankers(ctx, e, in, queries, folds, nfolds, opts); err != nil {
				return nil, err
			}
		}
		halves := rerankHalves(queries)
		methods = append(methods, evalMethod{name: MethodMatcherReranked, kind: KindMatcher,
			desc: fmt.Sprintf("the second stage alone for municipalities with twins of their own (what ships, matcher_shipped, keeps the policy components on top of it and reserves up to 2 of the first 10 places for candidates sharing a trait none of them shares): the first stage (%s) ranks every candidate and %d boosted trees (depth %d, starting from state_x_mexico_popularity) re-score its pool (the first stage's best %d and every candidate with network evidence); %d-fold cross-validation by municipality, each query scored by a model fitted on the other folds' municipalities only, with none of the pairs it scores counted in its training rows (each municipality's twins dealt into %d parts, one model per fold and part)",
				opts.Default.Provenance, rerankTrees, rerankDepth, e.rerankHead(), nfolds, RerankHalves) + opts.World.note(),
			score: func(qc *queryCtx, out []float32) error {
				qs, err := e.prepare(evalQuery(qc))
				if err != nil {
					return err
				}
				e.scoreAll(qs, out)
				e.rerankScores(qs, models[qc.fold][halves[qc.i]], out)
				return nil
			}})
	}

	type outcome struct {
		stats         []rankStat
		top           [][]int32
		noMx, noTwins bool
	}
	results := make([]outcome, len(queries))
	progress := newProgress(opts.Progress, "eval", len(queries))
	err = parallel(ctx, len(queries), opts.Workers, func() func(i int) error {
		buf := make([]float32, e.n)
		return func(i int) error {
			q := queries[i]
			qc := &queryCtx{i: i, q: q, fold: folds[q.Municipality], seed: opts.Seed,
				reg: e.reg.hide(q.Municipality, q.Hidden)}
			qs, err := e.prepare(evalQuery(qc))
			if err != nil {
				return err
			}
			qc.qs = qs
			h := e.candIndex[q.Hidden]
			o := outcome{stats: make([]rankStat, len(methods)), top: make([][]int32, len(methods)),
				noMx: qc.reg.mx[h] == 0, noTwins: qc.reg.all[h] == 0}
			for mi, m := range methods {
				if err := m.score(qc, buf); err != nil {
					return fmt.Errorf("%s: query %s/%d: %w", m.name, q.Municipality, q.Hidden, err)
				}
				o.stats[mi] = rankOf(buf, h)
				o.top[mi], _ = topK(buf, e.ids, 10)
				if opts.observe != nil {
					opts.observe(e, m.name, qs, buf, h)
				}
			}
			results[i] = o
			progress.step()
			return nil
		}
	})
	progress.done()
	if err != nil {
		return nil, err
	}

	rep.PerQuery = make([]QueryResult, len(queries))
	for i, q := range queries {
		var ranks []float64 // in the order of rep.Methods
		for mi, m := range methods {
			if m.kind != KindProposal && m.kind != KindAblation {
				ranks = append(ranks, results[i].stats[mi].meanRank())
			}
		}
		rep.PerQuery[i] = QueryResult{EvalQuery: q, Fold: folds[q.Municipality], Ranks: ranks}
	}
	for mi, m := range methods {
		stats := make([]rankStat, len(queries))
		tops := make([][]int32, len(queries))
		for i := range queries {
			stats[i], tops[i] = results[i].stats[mi], results[i].top[mi]
		}
		r := summarize(stats, tops, e.n)
		r.Name, r.Kind, r.Description = m.name, m.kind, m.desc
		switch m.kind {
		case KindProposal:
			rep.Proposals = append(rep.Proposals, r)
		case KindAblation:
			rep.Ablations = append(rep.Ablations, r)
		default:
			rep.Methods = append(rep.Methods, r)
		}
	}
	for _, o := range results {
		if o.noMx {
			rep.HiddenNoMexicanTwin++
		}
		if o.noTwins {
			rep.HiddenNoTwin++
		}
	}
	rep.HiddenNoMexicanTwin = round4(rep.HiddenNoMexicanTwin / float64(len(queries)))
	rep.HiddenNoTwin = round4(rep.HiddenNoTwin / float64(len(queries)))
	rep.Elapsed = math.Round(time.Since(start).Seconds()*10) / 10
	return rep, nil
}

// engineMethod scores a query with engine me.
func engineMethod(me *Engine) func(qc *queryCtx, out []float32) error {
	return func(qc *queryCtx, out []float32) error {
		qs, err := me.prepare(evalQuery(qc))
		if err != nil {
			return err
		}
		me.scoreAll(qs, out)
		return nil
	}
}

// evalQuery is the matcher query of a backtest query: the registry without
// the hidden pair, and the municipality's other twins left out.
func evalQuery(qc *queryCtx) Query {
	return Query{Municipality: qc.q.Municipality, K: 10, Filter: Filter{ExcludeTwinned: true}, registry: qc.reg}
}

// AblationPrefix names an ablation: "without_" + the signal's name.
const AblationPrefix = "without_"

// ablationMethods are the policy matcher without each signal of the
// declared list in turn. A signal that is the only one with weight in its
// component is left in (its component would have no weight).
func ablationMethods(in Inputs, w Weights) ([]evalMethod, error) {
	var out []evalMethod
	for i := range signalList {
		s := &signalList[i]
		if w.subWeight(s) == 0 {
			continue
		}
		aw := copyWeights(w)
		if s.Component == CompStructure {
			aw.Structure[s.Name] = 0
		} else {
			aw.Network[s.Name] = 0
		}
		if aw.Validate() != nil {
			continue
		}
		ain := in
		ain.Weights = aw
		ae, err := NewEngine(ain)
		if err != nil {
			return nil, err
		}
		out = append(out, evalMethod{name: AblationPrefix + s.Name, kind: KindAblation,
			desc: fmt.Sprintf("the policy matcher without %s (its weight 0, the other %s signals renormalised)", s.Name, s.Component),
			score: func(qc *queryCtx, buf []float32) error {
				qs, err := ae.prepare(evalQuery(qc))
				if err != nil {
					return err
				}
				ae.scoreAll(qs, buf)
				return nil
			}})
	}
	return out, nil
}
