package matcher

import "hermanar/datasets"

// geoTraits are the traits the snapshot's Natural Earth distances give.
func geoTraits(p *datasets.Place) Trait {
	var t Trait
	if p.CoastKm <= CoastalKm {
		t |= TraitCoastal
	}
	if p.BorderKm <= BorderKm {
		t |= TraitBorder
	}
	return t
}

// buildTraits computes every candidate's trait set, and numbers the
// first-level divisions for the twin-region signal.
func (e *Engine) buildTraits() {
	e.traits = make([]Trait, e.n)
	e.traitCol = make([]uint8, e.n)
	e.admin1 = make([]uint16, e.n)
	// Keyed by the two codes rather than by "CC.A1", so that no string is
	// built per candidate (182k at start-up); neighbouring places mostly
	// share their division, so the last one is checked before the map.
	ids := map[[2]string]uint16{}
	var last [2]string
	lastID := uint16(0)
	for c := range e.n {
		p := &e.in.Snap.Places[e.placeIdx[c]]
		e.traits[c] = placeTraits(p)
		e.traitCol[c] = uint8(e.traits[c])
		key := [2]string{p.Country, p.Admin1}
		if c > 0 && key == last {
			e.admin1[c] = lastID
			continue
		}
		id, ok := ids[key]
		if !ok {
			id = uint16(len(e.admin1s))
			e.admin1s = append(e.admin1s, p.Country+"."+p.Admin1)
			ids[key] = id
		}
		e.admin1[c] = id
		last, lastID = key, id
	}
	e.buildTraitIDF()
}
