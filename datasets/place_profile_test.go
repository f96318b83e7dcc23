package datasets

import (
	"strings"
	"testing"
	"time"
)

func TestWhitewaterCuratedRecord(t *testing.T) {
	snap, err := DefaultSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if fails := verifyWhitewater(snap); len(fails) > 0 {
		t.Fatalf("the shipped record fails: %v", fails)
	}
	recs, _ := CuratedPlaceProfiles(snap)
	cases := []struct {
		name string
		edit func(p *PlaceProfile)
		want string
	}{
		{"a fact dropped", func(p *PlaceProfile) { p.Practices = p.Practices[:3] }, "Maxwell Street Days"},
		{"Spanish missing", func(p *PlaceProfile) { p.Practices[0].I18n = nil }, "Universidad de Wisconsin–Whitewater"},
		{"interest gone", func(p *PlaceProfile) { p.Interests = nil }, "interest"},
		{"source gone", func(p *PlaceProfile) { p.Provenance["contact"] = Provenance{By: "x", Source: "phone call"} }, "contact"},
	}
	for _, tc := range cases {
		p := recs[0]
		p.Practices = append([]Practice(nil), p.Practices...)
		p.Provenance = map[string]Provenance{}
		for k, v := range recs[0].Provenance {
			p.Provenance[k] = v
		}
		tc.edit(&p)
		if fails := strings.Join(checkWhitewater(&p), "\n"); !strings.Contains(fails, tc.want) {
			t.Errorf("%s: verify says %q, want a failure naming %q", tc.name, fails, tc.want)
		}
	}
}

func TestPlaceProfileUpdateApply(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	base := PlaceProfileUpdate{Profile: Profile{Lang: "en", Narrative: "A river town", Practices: []Practice{{Text: "flood basins"}}},
		Source: "embassy list"}.Apply(PlaceProfile{PlaceID: 1, Interests: []Interest{{State: "11", Date: "2026", Source: "x"}}}, "analyst", t0)
	if base.Provenance["narrative"].By != "analyst" || base.Provenance["practices"].Source != "embassy list" || len(base.Interests) != 1 {
		t.Fatalf("first apply: %+v", base)
	}
	u := base.Update()
	u.Practices = []Practice{{Text: "flood basins"}, {Text: "wastewater reuse"}}
	u.Source = "consulate visit"
	got := u.Apply(base, "consulate milwaukee", t0.Add(time.Hour))
	if p := got.Provenance["practices"]; p.By != "consulate milwaukee" || p.Source != "consulate visit" {
		t.Errorf("changed field: %+v", p)
	}
	if p := got.Provenance["narrative"]; p.By != "analyst" || p.Source != "embassy list" {
		t.Errorf("unchanged field lost its provenance: %+v", p)
	}
	if len(got.Interests) != 1 {
		t.Errorf("interests lost: %+v", got.Interests)
	}
	cases := []struct {
		name  string
		u     PlaceProfileUpdate
		field string
	}{
		{"no source", PlaceProfileUpdate{}, "source"},
		{"region", PlaceProfileUpdate{Source: "x", Wishes: Wishes{Regions: []string{"Atlantis"}}}, "wishes.regions[0]"},
		{"country", PlaceProfileUpdate{Source: "x", Wishes: Wishes{Countries: []string{"M1"}}}, "wishes.countries[0]"},
		{"diaspora", PlaceProfileUpdate{Source: "x", Profile: Profile{Diaspora: []DiasporaLink{{Place: "x"}}}}, "diaspora"},
		{"email", PlaceProfileUpdate{Source: "x", Contact: &Contact{Email: "nobody"}}, "contact.email"},
	}
	for _, tc := range cases {
		err := tc.u.Validate(nil)
		e, ok := err.(*Error)
		if !ok || e.Fields[tc.field].EN == "" || e.Fields[tc.field].ES == "" {
			t.Errorf("%s: got %v, want a bilingual error on %s", tc.name, err, tc.field)
		}
	}
	w := PlaceProfileUpdate{Source: "x", Wishes: Wishes{Regions: []string{"Oceania", "América Latina"}, Languages: []string{"English-speaking"}}}
	if err := w.Validate(nil); err != nil || w.Wishes.Regions[0] != "009" || w.Wishes.Regions[1] != "419" || w.Wishes.Languages[0] != "en" {
		t.Errorf("normalised wishes: %+v %v", w.Wishes, err)
	}
	if !RegionContains("419", "MX") || RegionContains("021", "MX") || !RegionContains("009", "AU") {
		t.Error("M49 containment: Latin America must hold Mexico, Northern America must not, Oceania must hold Australia")
	}
}
