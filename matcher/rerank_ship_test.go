package matcher

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

var (
	shipOnce  sync.Once
	shipModel *RerankFile
	shipErr   error
)

// testRerank is a second stage fitted on the small twinnings over the
// policy weights (the weights mustEngine gives).
func testRerank(tb testing.TB) *RerankFile {
	tb.Helper()
	tw := mustSmallTwinnings(tb)
	shipOnce.Do(func() {
		e := mustEngine(tb, Inputs{Twinnings: tw, NoRerank: true})
		m, _, err := FitRerankOn(context.Background(), e, e.reg, BacktestQueries(e.reg), 2)
		if err != nil {
			shipErr = err
			return
		}
		shipModel = &RerankFile{Model: m, FirstStage: PolicyWeights().Provenance, Summary: "test model"}
	})
	if shipErr != nil {
		tb.Fatal(shipErr)
	}
	return shipModel
}

// checkLearned holds a learned match's numbers: the components add up to
// the score, the feature parts to the learned contribution.
func checkLearned(t *testing.T, m *Match) {
	t.Helper()
	sum := 0.0
	var learned *Component
	for i := range m.Components {
		c := &m.Components[i]
		sum += c.Contribution
		if c.Name == CompLearned {
			learned = c
		}
		if c.Name == CompStructure || c.Name == CompNetwork {
			t.Errorf("%s: %s beside the learned component", m.Place.Name, c.Name)
		}
	}
	if learned == nil {
		t.Fatalf("%s: no learned component: %+v", m.Place.Name, m.Components)
	}
	if math.Abs(sum-m.Score) > 1e-9 {
		t.Errorf("%s: components sum to %v, score %v", m.Place.Name, sum, m.Score)
	}
	ps := 0.0
	for _, p := range learned.Parts {
		ps += p.Contribution
		if FeatureLabel(p.Name, "es") == p.Name || FeatureLabel(p.Name, "en") == p.Name {
			t.Errorf("feature %s has no label", p.Name)
		}
	}
	if len(learned.Parts) < 1 || math.Abs(ps-learned.Contribution) > 1e-9 {
		t.Errorf("%s: %d parts sum to %v, learned contribution %v", m.Place.Name, len(learned.Parts), ps, learned.Contribution)
	}
	if math.Abs(learned.Value*learned.Weight-learned.Contribution) > 2e-6 && m.Adjustment == 0 {
		t.Errorf("%s: learned %v × %v ≠ %v", m.Place.Name, learned.Value, learned.Weight, learned.Contribution)
	}
	if m.Basis[len(m.Basis)-1] != CompLearned {
		t.Errorf("%s: basis %v", m.Place.Name, m.Basis)
	}
}

