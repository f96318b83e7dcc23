package matcher

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"hermanar/datasets"
)

// The second stage. For a municipality with twins of its own, the first
// stage (the linear score of the signal list) ranks every candidate; the
// second stage re-scores a pool of candidates with a model that can read
// interactions the linear score cannot ("popular with Mexico AND in the
// country my twins are in"). The pool is the head of the first stage plus
// every candidate the twinning network says anything about, so the
// candidates with network evidence are all read, not only those the linear
// score happened to put first.

// RerankPoolHead is how many of the first stage's best candidates the pool
// always holds.
const RerankPoolHead = 200

// rerankHead is the pool's head: RerankPoolHead unless an experiment set
// another (EvalOptions.PoolHead).
func (e *Engine) rerankHead() int {
	if e.poolHead > 0 {
		return e.poolHead
	}
	return RerankPoolHead
}

// rerankFeatureNames are the second stage's inputs, in order: the value of
// every signal of the declared list (0 where the query has no data for
// it), then raw context the signals summarise away.
var rerankFeatureNames = func() []string {
	var out []string
	for _, s := range signalList {
		out = append(out, "sig_"+s.Name)
	}
	return append(out,
		"first_stage",     // the first stage's score
		"log_mx_twins",    // log(1 + the candidate's Mexican twins), uncapped
		"log_all_twins",   // log(1 + the candidate's twins in all)
		"log_my_twins",    // log(1 + my twins)
		"country_share",   // share of my twins in the candidate's country
		"country_count",   // my twins in the candidate's country
		"region_share",    // share of my twins in the candidate's first-level division
		"co_twins",        // my twins twinned with the candidate
		"log_pop_me",      // my log10 population
		"dlog_pop",        // candidate − me
		"dlog_pop_twins",  // candidate − the median of my twins
		"log_km",          // log10(1 + great-circle km)
		"ptype",           // settlement type code
		"is_us",           // 1 in the United States
		"delev_km",        // candidate − my elevation, km
		"emigration",      // CONAPO share of households with emigrants, percent
		"log_state_twins", // log(1 + municipalities of my state twinned with the candidate)
		// The candidate's own twinning profile, from the registry the query
		// reads (without the pair a backtest hides):
		"cand_latam_share",  // share of its twins in Spanish-speaking or Latin-American countries (Mexico aside)
		"cand_my_countries", // log(1 + its foreign twins in the countries of my twins)
		"cand_abroad_share", // share of its twins outside its own country (Mexican twins included)
	)
}()

// rerankRelNames are inputs read relative to the query's own pool (an
// experiment, EvalOptions.RelativeInputs: no shipped model reads them):
// the candidate's percentile in its pool by the first stage's score, by
// Mexican popularity and by its twins with my state, and its gap to the
// pool's best first-stage score and Mexican popularity.
var rerankRelNames = []string{"pool_pct_first", "pool_pct_mx_pop", "pool_pct_state_twins", "pool_gap_first", "pool_gap_mx_pop"}

// rerankWidth is the length of the second stage's rows: the inputs, and
// the pool-relative ones when the experiment is on.
func (e *Engine) rerankWidth() int {
	if e.relInputs {
		return len(rerankFeatureNames) + len(rerankRelNames)
	}
	return len(rerankFeatureNames)
}

// rerankRelative fills the pool-relative inputs of one pool's rows (nf
// values each, the relative ones last), computed over those rows.
func rerankRelative(rows []float32, nf int) {
	n := len(rows) / nf
	if n == 0 || nf < len(rerankFeatureNames)+len(rerankRelNames) {
		return
	}
	base := len(rerankFeatureNames)
	cols := []int{slices.Index(rerankFeatureNames, "first_stage"), slices.Index(rerankFeatureNames, "sig_"+FeatMexPopularity), slices.Index(rerankFeatureNames, "log_state_twins")}
	v := make([]float32, n)
	for j, f := range cols {
		for i := range n {
			v[i] = rows[i*nf+f]
		}
		slices.Sort(v)
		best := v[n-1]
		for i := range n {
			x := rows[i*nf+f]
			lo, _ := slices.BinarySearch(v, x)
			hi := sort.Search(n, func(k int) bool { return v[k] > x })
			rows[i*nf+base+j] = (float32(lo) + 0.5*float32(hi-lo)) / float32(n)
			switch j {
			case 0:
				rows[i*nf+base+3] = best - x
			case 1:
				rows[i*nf+base+4] = best - x
			}
		}
	}
}

