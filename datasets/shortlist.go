package datasets

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// BucketShortlists holds one Shortlist per municipality, keyed by CVEGEO.
const BucketShortlists = "shortlists"

// Limits on what a liaison keeps.
const (
	MaxShortlist    = 30   // candidates kept per municipality
	MaxShortlistTxt = 2000 // characters of a note
)

// ShortlistEntry is one foreign candidate a municipality keeps, with why.
type ShortlistEntry struct {
	Place   int64     `json:"place_id"`
	Note    string    `json:"note,omitempty"`
	Areas   []string  `json:"areas,omitempty"` // areas a–h the liaison would agree on with this city
	AddedAt time.Time `json:"added_at"`
	AddedBy string    `json:"added_by"`
}

// Shortlist is a municipality's kept candidates, in the order added.
type Shortlist struct {
	Municipality string           `json:"municipality"`
	Entries      []ShortlistEntry `json:"entries"`
	UpdatedAt    *time.Time       `json:"updated_at,omitempty"`
}

// Entry returns the entry for place, if kept.
func (s Shortlist) Entry(place int64) (ShortlistEntry, bool) {
	for _, e := range s.Entries {
		if e.Place == place {
			return e, true
		}
	}
	return ShortlistEntry{}, false
}

// errNothingStored is the overall message of a refused shortlist or
// process write; the fields say what to fix.
var errNothingStored = Text{ES: "La solicitud tiene campos no válidos.", EN: "The request has invalid fields."}

// checkText validates free text a user typed.
func checkText(f FieldErrors, field, v string, max int) {
	switch {
	case !utf8.ValidString(v):
		f.Addf(field, "no es UTF-8 válido", "is not valid UTF-8")
	case strings.ContainsRune(v, 0):
		f.Addf(field, "contiene un carácter NUL", "contains a NUL character")
	case utf8.RuneCountInString(v) > max:
		f.Addf(field, "tiene más de %d caracteres", "is longer than %d characters", max)
	}
}

// checkAreas validates a list of model-agreement area codes.
func checkAreas(f FieldErrors, field string, areas []string) []string {
	seen := map[string]bool{}
	var out []string
	for i, a := range areas {
		a = strings.ToLower(strings.TrimSpace(a))
		if !isAreaCode(a) {
			f.Addf(fmt.Sprintf("%s[%d]", field, i), "área desconocida %q; use a–h del convenio modelo", "unknown area %q; use a–h of the model agreement", a)
			continue
		}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// ShortlistAdd is what a liaison sends to keep (or re-annotate) a candidate.
type ShortlistAdd struct {
	Place int64    `json:"place_id"`
	Note  string   `json:"note,omitempty"`
	Areas []string `json:"areas,omitempty"`
}

// Validate checks the request; isCandidate says whether a place id is a
// foreign candidate of the snapshot.
func (a *ShortlistAdd) Validate(isCandidate func(int64) bool) error {
	f := FieldErrors{}
	a.Note = strings.TrimSpace(a.Note)
	checkText(f, "note", a.Note, MaxShortlistTxt)
	a.Areas = checkAreas(f, "areas", a.Areas)
	switch {
	case a.Place <= 0:
		f.Addf("place_id", "indique el id GeoNames de la ciudad extranjera", "give the GeoNames id of the foreign city")
	case !isCandidate(a.Place):
		f.Addf("place_id", "el lugar %d no es una ciudad extranjera del catálogo", "place %d is not a foreign city of the snapshot", a.Place)
	}
	return f.Err(errNothingStored)
}

// LoadShortlist reads a municipality's shortlist (empty when none).
func LoadShortlist(st Store, cvegeo string) (Shortlist, error) {
	sl := Shortlist{Municipality: cvegeo, Entries: []ShortlistEntry{}}
	raw, ok, err := st.Get(BucketShortlists, cvegeo)
	if err != nil || !ok {
		return sl, err
	}
	if err := json.Unmarshal(raw, &sl); err != nil {
		return sl, fmt.Errorf("stored shortlist %s: %w", cvegeo, err)
	}
	if sl.Entries == nil {
		sl.Entries = []ShortlistEntry{}
	}
	return sl, nil
}

// AddToShortlist keeps a (validated) candidate, or replaces its note and
// areas when it is kept already. It reports whether the entry is new. The
// write is durable when it returns.
func AddToShortlist(st Store, cvegeo string, a ShortlistAdd, by string, now time.Time) (Shortlist, bool, error) {
	var out Shortlist
	created := false
	err := st.Update(BucketShortlists, func(b Bucket) error {
		sl := Shortlist{Municipality: cvegeo}
		if raw := b.Get(cvegeo); raw != nil {
			if err := json.Unmarshal(raw, &sl); err != nil {
				return fmt.Errorf("stored shortlist %s: %w", cvegeo, err)
			}
		}
		found := false
		for i := range sl.Entries {
			if sl.Entries[i].Place == a.Place {
				sl.Entries[i].Note, sl.Entries[i].Areas = a.Note, a.Areas
				found = true
			}
		}
		if !found {
			if len(sl.Entries) >= MaxShortlist {
				f := FieldErrors{}
				f.Addf("place_id", "la selección ya tiene %d ciudades; quite alguna antes de añadir otra",
					"the shortlist already holds %d cities; remove one before adding another", MaxShortlist)
				return f.Err(errNothingStored)
			}
			sl.Entries = append(sl.Entries, ShortlistEntry{Place: a.Place, Note: a.Note, Areas: a.Areas, AddedAt: now.UTC().Truncate(time.Second), AddedBy: by})
			created = true
		}
		t := now.UTC().Truncate(time.Second)
		sl.UpdatedAt = &t
		raw, err := json.Marshal(sl)
		if err != nil {
			return err
		}
		out = sl
		return b.Put(cvegeo, raw)
	})
	return out, created, err
}

// RemoveFromShortlist drops a candidate; ENotFound when it was not kept.
func RemoveFromShortlist(st Store, cvegeo string, place int64, now time.Time) (Shortlist, error) {
	var out Shortlist
	err := st.Update(BucketShortlists, func(b Bucket) error {
		sl := Shortlist{Municipality: cvegeo}
		if raw := b.Get(cvegeo); raw != nil {
			if err := json.Unmarshal(raw, &sl); err != nil {
				return fmt.Errorf("stored shortlist %s: %w", cvegeo, err)
			}
		}
		kept := sl.Entries[:0]
		for _, e := range sl.Entries {
			if e.Place != place {
				kept = append(kept, e)
			}
		}
		if len(kept) == len(sl.Entries) {
			return Errf(ENotFound, "el lugar %d no está en la lista corta de %s", "place %d is not in the shortlist of %s", place, cvegeo)
		}
		sl.Entries = kept
		t := now.UTC().Truncate(time.Second)
		sl.UpdatedAt = &t
		raw, err := json.Marshal(sl)
		if err != nil {
			return err
		}
		out = sl
		return b.Put(cvegeo, raw)
	})
	if out.Entries == nil {
		out.Entries = []ShortlistEntry{}
	}
	return out, err
}
