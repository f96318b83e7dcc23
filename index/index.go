package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"

	"hermanar/datasets"
)

// Options configure Open. The zero value is usable.
type Options struct {
	// Progress, when not nil, is told how many of the place index's
	// documents are indexed while it is built (first with done = 0); calls
	// come one at a time, from any goroutine. The caller draws the bar.
	Progress func(done, total int)
	// BoltTimeout bounds the wait for another process's lock on an index
	// (default 1s): a second process gets an error instead of blocking.
	BoltTimeout time.Duration
	// Classifier classifies profile problems for the profile index; nil
	// builds one from Taxonomy (about 35 ms). Pass the one the caller
	// already has to share it and its cache.
	Classifier *Classifier
	// Taxonomy is used when Classifier is nil; nil means
	// datasets.DefaultTaxonomy().
	Taxonomy *datasets.Taxonomy
	// Countries, when not empty, indexes only the places of these ISO
	// countries (municipalities are always indexed). It is part of the
	// build key, so a subset index is never reused for a full one. Meant
	// for quick tests.
	Countries []string
	// Workers building place documents and segments; 0 means GOMAXPROCS.
	Workers int
}

func (o Options) boltTimeout() string {
	if o.BoltTimeout <= 0 {
		return time.Second.String()
	}
	return o.BoltTimeout.String()
}

// Index is Hermanar's Bleve side: place search, profile text relevance
// and problem classification. It is safe for concurrent use; Close it
// once done.
type Index struct {
	dir        string
	snap       *datasets.Snapshot
	places     bleve.Index
	placesInfo PlacesInfo
	profiles   bleve.Index
	profReset  bool
	an         *analyzers
	classifier *Classifier
}

const (
	placesDir   = "places.bleve"
	profilesDir = "profiles.bleve"
)

// Open opens the index in dir, building the place index from snap when it
// is missing or stale (a different snapshot version, MappingVersion or
// country subset) and creating an empty profile index when there is none.
// With an existing place index Open takes well under a second.
func Open(dir string, snap *datasets.Snapshot, opts Options) (*Index, error) {
	if snap == nil {
		return nil, errors.New("index: nil snapshot")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	x := &Index{dir: dir, snap: snap, classifier: opts.Classifier}
	var err error
	if x.classifier == nil {
		tax := opts.Taxonomy
		if tax == nil {
			tax = datasets.DefaultTaxonomy()
		}
		if x.classifier, err = NewClassifier(tax); err != nil {
			return nil, err
		}
	}
	if x.places, x.placesInfo, err = openPlaces(filepath.Join(dir, placesDir), snap, opts); err != nil {
		return nil, err
	}
	// Queries and profile documents are analysed with this build's
	// analyzers; MappingVersion guarantees the place index agrees.
	m, err := placeMapping()
	if err == nil {
		x.an, err = resolveAnalyzers(m)
	}
	if err != nil {
		_ = x.places.Close()
		return nil, err
	}
	if x.profiles, x.profReset, err = openProfiles(filepath.Join(dir, profilesDir), opts); err != nil {
		_ = x.places.Close()
		return nil, err
	}
	return x, nil
}

// Close releases both indexes and their file locks.
func (x *Index) Close() error {
	return errors.Join(x.places.Close(), x.profiles.Close())
}

// Classifier returns the taxonomy classifier the index uses for profiles.
func (x *Index) Classifier() *Classifier { return x.classifier }

// Places describes the place index that Open found or built.
func (x *Index) Places() PlacesInfo { return x.placesInfo }

// ProfilesReset reports whether Open had to create profiles.bleve afresh
// (first run, or a profile mapping change): the caller should replay
// PutProfile for every profile in the store of record.
func (x *Index) ProfilesReset() bool { return x.profReset }

// Stats returns Bleve's statistics of the place index (segments, sizes),
// for diagnostics.
func (x *Index) Stats() map[string]any { return x.places.StatsMap() }
