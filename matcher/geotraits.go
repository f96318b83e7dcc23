package matcher

import "hermanar/datasets"

// geoTraits are the traits the snapshot's Natural Earth distances give.
func geoTraits(p *datasets.Place) Trait {
	return 0
}

// buildTraits computes every candidate's trait set, size class and climate band.
func (e *Engine) buildTraits() {
	e.traits = make([]Trait, e.n)
	for c := range e.n {
		e.traits[c] = placeTraits(&e.in.Snap.Places[e.placeIdx[c]])
	}
}
