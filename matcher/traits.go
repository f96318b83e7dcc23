package matcher

import (
	"fmt"
	"math"
	"strings"

	"hermanar/datasets"
)

// Traits are what every place has from real data, municipality and
// candidate alike: GeoNames gives the feature code (capital, seat),
// population (size class), latitude (climate band) and elevation
// (mountain); Natural Earth, through the snapshot's coast and border
// distances, gives coastal and border city. Two places that share a trait
// have something a liaison can name ("ambas son ciudades fronterizas"),
// which size similarity alone cannot say.

// Trait is one yes/no trait, a bit of a place's trait set.
type Trait uint8

const (
	TraitCapital  Trait = 1 << iota // national or first-order capital (PPLC, PPLA, PPLG)
	TraitSeat                       // seat of a second- to fourth-order division (PPLA2–PPLA4)
	TraitMountain                   // at or above MountainElevation metres
	TraitCoastal                    // within CoastalKm of the sea
	TraitBorder                     // within BorderKm of an international land border
)

// Thresholds of the traits.
const (
	MountainElevation = 1500 // metres
	CoastalKm         = 15
	BorderKm          = 25
)

// traitDef is the one definition of a trait: its name (as --trait and
// traits= take it) and the sentences that explain it when both share it.
type traitDef struct {
	bit      Trait
	name     string
	label    Label  // the trait of one place, for filters
	es, en   string // "ambas …" / "both …"
	distinct bool   // sharing it is evidence beyond size (the size rule)
}

var traitDefs = []traitDef{
	{TraitCapital, "capital", Label{"Capital nacional o estatal", "National or state capital"},
		"ambas son capitales (nacional o estatal)", "both are capitals (national or state/province)", true},
	{TraitSeat, "seat", Label{"Cabecera de gobierno local", "Seat of a local government"},
		"ambas son cabeceras de un gobierno local", "both are seats of a local government", false},
	{TraitMountain, "mountain", Label{fmt.Sprintf("De montaña (%d m o más)", MountainElevation), fmt.Sprintf("Mountain (%d m or higher)", MountainElevation)},
		fmt.Sprintf("ambas están en montaña (%d m o más)", MountainElevation), fmt.Sprintf("both are mountain places (%d m or higher)", MountainElevation), true},
	{TraitCoastal, "coastal", Label{fmt.Sprintf("Costera (a menos de %d km del mar)", CoastalKm), fmt.Sprintf("Coastal (within %d km of the sea)", CoastalKm)},
		fmt.Sprintf("ambas son costeras (a menos de %d km del mar)", CoastalKm), fmt.Sprintf("both are coastal (within %d km of the sea)", CoastalKm), true},
	{TraitBorder, "border", Label{fmt.Sprintf("Fronteriza (a menos de %d km de una frontera)", BorderKm), fmt.Sprintf("Border city (within %d km of a border)", BorderKm)},
		fmt.Sprintf("ambas son ciudades fronterizas (a menos de %d km de una frontera internacional)", BorderKm), fmt.Sprintf("both are border cities (within %d km of an international border)", BorderKm), true},
}

// TraitLabel names a trait for people; an unknown name is returned as it is.
func TraitLabel(name, lang string) string {
	for _, d := range traitDefs {
		if d.name == name {
			return d.label.In(lang)
		}
	}
	return name
}

// TraitNames lists the traits a filter accepts.
func TraitNames() []string {
	out := make([]string, len(traitDefs))
	for i, d := range traitDefs {
		out[i] = d.name
	}
	return out
}

// ParseTraits reads trait names ("coastal,border"); an unknown name is an
// EInvalid error naming the field and the known names.
func ParseTraits(field string, names []string) (Trait, error) {
	var t Trait
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" {
			continue
		}
		ok := false
		for _, d := range traitDefs {
			if d.name == n {
				t |= d.bit
				ok = true
			}
		}
		if !ok {
			known := strings.Join(TraitNames(), ", ")
			return 0, &datasets.Error{Code: datasets.EInvalid,
				Msg:    datasets.Textf("rasgo desconocido %q (conocidos: %s)", "unknown trait %q (known: %s)", n, known),
				Fields: map[string]datasets.Text{field: datasets.Textf("rasgo desconocido %q; use uno de %s", "unknown trait %q; use one of %s", n, known)}}
		}
	}
	return t, nil
}

// Names returns the names of the traits in t.
func (t Trait) Names() []string {
	var out []string
	for _, d := range traitDefs {
		if t&d.bit != 0 {
			out = append(out, d.name)
		}
	}
	return out
}

