package matcher

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"

	"hermanar/datasets"
)

// versionedText is a text index whose scores change with its version (as
// the index's do after a profile is written), counting the searches made
// from each side.
type versionedText struct {
	mu               sync.Mutex
	version          int
	reverse, forward map[string]int
}

func (t *versionedText) TextScores(_ datasets.Profile, exclude string) (map[string]datasets.TextMatch, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if strings.HasPrefix(exclude, "place:") {
		t.reverse[exclude]++
	} else {
		t.forward[exclude]++
	}
	out := map[string]datasets.TextMatch{}
	for _, k := range []string{"mun:11008", "mun:11020", "place:" + strconv.FormatInt(whitewater, 10), "place:5368361"} {
		if k != exclude {
			out[k] = datasets.TextMatch{Score: float64((len(exclude)+t.version)%7+len(k)%5) / 12, Terms: []string{"agua"}}
		}
	}
	return out, nil
}

func (t *versionedText) PutProfile(string, datasets.Profile) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.version++
	return nil
}

func (t *versionedText) calls() (rev, fwd int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, n := range t.reverse {
		rev += n
	}
	for _, n := range t.forward {
		fwd += n
	}
	return rev, fwd
}

// Matches of the same user data ask the text index once per profiled
// candidate and once per municipality, not once per match; a profile
// written through Writes (which changes the index) is seen by the next
// match, whose answer equals a new engine's on the same data (the lists
// are of the profiled candidates, so that text relevance is in them).
func TestMatchesReuseTextRelevanceUntilAWrite(t *testing.T) {
	prof := func(tag string) datasets.Profile {
		return datasets.Profile{Lang: "es", Problems: []datasets.Problem{{Text: "escasez de agua y " + tag, Tags: []string{"water-scarcity"}}}}
	}
	inputs := func(tx *versionedText, munis map[string]datasets.Profile) Inputs {
		return Inputs{Text: tx, MunicipalityProfiles: munis,
			PlaceProfiles: map[int64]datasets.Profile{whitewater: {Lang: "en", Practices: []datasets.Practice{{Text: "water reuse", Tags: []string{"water-scarcity"}}}},
				5368361: {Lang: "en", Practices: []datasets.Practice{{Text: "storm water", Tags: []string{"water-scarcity"}}}}}}
	}
	answer := func(t *testing.T, e *Engine, m string) string {
		t.Helper()
		res, err := e.Match(context.Background(), Query{Municipality: m, K: 10, Filter: Filter{OnlyProfiled: true}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	munis := map[string]datasets.Profile{"11008": prof("sequía"), "11020": prof("inundaciones")}
	tx := &versionedText{reverse: map[string]int{}, forward: map[string]int{}}
	e := mustEngine(t, inputs(tx, munis))
	w := &Writes{Store: mustStore(t), Engine: e, Text: tx}

	first := map[string]string{}
	for round := range 3 {
		for _, m := range []string{"11008", "11020"} {
			got := answer(t, e, m)
			if round == 0 {
				first[m] = got
			} else if got != first[m] {
				t.Fatalf("%s: match %d differs from the first", m, round+1)
			}
		}
	}
	if rev, fwd := tx.calls(); rev != 2 || fwd != 2 {
		t.Fatalf("six matches of two municipalities made %d searches from the candidates' side and %d from the municipalities', want 2 and 2", rev, fwd)
	}
	fresh := &versionedText{reverse: map[string]int{}, forward: map[string]int{}}
	for _, m := range []string{"11008", "11020"} {
		if want := answer(t, mustEngine(t, inputs(fresh, munis)), m); first[m] != want {
			t.Errorf("%s: the reused relevance gives another answer than a new engine", m)
		}
	}

	if err := w.SaveMunicipalityProfile("11020", prof("riego")); err != nil {
		t.Fatal(err)
	}
	after := map[string]datasets.Profile{"11008": prof("sequía"), "11020": prof("riego")}
	fresh = &versionedText{version: tx.version, reverse: map[string]int{}, forward: map[string]int{}}
	for _, m := range []string{"11008", "11020"} {
		got, want := answer(t, e, m), answer(t, mustEngine(t, inputs(fresh, after)), m)
		if got != want {
			t.Errorf("%s after a profile write: the answer is not a new engine's on the new data", m)
		}
		if got == first[m] {
			t.Errorf("%s after a profile write: the answer did not change (the fixture's scores follow the index version)", m)
		}
	}
	if rev, fwd := tx.calls(); rev != 4 || fwd != 4 {
		t.Errorf("after one write: %d and %d searches, want 4 and 4 (each asked again once)", rev, fwd)
	}
}
