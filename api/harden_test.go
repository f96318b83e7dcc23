package api

import (
	"strings"
	"testing"

	"hermanar/datasets"
)

// chicago is a second consulate for the tests that need two
// jurisdictions (the curated list has only Milwaukee).
var chicago = datasets.Consulate{ID: "chicago", Name: "Consulado de México en Chicago", Place: 4887398,
	Jurisdiction: []datasets.Jurisdiction{{Country: "US", Admin1: []string{"IL"}}}, Source: "test"}

// TestTieHijackRefused: a consulate (or an admin) that sends the id of a
// curated tie, or of a tie another consulate recorded, must not replace it.
func TestTieHijackRefused(t *testing.T) {
	e := mustEnvWith(t, chicago)
	chi := e.token(t, RoleConsulate, "", "chicago")
	mil := e.token(t, RoleConsulate, "", "milwaukee")
	admin := e.token(t, RoleAdmin, "", "")
	var curated string
	for _, tie := range e.b.Engine.Ties(manuelDoblado) {
		if tie.RecordedBy == "curated" && tie.Place == whitewater {
			curated = tie.ID
		}
	}
	if curated == "" {
		t.Fatal("no curated Otates → Whitewater tie in the engine")
	}
	// Milwaukee records a tie of its own; Chicago then tries to take it.
	w := e.do(t, req{method: "POST", path: "/api/v1/ties", token: mil,
		body: `{"id":"mil-1","municipality":"11009","place":"Madison, Wisconsin","size":10,"source":"survey"}`})
	if w.Code != 201 {
		t.Fatalf("milwaukee's own tie: got %d %s", w.Code, w.Body)
	}
	cases := []struct {
		name string
		r    req
		want int
	}{
		{"curated id by another consulate", req{method: "POST", path: "/api/v1/ties", token: chi,
			body: `{"id":"` + curated + `","municipality":"11008","place":"Chicago, Illinois","size":1,"source":"x"}`}, 409},
		{"curated id by its own consulate", req{method: "POST", path: "/api/v1/ties", token: mil,
			body: `{"id":"` + curated + `","municipality":"11008","place_id":5278931,"size":1,"source":"x"}`}, 409},
		{"curated id by an admin", req{method: "POST", path: "/api/v1/ties", token: admin,
			body: `{"id":"` + curated + `","municipality":"11008","place_id":5278931,"size":1,"source":"x"}`}, 409},
		{"another jurisdiction's tie", req{method: "POST", path: "/api/v1/ties", token: chi,
			body: `{"id":"mil-1","municipality":"11009","place":"Chicago, Illinois","size":1,"source":"x"}`}, 403},
		{"own tie moved to another municipality", req{method: "POST", path: "/api/v1/ties", token: mil,
			body: `{"id":"mil-1","municipality":"11010","place":"Madison, Wisconsin","size":10,"source":"survey"}`}, 409},
		{"own tie updated", req{method: "POST", path: "/api/v1/ties", token: mil,
			body: `{"id":"mil-1","municipality":"11009","place":"Madison, Wisconsin","size":12,"source":"survey"}`}, 200},
	}
	for _, tc := range cases {
		if w := e.do(t, tc.r); w.Code != tc.want {
			t.Errorf("%s: got %d, want %d\n%s", tc.name, w.Code, tc.want, w.Body)
		}
	}
	var still bool
	for _, tie := range e.b.Engine.Ties(manuelDoblado) {
		if tie.ID == curated && tie.RecordedBy == "curated" && strings.Contains(tie.Source, "DEP-0121/22") {
			still = true
		}
	}
	if !still {
		t.Errorf("the curated Otates → Whitewater tie was replaced")
	}
	if _, ok, _ := e.store.Get(datasets.BucketTies, curated); ok {
		t.Errorf("a user tie with the curated id %s reached the store (it would shadow the curated one after restart)", curated)
	}
}

