package datasets

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
)

// Curated foreign-city records in the project's own words, each field
// citing its source (SCHEMAS.md, "place profiles").
//
//go:embed curated/place_profiles.jsonl
var curatedPlaceProfiles []byte

// PlaceProfilesKind is the table kind of imported partner-seeking lists.
const PlaceProfilesKind = "place-profiles"

// CuratedPlaceProfiles returns the embedded place records, checked
// against snap: each names a foreign place and is a valid profile.
func CuratedPlaceProfiles(snap *Snapshot) ([]PlaceProfile, error) {
	return decodePlaceProfiles("datasets/curated/place_profiles.jsonl", curatedPlaceProfiles, snap)
}

func decodePlaceProfiles(name string, b []byte, snap *Snapshot) ([]PlaceProfile, error) {
	var out []PlaceProfile
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var p PlaceProfile
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		if err := checkPlaceRecord(p, snap); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// checkPlaceRecord holds a stored or shipped record to the rules a PUT
// and POST interest apply.
func checkPlaceRecord(p PlaceProfile, snap *Snapshot) error {
	pl, ok := snap.Place(p.PlaceID)
	if !ok {
		return Errf(EInvalid, "el lugar %d no existe", "place %d does not exist", p.PlaceID)
	}
	if pl.Country == "MX" {
		return Errf(EInvalid, "el lugar %d (%s) está en México", "place %d (%s) is in Mexico", p.PlaceID, pl.Name)
	}
	u := p.Update()
	u.Source = "-"
	if err := u.Validate(nil); err != nil {
		return fmt.Errorf("place %d: %w: %v", p.PlaceID, err, fieldsOf(err))
	}
	for i := range p.Interests {
		if err := p.Interests[i].Validate(func(c string) bool { _, ok := snap.Municipality(c); return ok }); err != nil {
			return fmt.Errorf("place %d interest %d: %w: %v", p.PlaceID, i, err, fieldsOf(err))
		}
	}
	return nil
}

func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	if e, ok := err.(*Error); ok {
		for k, v := range e.Fields {
			out[k] = v.EN
		}
	}
	return out
}

// LoadPlaceProfiles merges the foreign cities' records: curated, then
// imported (datasets import place-profiles), then entered through the
// API or pages, a later record replacing an earlier one for the same
// place.
func LoadPlaceProfiles(store Store, snap *Snapshot) (map[int64]PlaceProfile, error) {
	cur, err := CuratedPlaceProfiles(snap)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]PlaceProfile, len(cur))
	for _, p := range cur {
		out[p.PlaceID] = p
	}
	if store == nil {
		return out, nil
	}
	imp, err := LoadTable[PlaceProfile](store, PlaceProfilesKind)
	if err != nil {
		return nil, err
	}
	for _, p := range imp {
		out[p.PlaceID] = p
	}
	err = store.List(BucketPlaceProfiles, func(key string, v []byte) error {
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil {
			return fmt.Errorf("stored place profile key %q: %w", key, err)
		}
		var p PlaceProfile
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("stored place profile %s: %w", key, err)
		}
		p.PlaceID = id
		out[id] = p
		return nil
	})
	return out, err
}
