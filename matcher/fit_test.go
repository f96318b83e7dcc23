package matcher

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"hermanar/datasets"
)

const (
	laredo   = 4705349
	veracruz = 3514783
	havana   = 3553478
)

// Traits come from the snapshot's GeoNames and Natural Earth columns.
func TestPlaceTraitsFromRealData(t *testing.T) {
	s := mustSnapshot(t)
	for _, tc := range []struct {
		name      string
		id        int64
		has, lack Trait
	}{
		{"Laredo sits on the Rio Grande border", laredo, TraitBorder, TraitCoastal | TraitMountain},
		{"Veracruz is a port", veracruz, TraitCoastal, TraitBorder | TraitMountain},
		{"Havana is a coastal capital", havana, TraitCoastal | TraitCapital, TraitBorder},
		{"Whitewater is inland, far from any border", whitewater, 0, TraitCoastal | TraitBorder | TraitCapital},
	} {
		p, ok := s.Place(tc.id)
		if !ok {
			t.Fatalf("%s: place %d not in the snapshot", tc.name, tc.id)
		}
		got := placeTraits(p)
		if got&tc.has != tc.has || got&tc.lack != 0 {
			t.Errorf("%s: traits %v (coast %d km, border %d km, %d m)", tc.name, got.Names(), p.CoastKm, p.BorderKm, p.Elevation)
		}
	}
	e := mustEngine(t, Inputs{})
	tij, _ := s.Municipality("02004")
	if tr := e.municipalityTraits(tij); tr&TraitBorder == 0 {
		t.Errorf("Tijuana: traits %v, want border", tr.Names())
	}
	md, _ := s.Municipality("11008")
	if tr := e.municipalityTraits(md); tr&(TraitBorder|TraitCoastal) != 0 {
		t.Errorf("Manuel Doblado: traits %v, want neither border nor coast", tr.Names())
	}
}

