package matcher

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"hermanar/datasets"
)

const (
	whitewater = 5278931
	otates     = 4024473
)

var (
	snapOnce sync.Once
	snap     *datasets.Snapshot
)

func mustSnapshot(tb testing.TB) *datasets.Snapshot {
	tb.Helper()
	snapOnce.Do(func() {
		var err error
		snap, err = datasets.DefaultSnapshot()
		if err != nil {
			tb.Fatal(err)
		}
	})
	return snap
}

func otatesTie() datasets.Tie {
	return datasets.Tie{ID: "t1", Municipality: "11008", Locality: "San José de Otates", LocalityPlace: otates,
		Place: whitewater, Size: 500, Estimated: true, Year: 2022, Source: "SRE DGCP letter DEP-0121/22"}
}

func mustEngine(tb testing.TB, in Inputs) *Engine {
	tb.Helper()
	if in.Snap == nil {
		in.Snap = mustSnapshot(tb)
	}
	e, err := NewEngine(in)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func TestWhitewaterFirstForManuelDoblado(t *testing.T) {
	e := mustEngine(t, Inputs{Ties: []datasets.Tie{otatesTie()}})
	res, err := e.Match(context.Background(), Query{Municipality: "11008", K: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 10 {
		t.Fatalf("got %d matches, want 10", len(res.Matches))
	}
	first := res.Matches[0]
	if first.Place.ID != whitewater {
		t.Fatalf("first match is %d %s, want Whitewater %d", first.Place.ID, first.Place.Name, whitewater)
	}
	var dias *Component
	for i := range first.Components {
		if first.Components[i].Name == CompDiaspora {
			dias = &first.Components[i]
		}
	}
	if dias == nil || dias.Value < 0.5 || dias.Source != "SRE DGCP letter DEP-0121/22" {
		t.Errorf("diaspora component %+v should carry the tie and its source", dias)
	}
}

// checkInvariants asserts what every result must satisfy.
func checkInvariants(t *testing.T, name string, res *Result) {
	t.Helper()
	prev := math.Inf(1)
	for i, m := range res.Matches {
		if m.Rank != i+1 {
			t.Errorf("%s: match %d has rank %d", name, i, m.Rank)
		}
		if res.Query.Filter.NoDiversity && m.Score > prev+1e-9 {
			t.Errorf("%s: scores not descending at rank %d", name, m.Rank)
		}
		prev = m.Score
		if m.Score < 0 || m.Score > 1 {
			t.Errorf("%s: score %v out of [0,1]", name, m.Score)
		}
		sum, wsum := 0.0, 0.0
		for _, c := range m.Components {
			if c.Value < 0 || c.Value > 1 {
				t.Errorf("%s: %s value %v out of [0,1]", name, c.Name, c.Value)
			}
			sum += c.Contribution
			wsum += c.Weight
		}
		if math.Abs(sum-m.Score) > 1e-6 {
			t.Errorf("%s: contributions sum to %v, score %v", name, sum, m.Score)
		}
		if math.Abs(wsum-1) > 1e-5 {
			t.Errorf("%s: weights sum to %v, want 1", name, wsum)
		}
	}
}

func TestInvariantsAcrossMunicipalities(t *testing.T) {
	s := mustSnapshot(t)
	tw := []datasets.Twinning{{PlaceA: 4013705, PlaceB: whitewater, Municipality: "11008"}}
	e := mustEngine(t, Inputs{Ties: []datasets.Tie{otatesTie()}, Twinnings: tw})
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 25; i++ {
		m := s.Municipalities[r.IntN(len(s.Municipalities))]
		for _, f := range []Filter{{}, {NoDiversity: true}, {Countries: []string{"US"}}, {MinPopulation: 10000, MaxPopulation: 200000, NoDiversity: true}} {
			res, err := e.Match(context.Background(), Query{Municipality: m.CVEGEO, K: 20, Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, m.CVEGEO, res)
			for _, x := range res.Matches {
				if len(f.Countries) > 0 && x.Place.Country != f.Countries[0] {
					t.Errorf("%s: country filter let %s through", m.CVEGEO, x.Place.Country)
				}
				if f.MinPopulation > 0 && (x.Place.Population < f.MinPopulation || x.Place.Population > f.MaxPopulation) {
					t.Errorf("%s: population filter let %d through", m.CVEGEO, x.Place.Population)
				}
			}
		}
	}
}

// The fast column loop must give the same score as the general path.
func TestDenseLoopAgreesWithGeneralPath(t *testing.T) {
	tw := []datasets.Twinning{{PlaceA: 4013705, PlaceB: whitewater, Municipality: "11008"}, {PlaceA: whitewater, PlaceB: 5263045}}
	e := mustEngine(t, Inputs{Ties: []datasets.Tie{otatesTie()}, Twinnings: tw,
		Emigration: map[string]float64{"11008": 18.31}, USStateRemittances: map[string]float64{"CA": 10000, "WI": 300}})
	qs, err := e.prepare(Query{Municipality: "11008", K: 10})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, e.n)
	e.scoreAll(qs, out)
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2000; i++ {
		c := int32(r.IntN(e.n))
		want := e.scoreOne(qs, c, nil)
		if math.Abs(float64(out[c])-want) > 1e-5 {
			t.Fatalf("candidate %d: loop %v, general %v", e.ids[c], out[c], want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	e := mustEngine(t, Inputs{Ties: []datasets.Tie{otatesTie()}})
	a, err := e.Match(context.Background(), Query{Municipality: "14039", K: 50})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		b, _ := e.Match(context.Background(), Query{Municipality: "14039", K: 50})
		if !sameResult(a, b) {
			t.Fatal("two runs of the same query differ")
		}
	}
	// Ties in score break by ascending GeoNames id.
	for i := 1; i < len(a.Matches); i++ {
		if a.Matches[i].Score == a.Matches[i-1].Score && a.Matches[i].Place.ID < a.Matches[i-1].Place.ID {
			t.Errorf("equal scores not ordered by id at rank %d", i+1)
		}
	}
}

func TestBadQueries(t *testing.T) {
	e := mustEngine(t, Inputs{})
	cases := []struct {
		name string
		q    Query
		code string
	}{
		{"not a code", Query{Municipality: "abc"}, datasets.EInvalid},
		{"unknown state", Query{Municipality: "99001"}, datasets.EInvalid},
		{"unknown municipality", Query{Municipality: "11999"}, datasets.ENotFound},
		{"k too large", Query{Municipality: "11008", K: 100000}, datasets.EInvalid},
	}
	for _, tc := range cases {
		_, err := e.Match(context.Background(), tc.q)
		if got := datasets.ErrorCode(err); got != tc.code {
			t.Errorf("%s: got %v (%v), want %s", tc.name, got, err, tc.code)
		}
	}
}

func TestWeightsValidate(t *testing.T) {
	w := PolicyWeights()
	w.Components["bogus"] = 1
	if err := w.Validate(); err == nil {
		t.Error("unknown component accepted")
	}
	w = PolicyWeights()
	w.Structure[FeatSize] = -1
	if err := w.Validate(); err == nil {
		t.Error("negative weight accepted")
	}
}

func TestOpportunitiesMilwaukee(t *testing.T) {
	s := mustSnapshot(t)
	other := datasets.Tie{ID: "t2", Municipality: "14039", Place: 5263045, Size: 50, Source: "test"}      // Milwaukee
	outside := datasets.Tie{ID: "t3", Municipality: "11020", Place: 4887398, Size: 90000, Source: "test"} // Chicago, IL
	con := datasets.Consulate{ID: "milwaukee", Name: "Consulado de México en Milwaukee", Place: 5263045,
		Jurisdiction: []datasets.Jurisdiction{{Country: "US", Admin1: []string{"WI"}}}}
	e := mustEngine(t, Inputs{Snap: s, Ties: []datasets.Tie{other, otatesTie(), outside}, Consulates: []datasets.Consulate{con}})
	ops, err := e.Opportunities(context.Background(), "milwaukee", "es", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 2 {
		t.Fatalf("got %d opportunities, want 2 (the Illinois tie is outside the jurisdiction): %+v", len(ops), ops)
	}
	if ops[0].Municipality != "11008" || ops[0].Place.ID != whitewater {
		t.Errorf("first opportunity %s → %d, want 11008 → Whitewater", ops[0].Municipality, ops[0].Place.ID)
	}
	if len(ops[0].Sources) == 0 || ops[0].Sources[0] != "SRE DGCP letter DEP-0121/22" {
		t.Errorf("first opportunity sources %v lack the tie's source", ops[0].Sources)
	}
	// Once twinned, the pair is no longer an opportunity.
	tw := []datasets.Twinning{{PlaceA: 4013705, PlaceB: whitewater, Municipality: "11008"}}
	e = mustEngine(t, Inputs{Snap: s, Ties: []datasets.Tie{otatesTie()}, Twinnings: tw, Consulates: []datasets.Consulate{con}})
	if ops, _ = e.Opportunities(context.Background(), "milwaukee", "es", 0); len(ops) != 0 {
		t.Errorf("twinned pair still listed: %+v", ops)
	}
	if _, err := e.Opportunities(context.Background(), "nowhere", "es", 0); datasets.ErrorCode(err) != datasets.ENotFound {
		t.Errorf("unknown consulate: got %v", err)
	}
}

// A profile compared with itself scores at least as high as with any
// other, component by component and in total.
func TestSelfSimilarityIsMaximal(t *testing.T) {
	e := mustEngine(t, Inputs{})
	tax := datasets.DefaultTaxonomy()
	r := rand.New(rand.NewPCG(5, 6))
	randProfile := func() datasets.Profile {
		p := datasets.Profile{Lang: "es", Areas: map[string]float64{}}
		for i := 0; i < 1+r.IntN(4); i++ {
			p.Problems = append(p.Problems, datasets.Problem{Tags: []string{tax.Categories[r.IntN(len(tax.Categories))].ID}})
		}
		for i := 0; i < r.IntN(3); i++ {
			p.Practices = append(p.Practices, datasets.Practice{Tags: []string{tax.Categories[r.IntN(len(tax.Categories))].ID}})
		}
		for _, a := range datasets.AreaCodes {
			if r.IntN(2) == 0 {
				p.Areas[a] = r.Float64()
			}
		}
		return p
	}
	for i := 0; i < 500; i++ {
		p, q := e.vectorize(randProfile()), e.vectorize(randProfile())
		self, _ := problemScore(p, p)
		other, _ := problemScore(p, q)
		if other > self+1e-9 {
			t.Fatalf("case %d: problems self %v < other %v", i, self, other)
		}
		sa, _ := cosine(p.areas, p.areas)
		oa, _ := cosine(p.areas, q.areas)
		if p.areas != nil && oa > sa+1e-9 {
			t.Fatalf("case %d: areas self %v < other %v", i, sa, oa)
		}
		for _, v := range []float64{self, other, sa, oa} {
			if v < 0 || v > 1 || math.IsNaN(v) {
				t.Fatalf("case %d: component value %v out of [0,1]", i, v)
			}
		}
	}
}

// Match takes the pruned scan; with and without filters and profiles, on
// random weights and municipalities, it must return exactly the top k of
// scoring every candidate, and the same count of candidates passing.
func TestMatchPrunedEqualsExhaustive(t *testing.T) {
	s := mustSnapshot(t)
	r := rand.New(rand.NewPCG(7, 8))
	filters := []Filter{{}, {MinPopulation: 10_000}, {MaxPopulation: 50_000}, {MinPopulation: 14_692, MaxPopulation: 200_000},
		{Countries: []string{"US"}}, {Countries: []string{"es", "GT", "XX"}, MinPopulation: 5_000},
		{Traits: []string{"coastal"}}, {Traits: []string{"mountain", "seat"}, Countries: []string{"US", "CO"}},
		{ExcludeTwinned: true}, {OnlyProfiled: true}}
	scored, total := 0, 0
	for trial := range 3 {
		w := DefaultWeights()
		if trial > 0 {
			w = randomWeights(r)
		}
		e := rankFixtureWith(t, w)
		for i := range 8 {
			m := s.Municipalities[r.IntN(len(s.Municipalities))].CVEGEO
			if i == 0 {
				m = "11008"
			}
			for _, f := range filters {
				f = rawOrder(f)
				k := 1 + r.IntN(40)
				q := func() Query {
					g := f
					g.Countries = slices.Clone(f.Countries)
					return Query{Municipality: m, K: k, Filter: g}
				}
				res, err := e.Match(context.Background(), q())
				if err != nil {
					t.Fatal(err)
				}
				qe := q()
				qe.Exhaustive = true
				all, err := e.Match(context.Background(), qe)
				if err != nil {
					t.Fatal(err)
				}
				if res.Candidates != all.Candidates || len(res.Matches) != len(all.Matches) {
					t.Fatalf("trial %d %s %+v: pruned %d candidates, %d matches; exhaustive %d, %d", trial, m, f, res.Candidates, len(res.Matches), all.Candidates, len(all.Matches))
				}
				for j := range all.Matches {
					if a, b := res.Matches[j], all.Matches[j]; a.Place.ID != b.Place.ID || a.Score != b.Score {
						t.Fatalf("trial %d %s %+v rank %d: pruned %d (%v), exhaustive %d (%v)", trial, m, f, j+1, a.Place.ID, a.Score, b.Place.ID, b.Score)
					}
				}
				scored += res.scored
				total += all.scored
			}
		}
	}
	t.Logf("the pruned scan scored %.2f%% of the candidates the exhaustive one did", 100*float64(scored)/float64(total))
}

// rawOrder turns the list rules off, so a list is the plain top k by score.
func rawOrder(f Filter) Filter {
	f.IncludeTwinned, f.NoDiversity, f.NoSizeRule = true, true, true
	return f
}
