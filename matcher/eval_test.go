package matcher

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"hermanar/datasets"
)

// smallTwinnings is a hand-written twinnings file (city1,country1,
// city2,country2, real city names) resolved through the datasets
// twinnings importer against the embedded snapshot, so the backtest tests
// run without ../shared/data.
const smallTwinnings = "testdata/twinnings_small.csv"

// fastCalibration keeps the tests quick: fewer negatives than a real run.
var fastCalibration = CalibrateOptions{Hard: 50, Negatives: 50}

var (
	smallOnce sync.Once
	smallList []datasets.Twinning
	smallErr  error
)

func mustSmallTwinnings(tb testing.TB) []datasets.Twinning {
	tb.Helper()
	s := mustSnapshot(tb)
	smallOnce.Do(func() { smallList, smallErr = importTwinnings(s, smallTwinnings) })
	if smallErr != nil {
		tb.Fatal(smallErr)
	}
	return smallList
}

// importTwinnings resolves a raw twinnings CSV with the datasets importer
// into a throwaway store.
func importTwinnings(s *datasets.Snapshot, file string) ([]datasets.Twinning, error) {
	dir, err := os.MkdirTemp("", "hermanar-eval-test")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st, err := datasets.OpenStore(dir, 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	res, err := datasets.Import(st, s, datasets.KindTwinnings, file)
	if err != nil {
		return nil, err
	}
	return datasets.LoadTable[datasets.Twinning](st, res.Table)
}

func TestSmallTwinningsResolve(t *testing.T) {
	tw := mustSmallTwinnings(t)
	e := mustEngine(t, Inputs{Twinnings: tw})
	qs := BacktestQueries(e.Registry())
	munis := map[string]bool{}
	for _, q := range qs {
		munis[q.Municipality] = true
	}
	// Monterrey (19039) has five foreign twins in the file.
	if got := len(e.Registry().Twins("19039")); got != 5 {
		t.Errorf("Monterrey: got %d foreign twins, want 5 (%v)", got, e.Registry().Twins("19039"))
	}
	if len(munis) < 10 || len(qs) < 25 {
		t.Errorf("got %d queries over %d municipalities, want at least 25 over 10", len(qs), len(munis))
	}
}

func TestRankStatMetrics(t *testing.T) {
	cases := []struct {
		name               string
		r                  rankStat
		mean, r10, rr, ndc float64
	}{
		{"first, no ties", rankStat{0, 0, false}, 1, 1, 1, 1},
		{"third", rankStat{2, 0, false}, 3, 1, 1.0 / 3, 0.5},
		{"eleventh", rankStat{10, 0, false}, 11, 0, 1.0 / 11, 0},
		{"tied with one for first", rankStat{0, 1, false}, 1.5, 1, 0.75, (1 + 1/math.Log2(3)) / 2},
		{"tied across the cut", rankStat{5, 9, false}, 10.5, 0.5, (harmonic(15) - harmonic(5)) / 10, 0},
		{"everything tied", rankStat{0, 99, false}, 50.5, 0.1, harmonic(100) / 100, 0},
	}
	for _, tc := range cases {
		got := []float64{tc.r.meanRank(), tc.r.recallAt(10), tc.r.reciprocal()}
		want := []float64{tc.mean, tc.r10, tc.rr}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-9 {
				t.Errorf("%s: metric %d: got %v, want %v", tc.name, i, got[i], want[i])
			}
		}
		if tc.name != "tied across the cut" && tc.name != "everything tied" {
			if math.Abs(tc.r.ndcgAt(10)-tc.ndc) > 1e-9 {
				t.Errorf("%s: nDCG: got %v, want %v", tc.name, tc.r.ndcgAt(10), tc.ndc)
			}
		}
	}
	// The asymptotic harmonic number agrees with the sum.
	s := 0.0
	for i := 1; i <= 5000; i++ {
		s += 1 / float64(i)
	}
	if math.Abs(harmonic(5000)-s) > 1e-12 {
		t.Errorf("harmonic(5000): got %v, want %v", harmonic(5000), s)
	}
	if st := rankOf([]float32{0.5, 0.9, 0.5, -1, 0.5, 0.1}, 2); st != (rankStat{1, 2, false}) {
		t.Errorf("rankOf: got %+v, want {1 2}", st)
	}
}

