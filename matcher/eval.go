package matcher

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"
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
)

// Method names, in report order.
const (
	MethodRandom            = "random"
	MethodGlobalPopularity  = "global_popularity"
	MethodMexicoPopularity  = "mexico_popularity"
	MethodCountryPopularity = "country_x_mexico_popularity"
	MethodPopulation        = "population_similarity"
	MethodMatcherPolicy     = "matcher_policy"
	MethodMatcherCalibrated = "matcher_calibrated"
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
	Queries        int            `json:"queries"`
	Municipalities int            `json:"municipalities"`
	Candidates     int            `json:"candidates"`
	Twinnings      int            `json:"twinnings"`
	Folds          int            `json:"folds"`
	Seed           uint64         `json:"seed"`
	Corridor       bool           `json:"corridor"` // CONAPO and Banxico data fed the corridor feature
	Methods        []MethodResult `json:"methods"`
	// FoldWeights are the calibrated weights of each fold, fitted without
	// that fold's municipalities.
	FoldWeights []Weights `json:"fold_weights,omitempty"`
	// Proposals are signals the engine does not have yet, measured like
	// the baselines so that their worth is known before anyone builds them.
	Proposals []MethodResult `json:"proposals,omitempty"`
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

// EvalOptions tune a backtest.
type EvalOptions struct {
	Folds    int    // k of the cross-validation by municipality; default 5
	Seed     uint64 // random baseline, fold assignment and negative sampling
	Workers  int    // parallel queries; default GOMAXPROCS
	Progress io.Writer
	// Default are the weights reported as the default matcher; zero
	// means PolicyWeights. Calibrated weights start from them.
	Default     Weights
	Calibration CalibrateOptions
	// SkipCalibration leaves the calibrated matcher out (faster).
	SkipCalibration bool
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

	methods := baselineMethods(e)
	methods = append(methods, proposalMethods(e)...)
	methods = append(methods, evalMethod{name: MethodMatcherPolicy, kind: KindMatcher,
		desc: "the matcher with the hand-set policy weights, the defaults before calibration (" + opts.Default.Provenance + ")",
		score: func(qc *queryCtx, out []float32) error {
			e.scoreAll(qc.qs, out)
			return nil
		}})
	if !opts.SkipCalibration {
		engines, weights, err := foldEngines(ctx, e, in, queries, folds, nfolds, opts)
		if err != nil {
			return nil, err
		}
		rep.FoldWeights = weights
		methods = append(methods, evalMethod{name: MethodMatcherCalibrated, kind: KindMatcher,
			desc: fmt.Sprintf("the matcher with structure and network weights fitted by %d-fold cross-validation by municipality; each query scored by the fold that never saw its municipality", nfolds),
			score: func(qc *queryCtx, out []float32) error {
				fe := engines[qc.fold]
				qs, err := fe.prepare(evalQuery(qc))
				if err != nil {
					return err
				}
				fe.scoreAll(qs, out)
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
			if m.kind != KindProposal {
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
		if m.kind == KindProposal {
			rep.Proposals = append(rep.Proposals, r)
		} else {
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

// evalQuery is the matcher query of a backtest query: the registry without
// the hidden pair, and the municipality's other twins left out.
func evalQuery(qc *queryCtx) Query {
	return Query{Municipality: qc.q.Municipality, K: 10, Filter: Filter{ExcludeTwinned: true}, registry: qc.reg}
}

// rankStat places the hidden twin among the candidates that passed: g
// score strictly higher, eq others score the same.
type rankStat struct {
	greater, equal int
	missing        bool // the hidden twin was filtered out: ranked last
}

func rankOf(scores []float32, h int32) rankStat {
	s := scores[h]
	var st rankStat
	if s < 0 {
		for _, v := range scores {
			if v >= 0 {
				st.greater++
			}
		}
		st.missing = true
		return st
	}
	for _, v := range scores {
		if v > s {
			st.greater++
		} else if v == s {
			st.equal++
		}
	}
	st.equal-- // the hidden twin itself
	return st
}

// Expected values over the positions g+1 … g+e+1, each equally likely.
func (r rankStat) meanRank() float64 { return float64(r.greater) + 1 + float64(r.equal)/2 }

func (r rankStat) recallAt(k int) float64 {
	n := float64(r.equal + 1)
	return math.Max(0, math.Min(float64(k-r.greater), n)) / n
}

func (r rankStat) reciprocal() float64 {
	return (harmonic(r.greater+r.equal+1) - harmonic(r.greater)) / float64(r.equal+1)
}

func (r rankStat) ndcgAt(k int) float64 {
	sum := 0.0
	for p := r.greater + 1; p <= min(r.greater+r.equal+1, k); p++ {
		sum += 1 / math.Log2(float64(p)+1)
	}
	return sum / float64(r.equal+1)
}

// harmonic is H(n) = 1 + 1/2 + … + 1/n, asymptotically for large n.
func harmonic(n int) float64 {
	if n <= 64 {
		s := 0.0
		for i := 1; i <= n; i++ {
			s += 1 / float64(i)
		}
		return s
	}
	x := float64(n)
	return math.Log(x) + 0.5772156649015329 + 1/(2*x) - 1/(12*x*x) + 1/(120*x*x*x*x)
}

func summarize(stats []rankStat, tops [][]int32, candidates int) MethodResult {
	var r MethodResult
	seen := map[int32]bool{}
	ranks := make([]float64, len(stats))
	for i, s := range stats {
		r.RecallAt10 += s.recallAt(10)
		r.RecallAt50 += s.recallAt(50)
		r.MRR += s.reciprocal()
		r.NDCGAt10 += s.ndcgAt(10)
		ranks[i] = s.meanRank()
		for _, c := range tops[i] {
			seen[c] = true
		}
	}
	n := float64(len(stats))
	r.RecallAt10 = round4(r.RecallAt10 / n)
	r.RecallAt50 = round4(r.RecallAt50 / n)
	r.MRR = round4(r.MRR / n)
	r.NDCGAt10 = round4(r.NDCGAt10 / n)
	r.Coverage = round4(float64(len(seen)) / float64(candidates))
	sort.Float64s(ranks)
	if len(ranks) > 0 {
		mid := len(ranks) / 2
		r.MedianRank = ranks[mid]
		if len(ranks)%2 == 0 {
			r.MedianRank = (ranks[mid-1] + ranks[mid]) / 2
		}
	}
	return r
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// newRand is a seeded generator; stream separates independent uses.
func newRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// parallel runs job(i) for i in [0,n) on workers goroutines; each worker
// builds its own job function (and scratch space) once. The first error
// stops the rest.
func parallel(ctx context.Context, n, workers int, worker func() func(i int) error) error {
	var (
		mu    sync.Mutex
		next  int
		first error
		wg    sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if first != nil || next >= n {
			return 0, false
		}
		if err := ctx.Err(); err != nil {
			first = err
			return 0, false
		}
		next++
		return next - 1, true
	}
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job := worker()
			for {
				i, ok := take()
				if !ok {
					return
				}
				if err := job(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// progress prints a line every ~5% of a long loop.
type progress struct {
	mu          sync.Mutex
	w           io.Writer
	label       string
	n, i, every int
	start       time.Time
}

func newProgress(w io.Writer, label string, n int) *progress {
	return &progress{w: w, label: label, n: n, every: max(1, n/20), start: time.Now()}
}

func (p *progress) step() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.i++
	if p.i%p.every == 0 && p.i < p.n {
		fmt.Fprintf(p.w, "%s: %d/%d (%.0fs)\n", p.label, p.i, p.n, time.Since(p.start).Seconds())
	}
}

func (p *progress) done() {
	if p.w != nil {
		fmt.Fprintf(p.w, "%s: %d done in %.1fs\n", p.label, p.n, time.Since(p.start).Seconds())
	}
}

// hide is Registry.Without done incrementally: it copies the counts and
// undoes only the rows linking the municipality and the place, instead of
// re-indexing every twinning. A backtest calls it once per query (and
// calibration once per training query and round), where the full rebuild
// dominated the run time. TestHideEqualsWithout holds it to Without.
func (r *Registry) hide(cvegeo string, place int64) *Registry {
	snap := r.e.in.Snap
	var gone []datasets.Twinning
	keep := make([]datasets.Twinning, 0, len(r.list))
	for _, t := range r.list {
		if (t.PlaceA == place || t.PlaceB == place) && r.involves(snap, t, cvegeo, place) {
			gone = append(gone, t)
			continue
		}
		keep = append(keep, t)
	}
	if len(gone) == 0 {
		return r
	}
	n := &Registry{list: keep, e: r.e, mx: slices.Clone(r.mx), all: slices.Clone(r.all),
		muniTwins: maps.Clone(r.muniTwins), neighbors: maps.Clone(r.neighbors)}
	isMX := func(id int64) bool {
		p, ok := snap.Place(id)
		return ok && p.Country == "MX"
	}
	rowMuni := func(t datasets.Twinning, mexican int64) string {
		if t.Municipality != "" {
			return t.Municipality
		}
		if p, ok := snap.Place(mexican); ok {
			m, _ := datasets.MunicipalityOf(p)
			return m
		}
		return ""
	}
	removeOnce := func(m map[int64][]int64, k, v int64) {
		s := m[k]
		if i := slices.Index(s, v); i >= 0 {
			s = slices.Delete(slices.Clone(s), i, i+1)
		}
		if len(s) == 0 {
			delete(m, k)
		} else {
			m[k] = s
		}
	}
	type muniCand struct {
		muni string
		c    int32
	}
	touched := map[muniCand]bool{}
	changed := map[int32]bool{}
	for _, t := range gone {
		removeOnce(n.neighbors, t.PlaceA, t.PlaceB)
		removeOnce(n.neighbors, t.PlaceB, t.PlaceA)
		for _, side := range [2][2]int64{{t.PlaceA, t.PlaceB}, {t.PlaceB, t.PlaceA}} {
			c, ok := r.e.candIndex[side[0]]
			if !ok {
				continue
			}
			n.all[c]--
			changed[c] = true
			if isMX(side[1]) {
				n.mx[c]--
				if m := rowMuni(t, side[1]); m != "" {
					touched[muniCand{m, c}] = true
				}
			}
		}
	}
	for k := range touched {
		id, still := r.e.ids[k.c], false
		for _, t := range keep {
			var other int64
			switch id {
			case t.PlaceA:
				other = t.PlaceB
			case t.PlaceB:
				other = t.PlaceA
			default:
				continue
			}
			if isMX(other) && rowMuni(t, other) == k.muni {
				still = true
				break
			}
		}
		if !still {
			s := slices.DeleteFunc(slices.Clone(n.muniTwins[k.muni]), func(x int32) bool { return x == k.c })
			if len(s) == 0 {
				delete(n.muniTwins, k.muni)
			} else {
				n.muniTwins[k.muni] = s
			}
		}
	}
	maxOf := func(s []int32) int32 {
		m := int32(0)
		for _, v := range s {
			m = max(m, v)
		}
		return m
	}
	oldMx, oldAll, maxMx, maxAll := maxOf(r.mx), maxOf(r.all), maxOf(n.mx), maxOf(n.all)
	lm, la := math.Log1p(float64(maxMx)), math.Log1p(float64(maxAll))
	pop := func(old []float32, counts []int32, same bool, l float64) []float32 {
		out := make([]float32, len(counts))
		if same {
			copy(out, old)
		}
		for c := range counts {
			if same && !changed[int32(c)] {
				continue
			}
			if l > 0 {
				out[c] = float32(math.Log1p(float64(counts[c])) / l)
			} else {
				out[c] = 0
			}
		}
		return out
	}
	n.popMx = pop(r.popMx, n.mx, oldMx == maxMx, lm)
	n.popAll = pop(r.popAll, n.all, oldAll == maxAll, la)
	return n
}