// A trait filter keeps only candidates with every named trait, on both
// the Match and the Rank paths; an unknown trait is a field error.
func TestTraitFilter(t *testing.T) {
	e := mustEngine(t, Inputs{Ties: []datasets.Tie{otatesTie()}})
	res, err := e.Match(context.Background(), Query{Municipality: "02004", K: 20, Filter: Filter{Traits: []string{"border", "Coastal"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 20 {
		t.Fatalf("%d matches, want 20", len(res.Matches))
	}
	for _, m := range res.Matches {
		c := e.candIndex[m.Place.ID]
		if e.traits[c]&(TraitBorder|TraitCoastal) != TraitBorder|TraitCoastal {
			t.Errorf("%s (%s) lacks a trait: %v", m.Place.Name, m.Place.Country, e.traits[c].Names())
		}
	}
	rows := mustRank(t, e, RankRequest{Municipalities: []string{"02004", "11008"}, K: 5, Filter: Filter{Traits: []string{"mountain"}}})
	for _, r := range rows {
		if e.traits[e.candIndex[r.PlaceID]]&TraitMountain == 0 {
			t.Errorf("rank row %s for %s is not a mountain place", r.PlaceName, r.Municipality)
		}
	}
	_, err = e.Match(context.Background(), Query{Municipality: "02004", Filter: Filter{Traits: []string{"volcanic"}}})
	var de *datasets.Error
	if !errors.As(err, &de) || de.Code != datasets.EInvalid || de.Fields["traits"].EN == "" {
		t.Errorf("unknown trait: got %v, want an invalid_argument naming traits", err)
	}
	if _, err := e.Rank(context.Background(), RankRequest{State: "11", Filter: Filter{Traits: []string{"x"}}}, func(RankRow) error { return nil }); !errors.As(err, &de) {
		t.Errorf("rank with an unknown trait: got %v", err)
	}
}

// Existing twins leave the list and are listed apart, unless included.
func TestTwinsListedApart(t *testing.T) {
	tw := []datasets.Twinning{{PlaceA: 4013705, PlaceB: whitewater, Municipality: "11008"}}
	e := mustEngine(t, Inputs{Ties: []datasets.Tie{otatesTie()}, Twinnings: tw})
	res, err := e.Match(context.Background(), Query{Municipality: "11008"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Matches {
		if m.Place.ID == whitewater || m.Twinned {
			t.Errorf("default list holds the existing twin %s", m.Place.Name)
		}
	}
	if len(res.Twinned) != 1 || res.Twinned[0].Place.ID != whitewater || !res.Twinned[0].Twinned {
		t.Errorf("already twinned: %+v, want Whitewater", res.Twinned)
	}
	res, err = e.Match(context.Background(), Query{Municipality: "11008", Filter: Filter{IncludeTwinned: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) == 0 || res.Matches[0].Place.ID != whitewater || !res.Matches[0].Twinned || len(res.Twinned) != 0 {
		t.Errorf("include twinned: first %+v, apart %d; want Whitewater first, flagged, none apart", res.Matches[0].Place, len(res.Twinned))
	}
	for _, r := range mustRank(t, e, RankRequest{Municipalities: []string{"11008"}, K: 10}) {
		if r.Twinned {
			t.Errorf("rank row %s is an existing twin", r.PlaceName)
		}
	}
}

// The size rule: far outside the municipality's size class, only
// candidates with evidence beyond size stay; turning it off lets them in.
func TestSizeRule(t *testing.T) {
	s := mustSnapshot(t)
	// Two metropolises twinned with many municipalities: popularity alone
	// would put them into small towns' lists.
	var tw []datasets.Twinning
	for i := range s.Municipalities {
		if m := &s.Municipalities[i]; m.SeatPlaceID != 0 && len(tw) < 60 {
			tw = append(tw, datasets.Twinning{PlaceA: havana, PlaceB: m.SeatPlaceID, Municipality: m.CVEGEO},
				datasets.Twinning{PlaceA: 5368361, PlaceB: m.SeatPlaceID, Municipality: m.CVEGEO})
		}
	}
	e := mustEngine(t, Inputs{Ties: []datasets.Tie{otatesTie()}, Twinnings: tw})
	r := rand.New(rand.NewPCG(3, 4))
	checked, relaxed := 0, 0
	for checked < 15 {
		m := &s.Municipalities[r.IntN(len(s.Municipalities))]
		if m.Population == 0 || m.Population >= SmallMunicipality {
			continue
		}
		checked++
		qt := e.municipalityTraits(m)
		for _, nodiv := range []bool{false, true} {
			res, err := e.Match(context.Background(), Query{Municipality: m.CVEGEO, K: 50, Filter: Filter{NoDiversity: nodiv}})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range res.Matches {
				c := e.candIndex[x.Place.ID]
				gap := int(SizeClass(x.Place.Population)) - int(SizeClass(m.Population))
				if gap >= SizeGapClasses && qt&e.traits[c]&distinctTraits == 0 && diasporaOf(x) == 0 {
					t.Errorf("%s (%d people): %s (%d) without evidence", m.Name, m.Population, x.Place.Name, x.Place.Population)
				}
			}
		}
		res, err := e.Match(context.Background(), Query{Municipality: m.CVEGEO, K: 50, Filter: Filter{NoSizeRule: true, NoDiversity: true}})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range res.Matches {
			c := e.candIndex[x.Place.ID]
			if int(SizeClass(x.Place.Population))-int(SizeClass(m.Population)) >= SizeGapClasses && qt&e.traits[c]&distinctTraits == 0 {
				relaxed++
			}
		}
	}
	if relaxed == 0 {
		t.Error("with the size rule off no unsupported far-off candidate appeared: the test proves nothing")
	}
}

func diasporaOf(m Match) float64 {
	for _, c := range m.Components {
		if c.Name == CompDiaspora {
			return c.Contribution
		}
	}
	return 0
}

// The varied list takes no more of one country than the plain score
// order, takes fewer somewhere, and keeps the best candidate first.
func TestDiversityReRanking(t *testing.T) {
	s := mustSnapshot(t)
	e := mustEngine(t, Inputs{Ties: []datasets.Tie{otatesTie()}})
	r := rand.New(rand.NewPCG(5, 6))
	fewer := 0
	for i := 0; i < 20; i++ {
		m := s.Municipalities[r.IntN(len(s.Municipalities))].CVEGEO
		plain, err := e.Match(context.Background(), Query{Municipality: m, Filter: Filter{NoDiversity: true}})
		if err != nil {
			t.Fatal(err)
		}
		varied, err := e.Match(context.Background(), Query{Municipality: m})
		if err != nil {
			t.Fatal(err)
		}
		if len(varied.Matches) != len(plain.Matches) || varied.Matches[0].Place.ID != plain.Matches[0].Place.ID {
			t.Errorf("%s: varied list of %d starts with %s; plain list of %d with %s", m, len(varied.Matches),
				varied.Matches[0].Place.Name, len(plain.Matches), plain.Matches[0].Place.Name)
		}
		pc, vc := maxCountry(plain.Matches), maxCountry(varied.Matches)
		if vc > pc {
			t.Errorf("%s: varied list has %d of one country, plain %d", m, vc, pc)
		}
		if vc < pc {
			fewer++
		}
	}
	if fewer == 0 {
		t.Error("diversity never changed a list")
	}
}

func maxCountry(ms []Match) int {
	n := map[string]int{}
	top := 0
	for _, m := range ms {
		n[m.Place.Country]++
		top = max(top, n[m.Place.Country])
	}
	return top
}
