package api

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"hermanar/datasets"
	"hermanar/index"
	"hermanar/matcher"
)

// mustEnvText is mustEnv with a real profile text index (Bleve), so the
// text component, the one scored differently from each side, has data.
// Its place index holds the Vatican's few places only: profiles are what
// the test needs.
func mustEnvText(tb testing.TB) *testEnv {
	tb.Helper()
	return mustEnvWeights(tb, true, matcher.Weights{})
}

// mustEnvWeights is mustEnv with weights w (zero: the policy weights, as
// mustEnv) and, when text is set, a real profile text index.
func mustEnvWeights(tb testing.TB, text bool, w matcher.Weights) *testEnv {
	tb.Helper()
	d := mustData(tb)
	st, err := datasets.OpenStore(tb.TempDir(), time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	cls, err := index.NewClassifier(datasets.DefaultTaxonomy())
	if err != nil {
		tb.Fatal(err)
	}
	var x *index.Index
	if text {
		if x, err = index.Open(tb.TempDir(), d.Snapshot, index.Options{Classifier: cls, Countries: []string{"VA"}}); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { x.Close() })
	}
	recs, err := datasets.LoadPlaceProfiles(nil, d.Snapshot)
	if err != nil {
		tb.Fatal(err)
	}
	in := matcher.Inputs{Snap: d.Snapshot, Ties: d.Ties, Consulates: d.Consulates,
		Twinnings: d.Twinnings, Classifier: cls, PlaceRecords: recs, Weights: w}
	if text {
		in.Text = x
	}
	eng, err := matcher.NewEngine(in)
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := New(Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	b := &Backend{Engine: eng, Store: st, Search: fakeSearch{d.Snapshot}, Classifier: cls}
	if text {
		b.Profiles = x
	}
	if err := srv.SetBackend(b); err != nil {
		tb.Fatal(err)
	}
	return &testEnv{srv: srv, b: b, store: st, h: srv.Handler()}
}

// Both directions through HTTP: the consulate of Milwaukee records the
// profiles of two Wisconsin cities (Whitewater, with its curated
// interest, and Madison, without one); Manuel Doblado's liaison stores a
// profile. Every explanation of those cities shows the pair from each
// side and how the sides combine, and the numbers shown hold line by
// line: value = share × forward + (1 − share) × reverse, value × weight
// (× adjustment) = contribution, the contributions add up to the score
// and the combined score is the harmonic mean of the two sides.
func TestBothDirectionsThroughHTTP(t *testing.T) {
	const madison = 5261457
	e := mustEnvText(t)
	consul := e.token(t, RoleConsulate, "", "milwaukee")
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	places := map[int64]string{
		whitewater: `{"lang":"en","narrative":"University city with dairy farms and a growing Mexican community","problems":[{"text":"water quality in the lakes"},{"text":"integrating migrant families"}],` +
			`"practices":[{"text":"treated wastewater reuse for irrigation"}],"areas":{"b":1,"e":1,"g":0.5},"source":"consulate visit 2026"}`,
		madison: `{"lang":"en","narrative":"State capital with a university and lakes","problems":[{"text":"floods in the rainy season"}],` +
			`"practices":[{"text":"flood management with retention basins"}],"areas":{"e":1,"f":1},"source":"consulate visit 2026"}`,
	}
	for id, body := range places {
		if w := e.do(t, req{method: "PUT", path: fmt.Sprintf("/api/v1/places/%d/profile", id), token: consul, body: body}); w.Code != 200 {
			t.Fatalf("PUT place %d: %d %s", id, w.Code, w.Body)
		}
	}
	muni := `{"lang":"es","narrative":"Municipio agrícola con muchos migrantes en Wisconsin","problems":[{"text":"escasez de agua en la cabecera"},{"text":"inundaciones en temporada de lluvias"}],` +
		`"areas":{"b":1,"e":0.5,"g":1},"practices":[{"text":"ferias gastronómicas"}]}`
	if w := e.do(t, req{method: "PUT", path: "/api/v1/municipalities/11008/profile", token: liaison, body: muni}); w.Code != 200 {
		t.Fatalf("PUT municipality profile: %d %s", w.Code, w.Body)
	}
	calls := []req{
		{path: "/api/v1/municipalities/11008/matches?k=200&country=US&lang=es"},
		{path: "/api/v1/municipalities/11008/matches?k=200&country=US&lang=en"},
		{method: "POST", path: "/api/v1/match?municipality=11008&k=200&country=US&lang=en", body: muni},
	}
	validateAnswers(t, e, calls...)
	validateAnswers(t, e, req{path: "/api/v1/municipalities/11008/compare?places=5278931,5261457"})
	for _, r := range calls {
		res := mustJSON[matcher.Result](t, e.do(t, r))
		for _, id := range []int64{whitewater, madison} {
			m, ok := findMatch(res, id)
			if !ok {
				t.Errorf("%s: place %d not listed", r.path, id)
				continue
			}
			checkDirections(t, r.method+" "+r.path, m)
			if id == madison && m.Adjustment != 0 {
				t.Errorf("%s: Madison states no wish or interest but has adjustment %v", r.path, m.Adjustment)
			}
			if id == whitewater && m.Adjustment <= 1 {
				t.Errorf("%s: Whitewater's recorded interest should raise its score, adjustment %v", r.path, m.Adjustment)
			}
		}
	}
	// The matches pages, in each language, show the two directions of
	// every line and say how they combine, in their own language only.
	for _, tc := range []struct {
		lang          string
		want, foreign []string
	}{
		{"es", []string{"municipio → ciudad", "ciudad → municipio", "media armónica", "Los deseos e interés declarados por la ciudad multiplican"}, []string{"municipality → city", "harmonic mean"}},
		{"en", []string{"municipality → city", "city → municipality", "harmonic mean", "stated wishes and interest multiply the result"}, []string{"municipio → ciudad", "media armónica"}},
	} {
		w := e.do(t, req{path: "/municipios/11008/coincidencias?country=US&lang=" + tc.lang})
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("%s page: %d", tc.lang, w.Code)
		}
		i := strings.Index(body, `id="p5278931"`)
		if i < 0 {
			t.Fatalf("%s page: Whitewater not listed", tc.lang)
		}
		item := body[i:]
		if j := strings.Index(item[1:], `<li class="match"`); j > 0 {
			item = item[:j+1]
		}
		for _, s := range tc.want {
			if !strings.Contains(item, s) {
				t.Errorf("%s page: Whitewater's explanation lacks %q", tc.lang, s)
			}
		}
		for _, s := range tc.foreign {
			if strings.Contains(body, s) {
				t.Errorf("%s page carries %q from the other language", tc.lang, s)
			}
		}
	}
}

