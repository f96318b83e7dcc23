package api

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"hermanar/datasets"
	"hermanar/matcher"
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

// cutReader yields its text and then fails the way a dropped connection
// does.
type cutReader struct{ r io.Reader }

func (c *cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// TestIncompleteFormChangesNothing: a page form whose body cannot be read
// whole is refused (400, or 413 when too large) and the stored profile
// stays as it was — in-process and over a real loopback connection with a
// chunked body cut short.
func TestIncompleteFormChangesNothing(t *testing.T) {
	e := mustEnv(t)
	secret := e.token(t, RoleLiaison, manuelDoblado, "")
	if w := e.do(t, req{method: "PUT", path: "/api/v1/municipalities/11008/profile", token: secret,
		body: `{"lang":"es","narrative":"original","problems":[{"text":"escasez de agua"}]}`}); w.Code != 200 {
		t.Fatalf("seed profile: %d %s", w.Code, w.Body)
	}
	full := url.Values{"lang": {"es"}, "narrative": {"reemplazo"}, "problems": {"empleo"}}.Encode()
	post := func(body io.Reader, n int64) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/municipios/11008/perfil", body)
		r.ContentLength = n
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "http://example.com")
		r.AddCookie(&http.Cookie{Name: tokenCookie, Value: secret})
		return e.serve(r)
	}
	cases := []struct {
		name string
		body io.Reader
		n    int64
		want int
	}{
		{"dropped connection", &cutReader{strings.NewReader(full[:len(full)/2])}, -1, 400},
		{"dropped after the whole text", &cutReader{strings.NewReader(full)}, -1, 400},
		{"too large", strings.NewReader("narrative=" + strings.Repeat("a", 300<<10)), -1, 413},
	}
	for _, tc := range cases {
		w := post(tc.body, tc.n)
		if w.Code != tc.want {
			t.Errorf("%s: got %d, want %d\n%.300s", tc.name, w.Code, tc.want, w.Body)
		}
		if p := e.b.Engine.Profile(manuelDoblado); p.Narrative != "original" {
			t.Fatalf("%s: the profile changed to %+v", tc.name, p)
		}
	}

	// The same over a real socket: a chunked body, then the connection
	// closes before the last chunk.
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	host := ts.Listener.Addr().String()
	fmt.Fprintf(conn, "POST /municipios/11008/perfil HTTP/1.1\r\nHost: %s\r\nOrigin: http://%s\r\nCookie: %s=%s\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n",
		host, host, tokenCookie, secret, len(full)/2, full[:len(full)/2])
	time.Sleep(50 * time.Millisecond)
	conn.(*net.TCPConn).CloseWrite()
	_, _ = io.ReadAll(conn)
	conn.Close()
	if p := e.b.Engine.Profile(manuelDoblado); p.Narrative != "original" {
		t.Fatalf("cut chunked body: the profile changed to %+v", p)
	}
	// And a whole form still saves.
	if w := post(strings.NewReader(full), int64(len(full))); w.Code != 303 {
		t.Errorf("whole form: got %d, want 303\n%.300s", w.Code, w.Body)
	}
	if p := e.b.Engine.Profile(manuelDoblado); p.Narrative != "reemplazo" {
		t.Errorf("whole form not saved: %+v", p)
	}
}

