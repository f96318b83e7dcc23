package api

import (
	"strings"
	"testing"

	"hermanar/datasets"
	"hermanar/matcher"
)

const chicagoID = 4887398 // Chicago, Illinois (GeoNames)

func diasporaEvidence(m matcher.Match) string {
	for _, c := range m.Components {
		if c.Name == matcher.CompDiaspora {
			return strings.Join(c.Evidence, " | ") + " || " + c.Source
		}
	}
	return ""
}

func findMatch(res matcher.Result, id int64) (matcher.Match, bool) {
	for _, m := range res.Matches {
		if m.Place.ID == id {
			return m, true
		}
	}
	return matcher.Match{}, false
}

// A migrant destination typed into a profile is a tie of the municipality:
// resolved like POST /ties, scored, explained with its source, listed for
// the consulate that serves it, and gone when the entry is removed.
func TestProfileDiasporaBecomesTies(t *testing.T) {
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, "14039", "")
	put := func(diaspora string) *datasetsProfileAnswer {
		w := e.do(t, req{method: "PUT", path: "/api/v1/municipalities/14039/profile", token: liaison,
			body: `{"lang":"es","problems":[{"text":"escasez de agua"}],"diaspora":[` + diaspora + `]}`})
		return &datasetsProfileAnswer{code: w.Code, body: w.Body.String()}
	}
	if a := put(`{"place":"Chicago, Illinois","size":3000,"source":"padrón municipal de migrantes 2025"},
		{"place":"Waukesha, Wisconsin","size":800,"source":"club de migrantes","year":2024}`); a.code != 200 {
		t.Fatalf("PUT: %d %s", a.code, a.body)
	}
	got := mustJSON[datasets.Profile](t, e.do(t, req{path: "/api/v1/municipalities/14039/profile"}))
	if len(got.Diaspora) != 2 || got.Diaspora[0].PlaceID != chicagoID || got.Diaspora[0].Place != "Chicago, Illinois" {
		t.Fatalf("stored diaspora: %+v", got.Diaspora)
	}
	waukesha := got.Diaspora[1].PlaceID
	res := mustJSON[matcher.Result](t, e.do(t, req{path: "/api/v1/municipalities/14039/matches?k=3"}))
	m, ok := findMatch(res, chicagoID)
	if !ok {
		t.Fatalf("Chicago is not in the top 3: %+v", res.Matches)
	}
	if ev := diasporaEvidence(m); !strings.Contains(ev, "padrón municipal de migrantes 2025") || !strings.Contains(ev, "3,000") {
		t.Errorf("Chicago's diaspora evidence: %s", ev)
	}
	// Waukesha is in Milwaukee's jurisdiction: the consulate sees it.
	hasOpp := func() bool {
		ops := mustJSON[OpportunityList](t, e.do(t, req{path: "/api/v1/consulates/milwaukee/opportunities"}))
		for _, o := range ops.Opportunities {
			if o.Municipality == "14039" && o.Place.ID == waukesha {
				return strings.Contains(strings.Join(o.Evidence, " "), "club de migrantes")
			}
		}
		return false
	}
	if !hasOpp() {
		t.Error("Milwaukee's opportunities do not list 14039 → Waukesha with its source")
	}
	d := mustJSON[ConsulateDetail](t, e.do(t, req{path: "/api/v1/consulates/milwaukee"}))
	found := false
	for _, tv := range d.Ties {
		if tv.Municipality == "14039" && tv.Place == waukesha {
			found = tv.RecordedBy == "liaison 14039" && tv.Year == 2024 && tv.ID == matcher.ProfileTieID("14039", waukesha)
		}
	}
	if !found {
		t.Errorf("consulate ties lack the liaison's tie to Waukesha: %+v", d.Ties)
	}
	// Removing the entry removes the tie.
	if a := put(`{"place":"Chicago, Illinois","size":3000,"source":"padrón municipal de migrantes 2025"}`); a.code != 200 {
		t.Fatalf("PUT without Waukesha: %d %s", a.code, a.body)
	}
	if hasOpp() {
		t.Error("Waukesha is still an opportunity after the entry was removed")
	}
}

type datasetsProfileAnswer struct {
	code int
	body string
}

// Destinations that do not name one place abroad are field errors, and
// nothing is stored.
func TestProfileDiasporaRejected(t *testing.T) {
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, "14039", "")
	cases := []struct {
		name, entry, field, want string
	}{
		{"ambiguous", `{"place":"Springfield","size":10}`, "diaspora[0].place", "Springfield, Sangamon County, Illinois"},
		{"unknown", `{"place":"Qwxzzy Ville","size":10}`, "diaspora[0].place", "Qwxzzy"},
		{"misspelt region", `{"place":"Whitwater, Wisconson"}`, "diaspora[0].place", "Wisconson"},
		{"mexican name", `{"place":"León, Guanajuato"}`, "diaspora[0].place", "México"},
		{"mexican id", `{"place_id":4024473}`, "diaspora[0].place_id", "México"},
		{"unknown id", `{"place_id":999999999}`, "diaspora[0].place_id", "no es un lugar conocido"},
	}
	for _, tc := range cases {
		for _, path := range []string{"/api/v1/municipalities/14039/profile", "/api/v1/match?municipality=14039"} {
			method := "PUT"
			if strings.HasPrefix(path, "/api/v1/match") {
				method = "POST"
			}
			w := e.do(t, req{method: method, path: path, token: liaison, header: map[string]string{"Accept-Language": "es"},
				body: `{"lang":"es","diaspora":[` + tc.entry + `]}`})
			if w.Code != 400 {
				t.Errorf("%s %s: %d %s", tc.name, method, w.Code, w.Body)
				continue
			}
			if msg := mustJSON[ErrorBody](t, w).Error.Fields[tc.field]; !strings.Contains(msg, tc.want) {
				t.Errorf("%s %s: %s = %q, want it to mention %q", tc.name, method, tc.field, msg, tc.want)
			}
		}
	}
	if _, ok, _ := e.store.Get(datasets.BucketProfiles, "14039"); ok {
		t.Error("a rejected profile was stored")
	}
}

// POST /match scores an ad-hoc profile's destinations without storing
// anything.
func TestPostMatchDiasporaNotStored(t *testing.T) {
	e := mustEnv(t)
	w := e.do(t, req{method: "POST", path: "/api/v1/match?municipality=14039&k=3",
		body: `{"lang":"es","diaspora":[{"place":"Chicago, Illinois","size":3000,"source":"encuesta 2025"}]}`})
	if w.Code != 200 {
		t.Fatalf("POST /match: %d %s", w.Code, w.Body)
	}
	m, ok := findMatch(mustJSON[matcher.Result](t, w), chicagoID)
	if !ok || !strings.Contains(diasporaEvidence(m), "encuesta 2025") {
		t.Errorf("ad-hoc Chicago: %v %s", ok, diasporaEvidence(m))
	}
	if ts := e.b.Engine.Ties("14039"); len(ts) != 0 {
		t.Errorf("POST /match left ties: %+v", ts)
	}
	if _, ok, _ := e.store.Get(datasets.BucketProfiles, "14039"); ok {
		t.Error("POST /match stored a profile")
	}
}
