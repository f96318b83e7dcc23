package api

import (
	"encoding/csv"
	"hermanar/datasets"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestPages(t *testing.T) {
	e := mustEnv(t)
	cases := []struct {
		name, path string
		status     int
		contains   []string
	}{
		{"home in Spanish", "/", 200, []string{"Encuentre ciudades hermanas", `id="q"`, "/api/v1/places?country=MX", `href="/static/app.css"`}},
		{"home in English", "/?lang=en", 200, []string{"Find partner cities", `lang="en"`}},
		{"search one municipality redirects", "/buscar?q=Manuel+Doblado", 303, nil},
		{"search several", "/buscar?q=Guadalupe", 200, []string{"Guadalupe", "/coincidencias"}},
		{"search nothing", "/buscar?q=Qwxzzy", 200, []string{"No encontramos ningún municipio ni localidad"}},
		{"search a locality's whole name goes to its municipality", "/buscar?q=san+jose+de+otates", 303, nil},
		{"search part of a locality's name lists it with its municipality", "/buscar?q=san+jose+de+otat", 200, []string{"San José de Otates", `localidad de <a href="/municipios/11008">Manuel Doblado</a>`}},
		{"search a name of several localities lists each municipality", "/buscar?q=Otates", 200, []string{"Huanímaro", "Actopan"}},
		{"municipality", "/municipios/11008", 200, []string{"Manuel Doblado", "Whitewater", "Migrantes de San José de Otates", "DEP-0121/22", "/municipios/11008/coincidencias"}},
		{"matches", "/municipios/11008/coincidencias", 200, []string{`id="p5278931"`, "Migrantes del municipio", "<svg", "format=csv", `download="hermanar-11008.json"`}},
		{"matches in English with filters", "/municipios/11008/coincidencias?lang=en&country=US&max_population=20000&include_twinned=true", 200, []string{"Partner cities for", "Migrants from", `value="US" selected`, "checked"}},
		{"matches with a bad filter", "/municipios/11008/coincidencias?min_population=abc", 200, []string{"min_population"}},
		{"place", "/lugares/5278931", 200, []string{"Whitewater", "Walworth", "Manuel Doblado", "Milwaukee"}},
		{"consulates", "/consulados", 200, []string{"/consulados/milwaukee"}},
		{"consulate", "/consulados/milwaukee", 200, []string{"Manuel Doblado", "Whitewater", "DEP-0121/22", "/municipios/11008/coincidencias?country=US#p5278931"}},
		{"sign-in form", "/acceso", 200, []string{`name="token"`, `type="password"`}},
		{"unknown municipality page", "/municipios/32999", 404, []string{"No existe el municipio 32999"}},
		{"unknown page", "/nada", 404, []string{"<html"}},
		{"edit without sign-in", "/municipios/11008/perfil", 303, nil},
		{"help in Spanish", "/ayuda", 200, []string{"Qué significa el puntaje", "Migrantes del municipio", "Negocios, inversión y comercio", "Cómo obtener una credencial", "Coordinación Política", "Glosario", `lang="es"`}},
		{"help in English", "/help", 200, []string{"What the score means", "Migrants from the municipality", "Business, investment and trade", "How to get a token", "Political Coordination", `lang="en"`}},
		{"help, English by ?lang", "/ayuda?lang=en", 200, []string{"What the score means"}},
		{"matches have a glossary", "/municipios/11008/coincidencias", 200, []string{`class="side-glossary"`, "Términos de esta página", `href="/ayuda#razones"`}},
		{"static css", "/static/app.css", 200, []string{"--brand"}},
		{"static js", "/static/app.js", 200, []string{"suggestions"}},
	}
	for _, tc := range cases {
		w := e.do(t, req{path: tc.path, header: map[string]string{"Accept": "text/html"}})
		if w.Code != tc.status {
			t.Errorf("%s: got %d, want %d\n%.400s", tc.name, w.Code, tc.status, w.Body)
			continue
		}
		for _, s := range tc.contains {
			if !strings.Contains(w.Body.String(), s) {
				t.Errorf("%s: page lacks %q", tc.name, s)
			}
		}
	}
	// Every page links to the help, in its language.
	for _, path := range []string{"/", "/buscar?q=Guadalupe", "/municipios/11008", "/municipios/11008/coincidencias", "/lugares/5278931", "/consulados", "/consulados/milwaukee", "/acceso", "/nada", "/ayuda"} {
		if w := e.do(t, req{path: path}); !strings.Contains(w.Body.String(), `href="/ayuda" id="nav-help"`) {
			t.Errorf("%s: no link to /ayuda", path)
		}
		if w := e.do(t, req{path: path + map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "lang=en"}); !strings.Contains(w.Body.String(), `href="/help" id="nav-help"`) {
			t.Errorf("%s in English: no link to /help", path)
		}
	}
	// A browser asking for English gets English on the first visit; the
	// cookie and ?lang= still win.
	for _, tc := range []struct{ accept, cookie, query, want string }{
		{"en-US,en;q=0.9", "", "", `lang="en"`}, {"es-MX,es;q=0.9,en;q=0.5", "", "", `lang="es"`},
		{"en-US", "es", "", `lang="es"`}, {"en-US", "", "es", `lang="es"`}, {"", "", "", `lang="es"`},
	} {
		h := map[string]string{"Accept-Language": tc.accept}
		if tc.cookie != "" {
			h["Cookie"] = langCookie + "=" + tc.cookie
		}
		path := "/municipios/11008"
		if tc.query != "" {
			path += "?lang=" + tc.query
		}
		if w := e.do(t, req{path: path, header: h}); !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("Accept-Language %q, cookie %q, ?lang=%q: page is not %s", tc.accept, tc.cookie, tc.query, tc.want)
		}
	}
	// The page's CSV download is titled in the page's language, with the
	// same columns as every CSV.
	w := e.do(t, req{path: "/api/v1/municipalities/11008/matches?k=2&format=csv&csv_header=lang&lang=es"})
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(w.Body.String(), datasets.UTF8BOM))).ReadAll()
	if err != nil || len(recs) != 3 || len(recs[0]) != len(datasets.RankCSVHeader) || recs[0][0] != "municipio" ||
		!strings.HasPrefix(w.Body.String(), datasets.UTF8BOM) || strings.Contains(strings.Join(recs[0], ","), "_contrib") {
		t.Errorf("Spanish CSV header: %v (%v)", recs, err)
	}
	if w := e.do(t, req{path: "/?lang=en"}); !strings.Contains(w.Header().Get("Set-Cookie"), langCookie+"=en") {
		t.Errorf("?lang=en does not set the language cookie: %q", w.Header().Get("Set-Cookie"))
	}
	for _, q := range []string{"Manuel+Doblado", "san+jose+de+otates"} {
		if w := e.do(t, req{path: "/buscar?q=" + q}); w.Header().Get("Location") != "/municipios/11008" {
			t.Errorf("search %s redirects to %q, want /municipios/11008", q, w.Header().Get("Location"))
		}
	}
	// The suggestions name a locality's municipality and link to it.
	w = e.do(t, req{path: "/api/v1/places?country=MX&limit=8&q=san+jose+de+otates"})
	if !strings.Contains(w.Body.String(), `"label":"San José de Otates — localidad de Manuel Doblado, Gto."`) ||
		!strings.Contains(w.Body.String(), `"url":"/municipios/11008"`) {
		t.Errorf("suggestions for a locality: %s", w.Body)
	}
}

