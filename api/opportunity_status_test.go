package api

import (
	"bytes"
	"testing"
)

// A consulate records through the API where it has taken an opportunity;
// the list shows it with its history, and a bad request or another
// consulate's token changes nothing.
func TestOpportunityStatusThroughAPI(t *testing.T) {
	e := mustEnv(t)
	consul := e.token(t, RoleConsulate, "", "milwaukee")
	other := e.token(t, RoleConsulate, "", "chicago")
	path := "/api/v1/consulates/milwaukee/opportunities/11008/5278931"

	ops := mustJSON[OpportunityList](t, e.do(t, req{path: "/api/v1/consulates/milwaukee/opportunities"}))
	found := false
	for _, o := range ops.Opportunities {
		if o.Municipality == "11008" && o.Place.ID == 5278931 {
			found = true
			if o.Status != "new" || len(o.History) != 0 {
				t.Errorf("before any change: status %q, %d changes", o.Status, len(o.History))
			}
		}
	}
	if !found {
		t.Fatal("11008 → Whitewater is not an opportunity of Milwaukee")
	}

	w := e.do(t, req{method: "PUT", path: path, token: consul, body: `{"status":"contacted","note":"carta al alcalde"}`})
	if w.Code != 200 {
		t.Fatalf("PUT: %d %s", w.Code, w.Body)
	}
	st := mustJSON[OppStatus](t, w)
	if st.Status != "contacted" || len(st.History) != 1 || st.History[0].By != "consulate milwaukee" || st.History[0].Note != "carta al alcalde" {
		t.Errorf("answer: %+v", st)
	}
	before, _, _ := e.store.Get(BucketOpportunities, oppKey("milwaukee", "11008", 5278931))

	bad := []struct {
		name, token, path, body, field string
		code                           int
	}{
		{"unknown status", consul, path, `{"status":"won"}`, "status", 400},
		{"long note", consul, path, `{"status":"dismissed","note":"` + string(bytes.Repeat([]byte("x"), 501)) + `"}`, "note", 400},
		{"place outside the jurisdiction", consul, "/api/v1/consulates/milwaukee/opportunities/11008/3530597", `{"status":"contacted"}`, "place", 400},
		{"place not a number", consul, "/api/v1/consulates/milwaukee/opportunities/11008/x", `{"status":"contacted"}`, "place", 400},
		{"unknown municipality", consul, "/api/v1/consulates/milwaukee/opportunities/32999/5278931", `{"status":"contacted"}`, "municipality", 400},
		{"unknown key", consul, path, `{"status":"contacted","estatus":"x"}`, "", 400},
		{"another consulate", other, path, `{"status":"dismissed"}`, "", 403},
	}
	for _, c := range bad {
		wantAnswer(t, c.name, e.do(t, req{method: "PUT", path: c.path, token: c.token, body: c.body}), c.code, c.field)
	}
	if after, _, _ := e.store.Get(BucketOpportunities, oppKey("milwaukee", "11008", 5278931)); !bytes.Equal(before, after) {
		t.Error("a refused request changed the stored status")
	}

	ops = mustJSON[OpportunityList](t, e.do(t, req{path: "/api/v1/consulates/milwaukee/opportunities"}))
	for _, o := range ops.Opportunities {
		if o.Municipality == "11008" && o.Place.ID == 5278931 && (o.Status != "contacted" || len(o.History) != 1) {
			t.Errorf("the list does not show the change: %q, %d changes", o.Status, len(o.History))
		}
	}
	if body := e.page(t, "/consulados/milwaukee", consul); !bytes.Contains([]byte(body), []byte("carta al alcalde")) {
		t.Error("the consulate page does not show the change made through the API")
	}
}
