package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzTarget is one handler the fuzzer aims at.
type fuzzTarget struct {
	method, path string
}

var fuzzTargets = []fuzzTarget{
	{"PUT", "/api/v1/municipalities/11008/profile"},
	{"POST", "/api/v1/match?municipality=11008&"},
	{"POST", "/api/v1/ties"},
	{"POST", "/api/v1/rank"},
	{"POST", "/api/v1/classify"},
	{"GET", "/api/v1/places?"},
	{"GET", "/api/v1/municipalities/11008/matches?"},
	{"GET", "/api/v1/municipalities/"},
	{"GET", "/api/v1/places/"},
	{"GET", "/api/v1/consulates/"},
	{"POST", "/municipios/11008/perfil"},
	{"GET", "/municipios/11008/coincidencias?"},
	{"GET", "/buscar?q="},
	{"POST", "/acceso"},
	{"GET", "/static/"},
	{"HEAD", "/static/"},
	{"GET", "/municipios/"},
	{"POST", "/salir"},
	{"OPTIONS", "/api/v1/"},
}

// Every route of the router is a target too (fuzzTargets come first so
// the seeds keep their meaning); see fuzzEnvTargets.

// FuzzHandlers throws malformed JSON, wrong types, huge and odd bodies,
// odd unicode and unknown fields at every handler that reads input. No
// answer may be a 500 and nothing may panic (the recoverer would turn a
// panic into a 500). The seed corpus runs in every `go test`.
func FuzzHandlers(f *testing.F) {
	seeds := []struct {
		target uint8
		suffix string
		body   string
	}{
		{0, "", `{"lang":"es","problems":[{"text":"escasez de agua"}]}`},
		{0, "", `{"narrative":`},
		{0, "", `{"areas":{"a":"mucho","b":1e400}}`},
		{0, "", `{"problems":[{"text":"\u0000"}]}`},
		{0, "", `{"problems":"no es lista"}`},
		{0, "", `{"diaspora":[{"place":"","place_id":-5,"size":1e30}]}`},
		{0, "", `{"constraints":{"countries":["usa","ÉS"],"min_population":9,"max_population":1}}`},
		{0, "", `{"unknown_field":true}`},
		{0, "", `[1,2,3]`},
		{0, "", `null`},
		{0, "", "\xff\xfe\xfd"},
		{0, "", `{"narrative":"` + strings.Repeat("ñ", 9000) + `"}`},
		{0, "", `{"problems":[` + strings.Repeat(`{"text":"a"},`, 80) + `{"text":"a"}]}`},
		{1, "k=3", `{"narrative":"inundaciones 🌊 en temporada de lluvias","lang":"es"}`},
		{1, "k=-1&country=%00", `{}`},
		{1, "k=99999999999999999999", `{}`},
		{1, "lang=zz&format=xml", `{"lang":"en"}`},
		{2, "", `{"municipality":"11008","place":"Whitewater, Wisconsin","size":5,"source":"x"}`},
		{2, "", `{"municipality":11008}`},
		{2, "", `{"municipality":"11008","place":"` + strings.Repeat("a", 600) + `","source":"x"}`},
		{2, "", `{"municipality":"11008","place_id":-1,"year":99999,"source":"\u202e"}`},
		{3, "", `{"k":0,"state":"99","municipalities":["x"]}`},
		{3, "", `{"municipalities":["11008"],"k":1}`},
		{4, "", `{"text":"agua","k":1000}`},
		{4, "", `{"text":"` + strings.Repeat("agua ", 3000) + `"}`},
		{5, "q=%F0%9F%92%A9&limit=abc", ``},
		{5, "q=" + strings.Repeat("a", 600), ``},
		{5, "q=whitewater&country=U", ``},
		{6, "k=5&country=US,,,XX&min_population=-1&exclude_twinned=maybe", ``},
		{6, "max_population=1e9", ``},
		{7, "00000", ``},
		{7, "11008/matches?k=2", ``},
		{7, "%E2%80%AE11008", ``},
		{8, "5278931", ``},
		{8, "-1", ``},
		{8, "99999999999999999999999", ``},
		{9, "milwaukee/opportunities?limit=2", ``},
		{9, "../../etc/passwd", ``},
		{10, "", "narrative=hola&problems=agua%0Aempleo&area_a=0.5&area_b=7&diaspora=Whitewater|abc|x&min_population=zz"},
		{11, "country=US&min_population=abc", ``},
		{12, "%FF", ``},
		{13, "", "token=hmn_" + strings.Repeat("A", 43) + "&next=//evil.example"},
		{14, "%ff", ""},
		{14, "a/%c3%28.css", ""},
		{14, "%c0%80", ""},
		{15, "app.css", ""},
		{16, "11008/perfil", "narrative=hola&problems=agua"},
		{17, "", ""},
		{18, "ties", ""},
	}
	for _, s := range seeds {
		// tok: which token; its high bits choose how the body arrives
		// (whole, chunked, cut short, chunked and cut short).
		for _, tok := range []uint8{0, 1, 2 | 8, 2 | 16, 2 | 24} {
			f.Add(s.target, s.suffix, []byte(s.body), tok)
		}
	}
	fuzzEnv := mustEnv(f)
	fuzzEnv.b.resolver() // built once, up front: it takes seconds under coverage instrumentation
	fuzzToks := []string{"", fuzzEnv.token(f, RoleAdmin, "", ""), fuzzEnv.token(f, RoleLiaison, "11008", "")}
	targets := append(append([]fuzzTarget{}, fuzzTargets...), fuzzEnvTargets(fuzzEnv)...)
	f.Fuzz(func(t *testing.T, target uint8, suffix string, body []byte, tok uint8) {
		tg := targets[int(target)%len(targets)]
		if strings.Contains(tg.path, "/rank") && (len(body) > 120 || !strings.Contains(string(body), `"municipalities":["`)) {
			// A whole-country ranking is slow, not wrong; keep the fuzzer fast.
			body = []byte(`{"municipalities":["11008"],"k":1}`)
		}
		path := tg.path + suffix
		if !validTarget(path) {
			return
		}
		var rd io.Reader = strings.NewReader(string(body))
		switch tok >> 3 & 3 {
		case 1:
			rd = io.MultiReader(strings.NewReader(string(body))) // no length: chunked
		case 2, 3:
			rd = &cutReader{strings.NewReader(string(body[:len(body)/2]))} // the client went away
		}
		r, err := http.NewRequest(tg.method, path, rd)
		if err != nil {
			return // not a request a client could send
		}
		if tok>>3&3 != 0 {
			r.ContentLength = -1
		}
		switch {
		case strings.HasPrefix(tg.path, "/api/"):
			r.Header.Set("Content-Type", "application/json")
		default:
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Origin", "http://example.com") // page forms need this site's origin
		}
		if tk := fuzzToks[int(tok&7)%len(fuzzToks)]; tk != "" {
			r.Header.Set("Authorization", "Bearer "+tk)
		}
		w := httptest.NewRecorder()
		fuzzEnv.h.ServeHTTP(w, r)
		if w.Code >= 500 && w.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %q with body %q: status %d\n%s", tg.method, path, body, w.Code, w.Body)
		}
		if w.Code == 0 {
			t.Fatalf("%s %q: no status", tg.method, path)
		}
	})
}

// validTarget rejects what net/http's client would refuse to send.
func validTarget(p string) bool {
	if !utf8.ValidString(p) {
		return false
	}
	for _, r := range p {
		if r < 0x21 || r == 0x7f {
			return false
		}
	}
	return true
}

// fuzzEnvTargets is every route the router serves, with its parameters
// filled (one value each; the fuzzer varies the suffix).
func fuzzEnvTargets(e *testEnv) []fuzzTarget {
	var out []fuzzTarget
	for _, r := range e.srv.engine.Routes() {
		p := r.Path
		for name, v := range map[string]string{":cvegeo": "11008", ":place": "5278931", ":id": "1", ":lang": "es", ":state": "11", "*path": ""} {
			p = strings.ReplaceAll(p, name, v)
		}
		out = append(out, fuzzTarget{r.Method, p})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	return out
}
