package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"hermanar/datasets"
	"hermanar/index"
	"hermanar/matcher"
)

// appOptions says what a command needs opened.
type appOptions struct {
	dataDir   string
	weights   string    // weights JSON; empty = the shipped defaults
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
}

// openApp loads the embedded snapshot and the store in dataDir, merges the
// imported and user-entered data and builds the matching engine.
func openApp(ctx context.Context, o appOptions) (*app, error) {
	if o.dataDir == "" {
		o.dataDir = defaultDataDir()
	}
	a := &app{opts: o, tax: datasets.DefaultTaxonomy()}
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
	if a.cls, err = index.NewClassifier(a.tax); err != nil {
		a.Close()
		return nil, err
	}
	in.Classifier = classifierAdapter{a.cls}
	in.Taxonomy = a.tax
	if o.withIndex {
		ix, err := index.Open(filepath.Join(o.dataDir, "index"), a.snap, index.Options{Progress: o.progress})
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("open index: %w", err)
		}
		a.ix = ix
	}
	w := defaultWeights()
	if o.weights != "" {
		if w, err = matcher.LoadWeights(o.weights); err != nil {
			a.Close()
			return nil, err
		}
	}
	in.Weights = w
	if a.engine, err = matcher.NewEngine(in); err != nil {
		a.Close()
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		a.Close()
		return nil, err
	}
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

// loadInputs gathers what the engine is built from.
func loadInputs(st datasets.Store, snap *datasets.Snapshot) (matcher.Inputs, error) {
	return matcher.Inputs{Snap: snap}, nil
}

// defaultWeights are the weights shipped with the binary.
func defaultWeights() matcher.Weights { return matcher.PolicyWeights() }

// classifierAdapter lets the index's classifier serve the matcher.
type classifierAdapter struct{ c *index.Classifier }

func (a classifierAdapter) Classify(text, lang string, k int) []matcher.Category {
	return nil
}
