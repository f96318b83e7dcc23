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

// buildTraits computes every candidate's trait set.
func (e *Engine) buildTraits() {
	e.traits = make([]Trait, e.n)
	for c := range e.n {
		e.traits[c] = placeTraits(&e.in.Snap.Places[e.placeIdx[c]])
	}
}
