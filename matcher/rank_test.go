package matcher

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"hermanar/datasets"
)

// rankFixture is an engine where every component and every path of the
// scoring loop has data: a diaspora tie, twinnings (popularity, twin
// country, co-twins, an existing pair), the migration corridor, and
// profiles on both sides (problems, areas and the harmonic mean).
func rankFixture(tb testing.TB) *Engine {
	tb.Helper()
	return rankFixtureWith(tb, Weights{})
}

// rankFixtureWith is rankFixture with the given weights (zero: policy).
func rankFixtureWith(tb testing.TB, w Weights) *Engine {
	tb.Helper()
	tw := []datasets.Twinning{
		{PlaceA: 4013705, PlaceB: whitewater, Municipality: "11008"},
		{PlaceA: whitewater, PlaceB: 5263045},
		{PlaceA: 4005539, PlaceB: 5368361}, // Guadalajara – Los Angeles, if both are in the snapshot
	}
	water := datasets.Profile{Lang: "es", Problems: []datasets.Problem{{Text: "escasez de agua", Tags: []string{"water-scarcity"}}},
		Areas: map[string]float64{"a": 0.5, "g": 1}}
	return mustEngine(tb, Inputs{
		Ties:                 []datasets.Tie{otatesTie(), {ID: "t2", Municipality: "11020", Place: 5368361, Size: 20000, Source: "test"}},
		Twinnings:            tw,
		Emigration:           map[string]float64{"11008": 18.31, "11020": 4.2, "11015": 9.9},
		USStateRemittances:   map[string]float64{"CA": 10000, "WI": 300, "TX": 6000},
		MunicipalityProfiles: map[string]datasets.Profile{"11008": water},
		PlaceProfiles: map[int64]datasets.Profile{whitewater: {Lang: "en",
			Practices: []datasets.Practice{{Text: "water reuse", Tags: []string{"water-scarcity"}}}, Areas: map[string]float64{"g": 1}}},
		Weights: w,
	})
}

