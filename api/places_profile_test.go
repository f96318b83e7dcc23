package api

import (
	"fmt"
	"strings"
	"testing"

	"hermanar/datasets"
	"hermanar/matcher"
)

// Who may write a foreign city's profile and interest: the consulate of
// its jurisdiction, an analyst, an admin; nobody else.
func TestPlaceProfileScopes(t *testing.T) {
	e := mustEnv(t)
	milwaukee := e.token(t, RoleConsulate, "", "milwaukee")
	analyst := e.token(t, RoleAnalyst, "", "")
	admin := e.token(t, RoleAdmin, "", "")
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	body := `{"lang":"en","practices":[{"text":"wastewater reuse"}],"source":"consulate visit 2026"}`
	cases := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"consulate, own jurisdiction", "PUT", "/api/v1/places/5278931/profile", milwaukee, body, 200},
		{"consulate, outside", "PUT", fmt.Sprintf("/api/v1/places/%d/profile", chicagoID), milwaukee, body, 403},
		{"liaison", "PUT", "/api/v1/places/5278931/profile", liaison, body, 403},
		{"no token", "PUT", "/api/v1/places/5278931/profile", "", body, 401},
		{"analyst, anywhere", "PUT", fmt.Sprintf("/api/v1/places/%d/profile", chicagoID), analyst, body, 200},
		{"admin", "PUT", "/api/v1/places/2643743/profile", admin, body, 200},
		{"a Mexican place", "PUT", "/api/v1/places/4024473/profile", analyst, body, 400},
		{"no source", "PUT", "/api/v1/places/5278931/profile", milwaukee, `{"lang":"en","practices":[{"text":"x"}]}`, 400},
		{"diaspora on a city", "PUT", "/api/v1/places/5278931/profile", milwaukee, `{"diaspora":[{"place":"Chicago, Illinois"}],"source":"x"}`, 400},
		{"unknown region", "PUT", "/api/v1/places/5278931/profile", milwaukee, `{"wishes":{"regions":["Atlantis"]},"source":"x"}`, 400},
		{"interest, consulate", "POST", "/api/v1/places/5278931/interest", milwaukee, `{"municipality":"14039","date":"2026-11-30","source":"llamada del alcalde"}`, 201},
		{"interest again", "POST", "/api/v1/places/5278931/interest", milwaukee, `{"municipality":"14039","date":"2026-11-30","source":"llamada del alcalde"}`, 200},
		{"interest, liaison", "POST", "/api/v1/places/5278931/interest", liaison, `{"municipality":"11008","date":"2026-11-30","source":"x"}`, 403},
		{"interest, outside", "POST", fmt.Sprintf("/api/v1/places/%d/interest", chicagoID), milwaukee, `{"state":"11","date":"2026","source":"x"}`, 403},
		{"interest, bad date", "POST", "/api/v1/places/5278931/interest", milwaukee, `{"municipality":"14039","date":"30/11/2026","source":"x"}`, 400},
		{"interest, unknown municipality", "POST", "/api/v1/places/5278931/interest", milwaukee, `{"municipality":"99999","date":"2026","source":"x"}`, 400},
	}
	for _, tc := range cases {
		w := e.do(t, req{method: tc.method, path: tc.path, token: tc.token, body: tc.body})
		if w.Code != tc.want {
			t.Errorf("%s: got %d, want %d: %s", tc.name, w.Code, tc.want, w.Body)
		}
	}
	// What the consulate stored carries who, when and from what source,
	// and the curated interest is kept next to the new one.
	v := mustJSON[PlaceProfileView](t, e.do(t, req{path: "/api/v1/places/5278931/profile"}))
	pr := v.Provenance["practices"]
	if pr.By != "consulate milwaukee" || pr.Source != "consulate visit 2026" || pr.At == "" {
		t.Errorf("practices provenance: %+v", pr)
	}
	if v.Provenance["narrative"].Source == "consulate visit 2026" {
		t.Errorf("an emptied field took the new source: %+v", v.Provenance)
	}
	if len(v.Interests) != 2 || v.Interests[1].RecordedBy != "consulate milwaukee" || v.PlaceRef.Name != "Whitewater" {
		t.Errorf("interests after POST: %+v", v.Interests)
	}
	if w := e.do(t, req{path: "/api/v1/places/5128581/profile"}); w.Code != 404 {
		t.Errorf("GET of a place without a profile: %d", w.Code)
	}
	// The record survives in the store.
	if _, ok, _ := e.store.Get(datasets.BucketPlaceProfiles, "5278931"); !ok {
		t.Error("the place profile is not in the store")
	}
}

