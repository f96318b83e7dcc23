package api

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"hermanar/matcher"
)

// postForm sends a page form as a signed-in browser does.
func (e *testEnv) postForm(t *testing.T, path, secret string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://example.com")
	r.Header.Set("Accept", "text/html")
	if secret != "" {
		r.AddCookie(&http.Cookie{Name: tokenCookie, Value: secret})
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func (e *testEnv) page(t *testing.T, path, secret string) string {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("Accept", "text/html")
	if secret != "" {
		r.AddCookie(&http.Cookie{Name: tokenCookie, Value: secret})
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Fatalf("GET %s: %d\n%.500s", path, w.Code, w.Body)
	}
	return w.Body.String()
}

// A consulate records, from its page, a city's profile and interest, a
// tie, and an opportunity's status; each lands where the API would put
// it, with who and when, and the matches use it at once.
func TestConsulatePageForms(t *testing.T) {
	e := mustEnv(t)
	consul := e.token(t, RoleConsulate, "", "milwaukee")
	liaison := e.token(t, RoleLiaison, "14039", "")
	city := url.Values{"city": {"Madison, Wisconsin"}, "lang": {"es"},
		"offers": {"reutilización de aguas residuales tratadas\nmanejo de inundaciones con vasos reguladores"},
		"seeks":  {"intercambio cultural con comunidades mexicanas"}, "contact_name": {"Oficina de relaciones internacionales"},
		"contact_email": {"intl@example.org"}, "interest_municipality": {"14039"}, "interest_date": {"2026-11-20"},
		"source": {"visita del cónsul, noviembre de 2026"}}
	if w := e.postForm(t, "/consulados/milwaukee/ciudad", liaison, city); w.Code != 403 {
		t.Errorf("a liaison posting the consulate's form: %d", w.Code)
	}
	w := e.postForm(t, "/consulados/milwaukee/ciudad", consul, city)
	if w.Code != 303 || !strings.Contains(w.Header().Get("Location"), "guardado=1") {
		t.Fatalf("city form: %d %s\n%.800s", w.Code, w.Header().Get("Location"), w.Body)
	}
	const madison = 5261457
	rec := mustJSON[PlaceProfileView](t, e.do(t, req{path: "/api/v1/places/5261457/profile"}))
	if len(rec.Practices) != 2 || rec.Provenance["practices"].By != "consulate milwaukee" ||
		rec.Provenance["practices"].Source != "visita del cónsul, noviembre de 2026" || len(rec.Interests) != 1 ||
		rec.Interests[0].Municipality != "14039" || rec.Contact == nil || rec.Contact.Email != "intl@example.org" {
		t.Fatalf("stored record: %+v", rec)
	}
	body := e.page(t, "/consulados/milwaukee", consul)
	for _, want := range []string{"Madison", "reutilización de aguas residuales tratadas", "visita del cónsul", `id="city-form"`, `id="tie-form"`} {
		if !strings.Contains(body, want) {
			t.Errorf("consulate page lacks %q", want)
		}
	}
	// A municipality whose problems the city's practices answer sees the
	// problems component for Madison, with both sides' offers.
	if w := e.do(t, req{method: "PUT", path: "/api/v1/municipalities/14039/profile", token: liaison,
		body: `{"lang":"es","problems":[{"text":"escasez de agua"},{"text":"inundaciones"}],"practices":[{"text":"ferias gastronómicas"}]}`}); w.Code != 200 {
		t.Fatalf("liaison profile: %d %s", w.Code, w.Body)
	}
	res := mustJSON[matcher.Result](t, e.do(t, req{path: "/api/v1/municipalities/14039/matches?k=100&country=US"}))
	m, ok := findMatch(res, madison)
	if !ok {
		t.Fatalf("Madison is not in 14039 top 100 in the US after its profile and interest: %+v", res.Matches[:3])
	}
	t.Logf("Madison: rank %d in the US, score %.3f", m.Rank, m.Score)
	hasProblems := false
	for _, c := range m.Components {
		hasProblems = hasProblems || (c.Name == matcher.CompProblems && c.Value > 0)
	}
	if !hasProblems || m.Partner == nil || len(m.Partner.Interest) == 0 {
		t.Errorf("Madison's explanation: %+v", m)
	}
	mp := e.page(t, "/municipios/14039/coincidencias?only_profiled=true", "")
	for _, want := range []string{`id="p5261457"`, "Problemas en común", "Madison ofrece", "Guadalajara ofrece: ferias gastronómicas", `id="muni-categories"`, "Escasez de agua", `name="only_profiled" value="true" checked`} {
		if !strings.Contains(mp, want) {
			t.Errorf("matches page lacks %q", want)
		}
	}

	// A tie from the page, through POST /ties' checks.
	bad := e.postForm(t, "/consulados/milwaukee/vinculo", consul, url.Values{"municipality": {"14039"}, "place": {"Springfield"}, "source": {"x"}})
	if bad.Code != 400 || !strings.Contains(bad.Body.String(), "Springfield") {
		t.Errorf("ambiguous tie place: %d", bad.Code)
	}
	w = e.postForm(t, "/consulados/milwaukee/vinculo", consul, url.Values{"municipality": {"14039"}, "place": {"Waukesha, Wisconsin"},
		"size": {"1,200"}, "year": {"2025"}, "source": {"registro consular 2025"}})
	if w.Code != 303 {
		t.Fatalf("tie form: %d\n%.600s", w.Code, w.Body)
	}
	found := false
	for _, tie := range e.b.Engine.Ties("14039") {
		found = found || (tie.Size == 1200 && tie.Source == "registro consular 2025" && tie.RecordedBy == "milwaukee")
	}
	if !found {
		t.Errorf("the page's tie is not in the engine: %+v", e.b.Engine.Ties("14039"))
	}

	// Status of an opportunity, kept with its history.
	for _, st := range []string{"contacted", "in_progress"} {
		w := e.postForm(t, "/consulados/milwaukee/oportunidad", consul, url.Values{"municipality": {"11008"}, "place": {"5278931"}, "status": {st}, "note": {"llamada " + st}})
		if w.Code != 303 {
			t.Fatalf("status %s: %d %.300s", st, w.Code, w.Body)
		}
	}
	if w := e.postForm(t, "/consulados/milwaukee/oportunidad", consul, url.Values{"municipality": {"11008"}, "place": {"5278931"}, "status": {"won"}}); w.Code != 400 {
		t.Errorf("unknown status: %d", w.Code)
	}
	st, ok := e.b.oppStatusOf("milwaukee", "11008", 5278931)
	if !ok || st.Status != "in_progress" || len(st.History) != 2 || st.History[0].By != "consulate milwaukee" || st.History[0].At == "" {
		t.Errorf("status history: %+v", st)
	}
	body = e.page(t, "/consulados/milwaukee", consul)
	if !strings.Contains(body, "en curso") || !strings.Contains(body, "llamada contacted") {
		t.Error("the consulate page does not show the status and its history")
	}
	if _, ok, _ := e.store.Get(BucketOpportunities, oppKey("milwaukee", "11008", 5278931)); !ok {
		t.Error("status not in the store")
	}
}

// With no city profile in the list, the matches page says so and how to
// fill it, instead of implying the profile changed the list.
func TestMatchesPageTellsTheTruth(t *testing.T) {
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, "20067", "")
	if w := e.do(t, req{method: "PUT", path: "/api/v1/municipalities/20067/profile", token: liaison,
		body: `{"lang":"es","problems":[{"text":"escasez de agua en la cabecera"},{"text":"erosión costera"}]}`}); w.Code != 200 {
		t.Fatalf("PUT: %d %s", w.Code, w.Body)
	}
	body := e.page(t, "/municipios/20067/coincidencias?country=GT", "")
	for _, want := range []string{`id="nodata"`, "Problemas en común", "place-profiles", `id="muni-categories"`, "escasez de agua en la cabecera → Escasez de agua", "ODS 6"} {
		if !strings.Contains(body, want) {
			t.Errorf("matches page lacks %q", want)
		}
	}
	en := e.page(t, "/municipios/20067/coincidencias?country=GT&lang=en", "")
	if !strings.Contains(en, "No data for any candidate city") || strings.Contains(en, "Sin datos") {
		t.Error("the English page does not say it in English alone")
	}
	saved := e.page(t, "/municipios/20067?guardado=1", "")
	if !strings.Contains(saved, "ciudades que tienen perfil registrado") {
		t.Error("the saved notice does not say what the save can change")
	}
}
