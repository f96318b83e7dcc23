package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/parquet-go/parquet-go"

	"hermanar/datasets"
	"hermanar/matcher"
)

func TestNotReadyThenReady(t *testing.T) {
	srv, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{srv: srv, h: srv.Handler()}
	cases := []struct {
		name, path string
		want       int
	}{
		{"healthz answers at once", "/healthz", 200},
		{"readyz waits", "/readyz", 503},
		{"data endpoints wait", "/api/v1/municipalities/11008/matches", 503},
		{"the home page needs no data", "/", 200},
		{"other pages say they are starting", "/municipios/11008", 503},
	}
	for _, tc := range cases {
		w := e.do(t, req{path: tc.path})
		if w.Code != tc.want {
			t.Errorf("%s: got %d, want %d\n%s", tc.name, w.Code, tc.want, w.Body)
		}
	}
	w := e.do(t, req{path: "/api/v1/places?q=x"})
	if d := mustJSON[ErrorBody](t, w); d.Error.Code != EUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("not ready: got %+v (Retry-After %q), want code unavailable with Retry-After", d, w.Header().Get("Retry-After"))
	}
	ready := mustEnv(t)
	if w := ready.do(t, req{path: "/readyz"}); w.Code != 200 || !strings.Contains(w.Body.String(), `"ready"`) {
		t.Errorf("readyz after SetBackend: got %d %s", w.Code, w.Body)
	}
}

func TestMatchesWhitewaterFirst(t *testing.T) {
	e := mustEnv(t)
	for _, lang := range []string{"es", "en"} {
		w := e.do(t, req{path: "/api/v1/municipalities/11008/matches?k=5&lang=" + lang})
		if w.Code != 200 {
			t.Fatalf("%s: got %d %s", lang, w.Code, w.Body)
		}
		res := mustJSON[matcher.Result](t, w)
		if len(res.Matches) != 5 {
			t.Fatalf("%s: got %d matches, want 5", lang, len(res.Matches))
		}
		first := res.Matches[0]
		if first.Place.ID != whitewater {
			t.Errorf("%s: first is %d %s, want Whitewater", lang, first.Place.ID, first.Place.Name)
		}
		var dias *matcher.Component
		sum := 0.0
		for i, c := range first.Components {
			sum += c.Contribution
			if c.Name == matcher.CompDiaspora {
				dias = &first.Components[i]
			}
		}
		if dias == nil || len(dias.Evidence) == 0 || !strings.Contains(dias.Source, "DEP-0121/22") {
			t.Errorf("%s: diaspora component %+v should carry the tie's evidence and source", lang, dias)
		}
		if d := sum - first.Score; d > 1e-6 || d < -1e-6 {
			t.Errorf("%s: contributions sum to %v, score %v", lang, sum, first.Score)
		}
		if res.Query.Lang != lang {
			t.Errorf("explanations in %q, want %q", res.Query.Lang, lang)
		}
	}
}

func TestMatchFilters(t *testing.T) {
	e := mustEnv(t)
	w := e.do(t, req{path: "/api/v1/municipalities/11008/matches?k=20&country=ES,FR&min_population=100000&max_population=900000"})
	res := mustJSON[matcher.Result](t, w)
	if len(res.Matches) == 0 {
		t.Fatal("no matches in Spain and France between 100k and 900k")
	}
	for _, m := range res.Matches {
		if (m.Place.Country != "ES" && m.Place.Country != "FR") || m.Place.Population < 100000 || m.Place.Population > 900000 {
			t.Errorf("match %s %s pop %d breaks the filter", m.Place.Name, m.Place.Country, m.Place.Population)
		}
	}
	w = e.do(t, req{path: "/api/v1/municipalities/11008/matches?k=3&format=csv"})
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: got %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	// The API's CSV is the one schema of rank --csv and match --format
	// csv, after a BOM so that spreadsheets keep the accents.
	body := w.Body.String()
	if !strings.HasPrefix(body, datasets.UTF8BOM) {
		t.Errorf("csv: no UTF-8 BOM: %.40q", body)
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(body, datasets.UTF8BOM)), "\n")
	if len(lines) != 4 || lines[0] != strings.Join(datasets.RankCSVHeader, ",") || !strings.Contains(lines[1], "Whitewater") {
		t.Errorf("csv: got\n%s", w.Body)
	}
}