// checkDirections asserts the shown arithmetic of one explained match
// with profiles on both sides.
func checkDirections(t *testing.T, name string, m matcher.Match) {
	t.Helper()
	d := m.Directions
	if d == nil {
		t.Errorf("%s: %s has profiles on both sides but no directions", name, m.Place.Name)
		return
	}
	const tol = 1e-5
	if d.Forward+d.Reverse > 0 {
		if h := 2 * d.Forward * d.Reverse / (d.Forward + d.Reverse); math.Abs(h-d.Combined) > tol {
			t.Errorf("%s: %s combined %v, harmonic mean of %v and %v is %v", name, m.Place.Name, d.Combined, d.Forward, d.Reverse, h)
		}
		if s := d.Reverse / (d.Forward + d.Reverse); math.Abs(s-d.ForwardShare) > tol {
			t.Errorf("%s: %s forward share %v, want %v", name, m.Place.Name, d.ForwardShare, s)
		}
	}
	adj := m.Adjustment
	if adj == 0 {
		adj = 1
	}
	sum, fwd, rev, wsum := 0.0, 0.0, 0.0, 0.0
	var names []string
	for _, c := range m.Components {
		names = append(names, c.Name)
		if c.Forward == nil || c.Reverse == nil {
			t.Errorf("%s: %s %s lacks a direction", name, m.Place.Name, c.Name)
			continue
		}
		if v := d.ForwardShare**c.Forward + (1-d.ForwardShare)**c.Reverse; math.Abs(v-c.Value) > tol {
			t.Errorf("%s: %s %s value %v is not %v × %v + %v × %v", name, m.Place.Name, c.Name, c.Value, d.ForwardShare, *c.Forward, 1-d.ForwardShare, *c.Reverse)
		}
		if got := c.Value * c.Weight * adj; math.Abs(got-c.Contribution) > tol {
			t.Errorf("%s: %s %s: value %v × weight %v × adjustment %v = %v, contribution %v", name, m.Place.Name, c.Name, c.Value, c.Weight, adj, got, c.Contribution)
		}
		sum += c.Contribution
		fwd += c.Weight * *c.Forward
		rev += c.Weight * *c.Reverse
		wsum += c.Weight
	}
	if math.Abs(sum-m.Score) > tol {
		t.Errorf("%s: %s contributions add up to %v, score %v", name, m.Place.Name, sum, m.Score)
	}
	if math.Abs(fwd-d.Forward) > tol || math.Abs(rev-d.Reverse) > tol || math.Abs(wsum-1) > tol {
		t.Errorf("%s: %s weighted sums %v/%v (weights %v), directions %v/%v", name, m.Place.Name, fwd, rev, wsum, d.Forward, d.Reverse)
	}
	if math.Abs(d.Combined*adj-m.Score) > tol {
		t.Errorf("%s: %s combined %v × adjustment %v is not the score %v", name, m.Place.Name, d.Combined, adj, m.Score)
	}
	// The text relevance of one profile against the other is not
	// symmetric: the two directions must show two values.
	for _, c := range m.Components {
		if c.Name == matcher.CompText && c.Forward != nil && *c.Forward == *c.Reverse {
			t.Errorf("%s: %s text is %v both ways; the reverse direction is not the city's side", name, m.Place.Name, *c.Forward)
		}
	}
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	if !has[matcher.CompProblems] || !has[matcher.CompAreas] || !has[matcher.CompText] {
		t.Errorf("%s: %s is explained on %v; problems, areas and text should have data on both sides", name, m.Place.Name, names)
	}
}

