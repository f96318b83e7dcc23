package datasets

import (
	"fmt"
	"strings"
)

// Facts of the seed case the snapshot must keep (DESIGN.md §1, §4).
const (
	WhitewaterID     = 5278931 // Whitewater, Walworth County, Wisconsin
	OtatesID         = 4024473 // San José de Otates, Manuel Doblado, Guanajuato
	ManuelDobladoCVE = "11008"
)

// Verify checks the invariants of the snapshot, the curated facts and the
// store, and returns one message per failure (none when all hold).
func Verify(store Store, snap *Snapshot) ([]string, error) {
	var fails []string
	failf := func(format string, args ...any) { fails = append(fails, fmt.Sprintf(format, args...)) }

	// The snapshot.
	if len(snap.Places) != snap.Manifest.Places {
		failf("snapshot: %d places, manifest says %d", len(snap.Places), snap.Manifest.Places)
	}
	admins, mxAdmin2 := 0, 0
	snap.AdminCodes(func(code, _ string) {
		admins++
		if strings.HasPrefix(code, "MX.") && strings.Count(code, ".") == 2 {
			mxAdmin2++
		}
	})
	if admins != snap.Manifest.AdminNames {
		failf("snapshot: %d admin names, manifest says %d", admins, snap.Manifest.AdminNames)
	}
	seen := make(map[int64]bool, len(snap.Places))
	for i := range snap.Places {
		if seen[snap.Places[i].ID] {
			failf("snapshot: place id %d appears twice", snap.Places[i].ID)
		}
		seen[snap.Places[i].ID] = true
	}
	if len(snap.Municipalities) != mxAdmin2 {
		failf("snapshot: %d municipalities derived from %d Mexican admin2 names", len(snap.Municipalities), mxAdmin2)
	}
	if p, ok := snap.Place(WhitewaterID); !ok {
		failf("Whitewater (%d) is missing", WhitewaterID)
	} else {
		if p.Name != "Whitewater" || p.Country != "US" || p.Admin1 != "WI" || p.Population != 14692 {
			failf("Whitewater (%d): got %s, %s, %s, population %d; want Whitewater, US, WI, 14692", WhitewaterID, p.Name, p.Country, p.Admin1, p.Population)
		}
		if n := snap.Admin2Name(p); n != "Walworth County" {
			failf("Whitewater (%d): county %q, want Walworth County", WhitewaterID, n)
		}
		if n := snap.Admin1Name(p); n != "Wisconsin" {
			failf("Whitewater (%d): state %q, want Wisconsin", WhitewaterID, n)
		}
	}
	if p, ok := snap.Place(OtatesID); !ok {
		failf("San José de Otates (%d) is missing", OtatesID)
	} else {
		cve, _ := MunicipalityOf(p)
		if p.Name != "San José de Otates" || cve != ManuelDobladoCVE {
			failf("San José de Otates (%d): got %s in municipality %q, want municipality %s", OtatesID, p.Name, cve, ManuelDobladoCVE)
		}
	}
	if n := snap.AdminName("MX.11.008"); n != "Manuel Doblado" {
		failf("admin name MX.11.008 is %q, want Manuel Doblado", n)
	}
	if n := snap.AdminName("MX." + GeoNamesAdmin1("07")); !strings.HasPrefix(n, "Chiapas") {
		failf("crosswalk: INEGI 07 maps to GeoNames %s = %q, want Chiapas", GeoNamesAdmin1("07"), n)
	}

	// The store: every table holds the rows its metadata counts.
	if store != nil {
		tables, err := store.Tables()
		if err != nil {
			return nil, err
		}
		for _, m := range tables {
			n := 0
			if err := store.ReadTable(m.Kind, func([]byte) error { n++; return nil }); err != nil {
				return nil, err
			}
			if n != m.Rows {
				failf("table %s: %d rows stored, metadata says %d", m.Kind, n, m.Rows)
			}
		}
	}

	// The merged data: references resolve.
	d, err := LoadData(store, snap)
	if err != nil {
		return append(fails, "loading data: "+err.Error()), nil
	}
	s := d.Snapshot
	if m, ok := s.Municipality(ManuelDobladoCVE); !ok || m.Name != "Manuel Doblado" {
		failf("municipality %s is missing or misnamed", ManuelDobladoCVE)
	} else if !m.PopulationEstimated && m.Population <= 0 {
		failf("municipality %s: imported population %d", ManuelDobladoCVE, m.Population)
	}
	seedTie := false
	for _, t := range d.Ties {
		p, ok := s.Place(t.Place)
		if !ok {
			failf("tie %s: destination place %d does not exist", t.ID, t.Place)
		} else if p.Country == "MX" {
			failf("tie %s: destination %d is in Mexico", t.ID, t.Place)
		}
		if _, ok := s.Municipality(t.Municipality); !ok {
			failf("tie %s: municipality %s does not exist", t.ID, t.Municipality)
		}
		if t.LocalityPlace != 0 {
			if _, ok := s.Place(t.LocalityPlace); !ok {
				failf("tie %s: locality place %d does not exist", t.ID, t.LocalityPlace)
			}
		}
		if t.Municipality == ManuelDobladoCVE && t.Place == WhitewaterID && t.LocalityPlace == OtatesID {
			seedTie = true
		}
	}
	if !seedTie {
		failf("the curated tie San José de Otates (%d) → Whitewater (%d) is missing", OtatesID, WhitewaterID)
	}
	var badTwins []string
	for _, tw := range d.Twinnings {
		_, okA := s.Place(tw.PlaceA)
		_, okB := s.Place(tw.PlaceB)
		switch {
		case !okA || !okB:
			badTwins = append(badTwins, fmt.Sprintf("twinning %d–%d: a place does not exist", tw.PlaceA, tw.PlaceB))
		case tw.Municipality != "":
			if _, ok := s.Municipality(tw.Municipality); !ok {
				badTwins = append(badTwins, fmt.Sprintf("twinning %d–%d: municipality %s does not exist", tw.PlaceA, tw.PlaceB, tw.Municipality))
			}
		}
	}
	if len(badTwins) > 20 {
		badTwins = append(badTwins[:20], fmt.Sprintf("… %d bad twinnings in all", len(badTwins)))
	}
	fails = append(fails, badTwins...)
	for _, c := range d.Consulates {
		if _, ok := s.Place(c.Place); !ok {
			failf("consulate %s: place %d does not exist", c.ID, c.Place)
		}
	}
	if c, ok := d.Consulate("milwaukee"); !ok {
		failf("the curated consulate milwaukee is missing")
	} else if p, ok := s.Place(WhitewaterID); ok && !c.Serves(*p) {
		failf("consulate milwaukee does not serve Whitewater")
	}
	fails = append(fails, verifyWhitewater(s)...)
	return fails, nil
}