func TestErrors(t *testing.T) {
	e := mustEnv(t)
	cases := []struct {
		name   string
		r      req
		status int
		code   string
		field  string
		inMsg  string
	}{
		{"unknown municipality", req{path: "/api/v1/municipalities/32999"}, 404, datasets.ENotFound, "", "32999"},
		{"malformed cvegeo", req{path: "/api/v1/municipalities/abc/matches"}, 400, datasets.EInvalid, "cvegeo", ""},
		{"k zero", req{path: "/api/v1/municipalities/11008/matches?k=0"}, 400, datasets.EInvalid, "k", ""},
		{"k not a number", req{path: "/api/v1/municipalities/11008/matches?k=diez"}, 400, datasets.EInvalid, "k", ""},
		{"k too large", req{path: "/api/v1/municipalities/11008/matches?k=501"}, 400, datasets.EInvalid, "k", ""},
		{"bad country", req{path: "/api/v1/municipalities/11008/matches?country=USA"}, 400, datasets.EInvalid, "country", ""},
		{"population range", req{path: "/api/v1/municipalities/11008/matches?min_population=10&max_population=5"}, 400, datasets.EInvalid, "max_population", ""},
		{"bad boolean", req{path: "/api/v1/municipalities/11008/matches?exclude_twinned=quizá"}, 400, datasets.EInvalid, "exclude_twinned", ""},
		{"bad format", req{path: "/api/v1/municipalities/11008/matches?format=xml"}, 400, datasets.EInvalid, "format", ""},
		{"unknown place", req{path: "/api/v1/places/999999999"}, 404, datasets.ENotFound, "", ""},
		{"bad place id", req{path: "/api/v1/places/whitewater"}, 400, datasets.EInvalid, "id", ""},
		{"unknown consulate", req{path: "/api/v1/consulates/atlantis/opportunities"}, 404, datasets.ENotFound, "", ""},
		{"bad consulate id", req{path: "/api/v1/consulates/Atl%20antis"}, 400, datasets.EInvalid, "id", ""},
		{"unknown route", req{path: "/api/v1/nothing"}, 404, datasets.ENotFound, "", ""},
		{"wrong method", req{method: "DELETE", path: "/api/v1/municipalities/11008/profile"}, 405, EMethod, "", ""},
		{"match without municipality", req{method: "POST", path: "/api/v1/match", body: `{}`}, 400, datasets.EInvalid, "municipality", ""},
		{"match unknown municipality", req{method: "POST", path: "/api/v1/match?municipality=32999", body: `{}`}, 404, datasets.ENotFound, "", ""},
		{"match malformed json", req{method: "POST", path: "/api/v1/match?municipality=11008", body: `{"narrative":`}, 400, datasets.EInvalid, "", ""},
		{"match wrong type", req{method: "POST", path: "/api/v1/match?municipality=11008", body: `{"areas":{"a":"mucho"}}`}, 400, datasets.EInvalid, "areas", ""},
		{"match unknown field", req{method: "POST", path: "/api/v1/match?municipality=11008", body: `{"narative":"x"}`}, 400, datasets.EInvalid, "narative", ""},
		{"match invalid area", req{method: "POST", path: "/api/v1/match?municipality=11008", body: `{"areas":{"z":1}}`}, 400, datasets.EInvalid, "areas.z", ""},
		{"match not json", req{method: "POST", path: "/api/v1/match?municipality=11008", body: `x`, header: map[string]string{"Content-Type": "text/plain"}}, 415, EUnsupported, "", ""},
		{"match empty body", req{method: "POST", path: "/api/v1/match?municipality=11008", header: map[string]string{"Content-Type": "application/json"}}, 400, datasets.EInvalid, "", ""},
		{"classify empty", req{method: "POST", path: "/api/v1/classify", body: `{"text":"  "}`}, 400, datasets.EInvalid, "text", ""},
		{"search bad kind", req{path: "/api/v1/places?q=a&kind=river"}, 400, datasets.EInvalid, "kind", ""},
		{"search limit", req{path: "/api/v1/places?q=a&limit=1000"}, 400, datasets.EInvalid, "limit", ""},
		{"spanish by default", req{path: "/api/v1/municipalities/32999"}, 404, datasets.ENotFound, "", "No existe"},
		{"english by ?lang", req{path: "/api/v1/municipalities/32999?lang=en"}, 404, datasets.ENotFound, "", "There is no"},
		{"english by Accept-Language", req{path: "/api/v1/municipalities/32999", header: map[string]string{"Accept-Language": "en-US,en;q=0.9,es;q=0.5"}}, 404, datasets.ENotFound, "", "There is no"},
		{"spanish preferred by q", req{path: "/api/v1/municipalities/32999", header: map[string]string{"Accept-Language": "en;q=0.4,es-MX"}}, 404, datasets.ENotFound, "", "No existe"},
		{"validation message in spanish", req{method: "POST", path: "/api/v1/match?municipality=11008", body: `{"lang":"fr"}`}, 400, datasets.EInvalid, "lang", "perfil"},
	}
	for _, tc := range cases {
		w := e.do(t, tc.r)
		if w.Code != tc.status {
			t.Errorf("%s: got %d, want %d\n%s", tc.name, w.Code, tc.status, w.Body)
			continue
		}
		body := mustJSON[ErrorBody](t, w)
		if body.Error.Code != tc.code {
			t.Errorf("%s: got code %q, want %q", tc.name, body.Error.Code, tc.code)
		}
		if tc.field != "" && body.Error.Fields[tc.field] == "" {
			t.Errorf("%s: got fields %v, want a message for %q", tc.name, body.Error.Fields, tc.field)
		}
		if tc.inMsg != "" && !strings.Contains(body.Error.Message, tc.inMsg) {
			t.Errorf("%s: message %q should contain %q", tc.name, body.Error.Message, tc.inMsg)
		}
		if body.Error.RequestID == "" || body.Error.RequestID != w.Header().Get("X-Request-Id") {
			t.Errorf("%s: request id %q vs header %q", tc.name, body.Error.RequestID, w.Header().Get("X-Request-Id"))
		}
	}
	w := e.do(t, req{method: "POST", path: "/api/v1/match?municipality=11008", body: `{"lang":"fr"}`})
	if f := mustJSON[ErrorBody](t, w).Error.Fields["lang"]; !strings.Contains(f, "debe ser") {
		t.Errorf("field message %q should be in Spanish", f)
	}
}

