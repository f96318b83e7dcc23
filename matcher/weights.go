package matcher

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
)

// Component names, in the order they are reported.
const (
	CompProblems  = "problems"
	CompAreas     = "areas"
	CompDiaspora  = "diaspora"
	CompText      = "text"
	CompStructure = "structure"
	CompNetwork   = "network"
)

// Components lists every component in report order.
var Components = []string{CompProblems, CompAreas, CompDiaspora, CompText, CompStructure, CompNetwork}

// Sub-features of the structure and network components. Each is in [0,1];
// a component is the weighted mean of the sub-features that have data.
const (
	FeatSize      = "size"      // similarity of log population
	FeatType      = "type"      // settlement type (capital, county seat, town)
	FeatElevation = "elevation" // similarity of elevation
	FeatClimate   = "climate"   // similarity of absolute latitude, a climate proxy
	FeatProximity = "proximity" // great-circle closeness

	FeatMexPopularity    = "mexico_popularity" // how many Mexican twins the place has
	FeatGlobalPopularity = "global_popularity" // how many twins in all
	FeatTwinCountry      = "twin_country"      // share of my twins in the candidate's country
	FeatCoTwin           = "co_twin"           // twinned with one of my twins
	FeatCorridor         = "corridor"          // migration corridor: origin emigration × destination state remittances
)

// StructureFeatures and NetworkFeatures list the sub-features in order.
var (
	StructureFeatures = []string{FeatSize, FeatType, FeatElevation, FeatClimate, FeatProximity}
	NetworkFeatures   = []string{FeatMexPopularity, FeatGlobalPopularity, FeatTwinCountry, FeatCoTwin, FeatCorridor}
)

// Weights are the component weights and the sub-feature weights. Weights
// need not sum to one: each score renormalises over the components that
// have data.
type Weights struct {
	Components map[string]float64 `json:"components"`
	Structure  map[string]float64 `json:"structure"`
	Network    map[string]float64 `json:"network"`
	// Provenance says where the numbers come from (policy, or a calibration
	// run with its date, data and folds).
	Provenance string `json:"provenance"`
}

// PolicyWeights are the hand-set defaults: a known diaspora tie or a shared
// problem matters most, as the SRE advises; size and network are context.
func PolicyWeights() Weights {
	return Weights{
		Components: map[string]float64{
			CompProblems: 0.25, CompAreas: 0.10, CompDiaspora: 0.30,
			CompText: 0.10, CompStructure: 0.15, CompNetwork: 0.10,
		},
		Structure: map[string]float64{
			FeatSize: 0.4, FeatType: 0.1, FeatElevation: 0.15, FeatClimate: 0.2, FeatProximity: 0.15,
		},
		Network: map[string]float64{
			FeatMexPopularity: 0.35, FeatGlobalPopularity: 0.1, FeatTwinCountry: 0.25, FeatCoTwin: 0.15, FeatCorridor: 0.15,
		},
		Provenance: "policy defaults (hand-set, see README)",
	}
}

// Validate checks names and ranges.
func (w Weights) Validate() error {
	check := func(kind string, m map[string]float64, known []string) error {
		total := 0.0
		for k, v := range m {
			if !contains(known, k) {
				return fmt.Errorf("weights: unknown %s %q (known: %v)", kind, k, known)
			}
			if math.IsNaN(v) || v < 0 || v > 100 {
				return fmt.Errorf("weights: %s %q must be between 0 and 100, got %v", kind, k, v)
			}
			total += v
		}
		if total == 0 {
			return fmt.Errorf("weights: every %s weight is zero", kind)
		}
		return nil
	}
	if err := check("component", w.Components, Components); err != nil {
		return err
	}
	if err := check("structure feature", w.Structure, StructureFeatures); err != nil {
		return err
	}
	return check("network feature", w.Network, NetworkFeatures)
}

// LoadWeights reads a weights JSON file; missing maps fall back to policy.
func LoadWeights(name string) (Weights, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return Weights{}, err
	}
	var w Weights
	if err := json.Unmarshal(b, &w); err != nil {
		return Weights{}, fmt.Errorf("%s: %w", name, err)
	}
	p := PolicyWeights()
	if w.Components == nil {
		w.Components = p.Components
	}
	if w.Structure == nil {
		w.Structure = p.Structure
	}
	if w.Network == nil {
		w.Network = p.Network
	}
	if err := w.Validate(); err != nil {
		return Weights{}, fmt.Errorf("%s: %w", name, err)
	}
	return w, nil
}

// Save writes w as indented JSON.
func (w Weights) Save(name string) error {
	b, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, append(b, '\n'), 0o644)
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
