package matcher

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"hermanar/datasets"
)

// syntheticRerank is groups of 60 rows of random features where the
// hidden twin is the one row with both feature 0 and feature 1 above 0.7
// (an interaction no single feature shows), noise elsewhere.
func syntheticRerank(seed uint64, groups int) ([]float32, []rerankGroup) {
	nf := len(rerankFeatureNames)
	r := rand.New(rand.NewPCG(seed, 7))
	var rows []float32
	var gs []rerankGroup
	for range groups {
		start := len(rows) / nf
		pos := start + r.IntN(60)
		for i := range 60 {
			row := make([]float32, nf)
			for f := range row {
				row[f] = r.Float32()
			}
			if start+i == pos {
				row[0], row[1] = 0.7+0.3*r.Float32(), 0.7+0.3*r.Float32()
			} else if row[0] > 0.7 && row[1] > 0.7 {
				row[1] = 0.7 * r.Float32()
			}
			rows = append(rows, row...)
		}
		gs = append(gs, rerankGroup{Start: start, End: start + 60, Pos: pos})
	}
	return rows, gs
}

func rerankMRR(m *RerankModel, rows []float32, gs []rerankGroup, score func(x []float32) float64) float64 {
	nf := len(rerankFeatureNames)
	total := 0.0
	for _, g := range gs {
		sp := score(rows[g.Pos*nf : (g.Pos+1)*nf])
		rank := 1.0
		for i := g.Start; i < g.End; i++ {
			if i != g.Pos && score(rows[i*nf:(i+1)*nf]) >= sp {
				rank++
			}
		}
		total += 1 / rank
	}
	return total / float64(len(gs))
}

func TestRerankLearnsAnInteraction(t *testing.T) {
	rows, gs := syntheticRerank(1, 80)
	m := FitRerank(rows, len(rerankFeatureNames), gs)
	test, tgs := syntheticRerank(2, 80)
	got := rerankMRR(m, test, tgs, m.Score)
	for f := range 2 {
		single := rerankMRR(m, test, tgs, func(x []float32) float64 { return float64(x[f]) })
		if got < single+0.3 {
			t.Errorf("held-out MRR %.3f, feature %d alone %.3f: the trees did not learn the interaction", got, f, single)
		}
	}
	if got < 0.6 {
		t.Errorf("held-out MRR %.3f, want ≥ 0.6", got)
	}
}

func TestRerankDeterministic(t *testing.T) {
	rows, gs := syntheticRerank(3, 40)
	a := FitRerank(rows, len(rerankFeatureNames), gs)
	b := FitRerank(rows, len(rerankFeatureNames), gs)
	if !reflect.DeepEqual(a, b) {
		t.Error("two fits on the same rows differ")
	}
	if len(a.Trees) != rerankTrees || a.Validate() != nil {
		t.Errorf("%d trees (want %d), validate: %v", len(a.Trees), rerankTrees, a.Validate())
	}
}

// The score is explained: bias plus each feature's part is the score, and
// the fitted model's score lies in [0,1]. The shipped model starts from a
// margin on some features (its Base terms), so it checks their parts too.
func TestRerankAttributionSumsToScore(t *testing.T) {
	rows, gs := syntheticRerank(4, 40)
	nf := len(rerankFeatureNames)
	fitted := FitRerank(rows, nf, gs)
	shipped, err := DefaultRerank()
	if err != nil || shipped == nil {
		t.Fatalf("embedded model: %v", err)
	}
	if len(shipped.Model.Base) == 0 {
		t.Fatal("the shipped model has no starting margin: this test no longer checks its parts")
	}
	for mi, m := range []*RerankModel{fitted, shipped.Model} {
		for i := 0; i < len(rows)/nf; i += 7 {
			x := rows[i*nf : (i+1)*nf]
			s := m.Score(x)
			bias, parts := m.rerankAttribution(x)
			sum := bias
			for _, p := range parts {
				sum += p
			}
			if math.Abs(sum-s) > 1e-9 || (mi == 0 && (s < 0 || s > 1)) {
				t.Fatalf("model %d, row %d: score %v, bias + parts %v", mi, i, s, sum)
			}
		}
	}
}

