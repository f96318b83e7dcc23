package matcher

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"hermanar/datasets"
)

// ProfileIndexer keeps the text index of profiles current (the index
// package's Index).
type ProfileIndexer interface {
	PutProfile(key string, p datasets.Profile) error
}

// Writes is the one path by which what people enter reaches the system:
// the store first — durable when a call returns, so the caller may
// acknowledge the write — then the live engine, then the text index. The
// api's handlers and the command line's start-up replay both go through it.
// Writes are serialized. A failure after the store write is reported to
// Lagging, not returned: the store is the record, and the next start
// replays it with Reindex.
type Writes struct {
	Store   datasets.Store
	Engine  *Engine
	Text    ProfileIndexer               // nil: no text index
	Lagging func(what string, err error) // nil: such failures are dropped

	mu sync.Mutex
}

func (w *Writes) lag(what string, err error) {
	if w.Lagging != nil {
		w.Lagging(what, err)
	}
}

// SaveMunicipalityProfile stores p as the profile of municipality cvegeo
// and applies it. The caller validates p first.
func (w *Writes) SaveMunicipalityProfile(cvegeo string, p datasets.Profile) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.Store.Put(datasets.BucketProfiles, cvegeo, raw); err != nil {
		return fmt.Errorf("store profile %s: %w", cvegeo, err)
	}
	w.Engine.SetMunicipalityProfile(cvegeo, p)
	if w.Text != nil {
		if err := w.Text.PutProfile(MunicipalityKey(cvegeo), p); err != nil {
			w.lag("text index of the profile of "+cvegeo, err)
		}
		w.Engine.TextIndexChanged()
	}
	return nil
}

// SaveTie stores t (replacing the tie with its id) and applies it. check,
// when not nil, runs under the write lock with the stored tie of that id
// (nil when there is none); an error from it is returned and nothing
// changes. created reports whether the id was new.
func (w *Writes) SaveTie(t datasets.Tie, check func(prev *datasets.Tie) error) (created bool, err error) {
	raw, err := json.Marshal(t)
	if err != nil {
		return false, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	err = w.Store.Update(datasets.BucketTies, func(bk datasets.Bucket) error {
		var prev *datasets.Tie
		if old := bk.Get(t.ID); old != nil {
			var p datasets.Tie
			if json.Unmarshal(old, &p) == nil {
				prev = &p
			}
		} else {
			created = true
		}
		if check != nil {
			if err := check(prev); err != nil {
				return err
			}
		}
		return bk.Put(t.ID, raw)
	})
	if err != nil {
		return false, err
	}
	if err := w.Engine.PutTie(t); err != nil {
		w.lag("engine, tie "+t.ID, err)
	}
	return created, nil
}

// SavePlaceRecord stores rec as the record of a foreign place and applies
// it.
func (w *Writes) SavePlaceRecord(rec datasets.PlaceProfile) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.Store.Put(datasets.BucketPlaceProfiles, strconv.FormatInt(rec.PlaceID, 10), raw); err != nil {
		return fmt.Errorf("store place profile %d: %w", rec.PlaceID, err)
	}
	if err := w.Engine.SetPlaceRecord(rec); err != nil {
		w.lag(fmt.Sprintf("engine, place profile %d", rec.PlaceID), err)
	}
	if w.Text != nil {
		if err := w.Text.PutProfile(ProfileKey(rec.PlaceID), rec.Profile); err != nil {
			w.lag(fmt.Sprintf("text index of the profile of place %d", rec.PlaceID), err)
		}
		w.Engine.TextIndexChanged()
	}
	return nil
}

// Reindex puts every stored profile of municipalities and of places back
// into the text index, for a text index that starts empty.
func (w *Writes) Reindex(municipalities map[string]datasets.Profile, places map[int64]datasets.Profile) error {
	if w.Text == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, p := range municipalities {
		if err := w.Text.PutProfile(MunicipalityKey(k), p); err != nil {
			return fmt.Errorf("reindex profile %s: %w", k, err)
		}
	}
	for id, p := range places {
		if err := w.Text.PutProfile(ProfileKey(id), p); err != nil {
			return fmt.Errorf("reindex place profile %d: %w", id, err)
		}
	}
	w.Engine.TextIndexChanged()
	return nil
}
