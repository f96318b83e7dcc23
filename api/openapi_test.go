package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

func mustSpec(tb testing.TB) (*openapi3.T, routers.Router) {
	tb.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPI)
	if err != nil {
		tb.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		tb.Fatalf("openapi.yaml is not valid OpenAPI 3: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return doc, router
}

func init() {
	// Streams and files: the spec describes each NDJSON line as a RankRow;
	// the test checks every line itself and hands the validator the first.
	openapi3filter.RegisterBodyDecoder(mediaNDJSON, func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		if !sc.Scan() {
			return map[string]any{}, sc.Err()
		}
		var v any
		err := json.Unmarshal(sc.Bytes(), &v)
		return v, err
	})
	openapi3filter.RegisterBodyDecoder(mediaParquet, openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/yaml", openapi3filter.FileBodyDecoder)
}

// TestResponsesMatchOpenAPI sends real requests to every endpoint —
// successes and the documented errors — and validates each answer (status,
// headers, body) against openapi.yaml. It also fails when an operation of
// the spec is never exercised.
func TestResponsesMatchOpenAPI(t *testing.T) {
	doc, router := mustSpec(t)
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	other := e.token(t, RoleLiaison, "11009", "")
	analyst := e.token(t, RoleAnalyst, "", "")
	consul := e.token(t, RoleConsulate, "", "milwaukee")
	profile := `{"lang":"es","narrative":"Municipio agrícola","problems":[{"text":"escasez de agua"}],"areas":{"a":0.5,"b":1},` +
		`"practices":[{"text":"ferias"}],"diaspora":[{"place":"Whitewater, Wisconsin","size":500,"source":"SRE"}],"constraints":{"countries":["US"],"min_population":1000}}`
	parquetAccept := map[string]string{"Accept": mediaParquet}
	cases := []struct {
		name string
		r    req
		want int
	}{
		{"healthz", req{path: "/healthz"}, 200},
		{"readyz", req{path: "/readyz"}, 200},
		{"openapi", req{path: "/api/v1/openapi.yaml"}, 200},
		{"search", req{path: "/api/v1/places?q=whitewater&country=US&limit=3"}, 200},
		{"search municipalities", req{path: "/api/v1/places?q=doblado&kind=municipality"}, 200},
		{"search bad limit", req{path: "/api/v1/places?q=a&limit=0"}, 400},
		{"place", req{path: "/api/v1/places/5278931"}, 200},
		{"mexican place", req{path: "/api/v1/places/4024473"}, 200},
		{"place unknown", req{path: "/api/v1/places/1"}, 404},
		{"place bad id", req{path: "/api/v1/places/x"}, 400},
		{"municipalities", req{path: "/api/v1/municipalities"}, 200},
		{"municipalities of a state", req{path: "/api/v1/municipalities?state=11"}, 200},
		{"municipalities bad state", req{path: "/api/v1/municipalities?state=99"}, 400},
		{"municipality", req{path: "/api/v1/municipalities/11008"}, 200},
		{"municipality unknown", req{path: "/api/v1/municipalities/32999"}, 404},
		{"municipality bad", req{path: "/api/v1/municipalities/1"}, 400},
		{"profile prefilled", req{path: "/api/v1/municipalities/11009/profile"}, 200},
		{"profile unknown", req{path: "/api/v1/municipalities/32999/profile"}, 404},
		{"put profile", req{method: "PUT", path: "/api/v1/municipalities/11008/profile", body: profile, token: liaison}, 200},
		{"profile stored", req{path: "/api/v1/municipalities/11008/profile"}, 200},
		{"put profile no token", req{method: "PUT", path: "/api/v1/municipalities/11008/profile", body: profile}, 401},
		{"put profile wrong liaison", req{method: "PUT", path: "/api/v1/municipalities/11008/profile", body: profile, token: other}, 403},
		{"put profile invalid", req{method: "PUT", path: "/api/v1/municipalities/11008/profile", body: `{"areas":{"a":3}}`, token: liaison}, 400},
		{"put profile unknown municipality", req{method: "PUT", path: "/api/v1/municipalities/32999/profile", body: profile, token: liaison}, 404},
		{"put profile not json", req{method: "PUT", path: "/api/v1/municipalities/11008/profile", body: "a=b", token: liaison, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415},
		{"put profile too large", req{method: "PUT", path: "/api/v1/municipalities/11008/profile", body: `{"narrative":"` + strings.Repeat("x", 300<<10) + `"}`, token: liaison}, 413},
		{"matches", req{path: "/api/v1/municipalities/11008/matches?k=5"}, 200},
		{"matches english filtered", req{path: "/api/v1/municipalities/11008/matches?k=5&lang=en&country=US&min_population=1000&max_population=50000&exclude_twinned=true"}, 200},
		{"matches csv", req{path: "/api/v1/municipalities/11008/matches?k=5&format=csv"}, 200},
		{"matches bad k", req{path: "/api/v1/municipalities/11008/matches?k=0"}, 400},
		{"matches unknown", req{path: "/api/v1/municipalities/32999/matches"}, 404},
		{"ad-hoc match", req{method: "POST", path: "/api/v1/match?municipality=11009&k=3", body: profile}, 200},
		{"ad-hoc match csv", req{method: "POST", path: "/api/v1/match?municipality=11009&k=3&format=csv", body: profile}, 200},
		{"ad-hoc match invalid", req{method: "POST", path: "/api/v1/match?municipality=11009", body: `{"problems":[{"text":""}]}`}, 400},
		{"ad-hoc match unknown", req{method: "POST", path: "/api/v1/match?municipality=32999", body: `{}`}, 404},
		{"rank ndjson", req{method: "POST", path: "/api/v1/rank", body: `{"municipalities":["11008","11009"],"k":3}`, token: analyst}, 200},
		{"rank parquet", req{method: "POST", path: "/api/v1/rank", body: `{"municipalities":["11008"],"k":2}`, token: analyst, header: parquetAccept}, 200},
		{"rank no token", req{method: "POST", path: "/api/v1/rank", body: `{}`}, 401},
		{"rank liaison", req{method: "POST", path: "/api/v1/rank", body: `{}`, token: liaison}, 403},
		{"rank bad", req{method: "POST", path: "/api/v1/rank", body: `{"k":-1}`, token: analyst}, 400},
		{"rank not acceptable", req{method: "POST", path: "/api/v1/rank", body: `{}`, token: analyst, header: map[string]string{"Accept": "image/png"}}, 406},
		{"consulates", req{path: "/api/v1/consulates"}, 200},
		{"consulate", req{path: "/api/v1/consulates/milwaukee"}, 200},
		{"consulate unknown", req{path: "/api/v1/consulates/atlantis"}, 404},
		{"opportunities", req{path: "/api/v1/consulates/milwaukee/opportunities?limit=5&lang=en"}, 200},
		{"opportunities unknown", req{path: "/api/v1/consulates/atlantis/opportunities"}, 404},
		{"opportunities bad limit", req{path: "/api/v1/consulates/milwaukee/opportunities?limit=0"}, 400},
		{"opportunity status", req{method: "PUT", path: "/api/v1/consulates/milwaukee/opportunities/11008/5278931", body: `{"status":"contacted","note":"carta enviada"}`, token: consul}, 200},
		{"opportunities with status", req{path: "/api/v1/consulates/milwaukee/opportunities?limit=5"}, 200},
		{"opportunity status bad", req{method: "PUT", path: "/api/v1/consulates/milwaukee/opportunities/11008/5278931", body: `{"status":"won"}`, token: consul}, 400},
		{"opportunity status no token", req{method: "PUT", path: "/api/v1/consulates/milwaukee/opportunities/11008/5278931", body: `{"status":"contacted"}`}, 401},
		{"opportunity status liaison", req{method: "PUT", path: "/api/v1/consulates/milwaukee/opportunities/11008/5278931", body: `{"status":"contacted"}`, token: liaison}, 403},
		{"opportunity status unknown consulate", req{method: "PUT", path: "/api/v1/consulates/atlantis/opportunities/11008/5278931", body: `{"status":"contacted"}`, token: consul}, 404},
		{"tie", req{method: "POST", path: "/api/v1/ties", body: `{"municipality":"11009","locality":"Centro","place":"Madison, Wisconsin","size":40,"estimated":true,"year":2024,"source":"encuesta consular","evidence":"registro","interest":false}`, token: consul}, 201},
		{"tie again", req{method: "POST", path: "/api/v1/ties", body: `{"municipality":"11009","place":"Madison, Wisconsin","size":41,"source":"encuesta consular"}`, token: consul}, 200},
		{"tie no token", req{method: "POST", path: "/api/v1/ties", body: `{}`}, 401},
		{"tie outside jurisdiction", req{method: "POST", path: "/api/v1/ties", body: `{"municipality":"11009","place_id":2988507,"source":"x"}`, token: consul}, 403},
		{"tie invalid", req{method: "POST", path: "/api/v1/ties", body: `{"municipality":"1","size":-1}`, token: consul}, 400},
		{"place profile curated", req{path: "/api/v1/places/5278931/profile"}, 200},
		{"place profile none", req{path: "/api/v1/places/5128581/profile"}, 404},
		{"place profile mexican", req{path: "/api/v1/places/4024473/profile"}, 400},
		{"put place profile", req{method: "PUT", path: "/api/v1/places/5278931/profile", token: consul,
			body: `{"lang":"en","narrative":"University city","narrative_i18n":{"es":"Ciudad universitaria"},"problems":[{"text":"integrate the Mexican community","i18n":{"es":"integrar a la comunidad mexicana"}}],"practices":[{"text":"wastewater reuse","tags":["wastewater-reuse"]}],"areas":{"b":1},"wishes":{"countries":["MX"],"regions":["Latin America"],"languages":["English-speaking"],"min_population":1000,"similar_size":true,"traits":["a university"]},"contact":{"role":"City Manager","role_i18n":{"es":"administrador"},"email":"cm@example.org"},"source":"consulate visit"}`}, 200},
		{"put place profile analyst", req{method: "PUT", path: "/api/v1/places/4887398/profile", token: analyst, body: `{"practices":[{"text":"x"}],"source":"list"}`}, 200},
		{"put place profile no token", req{method: "PUT", path: "/api/v1/places/5278931/profile", body: `{"source":"x"}`}, 401},
		{"put place profile liaison", req{method: "PUT", path: "/api/v1/places/5278931/profile", token: liaison, body: `{"source":"x"}`}, 403},
		{"put place profile outside", req{method: "PUT", path: "/api/v1/places/4887398/profile", token: consul, body: `{"source":"x"}`}, 403},
		{"put place profile invalid", req{method: "PUT", path: "/api/v1/places/5278931/profile", token: consul, body: `{"wishes":{"countries":["mx"]}}`}, 400},
		{"put place profile unknown", req{method: "PUT", path: "/api/v1/places/1/profile", token: consul, body: `{"source":"x"}`}, 404},
		{"put place profile not json", req{method: "PUT", path: "/api/v1/places/5278931/profile", token: consul, body: "a=b", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415},
		{"put place profile too large", req{method: "PUT", path: "/api/v1/places/5278931/profile", token: consul, body: `{"narrative":"` + strings.Repeat("x", 300<<10) + `"}`}, 413},
		{"place interest", req{method: "POST", path: "/api/v1/places/5278931/interest", token: consul, body: `{"municipality":"11009","locality":"Centro","date":"2026-11-30","source":"llamada","note":"x","note_i18n":{"en":"x"}}`}, 201},
		{"place interest again", req{method: "POST", path: "/api/v1/places/5278931/interest", token: consul, body: `{"municipality":"11009","date":"2026-11-30","source":"llamada"}`}, 200},
		{"place interest no token", req{method: "POST", path: "/api/v1/places/5278931/interest", body: `{}`}, 401},
		{"place interest liaison", req{method: "POST", path: "/api/v1/places/5278931/interest", token: liaison, body: `{}`}, 403},
		{"place interest invalid", req{method: "POST", path: "/api/v1/places/5278931/interest", token: consul, body: `{"state":"99","date":"x"}`}, 400},
		{"place interest unknown place", req{method: "POST", path: "/api/v1/places/1/interest", token: consul, body: `{}`}, 404},
		{"place interest not json", req{method: "POST", path: "/api/v1/places/5278931/interest", token: consul, body: "a=b", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415},
		{"place interest too large", req{method: "POST", path: "/api/v1/places/5278931/interest", token: consul, body: `{"note":"` + strings.Repeat("x", 300<<10) + `"}`}, 413},
		{"matches with partner notes", req{path: "/api/v1/municipalities/11008/matches?k=3&ignore_wishes=true"}, 200},
		{"taxonomy", req{path: "/api/v1/taxonomy?lang=en"}, 200},
		{"classify", req{method: "POST", path: "/api/v1/classify", body: `{"text":"floods every rainy season","lang":"en","k":3}`}, 200},
		{"classify invalid", req{method: "POST", path: "/api/v1/classify", body: `{"text":""}`}, 400},
	}
	cases = append(cases, workflowCases(t, e)...)
	for _, c := range adminCases(t, e) {
		cases = append(cases, struct {
			name string
			r    req
			want int
		}{c.name, c.r, c.want})
	}
	seen := map[string]bool{}
	ctx := context.Background()
	for _, tc := range cases {
		w := e.do(t, tc.r)
		if w.Code != tc.want {
			t.Errorf("%s: got %d, want %d\n%.300s", tc.name, w.Code, tc.want, w.Body)
			continue
		}
		hr := httptest.NewRequest(orGET(tc.r.method), tc.r.path, strings.NewReader(tc.r.body))
		for k, v := range tc.r.header {
			hr.Header.Set(k, v)
		}
		if tc.r.body != "" && hr.Header.Get("Content-Type") == "" {
			hr.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(hr)
		if err != nil {
			t.Errorf("%s: %s %s is not in the spec: %v", tc.name, hr.Method, tc.r.path, err)
			continue
		}
		seen[route.Method+" "+route.Path] = true
		opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
		reqIn := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route, Options: opts}
		if w.Code < 300 {
			// What the server accepted, the spec must accept too.
			if err := openapi3filter.ValidateRequest(ctx, reqIn); err != nil {
				t.Errorf("%s: the request does not match the spec: %v", tc.name, err)
			}
		}
		in := &openapi3filter.ResponseValidationInput{RequestValidationInput: reqIn, Status: w.Code, Header: w.Header(), Options: opts}
		in.SetBodyBytes(w.Body.Bytes())
		if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
			t.Errorf("%s: the %d answer does not match the spec: %v\n%.500s", tc.name, w.Code, err, w.Body)
		}
		if w.Header().Get("Content-Type") == mediaNDJSON {
			checkNDJSON(t, doc, tc.name, w.Body.Bytes())
		}
	}
	var missing []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !seen[method+" "+path] {
				missing = append(missing, method+" "+path)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations never exercised: %v", missing)
	}
}

// checkNDJSON validates every line of a rank stream against RankRow.
func checkNDJSON(t *testing.T, doc *openapi3.T, name string, body []byte) {
	t.Helper()
	schema := doc.Components.Schemas["RankRow"].Value
	lines := bytes.Split(bytes.TrimSpace(body), []byte("\n"))
	for i, l := range lines {
		var v any
		if err := json.Unmarshal(l, &v); err != nil {
			t.Errorf("%s: line %d is not JSON: %v", name, i+1, err)
			continue
		}
		if err := schema.VisitJSON(v); err != nil {
			t.Errorf("%s: line %d: %v", name, i+1, err)
		}
	}
	if len(lines) < 2 {
		t.Errorf("%s: %d lines", name, len(lines))
	}
}

func orGET(m string) string {
	if m == "" {
		return http.MethodGet
	}
	return m
}

// TestOpenAPIValidatorBites makes sure the check above can fail: a body
// that breaks the spec is reported.
func TestOpenAPIValidatorBites(t *testing.T) {
	_, router := mustSpec(t)
	hr := httptest.NewRequest("GET", "/api/v1/municipalities/11008/matches", nil)
	route, params, err := router.FindRoute(hr)
	if err != nil {
		t.Fatal(err)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	for _, tc := range []struct {
		status int
		body   string
	}{
		{200, `{"query":{},"matches":[{"rank":"one"}]}`},
		{200, `{"query":{"municipality":"11008","name":"x","state":"x","k":1,"lang":"es","filter":{},"profile":"stored","coverage":[]},"matches":[],"candidates":1,"weights":"w","extra":1}`},
		{418, `{"error":{"code":"teapot","message":"x"}}`},
		{404, `{"error":{"code":"not_found"}}`},
	} {
		h := http.Header{"Content-Type": {"application/json"}}
		in := &openapi3filter.ResponseValidationInput{RequestValidationInput: &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route, Options: opts},
			Status: tc.status, Header: h, Options: opts}
		in.SetBodyBytes([]byte(tc.body))
		if err := openapi3filter.ValidateResponse(context.Background(), in); err == nil {
			t.Errorf("%d %s: accepted, want rejected", tc.status, tc.body)
		}
	}
}