func TestBodyLimit(t *testing.T) {
	e := mustEnv(t)
	big := `{"narrative":"` + strings.Repeat("a", 300<<10) + `"}`
	w := e.do(t, req{method: "POST", path: "/api/v1/match?municipality=11008", body: big})
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("got %d, want 413\n%s", w.Code, w.Body)
	}
	// Without a Content-Length the limit still holds while reading.
	hr, _ := http.NewRequest("POST", "/api/v1/match?municipality=11008", io.NopCloser(strings.NewReader(big)))
	hr.Header.Set("Content-Type", "application/json")
	hr.ContentLength = -1
	rw := httptest.NewRecorder()
	e.h.ServeHTTP(rw, hr)
	if rw.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked: got %d, want 413\n%s", rw.Code, rw.Body)
	}
}

func TestAuthScopes(t *testing.T) {
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, "11008", "")
	other := e.token(t, RoleLiaison, "11009", "")
	admin := e.token(t, RoleAdmin, "", "")
	analyst := e.token(t, RoleAnalyst, "", "")
	consul := e.token(t, RoleConsulate, "", "milwaukee")
	revoked := e.token(t, RoleLiaison, "11008", "")
	if _, err := NewTokens(e.store).Revoke(hashToken(revoked)[:12]); err != nil {
		t.Fatal(err)
	}
	profile := `{"lang":"es","problems":[{"text":"escasez de agua"}]}`
	put := "/api/v1/municipalities/11008/profile"
	tie := `{"municipality":"11009","place":"Madison, Wisconsin","size":120,"source":"consular survey 2024"}`
	cases := []struct {
		name string
		r    req
		want int
	}{
		{"profile without token", req{method: "PUT", path: put, body: profile}, 401},
		{"profile with a malformed token", req{method: "PUT", path: put, body: profile, token: "hmn_nope"}, 401},
		{"profile with a basic auth header", req{method: "PUT", path: put, body: profile, header: map[string]string{"Authorization": "Basic YTpi"}}, 401},
		{"profile with a revoked token", req{method: "PUT", path: put, body: profile, token: revoked}, 401},
		{"profile by another municipality's liaison", req{method: "PUT", path: put, body: profile, token: other}, 403},
		{"profile by an analyst", req{method: "PUT", path: put, body: profile, token: analyst}, 403},
		{"profile by a consulate", req{method: "PUT", path: put, body: profile, token: consul}, 403},
		{"profile by its liaison", req{method: "PUT", path: put, body: profile, token: liaison}, 200},
		{"profile by an admin", req{method: "PUT", path: put, body: profile, token: admin}, 200},
		{"rank without token", req{method: "POST", path: "/api/v1/rank", body: `{"municipalities":["11008"],"k":3}`}, 401},
		{"rank by a liaison", req{method: "POST", path: "/api/v1/rank", body: `{"municipalities":["11008"],"k":3}`, token: liaison}, 403},
		{"rank by an analyst", req{method: "POST", path: "/api/v1/rank", body: `{"municipalities":["11008"],"k":3}`, token: analyst}, 200},
		{"tie without token", req{method: "POST", path: "/api/v1/ties", body: tie}, 401},
		{"tie by a liaison", req{method: "POST", path: "/api/v1/ties", body: tie, token: liaison}, 403},
		{"tie outside the jurisdiction", req{method: "POST", path: "/api/v1/ties", body: `{"municipality":"11009","place":"Paris, France","size":10,"source":"x"}`, token: consul}, 403},
		{"tie by the consulate", req{method: "POST", path: "/api/v1/ties", body: tie, token: consul}, 201},
		{"same tie again updates", req{method: "POST", path: "/api/v1/ties", body: tie, token: consul}, 200},
		{"tie by an admin", req{method: "POST", path: "/api/v1/ties", body: `{"municipality":"11009","place_id":5278931,"size":5,"source":"x"}`, token: admin}, 201},
	}
	for _, tc := range cases {
		w := e.do(t, tc.r)
		if w.Code != tc.want {
			t.Errorf("%s: got %d, want %d\n%s", tc.name, w.Code, tc.want, w.Body)
		}
		if w.Code == 401 && w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tc.name)
		}
	}
}