// rerankCtx is what the second stage reads about one query beyond qs.
type rerankCtx struct {
	myTwins       []int32
	countryCount  map[uint16]int
	countryN      []int32 // countryCount by country id, dense (rows read it, not the map)
	regionCount   map[uint16]int
	coTwins       map[int32]int
	twinsMedPop   float32
	emigration    float32
	stateTwinsIdx int
}

// latamCountries are the Spanish-speaking and Latin-American countries
// (Mexico aside), ISO codes.
var latamCountries = []string{"AR", "BO", "BR", "CL", "CO", "CR", "CU", "DO", "EC", "ES", "GQ", "GT", "HN", "HT", "NI", "PA", "PE", "PR", "PY", "SV", "UY", "VE"}

func (e *Engine) newRerankCtx(qs *queryState) *rerankCtx {
	rc := &rerankCtx{countryCount: map[uint16]int{}, regionCount: map[uint16]int{},
		coTwins: map[int32]int{}, stateTwinsIdx: -1}
	rc.myTwins = qs.reg.muniTwins[qs.muni.CVEGEO]
	pops := make([]float32, 0, len(rc.myTwins))
	rc.countryN = make([]int32, len(e.countries))
	seen := map[int32]bool{} // one twin's co-twins, counted once each
	for _, c := range rc.myTwins {
		rc.countryCount[e.country[c]]++
		rc.countryN[e.country[c]]++
		rc.regionCount[e.admin1[c]]++
		pops = append(pops, e.logPop[c])
		clear(seen)
		for _, nb := range qs.reg.neighbors[e.ids[c]] {
			if nc, ok := e.candIndex[nb]; ok && nc != c && !seen[nc] {
				seen[nc] = true
				rc.coTwins[nc]++
			}
		}
	}
	if len(pops) > 0 {
		slices.Sort(pops)
		rc.twinsMedPop = pops[len(pops)/2]
	} else {
		rc.twinsMedPop = qs.logPop
	}
	rc.emigration = float32(e.in.Emigration[qs.muni.CVEGEO])
	for i := range signalList {
		if signalList[i].Name == FeatStateTwins {
			rc.stateTwinsIdx = i
		}
	}
	return rc
}