// TestCrossSiteWritesRefused: writes a browser attaches the sign-in
// cookie to need this site's exact origin (scheme included) and, for the
// JSON API, application/json; bearer-token writes are unchanged.
func TestCrossSiteWritesRefused(t *testing.T) {
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	consul := e.token(t, RoleConsulate, "", "milwaukee")
	analyst := e.token(t, RoleAnalyst, "", "")
	profile := `{"lang":"es","narrative":"x","problems":[{"text":"escasez de agua"}]}`
	tie := `{"municipality":"11009","place":"Madison, Wisconsin","size":3,"source":"s"}`
	rank := `{"municipalities":["11008"],"k":1}`
	form := url.Values{"lang": {"es"}, "narrative": {"hola"}}.Encode()
	type rq struct {
		name, method, path, body, ctype, origin, cookie, bearer string
		want                                                    int
	}
	cases := []rq{
		{"cookie tie, no Origin, no type (no-cors fetch)", "POST", "/api/v1/ties", tie, "", "", consul, "", 403},
		{"cookie tie, text/plain from this origin", "POST", "/api/v1/ties", tie, "text/plain", "http://example.com", consul, "", 415},
		{"cookie tie from another port", "POST", "/api/v1/ties", tie, "application/json", "http://example.com:8081", consul, "", 403},
		{"cookie tie over https origin on http", "POST", "/api/v1/ties", tie, "application/json", "https://example.com", consul, "", 403},
		{"cookie tie from this origin", "POST", "/api/v1/ties", tie, "application/json", "http://example.com", consul, "", 201},
		{"cookie rank, no Origin", "POST", "/api/v1/rank", rank, "", "", analyst, "", 403},
		{"cookie profile from another site", "PUT", "/api/v1/municipalities/11008/profile", profile, "application/json", "http://evil.example", liaison, "", 403},
		{"bearer tie, no Origin, no type", "POST", "/api/v1/ties", tie, "", "", "", consul, 200},
		{"bearer rank, no Origin", "POST", "/api/v1/rank", rank, "application/json", "", "", analyst, 200},
		{"page form, https origin on http", "POST", "/municipios/11008/perfil", form, "application/x-www-form-urlencoded", "https://example.com", liaison, "", 403},
		{"page form, no Origin", "POST", "/municipios/11008/perfil", form, "application/x-www-form-urlencoded", "", liaison, "", 403},
		{"page form, this origin", "POST", "/municipios/11008/perfil", form, "application/x-www-form-urlencoded", "http://example.com", liaison, "", 303},
		{"sign-out from another site", "POST", "/salir", "", "", "http://evil.example", liaison, "", 403},
		{"sign-out, this origin", "POST", "/salir", "", "", "http://example.com", liaison, "", 303},
	}
	for _, tc := range cases {
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		r := httptest.NewRequest(tc.method, tc.path, body)
		if tc.ctype != "" {
			r.Header.Set("Content-Type", tc.ctype)
		}
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if tc.cookie != "" {
			r.AddCookie(&http.Cookie{Name: tokenCookie, Value: tc.cookie})
		}
		if tc.bearer != "" {
			r.Header.Set("Authorization", "Bearer "+tc.bearer)
		}
		if w := e.serve(r); w.Code != tc.want {
			t.Errorf("%s: got %d, want %d\n%.300s", tc.name, w.Code, tc.want, w.Body)
		}
	}
}