// Reciprocity through HTTP: a city whose recorded profile offers what the
// municipality's problems need ranks above an otherwise-equal city, and
// the explanation names what each side offers; in both language pairs.
func TestReciprocityThroughHTTP(t *testing.T) {
	type side struct{ lang, good, other, problems, practices, wantOffer, wantMine string }
	sides := []side{
		{"en", `[{"text":"treated wastewater reuse for irrigation"},{"text":"flood management with retention basins"}]`,
			`[{"text":"jazz festival"},{"text":"ice hockey league"}]`,
			`[{"text":"escasez de agua en la cabecera"},{"text":"inundaciones en temporada de lluvias"}]`,
			`[{"text":"ferias gastronómicas"}]`, "wastewater", "ferias gastronómicas"},
		{"es", `[{"text":"reutilización de aguas residuales tratadas para riego"},{"text":"manejo de inundaciones con vasos reguladores"}]`,
			`[{"text":"festival de jazz"},{"text":"liga de hockey sobre hielo"}]`,
			`[{"text":"water shortage in the town centre"},{"text":"floods in the rainy season"}]`,
			`[{"text":"food fairs"}]`, "aguas residuales", "food fairs"},
	}
	// Two Californian cities of about the same size: Salinas and Santa
	// Rosa, neither twinned with Manuel Doblado nor tied to it.
	const good, other = 5391295, 5393287
	for _, sd := range sides {
		e := mustEnv(t)
		analyst := e.token(t, RoleAnalyst, "", "")
		mlang := "es"
		if sd.lang == "es" {
			mlang = "en"
		}
		for id, prac := range map[int64]string{good: sd.good, other: sd.other} {
			w := e.do(t, req{method: "PUT", path: fmt.Sprintf("/api/v1/places/%d/profile", id), token: analyst,
				body: `{"lang":"` + sd.lang + `","practices":` + prac + `,"source":"test list"}`})
			if w.Code != 200 {
				t.Fatalf("%s: PUT %d: %d %s", sd.lang, id, w.Code, w.Body)
			}
		}
		w := e.do(t, req{method: "POST", path: "/api/v1/match?municipality=11008&k=200&country=US&lang=" + mlang,
			body: `{"lang":"` + mlang + `","problems":` + sd.problems + `,"practices":` + sd.practices + `}`})
		if w.Code != 200 {
			t.Fatalf("%s: POST /match: %d %s", sd.lang, w.Code, w.Body)
		}
		res := mustJSON[matcher.Result](t, w)
		rank := map[int64]int{}
		var gm matcher.Match
		for _, m := range res.Matches {
			rank[m.Place.ID] = m.Rank
			if m.Place.ID == good {
				gm = m
			}
		}
		if rank[good] == 0 || (rank[other] != 0 && rank[other] < rank[good]) {
			t.Errorf("%s: the city offering water practices ranks %d, the other %d", sd.lang, rank[good], rank[other])
			continue
		}
		var prob *matcher.Component
		for i := range gm.Components {
			if gm.Components[i].Name == matcher.CompProblems {
				prob = &gm.Components[i]
			}
		}
		if prob == nil || prob.Value <= 0 {
			t.Errorf("%s: no problems component for the water city: %+v", sd.lang, gm.Components)
			continue
		}
		ev := strings.Join(prob.Evidence, " | ")
		if !strings.Contains(ev, sd.wantOffer) || !strings.Contains(ev, sd.wantMine) || !strings.Contains(ev, "Manuel Doblado") {
			t.Errorf("%s: the explanation does not name both sides' offers: %s", sd.lang, ev)
		}
	}
}

// The seed letter's facts about Whitewater reach Manuel Doblado's
// explanation, with the letter as their source.
func TestWhitewaterCuratedProfile(t *testing.T) {
	e := mustEnv(t)
	for _, lang := range []string{"es", "en"} {
		res := mustJSON[matcher.Result](t, e.do(t, req{path: "/api/v1/municipalities/11008/matches?k=3&lang=" + lang}))
		m, ok := findMatch(res, whitewater)
		if !ok || m.Partner == nil {
			t.Fatalf("%s: Whitewater has no partner notes: %+v", lang, res.Matches)
		}
		all := strings.Join(append(append(m.Partner.Exchange, m.Partner.Interest...), m.Partner.Provenance...), " | ")
		want := map[string][]string{
			"es": {"Universidad de Wisconsin–Whitewater", "Kettle Moraine", "Maxwell Street Days", "mercado de agricultores", "Día del Niño", "San José de Otates", "DEP-0121/22"},
			"en": {"University of Wisconsin–Whitewater", "Kettle Moraine", "Maxwell Street Days", "Farmers' Market", "Children's Day", "San José de Otates", "DEP-0121/22"},
		}[lang]
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: Whitewater's explanation lacks %q: %s", lang, w, all)
			}
		}
	}
}