func TestProfileWriteIsStoredAndApplied(t *testing.T) {
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	before := mustJSON[matcher.Result](t, e.do(t, req{path: "/api/v1/municipalities/11008/matches?k=3"}))
	if before.Query.Profile != "prefilled" {
		t.Fatalf("profile source before: %q", before.Query.Profile)
	}
	body := `{"lang":"es","narrative":"Municipio agrícola del Bajío","problems":[{"text":"escasez de agua"}],
		"areas":{"a":0.5,"b":1},"practices":[{"text":"ferias agrícolas"}],
		"diaspora":[{"place":"Whitewater, Wisconsin","size":500,"source":"SRE"}],
		"constraints":{"countries":["US"]}}`
	w := e.do(t, req{method: "PUT", path: "/api/v1/municipalities/11008/profile", body: body, token: liaison})
	if w.Code != 200 {
		t.Fatalf("PUT: %d %s", w.Code, w.Body)
	}
	put := mustJSON[datasets.Profile](t, w)
	if put.UpdatedAt == "" {
		t.Error("PUT answer has no updated_at")
	}
	raw, ok, err := e.store.Get(datasets.BucketProfiles, manuelDoblado)
	if err != nil || !ok {
		t.Fatalf("store has no profile for 11008 (%v)", err)
	}
	var stored datasets.Profile
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	w = e.do(t, req{path: "/api/v1/municipalities/11008/profile"})
	got := mustJSON[datasets.Profile](t, w)
	if w.Header().Get("X-Profile-Source") != "stored" || got.Narrative != stored.Narrative || len(got.Problems) != 1 ||
		got.Areas["b"] != 1 || got.Diaspora[0].Size != 500 || got.Constraints.Countries[0] != "US" {
		t.Errorf("GET after PUT: %+v (source %s)", got, w.Header().Get("X-Profile-Source"))
	}
	after := mustJSON[matcher.Result](t, e.do(t, req{path: "/api/v1/municipalities/11008/matches?k=3"}))
	if after.Query.Profile != "stored" {
		t.Errorf("matches after PUT still use the %q profile (cache not invalidated?)", after.Query.Profile)
	}
	if d := mustJSON[MunicipalityDetail](t, e.do(t, req{path: "/api/v1/municipalities/11008"})); !d.ProfileStored {
		t.Error("municipality detail does not say the profile is stored")
	}
}