// A municipality with twins of its own gets a list the second stage
// reorders, explained by it; one without twins gets exactly the list it
// gets without a second stage. Both are deterministic.
func TestShippedRerankChangesOnlyTwinned(t *testing.T) {
	tw := mustSmallTwinnings(t)
	f := testRerank(t)
	on := mustEngine(t, Inputs{Twinnings: tw, Rerank: f})
	off := mustEngine(t, Inputs{Twinnings: tw, NoRerank: true})
	if on.Rerank() == nil {
		t.Fatal("the second stage is not applied")
	}
	ctx := context.Background()
	twinned := BacktestQueries(on.reg)[0].Municipality
	untwinned := ""
	for i := range on.in.Snap.Municipalities {
		if m := on.in.Snap.Municipalities[i].CVEGEO; len(on.reg.muniTwins[m]) == 0 {
			untwinned = m
			break
		}
	}
	match := func(e *Engine, m string) *Result {
		t.Helper()
		res, err := e.Match(ctx, Query{Municipality: m, K: 10})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b, c := match(on, twinned), match(on, twinned), match(off, twinned)
	if !sameResult(a, b) {
		t.Error("two matches of the same query differ")
	}
	if a.Model == "" || c.Model != "" {
		t.Errorf("model provenance %q / %q", a.Model, c.Model)
	}
	ids := func(r *Result) (out []int64) {
		for _, m := range r.Matches {
			out = append(out, m.Place.ID)
		}
		return out
	}
	if reflect.DeepEqual(ids(a), ids(c)) {
		t.Errorf("%s: the second stage leaves the list as it was: %v", twinned, ids(a))
	}
	for i := range a.Matches {
		checkLearned(t, &a.Matches[i])
		if i > 0 && a.Matches[i].Score > a.Matches[i-1].Score+DiversityCountry*10+DiversityHub {
			t.Errorf("rank %d scores %v above rank %d's %v", i+1, a.Matches[i].Score, i, a.Matches[i-1].Score)
		}
	}
	if len(a.Twinned) == 0 {
		t.Error("existing twins are not listed apart")
	}
	u1, u2 := match(on, untwinned), match(off, untwinned)
	if !sameResult(u1, u2) {
		t.Errorf("%s (no twins): the second stage changed its list", untwinned)
	}
	// Bulk rows carry the same numbers.
	var rows []RankRow
	if _, err := on.Rank(ctx, RankRequest{Municipalities: []string{twinned}, K: 10}, func(r RankRow) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if r.PlaceID != a.Matches[i].Place.ID || r.Score != a.Matches[i].Score || !r.LearnedPresent || r.StructurePresent {
			t.Errorf("rank row %d: %d %v learned %v, match %d %v", i+1, r.PlaceID, r.Score, r.LearnedPresent, a.Matches[i].Place.ID, a.Matches[i].Score)
		}
	}
}

// A model file round-trips, and a file this binary cannot read is refused
// with an error that names the problem.
func TestRerankFileRoundTripAndRefusal(t *testing.T) {
	f := testRerank(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "rerank_model.json")
	if err := f.Save(name); err != nil {
		t.Fatal(err)
	}
	got, err := LoadRerankFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, f) {
		t.Error("the model file does not read back as written")
	}
	good, _ := os.ReadFile(name)
	renamed := strings.Replace(string(good), `"sig_`+signalList[2].Name+`"`, `"sig_altitude"`, 1)
	for _, c := range []struct{ name, body, want string }{
		{"empty", "", "empty"},
		{"truncated", string(good[:len(good)/2]), "rerank model file"},
		{"renamed feature", renamed, `feature 3 is "sig_altitude"`},
		{"no model", `{"first_stage_weights": "x"}`, "no model"},
	} {
		p := filepath.Join(dir, c.name+".json")
		if err := os.WriteFile(p, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadRerankFile(p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
	// An engine given a bad model refuses to start.
	bad := *f
	m := *f.Model
	m.Features = append([]string{"sig_altitude"}, m.Features[1:]...)
	bad.Model = &m
	if _, err := NewEngine(Inputs{Snap: mustSnapshot(t), Rerank: &bad}); err == nil {
		t.Error("an engine took a model with other features")
	}
}

// The embedded model, when there is one, is readable by this binary.
func TestEmbeddedRerankReadable(t *testing.T) {
	f, err := DefaultRerank()
	if err != nil {
		t.Fatal(err)
	}
	if f == nil {
		t.Skip("no model embedded")
	}
	if f.FirstStage != DefaultWeights().Provenance {
		t.Errorf("the embedded model read the first stage %q, the shipped weights are %q", f.FirstStage, DefaultWeights().Provenance)
	}
	if f.Provenance == nil || f.Provenance.SHA256 == "" || f.Provenance.DataVersion == "" || f.Provenance.CV[MethodMatcherShipped] <= 0 {
		t.Errorf("the embedded model lacks its provenance: %+v", f.Provenance)
	}
}

// matcher_shipped measures what ships, held out: with the shipped
// second stage, each query is scored by the fold model that never saw
// its municipality. Without a traits weight (kept on top of the model)
// that is exactly the backtest's second stage.
func TestEvalShippedRowIsHeldOutSecondStage(t *testing.T) {
	tw := mustSmallTwinnings(t)
	w := PolicyWeights()
	w.Structure[FeatTraits] = 0
	w.Provenance = "policy without traits"
	f := *testRerank(t)
	f.FirstStage = w.Provenance
	rep, err := Evaluate(context.Background(), Inputs{Snap: mustSnapshot(t), Twinnings: tw, Rerank: &f},
		EvalOptions{Folds: 3, Seed: 1, Workers: 2, Default: w, Shipped: w, SkipCalibration: true, SkipAblations: true})
	if err != nil {
		t.Fatal(err)
	}
	s, ok1 := rep.Method(MethodMatcherShipped)
	r, ok2 := rep.Method(MethodMatcherReranked)
	if !ok1 || !ok2 || rep.ShippedFitted {
		t.Fatalf("rows %v %v, in-sample %v", ok1, ok2, rep.ShippedFitted)
	}
	if math.Abs(s.MRR-r.MRR) > 1e-9 || !strings.Contains(s.Description, "held out") {
		t.Errorf("shipped MRR %v (%s), reranked %v", s.MRR, s.Description, r.MRR)
	}
	h, _ := rep.ShippedHeldOut()
	if h.Name != MethodMatcherShipped {
		t.Errorf("the acceptance reads %s", h.Name)
	}
}

// The reservation gives the last places of a list's head to the best
// candidates sharing a trait none of the head shares, at most
// TraitReserve, and changes nothing when the head shares every trait; the
// backtest's scores rank the same list.
func TestTraitReservation(t *testing.T) {
	e := mustEngine(t, Inputs{NoRerank: true})
	const reservable = TraitBorder | TraitMountain | TraitCoastal
	pick := func(want Trait, n int) []int32 {
		var out []int32
		for c := range e.traits {
			if e.traits[c]&reservable == want {
				out = append(out, int32(c))
				if len(out) == n {
					break
				}
			}
		}
		if len(out) < n {
			t.Fatalf("the snapshot has fewer than %d candidates with traits %v", n, want)
		}
		return out
	}
	plain, border, coast := pick(0, 12), pick(TraitBorder, 3), pick(TraitCoastal, 2)
	cat := func(parts ...[]int32) []int32 {
		var out []int32
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	withBorder := cat(plain[:4], border[2:3], plain[4:12])
	tailBorder := cat(plain[:10], border[1:2], plain[10:11])
	cases := []struct {
		name string
		best []traitPicks
		list []int32
		want []int32
	}{
		{"one trait missing: its best two", []traitPicks{{TraitBorder, border[:2]}}, plain,
			cat(plain[:8], border[:2], plain[8:10])},
		{"the head shares it: unchanged", []traitPicks{{TraitBorder, border[:2]}}, withBorder, withBorder},
		{"two traits missing: one each", []traitPicks{{TraitBorder, border[:2]}, {TraitCoastal, coast[:2]}}, plain[:10],
			cat(plain[:8], border[:1], coast[:1])},
		{"a short list", []traitPicks{{TraitBorder, border[:2]}}, plain[:5], cat(plain[:3], border[:2])},
		{"a reserved one further down moves up, once", []traitPicks{{TraitBorder, border[:2]}}, tailBorder,
			cat(plain[:8], border[:2], plain[8:10])},
		{"nothing to reserve", nil, plain, plain},
	}
	for _, tc := range cases {
		lq := &learnedQuery{best: tc.best}
		got := e.reserveTraits(lq, slices.Clone(tc.list))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		for _, c := range got[:min(len(got), TraitReserveHead)] {
			if _, ok := lq.reserved[c]; ok != !slices.Contains(tc.list[:min(len(tc.list), TraitReserveHead)], c) {
				t.Errorf("%s: candidate %d reserved %v", tc.name, c, ok)
			}
		}
		if len(tc.list) < TraitReserveHead {
			continue
		}
		// The backtest's scores: the list in score order, the reserved
		// ones lower; ranking by score after reserveScores gives the list.
		scores := make([]float32, e.n)
		for i := range scores {
			scores[i] = -1
		}
		for i, c := range tc.list {
			scores[c] = 2 + float32(len(tc.list)-i)/100
		}
		for _, p := range tc.best {
			for _, c := range p.c {
				if scores[c] < 0 {
					scores[c] = 1.5
				}
			}
		}
		e.reserveScores(&learnedQuery{best: tc.best}, scores)
		top, _ := topK(scores, e.ids, TraitReserveHead)
		if !slices.Equal(top, tc.want[:TraitReserveHead]) {
			t.Errorf("%s: backtest order %v, list %v", tc.name, top, tc.want[:TraitReserveHead])
		}
	}
}

// A reserved place says so in its traits component, in the list's
// language, and ReservedNote finds that sentence (and nothing in a match
// that was not reserved).
func TestReservedNote(t *testing.T) {
	for _, lang := range []string{"es", "en"} {
		note := reservedEvidence(TraitBorder, lang)
		m := Match{Components: []Component{{Name: CompLearned}, {Name: CompTraits, Evidence: []string{note, "x"}}}}
		if got := ReservedNote(&m, lang); got != note || note == "" {
			t.Errorf("%s: got %q, want %q", lang, got, note)
		}
		plain := Match{Components: []Component{{Name: CompTraits, Evidence: []string{"x"}}}}
		if got := ReservedNote(&plain, lang); got != "" {
			t.Errorf("%s: a place not reserved reads %q", lang, got)
		}
	}
	if es, en := reservedEvidence(TraitCoastal, "es"), reservedEvidence(TraitCoastal, "en"); !strings.Contains(es, "costera") || !strings.Contains(en, "coastal") || strings.Contains(es, "coastal") {
		t.Errorf("es %q, en %q", es, en)
	}
}