// TestSecureCookieFollowsScheme: over plain http the sign-in cookie is
// not Secure (a browser would drop it and sign-in would fail on a LAN);
// over TLS, or with the SecureCookies setting, it is.
func TestSecureCookieFollowsScheme(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tls    bool
		force  bool
		secure bool
	}{{"plain http", false, false, false}, {"https", true, false, true}, {"forced by the setting", false, true, true}} {
		e := mustEnv(t)
		e.srv.cfg.SecureCookies = tc.force
		secret := e.token(t, RoleAdmin, "", "")
		scheme := "http"
		if tc.tls {
			scheme = "https"
		}
		r := httptest.NewRequest("POST", scheme+"://example.com/acceso", strings.NewReader(url.Values{"token": {secret}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", scheme+"://example.com")
		w := e.serve(r)
		var got *http.Cookie
		for _, c := range w.Result().Cookies() {
			if c.Name == tokenCookie {
				got = c
			}
		}
		if w.Code != 303 || got == nil || got.Secure != tc.secure {
			t.Errorf("%s: status %d, cookie %+v, want Secure=%v", tc.name, w.Code, got, tc.secure)
		}
	}
}

// TestUnchangedFormSaveKeepsProfile: saving the edit form untouched
// stores what was there: area weights the form shows coarser (0.3 shows
// as "0.5") and diaspora entries' place_id survive.
func TestUnchangedFormSaveKeepsProfile(t *testing.T) {
	e := mustEnv(t)
	secret := e.token(t, RoleLiaison, manuelDoblado, "")
	body := `{"lang":"es","narrative":"Bajío","problems":[{"text":"escasez de agua"}],"areas":{"a":0.3,"b":1,"g":0.8},` +
		`"diaspora":[{"place":"Whitewater, Wisconsin","place_id":5278931,"size":500,"source":"SRE"}]}`
	if w := e.do(t, req{method: "PUT", path: "/api/v1/municipalities/11008/profile", token: secret, body: body}); w.Code != 200 {
		t.Fatalf("seed: %d %s", w.Code, w.Body)
	}
	before := e.b.Engine.Profile(manuelDoblado)
	// What the edit form shows, posted back as it is.
	v := formFromProfile(before).withBlankRows().values()
	r := httptest.NewRequest("POST", "/municipios/11008/perfil", strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://example.com")
	r.AddCookie(&http.Cookie{Name: tokenCookie, Value: secret})
	if w := e.serve(r); w.Code != 303 {
		t.Fatalf("save: %d\n%.400s", w.Code, w.Body)
	}
	after := e.b.Engine.Profile(manuelDoblado)
	for _, code := range []string{"a", "b", "g"} {
		if after.Areas[code] != before.Areas[code] {
			t.Errorf("area %s: got %v, want %v", code, after.Areas[code], before.Areas[code])
		}
	}
	if len(after.Diaspora) != 1 || after.Diaspora[0].PlaceID != whitewater || after.Diaspora[0].Size != 500 {
		t.Errorf("diaspora: got %+v, want place_id %d kept", after.Diaspora, whitewater)
	}
	// A changed level still takes effect.
	v.Set("area_a", "1")
	r = httptest.NewRequest("POST", "/municipios/11008/perfil", strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://example.com")
	r.AddCookie(&http.Cookie{Name: tokenCookie, Value: secret})
	if w := e.serve(r); w.Code != 303 || e.b.Engine.Profile(manuelDoblado).Areas["a"] != 1 {
		t.Errorf("changed area a: %d, weight %v", w.Code, e.b.Engine.Profile(manuelDoblado).Areas["a"])
	}
}

// TestUnknownLangAndKeyCase: ?lang=fr is a clear error, not a silent
// Spanish answer; JSON keys are matched exactly.
func TestUnknownLangAndKeyCase(t *testing.T) {
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	cases := []struct {
		name  string
		r     req
		want  int
		field string
	}{
		{"api ?lang=fr", req{path: "/api/v1/municipalities/11008?lang=fr"}, 400, "lang"},
		{"page ?lang=fr", req{path: "/municipios/11008?lang=fr"}, 400, ""},
		{"?lang=EN is English", req{path: "/api/v1/municipalities/11008?lang=EN"}, 200, ""},
		{"Narrative in capitals", req{method: "PUT", path: "/api/v1/municipalities/11008/profile", token: liaison,
			body: `{"lang":"es","Narrative":"x"}`}, 400, "Narrative"},
		{"nested key in capitals", req{method: "PUT", path: "/api/v1/municipalities/11008/profile", token: liaison,
			body: `{"lang":"es","problems":[{"TEXT":"agua"}]}`}, 400, "problems[0].TEXT"},
		{"tie key in capitals", req{method: "POST", path: "/api/v1/match", body: `{"municipality":"11008","K":3}`}, 400, ""},
		{"unknown key", req{method: "PUT", path: "/api/v1/municipalities/11008/profile", token: liaison,
			body: `{"lang":"es","narative":"x"}`}, 400, "narative"},
		{"exact keys", req{method: "PUT", path: "/api/v1/municipalities/11008/profile", token: liaison,
			body: `{"lang":"es","narrative":"x"}`}, 200, ""},
	}
	for _, tc := range cases {
		wantAnswer(t, tc.name, e.do(t, tc.r), tc.want, tc.field)
	}
	if w := e.do(t, req{path: "/municipios/11008?lang=fr"}); !strings.Contains(w.Body.String(), `"es"`) {
		t.Errorf("page ?lang=fr should say which languages exist:\n%.500s", w.Body)
	}
	if p := e.b.Engine.Profile(manuelDoblado); p.Narrative != "x" {
		t.Errorf("narrative %q, want the exact-key write", p.Narrative)
	}
}

// TestAdminTokensWhileServing: an admin creates, lists and revokes tokens
// through the API; a new token works on the next request and a revoked
// one is refused on the next request. Only admins may.
func TestAdminTokensWhileServing(t *testing.T) {
	e := mustEnv(t)
	admin := e.token(t, RoleAdmin, "", "")
	analyst := e.token(t, RoleAnalyst, "", "")
	for _, tc := range []struct {
		name string
		r    req
		want int
	}{
		{"list without token", req{path: "/api/v1/admin/tokens"}, 401},
		{"list by an analyst", req{path: "/api/v1/admin/tokens", token: analyst}, 403},
		{"create by an analyst", req{method: "POST", path: "/api/v1/admin/tokens", token: analyst, body: `{"role":"admin"}`}, 403},
		{"backup by an analyst", req{path: "/api/v1/admin/backup", token: analyst}, 403},
		{"unknown municipality", req{method: "POST", path: "/api/v1/admin/tokens", token: admin, body: `{"role":"liaison","municipality":"32999"}`}, 400},
		{"unknown consulate", req{method: "POST", path: "/api/v1/admin/tokens", token: admin, body: `{"role":"consulate","consulate":"atlantis"}`}, 400},
		{"bad role", req{method: "POST", path: "/api/v1/admin/tokens", token: admin, body: `{"role":"root"}`}, 400},
		{"revoke an unknown id", req{method: "DELETE", path: "/api/v1/admin/tokens/abcdef123456", token: admin}, 404},
	} {
		if w := e.do(t, tc.r); w.Code != tc.want {
			t.Errorf("%s: got %d, want %d\n%.300s", tc.name, w.Code, tc.want, w.Body)
		}
	}
	w := e.do(t, req{method: "POST", path: "/api/v1/admin/tokens", token: admin, body: `{"role":"liaison","municipality":"11008","note":"enlace"}`})
	if w.Code != 201 {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	ct := mustJSON[CreatedToken](t, w)
	put := req{method: "PUT", path: "/api/v1/municipalities/11008/profile", token: ct.Secret, body: `{"lang":"es","narrative":"nuevo enlace"}`}
	if w := e.do(t, put); w.Code != 200 {
		t.Errorf("new token at once: %d %s", w.Code, w.Body)
	}
	if w := e.do(t, req{path: "/api/v1/admin/tokens", token: admin}); w.Code != 200 || !strings.Contains(w.Body.String(), ct.ID) {
		t.Errorf("list: %d %s", w.Code, w.Body)
	}
	if w := e.do(t, req{method: "DELETE", path: "/api/v1/admin/tokens/" + ct.ID, token: admin}); w.Code != 200 || !strings.Contains(w.Body.String(), "revoked_at") {
		t.Errorf("revoke: %d %s", w.Code, w.Body)
	}
	if w := e.do(t, put); w.Code != 401 {
		t.Errorf("revoked token, next request: got %d, want 401", w.Code)
	}
	// The backup is a whole store with the token records in it.
	w = e.do(t, req{path: "/api/v1/admin/backup", token: admin})
	if w.Code != 200 || w.Header().Get("Content-Length") != fmt.Sprint(w.Body.Len()) {
		t.Fatalf("backup: %d, Content-Length %s for %d bytes", w.Code, w.Header().Get("Content-Length"), w.Body.Len())
	}
	path := t.TempDir() + "/copy.db"
	if err := os.WriteFile(path, w.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := datasets.CheckStoreFile(path); err != nil {
		t.Errorf("backup does not check: %v", err)
	}
}

// TestRateLimits: writes, matches and ranks are limited per token and per
// IP; over the limit the answer is 429 with Retry-After; a new IP or a
// different token is not affected by another's bucket.
func TestRateLimits(t *testing.T) {
	e := mustEnv(t)
	e.srv.setLimits(Limits{Writes: Limit{Rate: 0.01, Burst: 2}, Matches: Limit{Rate: 0.01, Burst: 3}, Ranks: Limit{Rate: 0.01, Burst: 1}})
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	analyst := e.token(t, RoleAnalyst, "", "")
	from := func(ip string, r req) *httptest.ResponseRecorder {
		var body io.Reader
		if r.body != "" {
			body = strings.NewReader(r.body)
		}
		if r.method == "" {
			r.method = "GET"
		}
		hr := httptest.NewRequest(r.method, r.path, body)
		hr.RemoteAddr = ip + ":1234"
		hr.Header.Set("Content-Type", "application/json")
		if r.token != "" {
			hr.Header.Set("Authorization", "Bearer "+r.token)
		}
		return e.serve(hr)
	}
	codes := func(ip string, r req, n int) []int {
		var out []int
		for i := 0; i < n; i++ {
			w := from(ip, r)
			out = append(out, w.Code)
			if w.Code == 429 {
				if ra := w.Header().Get("Retry-After"); ra == "" || ra == "0" {
					t.Errorf("429 without a useful Retry-After: %q", ra)
				}
			}
		}
		return out
	}
	put := req{method: "PUT", path: "/api/v1/municipalities/11008/profile", token: liaison, body: `{"lang":"es","narrative":"x"}`}
	if got := fmt.Sprint(codes("10.0.0.1", put, 3)); got != "[200 200 429]" {
		t.Errorf("writes from one IP and token: %s, want [200 200 429]", got)
	}
	// Same token from another address: the token's bucket is empty too.
	if got := fmt.Sprint(codes("10.0.0.2", put, 1)); got != "[429]" {
		t.Errorf("same token, other IP: %s, want [429]", got)
	}
	matches := req{path: "/api/v1/municipalities/11008/matches?k=1"}
	if got := fmt.Sprint(codes("10.0.0.3", matches, 4)); got != "[200 200 200 429]" {
		t.Errorf("matches from one IP: %s", got)
	}
	if got := fmt.Sprint(codes("10.0.0.4", matches, 1)); got != "[200]" {
		t.Errorf("matches from another IP: %s", got)
	}
	rank := req{method: "POST", path: "/api/v1/rank", token: analyst, body: `{"municipalities":["11008"],"k":1}`}
	if got := fmt.Sprint(codes("10.0.0.5", rank, 2)); got != "[200 429]" {
		t.Errorf("ranks: %s", got)
	}
	// Reads that cost little are not limited.
	if got := fmt.Sprint(codes("10.0.0.3", req{path: "/api/v1/municipalities/11008"}, 5)); got != "[200 200 200 200 200]" {
		t.Errorf("plain reads: %s", got)
	}
	if _, err := ParseLimits("writes=abc"); err == nil {
		t.Error("ParseLimits accepted writes=abc")
	}
	if l, err := ParseLimits("matches=10:20,ranks=off"); err != nil || l.Matches != (Limit{10, 20}) || l.Ranks.Rate != 0 || l.Writes != DefaultLimits.Writes {
		t.Errorf("ParseLimits: %+v %v", l, err)
	}
}

// TestStalledReaderFreesRankSlot: a client that asks for a whole-country
// ranking and stops reading loses its stream after one write step, and
// the only bulk slot is free again for the next analyst.
func TestStalledReaderFreesRankSlot(t *testing.T) {
	if testing.Short() {
		t.Skip("streams a full ranking")
	}
	e := mustEnv(t)
	e.srv.cfg.WriteStall = time.Second
	analyst := e.token(t, RoleAnalyst, "", "")
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.(*net.TCPConn).SetReadBuffer(4096)
	body := `{"k":50}`
	fmt.Fprintf(conn, "POST /api/v1/rank HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		analyst, len(body), body)
	// Read the status line, then stop reading.
	buf := make([]byte, 64)
	if _, err := io.ReadAtLeast(conn, buf, 12); err != nil || !strings.HasPrefix(string(buf), "HTTP/1.1 200") {
		t.Fatalf("stalled client: %q %v", buf, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := httptest.NewRequest("POST", "/api/v1/rank", strings.NewReader(`{"municipalities":["11008"],"k":1}`))
		r.Header.Set("Authorization", "Bearer "+analyst)
		r.Header.Set("Content-Type", "application/json")
		w := e.serve(r)
		if w.Code == 200 {
			break
		}
		if w.Code != 429 || time.Now().After(deadline) {
			t.Fatalf("second analyst: %d after %v (the stalled reader still holds the slot)\n%.200s", w.Code, 20*time.Second, w.Body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type specCase struct {
	name string
	r    req
	want int
}

// adminCases exercise the admin API for the OpenAPI check.
func adminCases(t *testing.T, e *testEnv) []specCase {
	admin := e.token(t, RoleAdmin, "", "")
	_, victim, err := NewTokens(e.store).Create(RoleAnalyst, "", "", "to revoke")
	if err != nil {
		t.Fatal(err)
	}
	return []specCase{
		{"admin tokens", req{path: "/api/v1/admin/tokens", token: admin}, 200},
		{"admin tokens no token", req{path: "/api/v1/admin/tokens"}, 401},
		{"admin create token", req{method: "POST", path: "/api/v1/admin/tokens", token: admin, body: `{"role":"consulate","consulate":"milwaukee","note":"cónsul"}`}, 201},
		{"admin create token invalid", req{method: "POST", path: "/api/v1/admin/tokens", token: admin, body: `{"role":"liaison"}`}, 400},
		{"admin revoke", req{method: "DELETE", path: "/api/v1/admin/tokens/" + victim.ID, token: admin}, 200},
		{"admin revoke unknown", req{method: "DELETE", path: "/api/v1/admin/tokens/abcdefabcdef", token: admin}, 404},
		{"admin backup", req{path: "/api/v1/admin/backup", token: admin}, 200},
		{"admin backup not admin", req{path: "/api/v1/admin/backup", token: e.token(t, RoleAnalyst, "", "")}, 403},
	}
}

// fullDiskStore fails every write the way a full disk does.
type fullDiskStore struct{ datasets.Store }

func enospc() error { return &os.PathError{Op: "write", Path: "hermanar.db", Err: syscall.ENOSPC} }

func (fullDiskStore) Put(string, string, []byte) error                 { return enospc() }
func (fullDiskStore) Update(string, func(datasets.Bucket) error) error { return enospc() }

// TestWritesOnFullDisk: a write the store cannot make answers 507 with a
// message saying the disk is full and nothing was saved — not a 500 —
// both with an injected failure and on a real full filesystem.
func TestWritesOnFullDisk(t *testing.T) {
	check := func(name string, e *testEnv) {
		liaison := e.token(t, RoleLiaison, manuelDoblado, "")
		consul := e.token(t, RoleConsulate, "", "milwaukee")
		for _, r := range []req{
			{method: "PUT", path: "/api/v1/municipalities/11008/profile?lang=en", token: liaison, body: `{"lang":"es","narrative":"` + strings.Repeat("x", 4000) + `"}`},
			{method: "POST", path: "/api/v1/ties?lang=en", token: consul, body: `{"municipality":"11009","place":"Madison, Wisconsin","size":3,"source":"s"}`},
		} {
			w := e.do(t, r)
			if w.Code != 507 || !strings.Contains(w.Body.String(), "disk is full") {
				t.Errorf("%s: %s %s: got %d %s, want 507 saying the disk is full", name, r.method, r.path, w.Code, w.Body)
			}
		}
		if p := e.b.Engine.Profile(manuelDoblado); strings.HasPrefix(p.Narrative, "xxxx") {
			t.Errorf("%s: the engine took a profile the store did not save", name)
		}
	}
	e := mustEnv(t)
	tokens := e.store
	e.b.Store = fullDiskStore{tokens}
	e.b.Writes = &matcher.Writes{Store: e.b.Store, Engine: e.b.Engine, Text: e.b.Profiles}
	check("injected", e)

	if os.Geteuid() != 0 {
		t.Skip("a real full filesystem needs root to mount a tmpfs")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	defer exec.Command("umount", "-l", dir).Run()
	st, err := datasets.OpenStore(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Fill what is left of the disk.
	f, _ := os.Create(dir + "/filler")
	for {
		if _, err := f.Write(make([]byte, 64<<10)); err != nil {
			break
		}
	}
	f.Close()
	e2 := mustEnv(t)
	e2.b.Store = st
	e2.b.Writes = &matcher.Writes{Store: st, Engine: e2.b.Engine, Text: e2.b.Profiles}
	check("tmpfs", e2)
}