func TestTieIsStoredAndScored(t *testing.T) {
	e := mustEnv(t)
	consul := e.token(t, RoleConsulate, "", "milwaukee")
	// A municipality without ties; after the tie its destination ranks first.
	w := e.do(t, req{method: "POST", path: "/api/v1/ties", token: consul,
		body: `{"municipality":"14039","place":"Waukesha, Wisconsin","size":3000,"year":2023,"source":"consulado","interest":true}`})
	if w.Code != 201 {
		t.Fatalf("POST tie: %d %s", w.Code, w.Body)
	}
	tv := mustJSON[TieView](t, w)
	if tv.RecordedBy != "milwaukee" || tv.PlaceRef.Name != "Waukesha" || tv.ID != "milwaukee-14039-"+itoa(int(tv.Place)) {
		t.Errorf("tie answer: %+v", tv)
	}
	if _, ok, _ := e.store.Get(datasets.BucketTies, tv.ID); !ok {
		t.Error("tie not in the store")
	}
	res := mustJSON[matcher.Result](t, e.do(t, req{path: "/api/v1/municipalities/14039/matches?k=3"}))
	if len(res.Matches) == 0 || res.Matches[0].Place.ID != tv.Place {
		t.Errorf("after the tie, 14039's first match is %+v, want %d", res.Matches, tv.Place)
	}
	ops := mustJSON[OpportunityList](t, e.do(t, req{path: "/api/v1/consulates/milwaukee/opportunities"}))
	found := false
	for _, o := range ops.Opportunities {
		found = found || (o.Municipality == "14039" && o.Place.ID == tv.Place && o.Interest)
	}
	if !found {
		t.Errorf("opportunities do not list 14039 → %d: %+v", tv.Place, ops)
	}
	// An ambiguous or unknown destination is a field error, not a guess.
	w = e.do(t, req{method: "POST", path: "/api/v1/ties", token: consul, body: `{"municipality":"14039","place":"Qwxzzy","source":"x"}`})
	if w.Code != 400 || mustJSON[ErrorBody](t, w).Error.Fields["place"] == "" {
		t.Errorf("unknown place: %d %s", w.Code, w.Body)
	}
}

func TestOpportunitiesMilwaukee(t *testing.T) {
	e := mustEnv(t)
	ops := mustJSON[OpportunityList](t, e.do(t, req{path: "/api/v1/consulates/milwaukee/opportunities"}))
	if len(ops.Opportunities) == 0 || ops.Opportunities[0].Municipality != manuelDoblado || ops.Opportunities[0].Place.ID != whitewater {
		t.Fatalf("first opportunity: %+v", ops.Opportunities)
	}
	if len(ops.Opportunities[0].Sources) == 0 || ops.Opportunities[0].MatchURL == "" {
		t.Errorf("opportunity lacks sources or link: %+v", ops.Opportunities[0])
	}
	d := mustJSON[ConsulateDetail](t, e.do(t, req{path: "/api/v1/consulates/milwaukee"}))
	if len(d.Ties) == 0 || d.Ties[0].Place != whitewater {
		t.Errorf("consulate ties: %+v", d.Ties)
	}
}

