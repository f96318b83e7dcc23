package matcher

import (
	"encoding/json"
	"fmt"
	"math"
	"os"

	"hermanar/datasets"
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
	// Twinned, when set, are the weights for a municipality that has
	// twins of its own in the registry: the network evidence the backtest
	// can test and calibrate fits. The weights above are for the others,
	// whose lists rest on structure and traits (README, "How a list is
	// drawn"). Its maps fall back to the ones above where missing; its own
	// Twinned is ignored.
	Twinned *Weights `json:"twinned,omitempty"`
}

// For picks the weights of a municipality: Twinned when it has twins of
// its own and Twinned is set, else w itself.
func (w *Weights) For(ownTwins bool) *Weights {
	if ownTwins && w.Twinned != nil {
		return w.Twinned
	}
	return w
}

// fillTwinned completes Twinned's missing maps from w's.
func (w *Weights) fillTwinned() {
	t := w.Twinned
	if t == nil {
		return
	}
	t.Twinned = nil
	t.fillMissing(w)
}

// fillMissing takes from's maps for those w lacks.
func (w *Weights) fillMissing(from *Weights) {
	if w.Components == nil {
		w.Components = from.Components
	}
	if w.Structure == nil {
		w.Structure = from.Structure
	}
	if w.Network == nil {
		w.Network = from.Network
	}
}

// PolicyWeights are the hand-set defaults declared with each component
// and signal (ComponentDefs, signalList).
func PolicyWeights() Weights {
	w := Weights{Components: map[string]float64{}, Structure: map[string]float64{}, Network: map[string]float64{},
		Provenance: "policy defaults (hand-set, see README)"}
	for _, c := range ComponentDefs {
		w.Components[c.Name] = c.Policy
	}
	for _, s := range signalList {
		if s.Component == CompStructure {
			w.Structure[s.Name] = s.Policy
		} else {
			w.Network[s.Name] = s.Policy
		}
	}
	return w
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
	if err := check("network feature", w.Network, NetworkFeatures); err != nil {
		return err
	}
	if w.Twinned != nil {
		t := *w.Twinned
		t.Twinned = nil
		if err := t.Validate(); err != nil {
			return fmt.Errorf("twinned %w", err)
		}
	}
	return nil
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
	w.fillMissing(&p)
	w.fillTwinned()
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
	return datasets.WriteBytesSync(name, 0o644, append(b, '\n'))
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
