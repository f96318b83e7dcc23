package matcher

import (
	"maps"
	"slices"
	"sort"

	"hermanar/datasets"
)

// loadPlaceRecords puts the input's place records into d: each record's
// profile is vectorised unless PlaceProfiles already gave one.
func (e *Engine) loadPlaceRecords(d *dynamic) {
	if d.placeRecs == nil {
		d.placeRecs = map[int64]*datasets.PlaceProfile{}
	}
	ids := slices.Sorted(maps.Keys(e.in.PlaceRecords))
	for _, id := range ids {
		c, ok := e.candIndex[id]
		if !ok {
			continue
		}
		rec := e.in.PlaceRecords[id]
		rec.PlaceID = id
		d.placeRecs[id] = &rec
		if _, ok := d.placeProfiles[id]; !ok {
			d.placeProfiles[id] = rec.Profile
			d.profiles[c] = e.vectorize(rec.Profile)
		}
	}
}

// SetPlaceRecord makes rec the record (and its profile the profile) of a
// foreign candidate for every query that starts after it returns.
func (e *Engine) SetPlaceRecord(rec datasets.PlaceProfile) error {
	c, ok := e.candIndex[rec.PlaceID]
	if !ok {
		return datasets.Errf(datasets.ENotFound, "el lugar %d no es una ciudad extranjera candidata", "place %d is not a foreign candidate", rec.PlaceID)
	}
	v := e.vectorize(rec.Profile)
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.dyn.Load().clone()
	d.placeRecs[rec.PlaceID] = &rec
	d.placeProfiles[rec.PlaceID] = rec.Profile
	d.profiles[c] = v
	e.dyn.Store(d)
	return nil
}

// PlaceRecord returns a foreign candidate's record: the stored one, or
// one made of its profile alone, or false.
func (e *Engine) PlaceRecord(id int64) (datasets.PlaceProfile, bool) {
	d := e.dyn.Load()
	if r, ok := d.placeRecs[id]; ok {
		return *r, true
	}
	if p, ok := d.placeProfiles[id]; ok {
		return datasets.PlaceProfile{PlaceID: id, Profile: p}, true
	}
	return datasets.PlaceProfile{}, false
}

// IsCandidate reports whether id is a foreign place the engine ranks.
func (e *Engine) IsCandidate(id int64) bool {
	_, ok := e.candIndex[id]
	return ok
}

// PlaceRecordIDs lists the places with a record, in id order.
func (e *Engine) PlaceRecordIDs() []int64 {
	d := e.dyn.Load()
	ids := make([]int64, 0, len(d.placeRecs))
	for id := range d.placeRecs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