func TestRankStreams(t *testing.T) {
	e := mustEnv(t)
	analyst := e.token(t, RoleAnalyst, "", "")
	w := e.do(t, req{method: "POST", path: "/api/v1/rank", token: analyst, body: `{"state":"11","k":2}`})
	if w.Code != 200 || w.Header().Get("Content-Type") != mediaNDJSON {
		t.Fatalf("rank: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	sc := bufio.NewScanner(w.Body)
	n := 0
	var first datasets.RankRow
	for sc.Scan() {
		var row datasets.RankRow
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil || row.Municipality == "" {
			t.Fatalf("line %d: %v %s", n+1, err, sc.Text())
		}
		if n == 0 {
			first = row
		}
		n++
	}
	if n != 2*46 {
		t.Errorf("Guanajuato has 46 municipalities × k=2: got %d rows", n)
	}
	if first.Municipality != "11001" || first.Rank != 1 {
		t.Errorf("first row %+v", first)
	}
	// Manuel Doblado's row 1 is Whitewater, exactly as in GET matches.
	w = e.do(t, req{method: "POST", path: "/api/v1/rank", token: analyst, body: `{"municipalities":["11008"],"k":1}`,
		header: map[string]string{"Accept": "application/vnd.apache.parquet"}})
	if w.Code != 200 || w.Header().Get("Content-Type") != mediaParquet {
		t.Fatalf("parquet rank: %d %s", w.Code, w.Body)
	}
	rows, err := parquet.Read[datasets.RankRow](bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil || len(rows) != 1 || rows[0].PlaceID != whitewater || rows[0].DiasporaValue <= 0 {
		t.Errorf("parquet rows %+v (%v)", rows, err)
	}
	w = e.do(t, req{method: "POST", path: "/api/v1/rank", token: analyst, header: map[string]string{"Accept": "text/html"}})
	if w.Code != 406 {
		t.Errorf("Accept text/html: got %d, want 406", w.Code)
	}
	w = e.do(t, req{method: "POST", path: "/api/v1/rank", token: analyst, body: `{"municipalities":["99999","11008"],"state":"11"}`})
	if w.Code != 400 {
		t.Errorf("bad rank request: got %d, want 400", w.Code)
	}
}

func TestSearchAndCatalogue(t *testing.T) {
	e := mustEnv(t)
	pl := mustJSON[PlaceList](t, e.do(t, req{path: "/api/v1/places?q=manuel%20doblado&kind=municipality"}))
	if len(pl.Places) == 0 || pl.Places[0].CVEGEO() != manuelDoblado || pl.Places[0].URL != "/municipios/11008" {
		t.Errorf("search: %+v", pl)
	}
	if pl := mustJSON[PlaceList](t, e.do(t, req{path: "/api/v1/places?q="})); pl.Places == nil || len(pl.Places) != 0 {
		t.Errorf("empty query: %+v", pl)
	}
	pd := mustJSON[PlaceDetail](t, e.do(t, req{path: "/api/v1/places/5278931"}))
	if pd.Place.Name != "Whitewater" || len(pd.Ties) == 0 || len(pd.Consulates) == 0 || pd.Consulates[0].ID != "milwaukee" || !pd.Candidate {
		t.Errorf("place detail: %+v", pd)
	}
	md := mustJSON[MunicipalityDetail](t, e.do(t, req{path: "/api/v1/municipalities/11008"}))
	if md.Name != "Manuel Doblado" || md.State != "11" || len(md.Ties) == 0 {
		t.Errorf("municipality: %+v", md)
	}
	cl := mustJSON[Classification](t, e.do(t, req{method: "POST", path: "/api/v1/classify", body: `{"text":"escasez de agua en la cabecera","lang":"es"}`}))
	if len(cl.Categories) == 0 || cl.Categories[0].Label == "" || len(cl.Categories[0].SDG) == 0 {
		t.Errorf("classify: %+v", cl)
	}
	tx := mustJSON[TaxonomyList](t, e.do(t, req{path: "/api/v1/taxonomy?lang=en"}))
	if len(tx.Categories) < 60 {
		t.Errorf("taxonomy has %d categories", len(tx.Categories))
	}
}

func TestTokens(t *testing.T) {
	e := mustEnv(t)
	toks := NewTokens(e.store)
	secret, tok, err := toks.Create(RoleLiaison, "11008", "", "Ana")
	if err != nil {
		t.Fatal(err)
	}
	if !tokenRE.MatchString(secret) || tok.ID != hashToken(secret)[:12] {
		t.Errorf("token %q id %q", secret, tok.ID)
	}
	// Only the hash is stored.
	_ = e.store.List(datasets.BucketTokens, func(k string, v []byte) error {
		if strings.Contains(k, secret) || bytes.Contains(v, []byte(secret)) {
			t.Error("the secret is stored in clear")
		}
		return nil
	})
	if got, err := toks.Lookup(secret); err != nil || got.Municipality != "11008" {
		t.Errorf("lookup: %+v %v", got, err)
	}
	bad := []struct{ role, muni, con string }{
		{"root", "", ""}, {RoleLiaison, "", ""}, {RoleLiaison, "123", ""}, {RoleConsulate, "", ""},
		{RoleAdmin, "11008", ""}, {RoleLiaison, "11008", "milwaukee"},
	}
	for _, b := range bad {
		if _, _, err := toks.Create(b.role, b.muni, b.con, ""); datasets.ErrorCode(err) != datasets.EInvalid {
			t.Errorf("Create(%q,%q,%q): got %v, want invalid", b.role, b.muni, b.con, err)
		}
	}
	if _, err := toks.Revoke(tok.ID[:8]); err != nil {
		t.Fatal(err)
	}
	if _, err := toks.Lookup(secret); datasets.ErrorCode(err) != datasets.EUnauthorized {
		// userError carries the code; check through errorDetail.
		if errorDetail(err, "en").Code != datasets.EUnauthorized {
			t.Errorf("revoked token: %v", err)
		}
	}
	list, err := toks.List()
	if err != nil || len(list) != 1 || !list[0].Revoked() {
		t.Errorf("list: %+v %v", list, err)
	}
	if _, err := toks.Revoke("zz"); err == nil {
		t.Error("revoke of a malformed id succeeded")
	}
}

func TestAcceptLanguage(t *testing.T) {
	cases := []struct{ q, cookie, accept, want string }{
		{"", "", "", "es"},
		{"en", "", "es", "en"},
		{"", "en", "es", "en"},
		{"xx", "", "en-GB", "en"},
		{"", "", "fr, en;q=0.8, es;q=0.9", "es"},
		{"", "", "de", "es"},
		{"", "", "en;q=abc", "en"},
	}
	for _, tc := range cases {
		if got := pickLang(tc.q, tc.cookie, tc.accept); got != tc.want {
			t.Errorf("pickLang(%q,%q,%q): got %q, want %q", tc.q, tc.cookie, tc.accept, got, tc.want)
		}
	}
}

func TestCacheInvalidatedByTie(t *testing.T) {
	e := mustEnv(t)
	admin := e.token(t, RoleAdmin, "", "")
	path := "/api/v1/municipalities/20067/matches?k=1"
	a := e.do(t, req{path: path}).Body.String()
	if b := e.do(t, req{path: path}).Body.String(); a != b {
		t.Fatal("two reads differ")
	}
	w := e.do(t, req{method: "POST", path: "/api/v1/ties", token: admin, body: `{"municipality":"20067","place_id":5278931,"size":900,"source":"x"}`})
	if w.Code != 201 {
		t.Fatalf("tie: %d %s", w.Code, w.Body)
	}
	res := mustJSON[matcher.Result](t, e.do(t, req{path: path}))
	if res.Matches[0].Place.ID != whitewater {
		t.Errorf("after the tie the cached answer is still served: %+v", res.Matches[0].Place)
	}
}

// TestConcurrentReadsAndWrites mixes cached reads with writes that
// invalidate the cache; run with -race.
func TestConcurrentReadsAndWrites(t *testing.T) {
	e := mustEnv(t)
	admin := e.token(t, RoleAdmin, "", "")
	munis := []string{"11008", "11009", "14039", "20067"}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				w := e.do(t, req{path: "/api/v1/municipalities/" + munis[(g+i)%len(munis)] + "/matches?k=3"})
				if w.Code != 200 {
					errs <- w.Body.String()
				}
			}
		}(g)
	}
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				w := e.do(t, req{method: "PUT", path: "/api/v1/municipalities/" + munis[g] + "/profile", token: admin,
					body: `{"lang":"es","narrative":"vuelta ` + itoa(i) + `"}`})
				if w.Code != 200 {
					errs <- w.Body.String()
				}
				w = e.do(t, req{method: "POST", path: "/api/v1/ties", token: admin,
					body: `{"municipality":"` + munis[g+2] + `","place_id":5278931,"size":` + itoa(10+i) + `,"source":"x"}`})
				if w.Code != 200 && w.Code != 201 {
					errs <- w.Body.String()
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	p := mustJSON[datasets.Profile](t, e.do(t, req{path: "/api/v1/municipalities/11008/profile"}))
	if p.Narrative != "vuelta 4" {
		t.Errorf("last write lost: %q", p.Narrative)
	}
}