// The second stage of each fold and part is fitted without any pair it
// will score: refitting it on the twinnings with those pairs removed
// (Registry.Without's rule, one pair at a time) gives the same model.
func TestRerankFoldsNeverCountTheirPairs(t *testing.T) {
	s := mustSnapshot(t)
	tw := mustSmallTwinnings(t)
	ctx := context.Background()
	e := mustEngine(t, Inputs{Twinnings: tw})
	queries := BacktestQueries(e.reg)
	folds := AssignFolds(queries, 3, 1)
	opts := EvalOptions{Folds: 3, Seed: 1, Workers: 2}
	opts.defaults()
	models, err := foldRerankers(ctx, e, Inputs{Snap: s, Twinnings: tw}, queries, folds, 3, opts)
	if err != nil {
		t.Fatal(err)
	}
	const f, h = 1, 0
	halves := rerankHalves(queries)
	pruned := tw
	var train []EvalQuery
	for i, q := range queries {
		if folds[q.Municipality] == f && halves[i] == h {
			pruned = without(s, pruned, q.Municipality, q.Hidden)
		}
		if folds[q.Municipality] != f {
			train = append(train, q)
		}
	}
	if len(pruned) == len(tw) {
		t.Fatal("no pair held out")
	}
	want, _, err := FitRerankOn(ctx, e, NewRegistry(pruned, e), train, 2)
	if err != nil {
		t.Fatal(err)
	}
	got := *models[f][h]
	got.Provenance, want.Provenance = "", ""
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("fold %d part %d: the model depends on the pairs it scores", f+1, h+1)
	}
	_ = datasets.Twinning{}
}

// No input row of the second stage counts the hidden pair: for every
// backtest query, the pool and every row read from the registry with the
// pair hidden equal those read from one where it was never recorded (the
// counts of Mexican twins included), and some rows read a real count.
func TestRerankRowsNeverCountTheHiddenPair(t *testing.T) {
	s := mustSnapshot(t)
	tw := mustSmallTwinnings(t)
	e := mustEngine(t, Inputs{Twinnings: tw})
	nf := len(rerankFeatureNames)
	links := slices.Index(rerankFeatureNames, "log_mx_twins")
	withPaths := 0
	rows := func(reg *Registry, q EvalQuery) ([]int32, []float32) {
		return poolRows(t, e, Query{Municipality: q.Municipality, K: 10, Filter: Filter{ExcludeTwinned: true}, registry: reg})
	}
	for _, q := range BacktestQueries(e.reg) {
		p1, r1 := rows(e.reg.hide(q.Municipality, q.Hidden), q)
		p2, r2 := rows(NewRegistry(without(s, tw, q.Municipality, q.Hidden), e), q)
		if !slices.Equal(p1, p2) || !slices.Equal(r1, r2) {
			t.Errorf("%s/%d: the second stage's rows depend on the hidden pair", q.Municipality, q.Hidden)
		}
		for k := range p1 {
			if r1[k*nf+links] > 0 {
				withPaths++
			}
		}
	}
	if withPaths == 0 {
		t.Error("no pool row has a Mexican twin: the test reads nothing")
	}
}

