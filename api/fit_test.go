package api

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"hermanar/datasets"
	"hermanar/matcher"
)

// withTwinning swaps in an engine where Manuel Doblado is already twinned
// with Whitewater, so the list rules have a twin to set apart.
func withTwinning(t *testing.T) *testEnv {
	t.Helper()
	e := mustEnv(t)
	d := mustData(t)
	tw := []datasets.Twinning{{PlaceA: 4024473, PlaceB: whitewater, Municipality: manuelDoblado}}
	eng, err := matcher.NewEngine(matcher.Inputs{Snap: d.Snapshot, Ties: d.Ties, Consulates: d.Consulates, Twinnings: tw})
	if err != nil {
		t.Fatal(err)
	}
	b := *e.b
	b.Engine = eng
	if err := e.srv.SetBackend(&b); err != nil {
		t.Fatal(err)
	}
	return e
}

// Existing twins are apart by default and mixed in on request; traits
// filter; the answers match the spec; the page shows the twins apart in
// its own language.
func TestTwinsApartAndTraits(t *testing.T) {
	e := withTwinning(t)
	_, router := mustSpec(t)
	for _, tc := range []struct {
		name, path string
		check      func(res matcher.Result) string
	}{
		{"default", "/api/v1/municipalities/11008/matches?k=10", func(res matcher.Result) string {
			for _, m := range res.Matches {
				if m.Place.ID == whitewater {
					return "Whitewater is in the list"
				}
			}
			if len(res.Twinned) != 1 || res.Twinned[0].Place.ID != whitewater {
				return "Whitewater is not in already_twinned"
			}
			return ""
		}},
		{"include twinned", "/api/v1/municipalities/11008/matches?k=10&include_twinned=true", func(res matcher.Result) string {
			if len(res.Matches) == 0 || res.Matches[0].Place.ID != whitewater || !res.Matches[0].Twinned || len(res.Twinned) != 0 {
				return "Whitewater should be first, flagged twinned, nothing apart"
			}
			return ""
		}},
		{"border cities", "/api/v1/municipalities/02004/matches?k=10&traits=border&lang=en", func(res matcher.Result) string {
			if len(res.Matches) != 10 || strings.Join(res.Query.Filter.Traits, ",") != "border" {
				return "want 10 matches and the filter echoed"
			}
			return ""
		}},
		{"plain order", "/api/v1/municipalities/02004/matches?k=10&diversity=false&size_rule=false", func(res matcher.Result) string {
			for i := 1; i < len(res.Matches); i++ {
				if res.Matches[i].Score > res.Matches[i-1].Score {
					return "scores not descending with diversity=false"
				}
			}
			return ""
		}},
	} {
		w := e.do(t, req{path: tc.path})
		if w.Code != 200 {
			t.Errorf("%s: %d %s", tc.name, w.Code, w.Body)
			continue
		}
		if msg := tc.check(mustJSON[matcher.Result](t, w)); msg != "" {
			t.Errorf("%s: %s", tc.name, msg)
		}
		hr := httptest.NewRequest("GET", tc.path, nil)
		route, params, err := router.FindRoute(hr)
		if err != nil {
			t.Fatal(err)
		}
		opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
		reqIn := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route, Options: opts}
		if err := openapi3filter.ValidateRequest(context.Background(), reqIn); err != nil {
			t.Errorf("%s: request not in the spec: %v", tc.name, err)
		}
		in := &openapi3filter.ResponseValidationInput{RequestValidationInput: reqIn, Status: w.Code, Header: w.Header(), Options: opts}
		in.SetBodyBytes(w.Body.Bytes())
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s: answer not in the spec: %v", tc.name, err)
		}
	}
	w := e.do(t, req{path: "/api/v1/municipalities/11008/matches?traits=volcanic"})
	if d := mustJSON[ErrorBody](t, w); w.Code != 400 || d.Error.Fields["traits"] == "" {
		t.Errorf("unknown trait: %d %s, want 400 naming traits", w.Code, w.Body)
	}
	for _, tc := range []struct{ lang, title, other string }{
		{"es", "Ya hermanadas", "Already twinned"},
		{"en", "Already twinned", "Ya hermanadas"},
	} {
		w := e.do(t, req{path: "/municipios/11008/coincidencias?lang=" + tc.lang})
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, tc.title) || strings.Contains(body, tc.other) || !strings.Contains(body, `id="ya-hermanadas"`) {
			t.Errorf("%s page: %d; want the twins-apart section titled %q", tc.lang, w.Code, tc.title)
		}
	}
	w = e.do(t, req{path: "/municipios/02004/coincidencias?traits=coastal&traits=border"})
	if w.Code != 200 || strings.Count(w.Body.String(), `name="traits"`) != len(matcher.TraitNames()) || !strings.Contains(w.Body.String(), `value="border" checked`) {
		t.Errorf("traits form: %d, want one checkbox per trait with border checked", w.Code)
	}
}
