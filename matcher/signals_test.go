package matcher

import (
	"context"
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
	// Through the real path: León's match explains Whitewater's state link.
	res, err := e.Match(context.Background(), Query{Municipality: "11020", K: 50, Filter: Filter{Countries: []string{"US"}}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range res.Matches {
		if m.Place.ID != whitewater {
			continue
		}
		for _, c := range m.Components {
			if c.Name == CompNetwork && slices.ContainsFunc(c.Evidence, func(s string) bool { return strings.Contains(s, "Guanajuato") }) {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("León's US list does not explain Whitewater by its Guanajuato twinning: %+v", res.Matches[:3])
	}
}