// without returns the twinnings minus every row linking the municipality
// and the place: the world in which the hidden pair never existed.
func without(s *datasets.Snapshot, list []datasets.Twinning, muni string, place int64) []datasets.Twinning {
	var out []datasets.Twinning
	for _, t := range list {
		if t.PlaceA == place || t.PlaceB == place {
			if m, ok := twinningMunicipality(s, t); ok && m == muni {
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// hide must give exactly what Without gives, field by field.
func TestHideEqualsWithout(t *testing.T) {
	tw := mustSmallTwinnings(t)
	e := mustEngine(t, Inputs{Twinnings: tw})
	queries := BacktestQueries(e.reg)
	// Also a place that is no twin of the municipality: nothing to hide.
	queries = append(queries, EvalQuery{Municipality: "19039", Hidden: whitewater})
	for _, q := range queries {
		got, want := e.reg.hide(q.Municipality, q.Hidden), e.reg.Without(q.Municipality, q.Hidden)
		if !reflect.DeepEqual(got.list, want.list) || !reflect.DeepEqual(got.mx, want.mx) || !reflect.DeepEqual(got.all, want.all) ||
			!reflect.DeepEqual(got.popMx, want.popMx) || !reflect.DeepEqual(got.popAll, want.popAll) ||
			!reflect.DeepEqual(got.muniTwins, want.muniTwins) || !reflect.DeepEqual(got.neighbors, want.neighbors) {
			t.Errorf("%s/%d: hide and Without differ", q.Municipality, q.Hidden)
		}
	}
}

// No leakage: for every backtest query and every method, the scores of
// all candidates equal those computed in a world where the hidden pair
// was never recorded. In particular a place whose only evidence is the
// hidden pair (Chascomús, twinned only with Isla Mujeres) gains nothing.
func TestBacktestNoLeakage(t *testing.T) {
	s := mustSnapshot(t)
	tw := mustSmallTwinnings(t)
	e := mustEngine(t, Inputs{Twinnings: tw})
	methods := baselineMethods(e)
	methods = append(methods, evalMethod{name: MethodMatcherPolicy, score: func(qc *queryCtx, out []float32) error {
		e.scoreAll(qc.qs, out)
		return nil
	}})
	leaked, clean := make([]float32, e.n), make([]float32, e.n)
	run := func(eng *Engine, reg *Registry, q EvalQuery, m evalMethod, out []float32) {
		t.Helper()
		qc := &queryCtx{i: 7, q: q, reg: reg, seed: 1}
		qs, err := eng.prepare(evalQuery(qc))
		if err != nil {
			t.Fatal(err)
		}
		qc.qs = qs
		if m.name == MethodMatcherPolicy {
			eng.scoreAll(qs, out)
			return
		}
		if err := m.score(qc, out); err != nil {
			t.Fatal(err)
		}
	}
	var chascomus EvalQuery
	for _, q := range BacktestQueries(e.reg) {
		never := NewRegistry(without(s, tw, q.Municipality, q.Hidden), e)
		for _, m := range methods {
			run(e, e.reg.hide(q.Municipality, q.Hidden), q, m, leaked)
			run(e, never, q, m, clean)
			for c := range leaked {
				if leaked[c] != clean[c] {
					t.Fatalf("%s: query %s/%d: candidate %d scores %v with the hidden pair removed, %v where it never existed",
						m.name, q.Municipality, q.Hidden, e.ids[c], leaked[c], clean[c])
				}
			}
		}
		if p, _ := s.Place(q.Hidden); p.Name == "Chascomús" {
			chascomus = q
		}
	}
	if chascomus.Hidden == 0 {
		t.Fatal("the fixture lost its Isla Mujeres–Chascomús pair")
	}
	// The test has teeth: counting from the full registry would lift
	// Chascomús above every place without Mexican twins.
	h := e.candIndex[chascomus.Hidden]
	if e.reg.mx[h] != 1 || e.reg.Without(chascomus.Municipality, chascomus.Hidden).mx[h] != 0 {
		t.Fatalf("Chascomús: %d Mexican twins in the full registry, want 1 (and 0 without the pair)", e.reg.mx[h])
	}
	full := make([]float32, e.n)
	for c, v := range e.reg.mx {
		full[c] = float32(v)
	}
	clean2 := make([]float32, e.n)
	run(e, e.reg.Without(chascomus.Municipality, chascomus.Hidden), chascomus, methods[2], clean2)
	if leakyRank, cleanRank := rankOf(full, h).meanRank(), rankOf(clean2, h).meanRank(); leakyRank >= cleanRank {
		t.Errorf("a leaky Mexico popularity should rank Chascomús higher: leaky %v, clean %v", leakyRank, cleanRank)
	}
}

// The calibrated weights of a fold never see that fold's municipalities:
// they are the same whether those municipalities' twinnings exist or not.
func TestCalibrationFoldsNeverSeeTheirMunicipalities(t *testing.T) {
	s := mustSnapshot(t)
	tw := mustSmallTwinnings(t)
	ctx := context.Background()
	opts := EvalOptions{Folds: 3, Seed: 1, Workers: 2, Calibration: fastCalibration}
	opts.defaults()
	e := mustEngine(t, Inputs{Twinnings: tw})
	queries := BacktestQueries(e.reg)
	folds := AssignFolds(queries, 3, 1)
	_, weights, err := foldEngines(ctx, e, Inputs{Snap: s, Twinnings: tw}, queries, folds, 3, opts)
	if err != nil {
		t.Fatal(err)
	}
	const f = 1
	var pruned []datasets.Twinning
	for _, x := range tw {
		if m, ok := twinningMunicipality(s, x); ok && folds[m] == f {
			continue
		}
		pruned = append(pruned, x)
	}
	e2 := mustEngine(t, Inputs{Twinnings: pruned})
	var train []EvalQuery
	for _, q := range queries {
		if folds[q.Municipality] != f {
			train = append(train, q)
		}
	}
	w2, _, err := FitWeights(ctx, e2, e2.reg, train, opts.Calibration)
	if err != nil {
		t.Fatal(err)
	}
	got := weights[f]
	got.Provenance, w2.Provenance = "", ""
	if !reflect.DeepEqual(got, w2) {
		t.Errorf("fold %d weights depend on its own municipalities:\nwith    %v\nwithout %v", f+1, got, w2)
	}
}

func TestEvaluateReproducible(t *testing.T) {
	tw := mustSmallTwinnings(t)
	s := mustSnapshot(t)
	ctx := context.Background()
	run := func(seed uint64, workers int) *EvalReport {
		rep, err := Evaluate(ctx, Inputs{Snap: s, Twinnings: tw}, EvalOptions{Folds: 3, Seed: seed, Workers: workers, Calibration: fastCalibration})
		if err != nil {
			t.Fatal(err)
		}
		rep.Elapsed = 0
		return rep
	}
	a, b := run(1, 2), run(1, 1)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different reports:\n%+v\n%+v", a.Methods, b.Methods)
	}
	if a.Queries < 25 || len(a.Methods) != 9 {
		t.Errorf("got %d queries and %d methods, want ≥25 and 9", a.Queries, len(a.Methods))
	}
	// One ablation per signal with a policy weight, named after it.
	if len(a.Ablations) != len(signalList) {
		t.Errorf("%d ablations, want one per signal (%d)", len(a.Ablations), len(signalList))
	}
	for i, m := range a.Ablations {
		if m.Name != AblationPrefix+signalList[i].Name || m.Kind != KindAblation {
			t.Errorf("ablation %d is %s (%s), want %s%s", i, m.Name, m.Kind, AblationPrefix, signalList[i].Name)
		}
	}
	for _, m := range a.Methods {
		for _, v := range []float64{m.RecallAt10, m.RecallAt50, m.MRR, m.NDCGAt10, m.Coverage} {
			if v < 0 || v > 1 || math.IsNaN(v) {
				t.Errorf("%s: metric %v out of [0,1]", m.Name, v)
			}
		}
		if m.RecallAt50 < m.RecallAt10 {
			t.Errorf("%s: recall@50 %v below recall@10 %v", m.Name, m.RecallAt50, m.RecallAt10)
		}
	}
	// Another seed changes the random baseline, and nothing else of the
	// baselines.
	c := run(2, 2)
	ra, _ := a.Method(MethodRandom)
	rc, _ := c.Method(MethodRandom)
	if ra == rc {
		t.Error("seed 2 gives the same random baseline as seed 1")
	}
	for _, name := range []string{MethodMexicoPopularity, MethodPopulation, MethodMatcherPolicy} {
		ma, _ := a.Method(name)
		mc, _ := c.Method(name)
		if ma != mc {
			t.Errorf("%s depends on the seed: %+v vs %+v", name, ma, mc)
		}
	}
	// Random ranks the hidden twin near the middle of ~183k candidates.
	if ra.RecallAt50 > 0.05 || ra.MRR > 0.01 {
		t.Errorf("random baseline too good: %+v", ra)
	}
}

func TestDefaultWeightsValid(t *testing.T) {
	w := DefaultWeights()
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	p := PolicyWeights()
	for _, c := range []string{CompProblems, CompAreas, CompDiaspora, CompText} {
		if w.Components[c] != p.Components[c] {
			t.Errorf("%s: shipped weight %v, policy %v: calibration must not touch it", c, w.Components[c], p.Components[c])
		}
	}
	if w.Components[CompDiaspora] < w.Components[CompStructure] || w.Components[CompDiaspora] < w.Components[CompNetwork] {
		t.Errorf("diaspora %v must outweigh structure %v and network %v", w.Components[CompDiaspora], w.Components[CompStructure], w.Components[CompNetwork])
	}
	// The shipped file parses as weights for LoadWeights too.
	if _, err := LoadWeights(filepath.Join("weights_default.json")); err != nil && len(weightsDefaultJSON) > 3 {
		t.Error(err)
	}
}
