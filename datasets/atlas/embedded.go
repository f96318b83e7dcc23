package atlas

import (
	"embed"
	"fmt"
	"sync"
)

// The boundary files, byte for byte as the pinned npm packages ship them
// (see rebuild.sh and SHA256SUMS).
//
//go:embed data/*.json data/*.svg
var files embed.FS

// Embedded file names and their sources.
const (
	// Natural Earth 1:110m countries (objects "countries", "land"), world-atlas@2.0.2.
	Countries110m = "countries-110m.json"
	// Natural Earth 1:10m countries (objects "countries", "land"), world-atlas@2.0.2.
	Countries10m = "countries-10m.json"
	// Natural Earth 1:50m countries (objects "countries", "land"), world-atlas@2.0.2.
	Countries50m = "countries-50m.json"
	// Natural Earth 1:10m land (object "land"), world-atlas@2.0.2.
	Land10m = "land-10m.json"
	// US Census states 1:10m, unprojected (objects "states", "nation"), us-atlas@3.0.1.
	States10m = "states-10m.json"
)

// Credits to show beside anything drawn from these files.
const (
	NaturalEarthCredit = "Natural Earth (public domain), via world-atlas 2.0.2"
	USCensusCredit     = "US Census Bureau cartographic boundaries (public domain), via us-atlas 3.0.1"
	MexicoStatesCredit = "MapSVG map of Mexico (CC BY 4.0), via @svg-maps/mexico 2.0.0"
)

var cache sync.Map // file name -> *onceTopology

type onceTopology struct {
	once sync.Once
	t    *Topology
	err  error
}

// Open returns the decoded embedded topology of that name (one of the
// constants above), decoded once per process. Features returns fresh
// slices on every call.
func Open(name string) (*Topology, error) {
	v, _ := cache.LoadOrStore(name, &onceTopology{})
	o := v.(*onceTopology)
	o.once.Do(func() {
		b, err := files.ReadFile("data/" + name)
		if err != nil {
			o.err = fmt.Errorf("atlas: no embedded file %q", name)
			return
		}
		o.t, o.err = Parse(b)
		if o.err != nil {
			o.err = fmt.Errorf("atlas %s: %w", name, o.err)
		}
	})
	return o.t, o.err
}

// Load returns the features of one object of an embedded file, e.g.
// Load(Countries110m, "countries").
func Load(name, object string) ([]Feature, error) {
	t, err := Open(name)
	if err != nil {
		return nil, err
	}
	return t.Features(object)
}

// MexicoStatesSVG returns the embedded SVG of Mexico's 32 states.
func MexicoStatesSVG() []byte {
	b, err := files.ReadFile("data/mexico-states.svg")
	if err != nil {
		panic("atlas: mexico-states.svg is not embedded") // a build defect, not input
	}
	return b
}
