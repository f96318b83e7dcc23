package api

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"hermanar/datasets"
	"hermanar/matcher"
)

// withShippedModel swaps in an engine on the shipped weights and second
// stage where Manuel Doblado has twins of its own (two cities that are
// not Whitewater, its migrants' destination).
func withShippedModel(t *testing.T) *testEnv {
	t.Helper()
	f, err := matcher.DefaultRerank()
	if err != nil {
		t.Fatal(err)
	}
	if f == nil {
		t.Skip("no second stage embedded")
	}
	e := mustEnv(t)
	d := mustData(t)
	var twins []int64
	for _, name := range []string{"Milwaukee", "Dallas"} {
		for _, p := range d.Snapshot.Places {
			if p.Name == name && p.Country == "US" && p.Population > 100000 {
				twins = append(twins, p.ID)
				break
			}
		}
	}
	if len(twins) != 2 {
		t.Fatalf("twins %v", twins)
	}
	var tw []datasets.Twinning
	for _, id := range twins {
		tw = append(tw, datasets.Twinning{PlaceA: 4024473, PlaceB: id, Municipality: manuelDoblado})
	}
	eng, err := matcher.NewEngine(matcher.Inputs{Snap: d.Snapshot, Ties: d.Ties, Consulates: d.Consulates, Twinnings: tw, Weights: matcher.DefaultWeights()})
	if err != nil {
		t.Fatal(err)
	}
	if eng.Rerank() == nil {
		t.Fatal("the shipped engine does not apply the embedded second stage")
	}
	b := *e.b
	b.Engine = eng
	if err := e.srv.SetBackend(&b); err != nil {
		t.Fatal(err)
	}
	return e
}

// A twinned municipality's list through the API: the learned model ranked
// it and says so, every contribution adds up (the learned one by feature
// too), Whitewater stays first on its tie, the answers match the spec,
// and each page speaks one language.
func TestShippedSecondStageThroughAPI(t *testing.T) {
	e := withShippedModel(t)
	path := "/api/v1/municipalities/11008/matches?k=10"
	w := e.do(t, req{path: path})
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	var res matcher.Result
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Model == "" || len(res.Matches) != 10 {
		t.Fatalf("model %q, %d matches", res.Model, len(res.Matches))
	}
	if res.Matches[0].Place.ID != whitewater {
		t.Errorf("first is %s, want Whitewater", res.Matches[0].Place.Name)
	}
	for _, m := range res.Matches {
		sum, learned := 0.0, 0
		for _, c := range m.Components {
			sum += c.Contribution
			if c.Name == matcher.CompLearned {
				learned++
				ps := 0.0
				for _, p := range c.Parts {
					ps += p.Contribution
				}
				if len(c.Parts) == 0 || math.Abs(ps-c.Contribution) > 1e-9 {
					t.Errorf("%s: %d parts sum to %v, contribution %v", m.Place.Name, len(c.Parts), ps, c.Contribution)
				}
			}
			if c.Name == matcher.CompStructure || c.Name == matcher.CompNetwork {
				t.Errorf("%s: %s beside the learned component", m.Place.Name, c.Name)
			}
		}
		if learned != 1 || math.Abs(sum-m.Score) > 1e-9 {
			t.Errorf("%s: %d learned components, contributions %v, score %v", m.Place.Name, learned, sum, m.Score)
		}
	}
	var dias float64
	for _, c := range res.Matches[0].Components {
		if c.Name == matcher.CompDiaspora {
			dias = c.Contribution
		}
	}
	if dias < res.Matches[0].Score/2 {
		t.Errorf("Whitewater's tie gives %v of %v", dias, res.Matches[0].Score)
	}
	validateAnswers(t, e, req{path: path}, req{path: path + "&lang=en"},
		req{method: "POST", path: "/api/v1/rank", body: `{"municipalities":["11008"],"k":3}`, token: e.token(t, RoleAnalyst, "", "")})
	for _, tc := range []struct{ lang, path, want, foreign string }{
		{"es", "/municipios/11008/coincidencias", "Modelo aprendido", "Learned model"},
		{"en", "/municipios/11008/coincidencias?lang=en", "Learned model", "Modelo aprendido"},
	} {
		body := e.do(t, req{path: tc.path}).Body.String()
		if !strings.Contains(body, tc.want) || !strings.Contains(body, `id="learned-note"`) {
			t.Errorf("%s page lacks %q or the learned note", tc.lang, tc.want)
		}
		if strings.Contains(body, tc.foreign) {
			t.Errorf("%s page carries %q", tc.lang, tc.foreign)
		}
	}
}
