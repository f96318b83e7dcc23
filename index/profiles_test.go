package index

import (
	"slices"
	"testing"

	"hermanar/datasets"
)

func TestTextScoresAcrossLanguages(t *testing.T) {
	dir := t.TempDir()
	x := mustOpen(t, dir, tinySnapshot("v1"), Options{})
	if !x.ProfilesReset() {
		t.Error("a new profile index should report ProfilesReset")
	}
	profiles := map[string]datasets.Profile{
		"place:5278931": {Lang: "en", Narrative: "Whitewater is a university city in Wisconsin with many residents from Guanajuato.",
			Problems:  []datasets.Problem{{Text: "Our groundwater is declining and summers are drier"}},
			Practices: []datasets.Practice{{Text: "Water reuse: treated wastewater irrigates parks and farms"}}},
		"place:4281710": {Lang: "en", Narrative: "A small farming town in Kansas.",
			Problems: []datasets.Problem{{Text: "Young people leave for the cities"}}},
		"place:3530597": {Lang: "es", Narrative: "La capital del país.",
			Problems: []datasets.Problem{{Text: "Tráfico y contaminación del aire", Tags: []string{"air-quality"}}}},
	}
	for k, p := range profiles {
		if err := x.PutProfile(k, p); err != nil {
			t.Fatalf("PutProfile %s: %v", k, err)
		}
	}
	if n, _ := x.ProfileCount(); n != 3 {
		t.Errorf("ProfileCount = %d, want 3", n)
	}
	me := datasets.Profile{Lang: "es", Problems: []datasets.Problem{{Text: "escasez de agua en la cabecera"}}}
	if err := x.PutProfile("mun:11008", me); err != nil {
		t.Fatal(err)
	}
	got, err := x.TextScores(me, "mun:11008")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got["mun:11008"]; ok {
		t.Error("excludeKey was scored")
	}
	ww, ok := got["place:5278931"]
	if !ok || ww.Score <= 0 || ww.Score > 1 {
		t.Fatalf("Spanish water scarcity vs English water reuse: got %+v (all %v)", ww, got)
	}
	if len(ww.Terms) == 0 {
		t.Errorf("no matched terms reported: %+v", ww)
	}
	for k, m := range got {
		if m.Score < 0 || m.Score > 1 {
			t.Errorf("%s: score %v out of [0,1]", k, m.Score)
		}
		if k != "place:5278931" && m.Score >= ww.Score {
			t.Errorf("%s (%+v) scores at least as high as the water profile (%+v)", k, m, ww)
		}
	}
	t.Logf("water vs Whitewater: %+v", ww)

	// Re-putting replaces; deleting removes; both persist across Open.
	if err := x.PutProfile("place:5278931", datasets.Profile{Lang: "en", Narrative: "Dairy farms and a university."}); err != nil {
		t.Fatal(err)
	}
	if err := x.DeleteProfile("place:4281710"); err != nil {
		t.Fatal(err)
	}
	if err := x.DeleteProfile("place:missing"); err != nil {
		t.Errorf("deleting a missing profile: %v", err)
	}
	x.Close()
	x = mustOpen(t, dir, tinySnapshot("v1"), Options{})
	defer x.Close()
	if x.ProfilesReset() {
		t.Error("reopening reported ProfilesReset")
	}
	if n, _ := x.ProfileCount(); n != 3 {
		t.Errorf("after reopen: ProfileCount = %d, want 3", n)
	}
	got, err = x.TextScores(me, "mun:11008")
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := got["place:5278931"]; ok && slices.Contains(m.Terms, "agua") {
		t.Errorf("replaced profile still matches its old text: %+v", m)
	}
	if _, ok := got["place:4281710"]; ok {
		t.Error("deleted profile still scored")
	}
}

func TestTextScoresSelfNormalised(t *testing.T) {
	x := mustOpen(t, t.TempDir(), tinySnapshot("v1"), Options{})
	defer x.Close()
	p := datasets.Profile{Lang: "es", Narrative: "Ciudad con escasez de agua y pozos profundos que se secan.",
		Problems: []datasets.Problem{{Text: "falta de agua potable"}}}
	twin := p
	twin.Narrative += " También turismo."
	other := datasets.Profile{Lang: "es", Problems: []datasets.Problem{{Text: "basura en las calles"}}}
	for k, q := range map[string]datasets.Profile{"mun:11008": p, "place:1": twin, "place:2": other} {
		if err := x.PutProfile(k, q); err != nil {
			t.Fatal(err)
		}
	}
	got, err := x.TextScores(p, "mun:11008")
	if err != nil {
		t.Fatal(err)
	}
	if s := got["place:1"].Score; s < 0.5 || s > 1 {
		t.Errorf("near-identical profile: score %v, want in [0.5, 1]", s)
	}
	if got["place:2"].Score >= got["place:1"].Score {
		t.Errorf("unrelated profile %v ≥ near-identical %v", got["place:2"], got["place:1"])
	}
	// Empty profiles are deleted rather than indexed.
	if err := x.PutProfile("place:2", datasets.Profile{}); err != nil {
		t.Fatal(err)
	}
	if n, _ := x.ProfileCount(); n != 2 {
		t.Errorf("after putting an empty profile: %d profiles, want 2", n)
	}
	if err := x.PutProfile("", p); datasets.ErrorCode(err) != datasets.EInvalid {
		t.Errorf("empty key: got %v", err)
	}
}