// rerankRow writes candidate c's second-stage inputs into row (length
// len(rerankFeatureNames)); first is its first-stage score. On the
// engine's own registry, the candidate's twins are read from the pool's
// per-candidate lists (rerank_pool.go: their countries, no map per twin)
// and the counts' logarithms from a table; the values are the same.
func (e *Engine) rerankRow(qs *queryState, rc *rerankCtx, c int32, first float32, row []float32) {
	k := 0
	for i := range signalList {
		v := float32(0)
		if qs.sig[i].present {
			v = signalList[i].value(e, qs, &qs.sig[i], c)
		}
		row[k] = v
		k++
	}
	nt := float32(len(rc.myTwins))
	share := func(n int) float32 {
		if nt == 0 {
			return 0
		}
		return float32(n) / nt
	}
	logState := float32(0)
	if rc.stateTwinsIdx >= 0 {
		if n := qs.sig[rc.stateTwinsIdx].hits[c].n; n >= 0 && n < int64(len(log1pTable)) {
			logState = log1pTable[n]
		} else {
			logState = float32(math.Log1p(float64(float32(n))))
		}
	}
	isUS := float32(0)
	if e.usState[c] != 0 {
		isUS = 1
	}
	cc := int(rc.countryN[e.country[c]])
	vals := [...]float32{ // an array: no allocation per row
		first,
		log1p32(qs.reg.mx[c]),
		log1p32(qs.reg.all[c]),
		log1p32(int32(len(rc.myTwins))),
		share(cc),
		float32(cc),
		share(rc.regionCount[e.admin1[c]]),
		float32(rc.coTwins[c]),
		qs.logPop,
		e.logPop[c] - qs.logPop,
		e.logPop[c] - rc.twinsMedPop,
		float32(math.Log10(1 + greatCircleKm(qs, e, c))),
		float32(e.ptype[c]),
		isUS,
		(e.elev[c] - qs.elev) / 1000,
		rc.emigration,
		logState,
	}
	// The candidate's twins: a twin that is not a candidate is Mexican
	// (candidates are the foreign places).
	var latam, mine, abroad, nb int
	pe := e.poolEvidenceOf()
	if qs.reg == e.reg {
		own := e.country[c]
		for _, tc := range pe.twinCountry[pe.twinOff[c]:pe.twinOff[c+1]] {
			nb++
			if tc == mexicanTwin {
				abroad++
				continue
			}
			if tc != own {
				abroad++
			}
			if pe.latam[tc] {
				latam++
			}
			if rc.countryN[tc] > 0 {
				mine++
			}
		}
	} else {
		for _, id := range qs.reg.neighbors[e.ids[c]] {
			nb++
			oc, ok := e.candIndex[id]
			if !ok {
				abroad++
				continue
			}
			cc := e.country[oc]
			if cc != e.country[c] {
				abroad++
			}
			if pe.latam[cc] {
				latam++
			}
			if rc.countryN[cc] > 0 {
				mine++
			}
		}
	}
	frac := func(n int) float32 {
		if nb == 0 {
			return 0
		}
		return float32(n) / float32(nb)
	}
	k += copy(row[k:], vals[:])
	row[k], row[k+1], row[k+2] = frac(latam), log1p32(int32(mine)), frac(abroad)
}

// log1pTable is float32(math.Log1p(n)) for the small counts rows read.
var log1pTable = func() (t [256]float32) {
	for n := range t {
		t[n] = float32(math.Log1p(float64(n)))
	}
	return t
}()

// log1p32 is float32(math.Log1p(float64(n))), from log1pTable when n is
// small.
func log1p32(n int32) float32 {
	if uint32(n) < uint32(len(log1pTable)) {
		return log1pTable[n]
	}
	return float32(math.Log1p(float64(n)))
}

