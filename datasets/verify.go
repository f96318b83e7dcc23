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
	return fails, nil
}