// The boosting's settings: a model with fewer trees is the prefix of a
// longer fit with the same settings (Truncated, which variants share);
// sampling queries or inputs is seeded (same seed, same model; another
// seed, another) and still learns the interaction; bad settings are
// refused naming the key.
func TestRerankParams(t *testing.T) {
	rows, gs := syntheticRerank(5, 60)
	nf := len(rerankFeatureNames)
	long := FitRerankWith(rows, nf, gs, RerankParams{Trees: 40})
	short := FitRerankWith(rows, nf, gs, RerankParams{Trees: 15})
	if !reflect.DeepEqual(long.Truncated(15), short) {
		t.Error("the first 15 trees of a 40-tree fit are not the 15-tree fit")
	}
	if FitRerankWith(rows, nf, gs, RerankParams{}).Validate() != nil || !reflect.DeepEqual(FitRerank(rows, nf, gs), FitRerankWith(rows, nf, gs, RerankParams{Trees: rerankTrees, Eta: rerankEta})) {
		t.Error("the zero settings are not the shipped ones")
	}
	test, tgs := syntheticRerank(6, 60)
	for _, p := range []RerankParams{{QueryShare: 0.5, Seed: 1}, {FeatureShare: 0.7, Seed: 1}, {QueryShare: 0.7, FeatureShare: 0.7, Seed: 1}} {
		a := FitRerankWith(rows, nf, gs, p)
		b := FitRerankWith(rows, nf, gs, p)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%v: two fits differ", p)
		}
		q := p
		q.Seed = 2
		if reflect.DeepEqual(a, FitRerankWith(rows, nf, gs, q)) {
			t.Errorf("%v: seeds 1 and 2 give the same model: nothing was sampled", p)
		}
		if got := rerankMRR(a, test, tgs, a.Score); got < 0.5 { // half the queries a tree: leaves of 10 twins allow fewer splits
			t.Errorf("%v: held-out MRR %.3f, want ≥ 0.5", p, got)
		}
	}
	ms := fitRerankVariants(rows, nf, gs, []RerankParams{{Trees: 40}, {Trees: 15}})
	if !reflect.DeepEqual(ms[1], short) || !reflect.DeepEqual(ms[0], long) {
		t.Error("fitRerankVariants does not give each settings' own fit")
	}
	for _, tc := range []struct{ in, key string }{
		{"trees=0", "trees"}, {"eta=2", "eta"}, {"queries=1.5", "queries"}, {"inputs=x", "inputs"}, {"depth=3", "depth"}, {"trees", "key=value"},
	} {
		if _, err := ParseRerankParams(tc.in); err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%q: error %v, want one naming %s", tc.in, err, tc.key)
		}
	}
	if p, err := ParseRerankParams("trees=50, eta=0.05,queries=0.7,inputs=0.5,seed=3"); err != nil || p != (RerankParams{Trees: 50, Eta: 0.05, QueryShare: 0.7, FeatureShare: 0.5, Seed: 3}) {
		t.Errorf("parse: %+v, %v", p, err)
	}
}

// The pool-relative inputs (an experiment): percentiles over the pool's
// rows, ties sharing half, and the gap to the pool's best.
func TestRerankRelative(t *testing.T) {
	base := len(rerankFeatureNames)
	nf := base + len(rerankRelNames)
	fi := slices.Index(rerankFeatureNames, "first_stage")
	mi := slices.Index(rerankFeatureNames, "sig_"+FeatMexPopularity)
	rows := make([]float32, 4*nf)
	for i, v := range []float32{0.1, 0.4, 0.4, 0.9} {
		rows[i*nf+fi] = v
		rows[i*nf+mi] = float32(3 - i)
	}
	rerankRelative(rows, nf)
	wantPct := []float32{0.125, 0.5, 0.5, 0.875}
	wantGap := []float32{0.8, 0.5, 0.5, 0}
	for i := range 4 {
		r := rows[i*nf : (i+1)*nf]
		if math.Abs(float64(r[base]-wantPct[i])) > 1e-6 || math.Abs(float64(r[base+3]-wantGap[i])) > 1e-6 {
			t.Errorf("row %d: percentile %v gap %v, want %v %v", i, r[base], r[base+3], wantPct[i], wantGap[i])
		}
		if r[base+1] != []float32{0.875, 0.625, 0.375, 0.125}[i] || r[base+4] != float32(i) {
			t.Errorf("row %d: Mexican popularity percentile %v gap %v", i, r[base+1], r[base+4])
		}
		if r[base+2] != 0.5 { // every row ties on state twins (0)
			t.Errorf("row %d: state twins percentile %v, want 0.5", i, r[base+2])
		}
	}
}

// poolRows is q's second-stage pool, scored by the first stage over every
// candidate, and each member's row (len(rerankFeatureNames) values a
// member, in the pool's order), as the fits read them.
func poolRows(t *testing.T, e *Engine, q Query) ([]int32, []float32) {
	t.Helper()
	qs, err := e.prepare(q)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]float32, e.n)
	e.scoreAll(qs, buf)
	rc := e.newRerankCtx(qs)
	pool := e.rerankPool(qs, rc, buf)
	nf := len(rerankFeatureNames)
	out := make([]float32, len(pool)*nf)
	for k, c := range pool {
		e.rerankRow(qs, rc, c, buf[c], out[k*nf:(k+1)*nf])
	}
	return pool, out
}