// TestSignInAndEditProfile walks a liaison through the pages: token once,
// cookie kept, profile edited with the form, change visible.
func TestSignInAndEditProfile(t *testing.T) {
	e := mustEnv(t)
	secret := e.token(t, RoleLiaison, manuelDoblado, "")
	form := url.Values{"token": {secret}, "next": {"/"}}
	r := httptest.NewRequest("POST", "/acceso", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://example.com")
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != 303 || w.Header().Get("Location") != "/municipios/11008" {
		t.Fatalf("sign-in: %d to %q", w.Code, w.Header().Get("Location"))
	}
	var ck *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == tokenCookie {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.Secure || ck.SameSite != http.SameSiteStrictMode || ck.Value != secret {
		t.Fatalf("cookie over plain http (Secure must follow the scheme): %+v", ck)
	}
	withCookie := func(r *http.Request) *httptest.ResponseRecorder {
		r.AddCookie(&http.Cookie{Name: tokenCookie, Value: secret})
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		return w
	}
	w = withCookie(httptest.NewRequest("GET", "/municipios/11008/perfil", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `name="problems"`) {
		t.Fatalf("edit form: %d", w.Code)
	}
	edit := url.Values{"lang": {"es"}, "narrative": {"Municipio del Bajío"}, "problems": {"escasez de agua\nempleo para jóvenes"},
		"practices": {"ferias agrícolas"}, "diaspora_place": {"Whitewater, Wisconsin", ""}, "diaspora_size": {"500", ""},
		"diaspora_source": {"SRE", ""}, "area_b": {"1"}, "area_c": {"0.5"}, "countries": {"US", "CA"}, "min_population": {"1000"}}
	post := func(v url.Values, origin string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/municipios/11008/perfil", strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		return withCookie(r)
	}
	if w := post(edit, "https://evil.example"); w.Code != 403 {
		t.Errorf("cross-site post: got %d, want 403", w.Code)
	}
	w = post(edit, "http://example.com")
	if w.Code != 303 || w.Header().Get("Location") != "/municipios/11008?guardado=1" {
		t.Fatalf("save: %d %q\n%.500s", w.Code, w.Header().Get("Location"), w.Body)
	}
	p := e.b.Engine.Profile(manuelDoblado)
	if p.Narrative != "Municipio del Bajío" || len(p.Problems) != 2 || p.Areas["c"] != 0.5 || p.Diaspora[0].Size != 500 ||
		len(p.Constraints.Countries) != 2 || p.Constraints.MinPopulation != 1000 {
		t.Errorf("saved profile: %+v", p)
	}
	w = withCookie(httptest.NewRequest("GET", "/municipios/11008?guardado=1", nil))
	if !strings.Contains(w.Body.String(), "Perfil guardado") || !strings.Contains(w.Body.String(), "empleo para jóvenes") {
		t.Error("municipality page does not show the saved profile")
	}
	// Errors in plain words, each inside its field's block; no paths.
	bad := url.Values{"problems": {strings.Repeat("x", 600)}, "area_a": {"9"}, "diaspora_place": {""}, "diaspora_size": {"quinientos"},
		"diaspora_source": {""}, "min_population": {"mil"}}
	w = post(bad, "http://example.com")
	body := w.Body.String()
	if w.Code != 400 || strings.Contains(body, "problems[0]") || strings.Contains(body, "diaspora[0]") {
		t.Errorf("invalid form: %d, or field paths shown\n%.600s", w.Code, body)
	}
	for field, msg := range map[string]string{"f-problems": "renglón 1: tiene 600 caracteres y caben 500", "f-area_a": "elija alta, media o ninguna",
		"f-diaspora-0": "escriba un número entero de personas", "f-min_population": "escriba un número entero de habitantes"} {
		i := strings.Index(body, `id="`+field+`"`)
		if i < 0 {
			t.Errorf("no block %s", field)
			continue
		}
		block := body[i+1:]
		if next := strings.Index(block, `id="f-`); next >= 0 {
			block = block[:next]
		}
		if !strings.Contains(block, msg) {
			t.Errorf("the message %q is not inside the block of %s", msg, field)
		}
	}
	// A description over the limit is refused with a word, never cut.
	long := strings.Repeat("palabra ", 1001)
	w = post(url.Values{"narrative": {long}, "problems": {"escasez de agua"}}, "http://example.com")
	if w.Code != 400 || !strings.Contains(w.Body.String(), "nada se ha recortado") || !strings.Contains(w.Body.String(), long[:7000]) {
		t.Errorf("long description: %d, want 400 keeping the whole text", w.Code)
	}
	// An empty form asks before blanking the stored profile, and blanks it
	// only once confirmed.
	w = post(url.Values{"lang": {"es"}}, "http://example.com")
	if w.Code != 409 || !strings.Contains(w.Body.String(), `id="confirm-blank"`) || e.b.Engine.Profile(manuelDoblado).Narrative == "" {
		t.Errorf("empty form without confirmation: %d, narrative %q", w.Code, e.b.Engine.Profile(manuelDoblado).Narrative)
	}
	if w := post(url.Values{"lang": {"es"}, "confirm_blank": {"1"}}, "http://example.com"); w.Code != 303 || e.b.Engine.Profile(manuelDoblado).Narrative != "" {
		t.Errorf("confirmed blank: %d", w.Code)
	}
	// Another municipality's form is refused.
	w = withCookie(httptest.NewRequest("GET", "/municipios/11009/perfil", nil))
	if w.Code != 403 {
		t.Errorf("other municipality's form: got %d, want 403", w.Code)
	}
	// A wrong token shows the form again with a message.
	form.Set("token", "hmn_"+strings.Repeat("B", 43))
	r = httptest.NewRequest("POST", "/acceso", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://example.com")
	w = httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != 401 || !strings.Contains(w.Body.String(), "no es válida") {
		t.Errorf("bad token sign-in: %d", w.Code)
	}
}

func TestSafeNext(t *testing.T) {
	cases := map[string]string{"/municipios/1": "/municipios/1", "//evil.example": "/", "https://evil": "/", "/\\evil": "/", "": "/"}
	for in, want := range cases {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q): got %q, want %q", in, got, want)
		}
	}
}