// With the shipped weights, the matches pages show each city's
// calibrated probability as the large figure, the raw score beside it,
// and say what the scale means, in the page's language; the JSON keeps
// the raw score and names the scale.
func TestCalibratedScaleOnPages(t *testing.T) {
	e := mustEnvWeights(t, false, matcher.DefaultWeights())
	res := mustJSON[matcher.Result](t, e.do(t, req{path: "/api/v1/municipalities/20067/matches?k=5"}))
	if res.Scale == "" || len(res.Matches) == 0 || res.Matches[0].Calibrated == nil {
		t.Fatalf("no calibrated value with the shipped weights: %q %+v", res.Scale, res.Matches)
	}
	first := res.Matches[0]
	validateAnswers(t, e, req{path: "/api/v1/municipalities/20067/matches?k=5"}, req{path: "/api/v1/municipalities/11008/matches?k=5&lang=en"})
	for _, tc := range []struct {
		lang    string
		want    []string
		foreign string
	}{
		{"es", []string{"probabilidad calibrada", "La cifra grande de cada ciudad es su probabilidad calibrada", "misma escala para todos los municipios"}, "calibrated probability"},
		{"en", []string{"calibrated probability", "The large figure of each city is its calibrated probability", "same for every municipality"}, "probabilidad calibrada"},
	} {
		w := e.do(t, req{path: "/municipios/20067/coincidencias?lang=" + tc.lang})
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("%s: %d", tc.lang, w.Code)
		}
		for _, s := range append(tc.want, matcher.FormatProbability(*first.Calibrated), fmt.Sprintf("%.2f", first.Score)) {
			if !strings.Contains(body, s) {
				t.Errorf("%s page lacks %q", tc.lang, s)
			}
		}
		if strings.Contains(body, tc.foreign) {
			t.Errorf("%s page carries %q", tc.lang, tc.foreign)
		}
	}
}

// validateAnswers checks real answers against openapi.yaml: the new
// fields (directions, forward/reverse, calibrated, scale) included.
func validateAnswers(t *testing.T, e *testEnv, rs ...req) {
	t.Helper()
	_, router := mustSpec(t)
	ctx := context.Background()
	for _, r := range rs {
		w := e.do(t, r)
		hr := httptest.NewRequest(orGET(r.method), r.path, strings.NewReader(r.body))
		if r.body != "" {
			hr.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(hr)
		if err != nil {
			t.Fatalf("%s: %v", r.path, err)
		}
		opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
		in := &openapi3filter.ResponseValidationInput{RequestValidationInput: &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route, Options: opts},
			Status: w.Code, Header: w.Header(), Options: opts}
		in.SetBodyBytes(w.Body.Bytes())
		if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
			t.Errorf("%s %s: the %d answer does not match the spec: %v", r.method, r.path, w.Code, err)
		}
	}
}