// rerankPool lists the candidates the second stage re-scores, in
// candidate order: the RerankPoolHead best under the first stage (scores,
// negative for rejected), every candidate with a Mexican twin, every
// candidate a sparse network or namesake signal has a value for, and every
// twinned candidate in a country of my twins. Rejected candidates are left
// out.
func (e *Engine) rerankPool(qs *queryState, rc *rerankCtx, scores []float32) []int32 {
	in := map[int32]bool{}
	top, _ := topK(scores, e.ids, e.rerankHead())
	for _, c := range top {
		in[c] = true
	}
	e.rerankEvidence(qs, rc, func(c int32) { in[c] = true })
	out := make([]int32, 0, len(in))
	for c := range in {
		if scores[c] >= 0 {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// rerankScores re-scores the pool of one query with model m: out holds
// the first stage's scores of every candidate on entry; on return each
// pool candidate's is 2 + its second-stage score, so that the pool ranks
// first, in the model's order, and the rest follow in the first stage's.
func (e *Engine) rerankScores(qs *queryState, m *RerankModel, out []float32) {
	rc := e.newRerankCtx(qs)
	pool := e.rerankPool(qs, rc, out)
	nf := e.rerankWidth()
	rows := make([]float32, len(pool)*nf)
	for k, c := range pool {
		e.rerankRow(qs, rc, c, out[c], rows[k*nf:(k+1)*nf])
	}
	if e.relInputs {
		rerankRelative(rows, nf)
	}
	s := make([]float32, len(pool))
	for k := range pool {
		s[k] = float32(2 + m.Score(rows[k*nf:(k+1)*nf]))
	}
	for k, c := range pool {
		out[c] = s[k]
	}
}

// rerankTrainingRows builds the training rows of queries: each query's
// pool under engine fe (the first stage), its network features read from
// reg without the query's hidden pair. Queries whose hidden twin is not in
// their pool are left out (they teach a pairwise loss nothing).
func rerankTrainingRows(ctx context.Context, fe *Engine, reg *Registry, queries []EvalQuery, workers int) ([]float32, []rerankGroup, error) {
	rows, groups, _, err := rerankTrainingRowsQ(ctx, fe, reg, queries, workers)
	return rows, groups, err
}

// rerankTrainingRowsQ is rerankTrainingRows that also says which query
// (its index in queries) each group comes from.
func rerankTrainingRowsQ(ctx context.Context, fe *Engine, reg *Registry, queries []EvalQuery, workers int) ([]float32, []rerankGroup, []int, error) {
	nf := fe.rerankWidth()
	type qrows struct {
		rows []float32
		pos  int
	}
	res := make([]qrows, len(queries))
	err := parallel(ctx, len(queries), workers, func() func(i int) error {
		buf := make([]float32, fe.n)
		return func(i int) error {
			q := queries[i]
			qs, err := fe.prepare(Query{Municipality: q.Municipality, K: 10, Filter: Filter{ExcludeTwinned: true}, registry: reg.hide(q.Municipality, q.Hidden)})
			if err != nil {
				return err
			}
			fe.scoreAll(qs, buf)
			h, ok := fe.candIndex[q.Hidden]
			if !ok {
				return fmt.Errorf("rerank: place %d is not a candidate", q.Hidden)
			}
			rc := fe.newRerankCtx(qs)
			pool := fe.rerankPool(qs, rc, buf)
			pos := slices.Index(pool, h)
			if pos < 0 {
				res[i] = qrows{pos: -1}
				return nil
			}
			r := qrows{rows: make([]float32, len(pool)*nf), pos: pos}
			for k, c := range pool {
				fe.rerankRow(qs, rc, c, buf[c], r.rows[k*nf:(k+1)*nf])
			}
			if fe.relInputs {
				rerankRelative(r.rows, nf)
			}
			res[i] = r
			return nil
		}
	})
	if err != nil {
		return nil, nil, nil, err
	}
	var rows []float32
	var groups []rerankGroup
	var qi []int
	for i, r := range res {
		if r.pos < 0 {
			continue
		}
		var g rerankGroup
		rows, g = appendRerankGroup(rows, r.rows, r.pos, nf)
		groups = append(groups, g)
		qi = append(qi, i)
	}
	return rows, groups, qi, nil
}

// appendRerankGroup appends one query's pool rows (nf inputs each, the
// hidden twin's at row pos) to rows and returns the group that spans
// them, with weights 1.
func appendRerankGroup(rows, query []float32, pos, nf int) ([]float32, rerankGroup) {
	start := len(rows) / nf
	rows = append(rows, query...)
	return rows, rerankGroup{Start: start, End: len(rows) / nf, Pos: start + pos}
}

// FitRerankOn fits the second stage on queries, the first stage being
// engine fe and the network read from reg (each query's hidden pair
// removed).
func FitRerankOn(ctx context.Context, fe *Engine, reg *Registry, queries []EvalQuery, workers int) (*RerankModel, int, error) {
	ms, used, err := fitRerankWith(ctx, fe, reg, queries, nil, nil, workers, nil)
	if err != nil {
		return nil, 0, err
	}
	return ms[0], used, nil
}

// fitRerankWith is FitRerankOn with more training rows (foreign sources'
// groups, rerank_world.go) after the Mexican queries', one model per
// settings of ps (nil: the shipped settings only).
func fitRerankWith(ctx context.Context, fe *Engine, reg *Registry, queries []EvalQuery, xrows []float32, xgroups []rerankGroup, workers int, ps []RerankParams) ([]*RerankModel, int, error) {
	if len(ps) == 0 {
		ps = []RerankParams{{}}
	}
	rows, groups, err := rerankTrainingRows(ctx, fe, reg, queries, workers)
	if err != nil {
		return nil, 0, err
	}
	used := len(groups) // the Mexican queries
	if len(xgroups) > 0 {
		off := len(rows) / fe.rerankWidth()
		rows = append(rows, xrows...)
		for _, g := range xgroups {
			g.Start, g.End, g.Pos = g.Start+off, g.End+off, g.Pos+off
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 {
		// Nothing to learn from: a model without trees scores every pool
		// candidate alike (0.5).
		out := make([]*RerankModel, len(ps))
		for i := range out {
			out[i] = &RerankModel{Version: RerankVersion, Features: slices.Clone(rerankFeatureNames)}
		}
		return out, 0, nil
	}
	ms := fitRerankVariants(rows, fe.rerankWidth(), groups, ps)
	if fe.relInputs {
		for _, m := range ms {
			m.Features = append(slices.Clone(rerankFeatureNames), rerankRelNames...)
		}
	}
	return ms, used, nil
}

// RerankHalves is how many parts each municipality's twins are dealt into
// for the second stage's cross-validation (see foldRerankers).
const RerankHalves = 2

// rerankHalf is the part of its municipality's twins query i of queries
// (ordered by municipality, then place, as BacktestQueries lists them)
// falls in: twins are dealt in turn.
func rerankHalves(queries []EvalQuery) []int {
	out := make([]int, len(queries))
	k := 0
	for i, q := range queries {
		if i > 0 && queries[i-1].Municipality != q.Municipality {
			k = 0
		}
		out[i] = k % RerankHalves
		k++
	}
	return out
}

// foldRerankers fits the second stage for the cross-validation: one model
// per fold of municipalities and per part of their twins. The model that
// scores the queries of fold f, part h is fitted on the queries of every
// other fold (so it never learns from the held-out municipalities'
// twins), and every count its training rows read comes from a registry
// without the twinnings of those queries (each held-out pair is counted
// nowhere in its training). The held-out municipalities' other twins
// (the other parts) stay in the counts, as a real municipality's existing
// twins are in the registry when its next twin is sought; dropping them
// too gives the model counts a third lower than it meets when scoring, a
// shift a tree model reads as different cities.
func foldRerankers(ctx context.Context, fe *Engine, in Inputs, queries []EvalQuery, folds map[string]int, k int, opts EvalOptions) ([][]*RerankModel, error) {
	v, err := foldRerankerVariants(ctx, fe, in, queries, folds, k, opts, nil)
	if err != nil {
		return nil, err
	}
	return v[0], nil
}

// foldRerankerVariants is foldRerankers fitting, on the same rows, one
// set of fold models per settings of ps (nil: the shipped settings only):
// out[v][fold][part].
func foldRerankerVariants(ctx context.Context, fe *Engine, in Inputs, queries []EvalQuery, folds map[string]int, k int, opts EvalOptions, ps []RerankParams) ([][][]*RerankModel, error) {
	if len(ps) == 0 {
		ps = []RerankParams{{}}
	}
	out := make([][][]*RerankModel, len(ps))
	for v := range out {
		out[v] = make([][]*RerankModel, k)
	}
	halves := rerankHalves(queries)
	// Foreign rows (rerank_world.go) are read once, from a registry
	// without any pair of any fold's municipalities: stricter than each
	// fold needs, and the same rows for every fold.
	var wrows []float32
	var wgroups []rerankGroup
	if opts.World.On() {
		start := time.Now()
		world := fe.worldQueries(fe.reg, opts.World, opts.Seed)
		reg := NewRegistry(rerankDropMunicipalities(fe, in, func(m string) bool { _, ok := folds[m]; return ok }), fe)
		var err error
		if wrows, wgroups, err = fe.worldRowsOf(ctx, reg, fe.w.For(true), world, opts.World, opts.Workers); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "rerank: %d of %d foreign queries with the hidden twin in the pool, %d rows (%.1fs)\n", len(wgroups), len(world), len(wrows)/fe.rerankWidth(), time.Since(start).Seconds())
		}
	}
	var singles []EvalQuery
	if opts.SingleTwins {
		singles = singleTwinQueries(fe.reg)
	}
	for f := range k {
		var train []EvalQuery
		for _, q := range queries {
			if folds[q.Municipality] != f {
				train = append(train, q)
			}
		}
		train = append(train, singles...)
		for v := range out {
			out[v][f] = make([]*RerankModel, RerankHalves)
		}
		for h := range RerankHalves {
			held := map[EvalQuery]bool{}
			for i, q := range queries {
				if folds[q.Municipality] == f && halves[i] == h {
					held[q] = true
				}
			}
			start := time.Now()
			ms, used, err := fitRerankWith(ctx, fe, NewRegistry(rerankKeep(fe, in, held), fe), train, wrows, wgroups, opts.Workers, ps)
			if err != nil {
				return nil, fmt.Errorf("rerank fold %d: %w", f+1, err)
			}
			for v, m := range ms {
				c := *m // variants may share one fit's trees
				c.Provenance = fmt.Sprintf("fold %d of %d, part %d of %d: %d of %d training queries with the hidden twin in the pool", f+1, k, h+1, RerankHalves, used, len(train))
				out[v][f][h] = &c
			}
			if opts.Progress != nil {
				fmt.Fprintf(opts.Progress, "rerank fold %d/%d part %d/%d: %d trees on %d queries, %d pairs held out, %d settings (%.1fs)\n", f+1, k, h+1, RerankHalves, len(ms[0].Trees), used, len(held), len(ms), time.Since(start).Seconds())
			}
		}
	}
	return out, nil
}

// singleTwinQueries are the queries of the municipalities with exactly
// one resolved foreign twin, each hiding it: the backtest scores none of
// them (it needs a twin left to read), so they can teach every fold.
func singleTwinQueries(reg *Registry) []EvalQuery {
	var out []EvalQuery
	for m, twins := range reg.muniTwins {
		if len(twins) != 1 {
			continue
		}
		if _, ok := reg.e.in.Snap.Municipality(m); !ok {
			continue
		}
		out = append(out, EvalQuery{Municipality: m, Hidden: reg.e.ids[twins[0]]})
	}
	slices.SortFunc(out, func(a, b EvalQuery) int { return strings.Compare(a.Municipality, b.Municipality) })
	return out
}

// rerankDropMunicipalities is in's twinnings without any pair of the
// municipalities drop says yes to.
func rerankDropMunicipalities(e *Engine, in Inputs, drop func(string) bool) []datasets.Twinning {
	keep := make([]datasets.Twinning, 0, len(in.Twinnings))
	for _, t := range in.Twinnings {
		if m, ok := twinningMunicipality(e.in.Snap, t); ok && drop(m) {
			continue
		}
		keep = append(keep, t)
	}
	return keep
}

// rerankKeep is in's twinnings without the pairs of held.
func rerankKeep(e *Engine, in Inputs, held map[EvalQuery]bool) []datasets.Twinning {
	snap := e.in.Snap
	keep := make([]datasets.Twinning, 0, len(in.Twinnings))
	for _, t := range in.Twinnings {
		if m, ok := twinningMunicipality(snap, t); ok {
			if held[EvalQuery{Municipality: m, Hidden: t.PlaceA}] || held[EvalQuery{Municipality: m, Hidden: t.PlaceB}] {
				continue
			}
		}
		keep = append(keep, t)
	}
	return keep
}