// The seed letter's facts about Whitewater, as its curated record must
// keep them: what each fact must say in English and in Spanish.
var whitewaterFacts = []struct{ fact, en, es string }{
	{"university city", "University of Wisconsin–Whitewater", "Universidad de Wisconsin–Whitewater"},
	{"outdoor recreation", "Kettle Moraine State Forest", "Bosque Estatal Kettle Moraine"},
	{"growing Hispanic community", "growing Hispanic community", "comunidad hispana en crecimiento"},
	{"markets", "City Market and the Farmers' Market", "City Market y el mercado de agricultores"},
	{"Maxwell Street Days", "Maxwell Street Days", "Maxwell Street Days"},
	{"Children's Day with Otates", "Children's Day event with San José de Otates", "Día del Niño anual con San José de Otates"},
	{"Spanish-speaking city manager", "city manager who speaks Spanish", "administrador de la ciudad que habla español"},
}

// verifyWhitewater checks the curated record of Whitewater against the
// seed letter DEP-0121/22: each fact in both languages, the interest in
// Manuel Doblado (San José de Otates) and the letter as the source of
// every field.
func verifyWhitewater(s *Snapshot) []string {
	recs, err := CuratedPlaceProfiles(s)
	if err != nil {
		return []string{"curated place profiles: " + err.Error()}
	}
	var ww *PlaceProfile
	for i := range recs {
		if recs[i].PlaceID == WhitewaterID {
			ww = &recs[i]
		}
	}
	if ww == nil {
		return []string{fmt.Sprintf("the curated record of Whitewater (%d) is missing", WhitewaterID)}
	}
	return checkWhitewater(ww)
}

func checkWhitewater(ww *PlaceProfile) []string {
	var fails []string
	var en, es []string
	en = append(en, ww.Narrative)
	es = append(es, ww.NarrativeI18n["es"])
	for _, p := range ww.Problems {
		en, es = append(en, p.Text), append(es, p.I18n["es"])
	}
	for _, p := range ww.Practices {
		en, es = append(en, p.Text), append(es, p.I18n["es"])
	}
	allEN, allES := strings.Join(en, " | "), strings.Join(es, " | ")
	for _, f := range whitewaterFacts {
		if !strings.Contains(allEN, f.en) {
			fails = append(fails, fmt.Sprintf("Whitewater's curated record does not say %q (%s) in English", f.en, f.fact))
		}
		if !strings.Contains(allES, f.es) {
			fails = append(fails, fmt.Sprintf("Whitewater's curated record does not say %q (%s) in Spanish", f.es, f.fact))
		}
	}
	interest := false
	for _, in := range ww.Interests {
		if in.Municipality == ManuelDobladoCVE && strings.Contains(in.Source, "DEP-0121/22") && Fold(in.Locality) == Fold("San José de Otates") {
			interest = true
		}
	}
	if !interest {
		fails = append(fails, "Whitewater's curated interest in San José de Otates (11008), citing DEP-0121/22, is missing")
	}
	for _, f := range PlaceProfileFields {
		if p, ok := ww.Provenance[f]; !ok || !strings.Contains(p.Source, "DEP-0121/22") {
			fails = append(fails, fmt.Sprintf("Whitewater's curated %s does not cite DEP-0121/22", f))
		}
	}
	return fails
}