// Size classes by population, and climate bands by absolute latitude.
var (
	sizeClassBounds = []int64{5_000, 20_000, 100_000, 500_000, 1_000_000}
	sizeClassES     = []string{"localidad de menos de 5 mil", "pueblo de 5 a 20 mil", "ciudad pequeña de 20 a 100 mil", "ciudad media de 100 a 500 mil", "ciudad grande de 500 mil a 1 millón", "metrópoli de más de 1 millón"}
	sizeClassEN     = []string{"place under 5,000", "town of 5,000–20,000", "small city of 20,000–100,000", "mid-sized city of 100,000–500,000", "large city of 500,000–1 million", "metropolis over 1 million"}
	climateBounds   = []float64{23.5, 35, 55}
	climateES       = []string{"tropical", "subtropical", "templado", "frío"}
	climateEN       = []string{"tropical", "subtropical", "temperate", "cold"}
)

// SizeClass is the index of a population's size class (0 = under 5,000).
func SizeClass(pop int64) uint8 {
	c := uint8(0)
	for _, b := range sizeClassBounds {
		if pop >= b {
			c++
		}
	}
	return c
}

// ClimateBand is the index of a latitude's climate band (0 = tropical).
func ClimateBand(lat float32) uint8 {
	a := math.Abs(float64(lat))
	c := uint8(0)
	for _, b := range climateBounds {
		if a >= b {
			c++
		}
	}
	return c
}

// placeTraits is the yes/no trait set of a place from its GeoNames record
// and its snapshot distances to the coast and to a land border.
func placeTraits(p *datasets.Place) Trait {
	var t Trait
	switch p.FeatureCode {
	case "PPLC", "PPLA", "PPLG":
		t |= TraitCapital
	case "PPLA2", "PPLA3", "PPLA4":
		t |= TraitSeat
	}
	if p.Elevation >= MountainElevation {
		t |= TraitMountain
	}
	t |= geoTraits(p)
	return t
}

// municipalityTraits is the trait set of a municipality: that of its seat
// when the snapshot knows it (coast, border, elevation, capital), else
// nothing beyond size and climate.
func (e *Engine) municipalityTraits(m *datasets.Municipality) Trait {
	if m.SeatPlaceID == 0 {
		return 0
	}
	p, ok := e.in.Snap.Place(m.SeatPlaceID)
	if !ok {
		return 0
	}
	t := placeTraits(p)
	if t&TraitCapital == 0 {
		// Every municipal seat is the seat of a local government, whatever
		// feature code GeoNames gave it.
		t |= TraitSeat
	}
	return t
}

// sharesTrait reports whether a municipality and a candidate share a
// distinctive trait (one that is evidence beyond size).
func (e *Engine) sharesTrait(cvegeo string, place int64) bool {
	m, ok := e.in.Snap.Municipality(cvegeo)
	if !ok {
		return false
	}
	c, ok := e.candIndex[place]
	if !ok {
		return false
	}
	return e.municipalityTraits(m)&e.traits[c]&distinctTraits != 0
}

var distinctTraits = func() Trait {
	var t Trait
	for _, d := range traitDefs {
		if d.distinct {
			t |= d.bit
		}
	}
	return t
}()

// traitEvidence writes to w the traits two places share, one sentence
// each, plus their size classes and climate bands when they match.
func traitEvidence(w *evidenceWriter, lang string, shared Trait, qSize, cSize, qClim, cClim uint8) {
	for _, d := range traitDefs {
		if shared&d.bit != 0 {
			w.add(tr(lang, d.es, d.en))
		}
	}
	if qSize == cSize {
		w.add(tr(lang, sameSizeES[qSize], sameSizeEN[qSize]))
	}
	if qClim == cClim {
		w.add(tr(lang, sameClimateES[qClim], sameClimateEN[qClim]))
	}
}

// The lines of a shared size class or climate band, made once.
var (
	sameSizeES, sameSizeEN       = prefixed("mismo tamaño: ", sizeClassES), prefixed("same size class: ", sizeClassEN)
	sameClimateES, sameClimateEN = prefixed("misma franja climática: ", climateES), prefixed("same climate band: ", climateEN)
)

func prefixed(p string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = p + n
	}
	return out
}

// filterTraits rejects (scores -1) every candidate that lacks one of the
// traits the query's filter asks for.
func (e *Engine) filterTraits(qs *queryState, scores []float32) {
	want := qs.traitFilter
	if want == 0 {
		return
	}
	for c, t := range e.traits {
		if t&want != want {
			scores[c] = -1
		}
	}
}