// TestSafeNextStaysOnSite: browsers strip tabs and newlines from a URL
// and read "\" as "/", so each of these would leave the site.
func TestSafeNextStaysOnSite(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/municipios/11008", "/municipios/11008"},
		{"/buscar?q=agua&lang=en", "/buscar?q=agua&lang=en"},
		{"//evil.example/x", "/"},
		{"/\t/evil.example/x", "/"},
		{"/\n/evil.example/x", "/"},
		{"/\r\n/evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/x\\..\\\\evil.example", "/"},
		{"\t//evil.example", "/"},
		{"https://evil.example", "/"},
		{"/\x00", "/"},
		{"/\x7f/evil.example", "/"},
		{"", "/"},
	}
	for _, tc := range cases {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
	// The sign-in form's hidden field carries it through: the page must
	// not echo an off-site next.
	e := mustEnv(t)
	w := e.do(t, req{path: "/acceso?next=%2F%09%2Fevil.example%2Fx"})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `name="next" value="/">`) {
		t.Errorf("sign-in page keeps an off-site next: %d\n%s", w.Code, w.Body)
	}
}

// TestStaticAndMethods: /static serves files only, bad paths are 4xx,
// HEAD and OPTIONS work, and the router's own redirects carry the
// security headers.
func TestStaticAndMethods(t *testing.T) {
	e := mustEnv(t)
	cases := []struct {
		name, method, path string
		want               int
		ctype              string // prefix; empty: any
	}{
		{"a file", "GET", "/static/app.css", 200, "text/css"},
		{"invalid UTF-8", "GET", "/static/%ff", 404, "text/html"},
		{"invalid UTF-8 deeper", "GET", "/static/a/%c3%28.css", 404, "text/html"},
		{"overlong NUL", "GET", "/static/%c0%80", 404, "text/html"},
		{"no directory listing", "GET", "/static/", 404, "text/html"},
		{"no parent", "GET", "/static/../server.go", 404, ""},
		{"missing file", "GET", "/static/nope.js", 404, "text/html"},
		{"HEAD of a file", "HEAD", "/static/app.css", 200, "text/css"},
		{"HEAD of a page", "HEAD", "/", 200, "text/html"},
		{"HEAD of the API", "HEAD", "/api/v1/municipalities/11008", 200, "application/json"},
		{"HEAD of the probe", "HEAD", "/healthz", 200, "application/json"},
		{"OPTIONS of a page", "OPTIONS", "/municipios/11008/perfil", 204, ""},
		{"OPTIONS of the API", "OPTIONS", "/api/v1/ties", 204, ""},
		{"trailing slash", "GET", "/api/v1/consulates/", 301, ""},
		{"a wrong method still 405", "DELETE", "/api/v1/ties", 405, "application/json"},
	}
	for _, tc := range cases {
		r := httptestRequest(tc.method, tc.path)
		w := e.serve(r)
		if w.Code != tc.want {
			t.Errorf("%s: %s %s got %d, want %d\n%s", tc.name, tc.method, tc.path, w.Code, tc.want, w.Body)
			continue
		}
		if ct := w.Header().Get("Content-Type"); tc.ctype != "" && !strings.HasPrefix(ct, tc.ctype) {
			t.Errorf("%s: Content-Type %q, want %s", tc.name, ct, tc.ctype)
		}
		for _, h := range []string{"X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options"} {
			if w.Header().Get(h) == "" {
				t.Errorf("%s: no %s header", tc.name, h)
			}
		}
		if tc.method == "HEAD" && w.Body.Len() != 0 {
			t.Errorf("%s: HEAD answered a body of %d bytes", tc.name, w.Body.Len())
		}
		if tc.method == "OPTIONS" && !strings.Contains(w.Header().Get("Allow"), "POST") {
			t.Errorf("%s: Allow %q should list POST", tc.name, w.Header().Get("Allow"))
		}
	}
}
