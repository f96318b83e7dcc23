package matcher

import (
	"maps"
	"sync"

	"hermanar/datasets"
)

// dynamic is the part of the engine users change: stored profiles and
// ties. It is replaced whole (copy on write) so readers never lock.
type dynamic struct {
	muniProfiles  map[string]datasets.Profile
	placeProfiles map[int64]datasets.Profile
	profiles      map[int32]*profileVec
	ties          map[string][]datasets.Tie
	// placeRecs are the foreign cities' records beyond their profile:
	// wishes, contact, interests, provenance (places.go).
	placeRecs map[int64]*datasets.PlaceProfile
	// vecs caches the vector of each municipality's stored or prefilled
	// profile (cvegeo → *profileVec, nil for an empty profile), filled by
	// the first query that needs it; a new version starts empty.
	vecs *sync.Map
	// text keeps this version's text-index answers (livetext.go); nil:
	// every match asks the index.
	text *liveText
}

func (d *dynamic) clone() *dynamic {
	return &dynamic{muniProfiles: maps.Clone(d.muniProfiles), placeProfiles: maps.Clone(d.placeProfiles),
		profiles: maps.Clone(d.profiles), ties: maps.Clone(d.ties), placeRecs: maps.Clone(d.placeRecs), vecs: new(sync.Map), text: newLiveText()}
}

// SetMunicipalityProfile makes p the stored profile of a municipality for
// every query that starts after it returns.
func (e *Engine) SetMunicipalityProfile(cvegeo string, p datasets.Profile) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.dyn.Load().clone()
	d.muniProfiles[cvegeo] = p
	e.dyn.Store(d)
}

// SetPlaceProfile stores the profile of a foreign candidate place.
func (e *Engine) SetPlaceProfile(id int64, p datasets.Profile) error {
	c, ok := e.candIndex[id]
	if !ok {
		return datasets.Errf(datasets.ENotFound, "El lugar %d no es una ciudad extranjera candidata.", "place %d is not a foreign candidate", id)
	}
	v := e.vectorize(p)
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.dyn.Load().clone()
	d.placeProfiles[id] = p
	d.profiles[c] = v
	e.dyn.Store(d)
	return nil
}

// PlaceProfile returns a candidate's stored profile.
func (e *Engine) PlaceProfile(id int64) (datasets.Profile, bool) {
	p, ok := e.dyn.Load().placeProfiles[id]
	return p, ok
}

// PutTie adds or replaces (by ID) a diaspora tie.
func (e *Engine) PutTie(t datasets.Tie) error {
	if _, ok := e.candIndex[t.Place]; !ok {
		return datasets.Errf(datasets.ENotFound, "El lugar %d no es una ciudad extranjera candidata.", "place %d is not a foreign candidate", t.Place)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.dyn.Load().clone()
	list := make([]datasets.Tie, 0, len(d.ties[t.Municipality])+1)
	for _, x := range d.ties[t.Municipality] {
		if t.ID == "" || x.ID != t.ID {
			list = append(list, x)
		}
	}
	d.ties[t.Municipality] = append(list, t)
	e.dyn.Store(d)
	return nil
}
