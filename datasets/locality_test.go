package datasets

import (
	"slices"
	"testing"
)

// TestLocalityPlaces holds the rule for naming a tie's origin locality:
// places bearing the name itself come first; alternate names count only
// when no place of the municipality bears it.
func TestLocalityPlaces(t *testing.T) {
	mx := func(id int64, name, alts string) Place {
		return Place{ID: id, Name: name, ASCIIName: Fold(name), Country: "MX", Admin1: "11", Admin2: "008", AltNames: alts}
	}
	snap := NewSnapshot(Manifest{}, []Place{
		mx(1, "San José de Otates", ""),
		mx(2, "Otates Viejo", "San Jose de Otates,Otates"),
		mx(3, "La Soledad", "Rancho Nuevo"),
		mx(4, "Rancho Nuevo", ""),
		mx(5, "Rancho Nuevo", ""),
		mx(6, "El Tule", "Tule Grande"),
		{ID: 7, Name: "Tule Grande", Country: "MX", Admin1: "11", Admin2: "009"}, // another municipality
		{ID: 8, Name: "El Tule", Country: "US", Admin1: "TX"},
	}, nil)
	cases := []struct {
		name, locality string
		want           []int64
	}{
		{"own name beats an alternate name elsewhere", "San José de Otates", []int64{1}},
		{"accents and case folded", "SAN JOSE DE OTATES", []int64{1}},
		{"only an alternate name", "Otates", []int64{2}},
		{"two places of that name stay ambiguous", "Rancho Nuevo", []int64{4, 5}},
		{"alternate name within the municipality only", "Tule Grande", []int64{6}},
		{"own name, not a foreign place", "El Tule", []int64{6}},
		{"no such place", "Santa Ana", nil},
	}
	for _, tc := range cases {
		got, ok := localityPlaces(snap, "11008", tc.locality)
		if !slices.Equal(got, tc.want) || ok != (len(tc.want) > 0) {
			t.Errorf("%s: got %v %v, want %v", tc.name, got, ok, tc.want)
		}
	}
}

// TestCuratedTiesLeaveAltNames: the curated ties resolve their localities
// without decoding the snapshot's alternate names, which start-up leaves
// to the background; the seed tie still names San José de Otates.
func TestCuratedTiesLeaveAltNames(t *testing.T) {
	snap, err := LoadEmbeddedSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	ties, err := CuratedTies(snap)
	if err != nil {
		t.Fatal(err)
	}
	if snap.alt == nil || snap.alt.names != nil {
		t.Errorf("alternate names decoded by CuratedTies")
	}
	found := false
	for _, tie := range ties {
		if tie.Municipality == ManuelDobladoCVE && tie.Place == WhitewaterID {
			found = true
			if tie.LocalityPlace != OtatesID {
				t.Errorf("seed tie: locality place %d, want %d", tie.LocalityPlace, OtatesID)
			}
		}
	}
	if !found {
		t.Errorf("seed tie 11008 → Whitewater not among %d curated ties", len(ties))
	}
}
