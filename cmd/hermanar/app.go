package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"hermanar/datasets"
	"hermanar/index"
	"hermanar/matcher"

	"golang.org/x/sync/errgroup"
)

// appOptions says what a command needs opened.
type appOptions struct {
	dataDir   string
	weights   string    // weights JSON; empty = the shipped defaults
	model     string    // second-stage model file; empty = the embedded one, "none" = off
	withIndex bool      // open (building if needed) the Bleve index
	progress  io.Writer // progress of long work; nil = silent
}

// app is the wired system: store, data, index and engine.
type app struct {
	opts   appOptions
	store  datasets.Store
	snap   *datasets.Snapshot
	tax    *datasets.Taxonomy
	ix     *index.Index
	cls    *index.Classifier
	engine *matcher.Engine
	writes *matcher.Writes // the write path for profiles and ties
}

// openApp loads the embedded snapshot and the store in dataDir, merges the
// imported and user-entered data and builds the matching engine.
func openApp(ctx context.Context, o appOptions) (*app, error) {
	if o.dataDir == "" {
		o.dataDir = defaultDataDir()
	}
	a := &app{opts: o, tax: datasets.DefaultTaxonomy()}
	// The classifier needs only the taxonomy: build it while the snapshot
	// is decoded, which is most of start-up.
	var classifier errgroup.Group
	classifier.Go(func() (err error) {
		a.cls, err = index.NewClassifier(a.tax)
		return err
	})
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		return nil, fmt.Errorf("load embedded snapshot: %w", err)
	}
	a.snap = snap
	st, err := datasets.OpenStore(o.dataDir, 2*time.Second)
	if err != nil {
		return nil, err
	}
	a.store = st
	in, err := loadInputs(st, snap)
	if err != nil {
		st.Close()
		return nil, err
	}
	a.snap = in.Snap
	if err := classifier.Wait(); err != nil {
		a.Close()
		return nil, err
	}
	in.Classifier = a.cls
	in.Taxonomy = a.tax
	if o.withIndex {
		ix, err := index.Open(filepath.Join(o.dataDir, "index"), a.snap,
			index.Options{Progress: barProgress(o.progress, "indexing places", "docs"), Classifier: a.cls, Taxonomy: a.tax})
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("open index: %w", err)
		}
		a.ix = ix
		in.Text = ix
	}
	w := defaultWeights()
	if o.weights != "" {
		if w, err = matcher.LoadWeights(o.weights); err != nil {
			a.Close()
			return nil, err
		}
		// The file's own score scale, if calibrate or scale wrote one.
		if in.Scale, err = matcher.LoadScale(o.weights); err != nil {
			a.Close()
			return nil, err
		}
	}
	in.Weights = w
	switch o.model {
	case "":
	case "none":
		in.NoRerank = true
	default:
		if in.Rerank, err = matcher.LoadRerankFile(o.model); err != nil {
			a.Close()
			return nil, err
		}
	}
	if a.engine, err = matcher.NewEngine(in); err != nil {
		a.Close()
		return nil, err
	}
	a.writes = &matcher.Writes{Store: a.store, Engine: a.engine}
	if a.ix != nil {
		a.writes.Text = a.ix
		if a.ix.ProfilesReset() {
			// A new profile index: put back every stored profile so text
			// relevance sees them without waiting for the next edit.
			if err := a.writes.Reindex(in.MunicipalityProfiles, nil); err != nil {
				a.Close()
				return nil, err
			}
		}
		if err := syncPlaceProfiles(a.writes, a.ix, filepath.Join(o.dataDir, "index"), in.PlaceRecords); err != nil {
			a.Close()
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		a.Close()
		return nil, err
	}
	// Alternate names are needed by name search (and by curated ties that
	// name a locality, which may have decoded them already): make sure
	// they are decoded in the background once the rest is up, rather than
	// compete with start-up for the CPU.
	go a.snap.WarmAltNames()
	return a, nil
}

// Close releases the index and the store.
func (a *app) Close() error {
	var first error
	if a.ix != nil {
		if err := a.ix.Close(); err != nil {
			first = err
		}
	}
	if a.store != nil {
		if err := a.store.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// loadInputs gathers what the engine is built from: the snapshot with
// imported INEGI figures, curated, imported and user-entered ties,
// twinnings, consulates, indicators and stored profiles.
func loadInputs(st datasets.Store, snap *datasets.Snapshot) (matcher.Inputs, error) {
	d, err := datasets.LoadData(st, snap)
	if err != nil {
		return matcher.Inputs{}, err
	}
	in := matcher.Inputs{Snap: d.Snapshot, Ties: d.Ties, Twinnings: d.Twinnings, Consulates: d.Consulates,
		DataProblems: d.DataProblems(), Emigration: map[string]float64{}, USStateRemittances: map[string]float64{},
		MunicipalityProfiles: map[string]datasets.Profile{}, PlaceProfiles: map[int64]datasets.Profile{}}
	for k, m := range d.Migration {
		in.Emigration[k] = m.EmigrantPct
	}
	for k, r := range d.USStateRemittances {
		in.USStateRemittances[k] = r.MillionUSD
	}
	err = st.List(datasets.BucketProfiles, func(key string, v []byte) error {
		var p datasets.Profile
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("stored profile %s: %w", key, err)
		}
		in.MunicipalityProfiles[key] = p
		return nil
	})
	if err != nil {
		return in, err
	}
	in.PlaceRecords, err = datasets.LoadPlaceProfiles(st, in.Snap)
	return in, err
}

// defaultWeights are the weights shipped with the binary.
func defaultWeights() matcher.Weights { return matcher.DefaultWeights() }
