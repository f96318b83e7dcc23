package api

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"hermanar/datasets"
)

// pageReq sends a page request signed in with the cookie; a form is
// posted from the site's own origin unless origin says otherwise.
func (e *testEnv) pageReq(t *testing.T, method, path, secret string, form url.Values, origin string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin == "" {
			origin = "http://example.com"
		}
		r.Header.Set("Origin", origin)
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if secret != "" {
		r.AddCookie(&http.Cookie{Name: tokenCookie, Value: secret})
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func TestWorkflowPages(t *testing.T) {
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	other := e.token(t, RoleLiaison, "11009", "")
	analyst := e.token(t, RoleAnalyst, "", "")

	if w := e.pageReq(t, "GET", "/municipios/11008/seleccion", "", nil, ""); w.Code != 303 || !strings.HasPrefix(w.Header().Get("Location"), "/acceso?next=") {
		t.Errorf("shortlist page signed out: %d %s", w.Code, w.Header().Get("Location"))
	}
	// The keep button is on the matches page for the liaison only.
	if body := e.pageReq(t, "GET", "/municipios/11008/coincidencias", liaison, nil, "").Body.String(); !strings.Contains(body, `class="keep-btn"`) {
		t.Errorf("the liaison's matches page has no keep button")
	}
	if body := e.pageReq(t, "GET", "/municipios/11008/coincidencias", other, nil, "").Body.String(); strings.Contains(body, `class="keep-btn"`) {
		t.Errorf("another municipality's liaison sees keep buttons")
	}
	keep := url.Values{"place_id": {"5278931"}, "next": {"/municipios/11008/coincidencias"}}
	for _, tc := range []struct {
		name   string
		secret string
		form   url.Values
		origin string
		want   int
	}{
		{"other site", liaison, keep, "http://evil.example", 403},
		{"other liaison", other, keep, "", 403},
		{"analyst", analyst, keep, "", 403},
		{"mexican place", liaison, url.Values{"place_id": {"4024473"}}, "", 400},
		{"keep", liaison, keep, "", 303},
		{"note and areas", liaison, url.Values{"place_id": {"5278931"}, "edit": {"1"}, "note": {"Otates"}, "areas": {"b", "e"}}, "", 303},
		{"bad area", liaison, url.Values{"place_id": {"5278931"}, "edit": {"1"}, "areas": {"z"}}, "", 400},
		{"keep second", liaison, url.Values{"place_id": {"5261457"}}, "", 303},
	} {
		if w := e.pageReq(t, "POST", "/municipios/11008/seleccion", tc.secret, tc.form, tc.origin); w.Code != tc.want {
			t.Errorf("%s: got %d, want %d\n%.300s", tc.name, w.Code, tc.want, w.Body)
		}
	}
	sl, _ := datasets.LoadShortlist(e.store, manuelDoblado)
	if len(sl.Entries) != 2 || sl.Entries[0].Note != "Otates" || strings.Join(sl.Entries[0].Areas, "") != "be" {
		t.Errorf("stored shortlist: %+v", sl.Entries)
	}
	body := e.pageReq(t, "GET", "/municipios/11008/seleccion?lang=en", liaison, nil, "").Body.String()
	for _, want := range []string{"Whitewater", "Madison", "Otates", "/dossier/5278931?format=docx&amp;lang=es", "Open the process", "/static/print.css"} {
		if !strings.Contains(body, want) {
			t.Errorf("the English shortlist page lacks %q", want)
		}
	}
	for _, es := range []string{"Guardar", "Quitar", "Expediente"} {
		if strings.Contains(body, es) {
			t.Errorf("the English shortlist page carries Spanish %q", es)
		}
	}
	cmp := e.pageReq(t, "GET", "/municipios/11008/comparar?places=5278931&places=5261457", "", nil, "").Body.String()
	if !strings.Contains(cmp, "San José de Otates") || !strings.Contains(cmp, "Madison") || !strings.Contains(cmp, "2,749 km") {
		t.Errorf("comparison page:\n%.2000s", cmp)
	}
	if w := e.pageReq(t, "GET", "/municipios/11008/comparar?places=5278931", "", nil, ""); w.Code != 400 || !strings.Contains(w.Body.String(), "2 a 4") {
		t.Errorf("comparing one city: %d", w.Code)
	}

	// A process from the page: open, a refused step, the signing.
	if w := e.pageReq(t, "POST", "/municipios/11008/procesos", liaison, url.Values{"place_id": {"5278931"}}, ""); w.Code != 303 || w.Header().Get("Location") != "/municipios/11008/procesos/5278931" {
		t.Fatalf("open: %d %s", w.Code, w.Header().Get("Location"))
	}
	ev := "/municipios/11008/procesos/5278931/eventos"
	w := e.pageReq(t, "POST", ev, liaison, url.Values{"kind": {"signed"}, "date": {"2026-01-32"}}, "")
	if w.Code != 400 || !strings.Contains(w.Body.String(), `id="err-date"`) {
		t.Errorf("invalid date: %d, no message next to the date field", w.Code)
	}
	if w := e.pageReq(t, "POST", ev, other, url.Values{"kind": {"signed"}, "date": {"2026-01-15"}}, ""); w.Code != 403 {
		t.Errorf("other liaison records a step: %d", w.Code)
	}
	if w := e.pageReq(t, "POST", ev, liaison, url.Values{"kind": {"signed"}, "date": {"2026-01-15"}}, ""); w.Code != 303 {
		t.Fatalf("signed: %d %s", w.Code, w.Body)
	}
	page := e.pageReq(t, "GET", "/municipios/11008/procesos/5278931", liaison, nil, "").Body.String()
	for _, want := range []string{`data-kind="first_aap"><td class="due">2026-03-16`, `data-kind="expiry-1"><td class="due">2031-01-15`, "Implementación", "paso registrado: Acuerdo firmado (2026-01-15)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the process page lacks %q", want)
		}
	}
	// Who and when read as on the other Spanish pages: the role and
	// municipality, not the token id; a local date, not "UTC".
	if !strings.Contains(page, "enlace de 11008") || strings.Contains(page, " UTC") || strings.Contains(page, "liaison 11008 #") {
		t.Errorf("the process page shows raw authors or UTC times")
	}
	ov := e.pageReq(t, "GET", "/procesos", analyst, nil, "").Body.String()
	if !strings.Contains(ov, "Manuel Doblado") || !strings.Contains(ov, "Vencido") || !strings.Contains(ov, "format=parquet") || !strings.Contains(ov, `id="summary"`) {
		t.Errorf("overview page lacks the process")
	}
}
