package api

import (
	"strings"
	"testing"

	"hermanar/datasets"
)

func TestShortlistKeepsCompareRemove(t *testing.T) {
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	consul := e.token(t, RoleConsulate, "", "milwaukee")
	sl := "/api/v1/municipalities/11008/shortlist"
	for _, body := range []string{`{"place_id":5278931,"note":"Otates","areas":["c","b","b"]}`, `{"place_id":5261457}`} {
		if w := e.do(t, req{method: "POST", path: sl, body: body, token: liaison}); w.Code != 201 {
			t.Fatalf("add %s: %d %s", body, w.Code, w.Body)
		}
	}
	v := mustJSON[ShortlistView](t, e.do(t, req{path: sl, token: liaison}))
	if len(v.Entries) != 2 || v.Entries[0].Place.Name != "Whitewater" || v.Entries[1].Place.Name != "Madison" {
		t.Fatalf("entries: %+v", v.Entries)
	}
	ww := v.Entries[0]
	if ww.Rank != 1 || ww.Main != "diaspora" || ww.Note != "Otates" || strings.Join(ww.Areas, "") != "bc" || !strings.HasPrefix(ww.AddedBy, "liaison 11008 #") {
		t.Errorf("Whitewater entry: %+v", ww)
	}
	if v.Entries[1].Rank <= 1 || v.Entries[1].DistanceKm < 2000 {
		t.Errorf("Madison entry: %+v", v.Entries[1])
	}

	// Bad input changes nothing.
	for _, tc := range []struct{ name, body, field string }{
		{"mexican place", `{"place_id":4024473}`, "place_id"},
		{"unknown area", `{"place_id":5278931,"areas":["x"]}`, "areas[0]"},
		{"no place", `{"note":"x"}`, "place_id"},
		{"nul in note", `{"place_id":5278931,"note":"a\u0000b"}`, "note"},
	} {
		w := e.do(t, req{method: "POST", path: sl + "?lang=en", body: tc.body, token: liaison})
		d := mustJSON[ErrorBody](t, w)
		if w.Code != 400 || d.Error.Fields[tc.field] == "" {
			t.Errorf("%s: got %d %v, want 400 naming %s", tc.name, w.Code, d.Error.Fields, tc.field)
		}
	}
	stored, err := datasets.LoadShortlist(e.store, manuelDoblado)
	if err != nil || len(stored.Entries) != 2 || stored.Entries[0].Note != "Otates" {
		t.Errorf("after bad input the store holds %+v (%v)", stored, err)
	}

	// A consulate sees only the cities of its jurisdiction (Wisconsin).
	if w := e.do(t, req{method: "POST", path: sl, body: `{"place_id":2988507}`, token: liaison}); w.Code != 201 {
		t.Fatalf("add Paris: %d", w.Code)
	}
	if cv := mustJSON[ShortlistView](t, e.do(t, req{path: sl, token: consul})); len(cv.Entries) != 2 {
		t.Errorf("milwaukee sees %d entries, want the 2 in Wisconsin", len(cv.Entries))
	}
	if w := e.do(t, req{method: "DELETE", path: sl + "/2988507", token: liaison}); w.Code != 200 {
		t.Fatalf("remove Paris: %d", w.Code)
	}

	cmp := mustJSON[CompareView](t, e.do(t, req{path: "/api/v1/municipalities/11008/compare?places=5278931,5261457"}))
	if len(cmp.Items) != 2 || len(cmp.Items[0].Ties) != 1 || cmp.Items[0].Ties[0].Locality != "San José de Otates" || len(cmp.Items[1].Ties) != 0 {
		t.Fatalf("compare: %+v", cmp)
	}
	if cmp.Items[0].Place.Population != 14692 || cmp.Items[1].Place.Population <= cmp.Items[0].Place.Population || len(cmp.Items[0].Traits) == 0 {
		t.Errorf("compare places: %+v / %+v", cmp.Items[0], cmp.Items[1])
	}
	if w := e.do(t, req{path: "/api/v1/municipalities/11008/compare?places=1,2,3,4,5"}); w.Code != 400 {
		t.Errorf("compare five: %d", w.Code)
	}

	if w := e.do(t, req{method: "DELETE", path: sl + "/5278931", token: liaison}); w.Code != 200 {
		t.Fatalf("remove: %d %s", w.Code, w.Body)
	}
	stored, _ = datasets.LoadShortlist(e.store, manuelDoblado)
	if len(stored.Entries) != 1 || stored.Entries[0].Place != madison {
		t.Errorf("after removal the store holds %+v", stored.Entries)
	}
}