func mustRank(tb testing.TB, e *Engine, req RankRequest) []RankRow {
	tb.Helper()
	var rows []RankRow
	if _, err := e.Rank(context.Background(), req, func(r RankRow) error { rows = append(rows, r); return nil }); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// Rows of a bulk ranking carry exactly what Match returns.
func TestRankRowsEqualMatch(t *testing.T) {
	e := rankFixture(t)
	munis := []string{"11008", "11020", "11015", "09015", "14039", "01001", "20067"}
	for _, tc := range []struct {
		name   string
		k      int
		filter Filter
	}{
		{"all candidates", 25, Filter{}},
		{"country", 10, Filter{Countries: []string{"us", "ES"}}},
		{"population", 15, Filter{MinPopulation: 5000, MaxPopulation: 300000}},
		{"exclude twinned", 10, Filter{ExcludeTwinned: true}},
	} {
		rows := mustRank(t, e, RankRequest{Municipalities: munis, K: tc.k, Filter: tc.filter, Workers: 2})
		byMuni := map[string][]RankRow{}
		for _, r := range rows {
			byMuni[r.Municipality] = append(byMuni[r.Municipality], r)
		}
		for _, m := range munis {
			f := tc.filter
			f.Countries = slices.Clone(f.Countries)
			res, err := e.Match(context.Background(), Query{Municipality: m, K: tc.k, Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			got := byMuni[m]
			if len(got) != len(res.Matches) {
				t.Fatalf("%s %s: %d rows, Match gave %d", tc.name, m, len(got), len(res.Matches))
			}
			mu, _ := e.Snapshot().Municipality(m)
			for i := range res.Matches {
				want := rankRowOf(mu, &res.Matches[i])
				if got[i] != want {
					t.Errorf("%s %s rank %d:\n got %+v\nwant %+v", tc.name, m, i+1, got[i], want)
				}
			}
		}
	}
}

// The fixture must really exercise every component, or the test above
// proves less than it says.
func TestRankFixtureCoversComponents(t *testing.T) {
	e := rankFixture(t)
	rows := mustRank(t, e, RankRequest{Municipalities: []string{"11008", "11020"}, K: 50, Filter: Filter{IncludeTwinned: true}})
	seen := map[string]bool{}
	for _, r := range rows {
		for _, c := range Components {
			if _, _, ok, _ := r.RankComponent(c); *ok {
				seen[c] = true
			}
		}
		if r.Twinned {
			seen["twinned"] = true
		}
	}
	for _, c := range []string{CompProblems, CompAreas, CompDiaspora, CompStructure, CompNetwork, "twinned"} {
		if !seen[c] {
			t.Errorf("no row has %s", c)
		}
	}
	if rows[0].PlaceID != whitewater || rows[0].Code == "" {
		t.Errorf("first row of 11008 is %+v, want Whitewater with a code", rows[0])
	}
}

func TestRankDeterministicAcrossWorkers(t *testing.T) {
	e := rankFixture(t)
	want := mustRank(t, e, RankRequest{State: "11", K: 20, Workers: 1})
	if len(want) != 46*20 {
		t.Fatalf("Guanajuato: %d rows, want %d", len(want), 46*20)
	}
	for i := 1; i < len(want); i++ {
		a, b := want[i-1], want[i]
		if a.Municipality > b.Municipality || (a.Municipality == b.Municipality && a.Rank+1 != b.Rank) {
			t.Fatalf("row %d out of order: %s/%d then %s/%d", i, a.Municipality, a.Rank, b.Municipality, b.Rank)
		}
	}
	for _, w := range []int{1, 2, 3, 7} {
		got := mustRank(t, e, RankRequest{State: "11", K: 20, Workers: w})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("workers=%d: rows differ from a single worker", w)
		}
	}
}

func TestRankTargets(t *testing.T) {
	e := rankFixture(t)
	got, err := e.RankTargets(RankRequest{Municipalities: []string{"11020", " 11008", "11020"}})
	if err != nil || !reflect.DeepEqual(got, []string{"11008", "11020"}) {
		t.Errorf("list: got %v, %v; want sorted and deduplicated", got, err)
	}
	all, err := e.RankTargets(RankRequest{})
	if err != nil || len(all) != len(e.Snapshot().Municipalities) || !slices.IsSorted(all) {
		t.Errorf("default: %d targets (%v), want all %d sorted", len(all), err, len(e.Snapshot().Municipalities))
	}
	for _, tc := range []struct {
		name string
		req  RankRequest
		code string
	}{
		{"state and list", RankRequest{State: "11", Municipalities: []string{"11008"}}, datasets.EInvalid},
		{"state 99", RankRequest{State: "99"}, datasets.EInvalid},
		{"state one digit", RankRequest{State: "9"}, datasets.EInvalid},
		{"state name", RankRequest{State: "Guanajuato"}, datasets.EInvalid},
		{"bad code", RankRequest{Municipalities: []string{"11008", "1100"}}, datasets.EInvalid},
		{"unknown", RankRequest{Municipalities: []string{"11999"}}, datasets.ENotFound},
		{"k too large", RankRequest{State: "11", K: MaxK + 1}, datasets.EInvalid},
	} {
		_, err := e.Rank(context.Background(), tc.req, func(RankRow) error { return nil })
		if got := datasets.ErrorCode(err); got != tc.code {
			t.Errorf("%s: got %s (%v), want %s", tc.name, got, err, tc.code)
		}
	}
}

func TestRankStopsOnEmitErrorAndCancel(t *testing.T) {
	e := rankFixture(t)
	stop := errors.New("client went away")
	n := 0
	_, err := e.Rank(context.Background(), RankRequest{State: "11", K: 10}, func(RankRow) error {
		if n++; n == 25 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 25 {
		t.Errorf("emit error: got %v after %d rows, want %v after 25", err, n, stop)
	}

	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	st, err := e.Rank(ctx, RankRequest{State: "11", K: 10}, func(RankRow) error {
		if n++; n == 15 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || st.Rows >= 460 {
		t.Errorf("cancel: got %v with %d rows, want context.Canceled early", err, st.Rows)
	}
}

func TestRankProgressAndStats(t *testing.T) {
	e := rankFixture(t)
	var calls []int
	st, err := e.Rank(context.Background(), RankRequest{State: "01", K: 5,
		Progress: func(done, total int) { calls = append(calls, done*1000+total) }}, func(RankRow) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Municipalities != 11 || st.Rows != 55 || st.K != 5 || st.Candidates != e.Candidates() {
		t.Errorf("stats %+v, want 11 municipalities of Aguascalientes, 55 rows", st)
	}
	if len(calls) != 11 || calls[0] != 1011 || calls[10] != 11011 {
		t.Errorf("progress calls %v", calls)
	}
}

// The pruned scan must find exactly the top k that scoring every
// candidate finds, with and without the network term, for small and
// large k.
func TestRankPrunedEqualsExhaustive(t *testing.T) {
	s := mustSnapshot(t)
	var munis []string
	for i := 0; i < len(s.Municipalities); i += 37 {
		munis = append(munis, s.Municipalities[i].CVEGEO)
	}
	munis = append(munis, "11008", "11020")
	withNet, plain := rankFixture(t), mustEngine(t, Inputs{Ties: []datasets.Tie{otatesTie()}})
	for _, tc := range []struct {
		name string
		e    *Engine
		k    int
	}{
		{"network", withNet, 50},
		{"network k=1", withNet, 1},
		{"structure only", plain, 50},
		{"structure only k=500", plain, MaxK},
	} {
		req := RankRequest{Municipalities: munis, K: tc.k}
		var pst, est RankStats
		var pruned, all []RankRow
		var err error
		pst, err = tc.e.Rank(context.Background(), req, func(r RankRow) error { pruned = append(pruned, r); return nil })
		if err != nil {
			t.Fatal(err)
		}
		req.Exhaustive = true
		est, err = tc.e.Rank(context.Background(), req, func(r RankRow) error { all = append(all, r); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(pruned, all) {
			for i := range all {
				if i >= len(pruned) || pruned[i] != all[i] {
					t.Fatalf("%s: row %d differs:\npruned %+v\n   all %+v", tc.name, i, pruned[min(i, len(pruned)-1)], all[i])
				}
			}
			t.Fatalf("%s: %d pruned rows, %d exhaustive", tc.name, len(pruned), len(all))
		}
		t.Logf("%s: %d municipalities, scored %.1f%% of candidates", tc.name, len(munis), 100*float64(pst.Scored)/float64(est.Scored))
	}
}

// Rank hands rows to a callback in a fixed order, however many workers
// score; here, the three best partners of two Guanajuato municipalities.
func ExampleEngine_Rank() {
	snap, _ := datasets.DefaultSnapshot()
	e, _ := NewEngine(Inputs{Snap: snap, Ties: []datasets.Tie{otatesTie()}})
	_, err := e.Rank(context.Background(), RankRequest{Municipalities: []string{"11008", "11020"}, K: 3},
		func(r RankRow) error {
			fmt.Printf("%s %s #%d %s (%s) %s\n", r.Municipality, r.MunicipalityName, r.Rank, r.PlaceName, r.Country, r.Code)
			return nil
		})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 11008 Manuel Doblado #1 Whitewater (US) D
	// 11008 Manuel Doblado #2 Nebaj (GT) S
	// 11008 Manuel Doblado #3 San Andrés Itzapa (GT) S
	// 11020 León #1 Mixco (GT) S
	// 11020 León #2 Qujing (CN) S
	// 11020 León #3 Soweto (ZA) S
}

// randomWeights draws every component and sub-feature weight from the
// declared lists, some of them zero.
func randomWeights(r *rand.Rand) Weights {
	w := Weights{Components: map[string]float64{}, Structure: map[string]float64{}, Network: map[string]float64{}, Provenance: "random"}
	draw := func() float64 {
		if r.IntN(6) == 0 {
			return 0
		}
		return r.Float64()
	}
	for _, c := range Components {
		w.Components[c] = draw()
	}
	w.Components[CompStructure] += 0.01 // the kernel needs some structure weight
	for _, s := range StructureFeatures {
		w.Structure[s] = draw()
	}
	w.Structure[FeatSize] += 0.01
	for _, s := range NetworkFeatures {
		w.Network[s] = draw()
	}
	w.Network[FeatMexPopularity] += 0.01
	return w
}

// On random weights and random municipalities, the pruned scan, the
// exhaustive scan and the exported features (what the numpy peer reads)
// agree: the same rows, the same score bits.
func TestKernelPathsAgreeOnRandomWeights(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	s := mustSnapshot(t)
	for trial := range 4 {
		w := randomWeights(r)
		e := rankFixtureWith(t, w)
		munis := []string{"11008", "11020"}
		for range 10 {
			munis = append(munis, s.Municipalities[r.IntN(len(s.Municipalities))].CVEGEO)
		}
		req := RankRequest{Municipalities: munis, K: 1 + r.IntN(60)}
		pruned := mustRank(t, e, req)
		req.Exhaustive = true
		all := mustRank(t, e, req)
		if !reflect.DeepEqual(pruned, all) {
			t.Fatalf("trial %d (weights %v): pruned and exhaustive rankings differ", trial, w)
		}
		f, err := e.DenseFeatures(RankRequest{Municipalities: munis})
		if err != nil {
			t.Fatal(err)
		}
		want, got := make([]float32, e.n), make([]float32, e.n)
		for _, q := range f.Queries {
			qs, err := e.prepare(Query{Municipality: q.Municipality})
			if err != nil {
				t.Fatal(err)
			}
			e.scoreAll(qs, want)
			evalDense(t, f, q, got)
			for c := range want {
				if math.Float32bits(got[c]) != math.Float32bits(want[c]) {
					t.Fatalf("trial %d %s candidate %d: exported %v, scoreAll %v", trial, q.Municipality, e.ids[c], got[c], want[c])
				}
			}
		}
	}
}

// countingText is a text index that scores every pair by its keys and
// counts the calls made from each candidate's side.
type countingText struct {
	mu      sync.Mutex
	reverse map[string]int
}

func (t *countingText) TextScores(_ datasets.Profile, exclude string) (map[string]datasets.TextMatch, error) {
	t.mu.Lock()
	if strings.HasPrefix(exclude, "place:") {
		t.reverse[exclude]++
	}
	t.mu.Unlock()
	out := map[string]datasets.TextMatch{}
	for _, k := range []string{"mun:11008", "mun:11020", "mun:11015", "place:" + strconv.FormatInt(whitewater, 10), "place:5368361"} {
		if k != exclude {
			out[k] = datasets.TextMatch{Score: float64(len(exclude)%7+len(k)%5) / 12}
		}
	}
	return out, nil
}

// A bulk ranking asks the text index for a profiled candidate's side once
// per run, not once per municipality, and its rows still equal Match's.
func TestRankScoresProfiledCandidatesOnce(t *testing.T) {
	tx := &countingText{reverse: map[string]int{}}
	prof := func(tag string) datasets.Profile {
		return datasets.Profile{Lang: "es", Problems: []datasets.Problem{{Text: "escasez de agua y " + tag, Tags: []string{"water-scarcity"}}}}
	}
	e := mustEngine(t, Inputs{Text: tx,
		MunicipalityProfiles: map[string]datasets.Profile{"11008": prof("sequía"), "11020": prof("inundaciones"), "11015": prof("riego")},
		PlaceProfiles: map[int64]datasets.Profile{whitewater: {Lang: "en", Practices: []datasets.Practice{{Text: "water reuse", Tags: []string{"water-scarcity"}}}},
			5368361: {Lang: "en", Practices: []datasets.Practice{{Text: "storm water", Tags: []string{"water-scarcity"}}}}}})
	munis := []string{"11008", "11020", "11015"}
	rows := mustRank(t, e, RankRequest{Municipalities: munis, K: 10, Workers: 2})
	if len(tx.reverse) != 2 {
		t.Fatalf("reverse text calls by candidate: %v, want the two profiled places", tx.reverse)
	}
	for k, n := range tx.reverse {
		if n != 1 {
			t.Errorf("%s: %d reverse text calls in one run, want 1", k, n)
		}
	}
	for _, m := range munis {
		res, err := e.Match(context.Background(), Query{Municipality: m, K: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []RankRow
		for _, r := range rows {
			if r.Municipality == m {
				got = append(got, r)
			}
		}
		if len(got) != len(res.Matches) {
			t.Fatalf("%s: %d rows, Match %d", m, len(got), len(res.Matches))
		}
		for i := range got {
			if got[i].PlaceID != res.Matches[i].Place.ID || got[i].Score != res.Matches[i].Score {
				t.Errorf("%s rank %d: row %d %v, Match %d %v", m, i+1, got[i].PlaceID, got[i].Score, res.Matches[i].Place.ID, res.Matches[i].Score)
			}
		}
	}
}
