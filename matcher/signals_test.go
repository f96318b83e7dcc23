package matcher

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"hermanar/datasets"
)

// A place twinned with municipalities of my state gains the state signal,
// says so in the explanation, and loses it when the backtest hides the
// only pair that gave it.
func TestStateTwinsSignal(t *testing.T) {
	tw := []datasets.Twinning{
		{PlaceA: 4013705, PlaceB: whitewater, Municipality: "11008"},
		{PlaceA: 4005539, PlaceB: 5368361, Municipality: "14039"}, // Guadalajara – Los Angeles
	}
	e := mustEngine(t, Inputs{Twinnings: tw})
	si := slices.IndexFunc(signalList, func(s Signal) bool { return s.Name == FeatStateTwins })
	wc := e.candIndex[whitewater]
	for _, tc := range []struct {
		name, muni string
		reg        *Registry
		want       float32
		evidence   string
	}{
		{"same state", "11020", nil, 1, "otro municipio de Guanajuato"},
		{"my own twin does not count", "11008", nil, 0, ""},
		{"other state", "14039", nil, 0, ""},
		{"hidden pair", "11020", e.reg.hide("11008", whitewater), 0, ""},
	} {
		qs, err := e.prepare(Query{Municipality: tc.muni, registry: tc.reg})
		if err != nil {
			t.Fatal(err)
		}
		if got := signalList[si].value(e, qs, &qs.sig[si], wc); got != tc.want {
			t.Errorf("%s: state signal of Whitewater %v, want %v", tc.name, got, tc.want)
		}
		ev := strings.Join(e.signalEvidence(qs, CompNetwork, wc), "; ")
		if tc.evidence != "" && !strings.Contains(ev, tc.evidence) {
			t.Errorf("%s: evidence %q lacks %q", tc.name, ev, tc.evidence)
		}
		if tc.evidence == "" && strings.Contains(ev, "municipio") {
			t.Errorf("%s: evidence %q speaks of the state's municipalities", tc.name, ev)
		}
	}
	// Through a real path: the pair explanation of León and Whitewater.
	pm, err := e.Explain(context.Background(), Query{Municipality: "11020"}, []int64{whitewater})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range pm[0].Components {
		if c.Name == CompNetwork && slices.ContainsFunc(c.Evidence, func(s string) bool { return strings.Contains(s, "Guanajuato") }) {
			found = true
		}
	}
	if !found {
		t.Errorf("León–Whitewater does not cite the Guanajuato twinning: %+v", pm[0].Components)
	}
}

// What the last contribution absorbs is rounding only: on every explained
// match of several municipalities (profiles on both sides for Manuel
// Doblado and Whitewater, so the harmonic mean too), the unrounded
// contributions add up to the score within 1e-9, and the rounding
// remainder the last contribution absorbs stays ≤ 1e-6.
func TestExplanationRemainders(t *testing.T) {
	e := rankFixture(t)
	worstModel, worstRound, n := 0.0, 0.0, 0
	remainderHook = func(model, rounding float64, k int) {
		n++
		worstModel = max(worstModel, math.Abs(model))
		if r := math.Abs(rounding); r > float64(k)*5e-7+1e-12 {
			t.Errorf("rounding remainder %v over %d contributions", r, k)
		}
		worstRound = max(worstRound, math.Abs(rounding))
	}
	defer func() { remainderHook = nil }()
	for _, m := range []string{"11008", "11020", "11015", "09015", "14039"} {
		if _, err := e.Match(context.Background(), Query{Municipality: m, K: 50}); err != nil {
			t.Fatal(err)
		}
	}
	if n < 200 {
		t.Fatalf("only %d explanations checked", n)
	}
	if worstModel > 1e-9 {
		t.Errorf("contributions miss the score by %v before rounding", worstModel)
	}
	if worstRound > 1e-6+1e-12 { // one unit of the 6th decimal, with float slack
		t.Errorf("the last contribution absorbed %v, want ≤ 1e-6", worstRound)
	}
	t.Logf("%d explanations: model remainder ≤ %.1e, rounding remainder ≤ %.1e", n, worstModel, worstRound)
}
