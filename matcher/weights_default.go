package matcher

import (
	_ "embed"
	"encoding/json"
	"sync"
)

// weightsDefaultJSON holds the weights shipped with the binary, written by
// `hermanar calibrate --out matcher/weights_default.json` with their
// provenance. An empty or invalid file falls back to the policy weights.
//
//go:embed weights_default.json
var weightsDefaultJSON []byte

var (
	defaultWeightsOnce sync.Once
	defaultWeightsVal  Weights
)

// DefaultWeights are the shipped weights: the calibrated ones when
// weights_default.json holds valid weights, else PolicyWeights. Each call
// returns a fresh copy the caller may change.
func DefaultWeights() Weights {
	defaultWeightsOnce.Do(func() {
		defaultWeightsVal = PolicyWeights()
		var w Weights
		if len(weightsDefaultJSON) == 0 || json.Unmarshal(weightsDefaultJSON, &w) != nil {
			return
		}
		p := PolicyWeights()
		if w.Components == nil {
			return
		}
		if w.Structure == nil {
			w.Structure = p.Structure
		}
		if w.Network == nil {
			w.Network = p.Network
		}
		w.fillTwinned()
		if w.Validate() == nil {
			defaultWeightsVal = w
		}
	})
	return copyWeights(defaultWeightsVal)
}

func copyWeights(w Weights) Weights {
	cp := func(m map[string]float64) map[string]float64 {
		out := make(map[string]float64, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	out := Weights{Components: cp(w.Components), Structure: cp(w.Structure), Network: cp(w.Network), Provenance: w.Provenance}
	if w.Twinned != nil {
		t := copyWeights(*w.Twinned)
		t.Twinned = nil
		out.Twinned = &t
	}
	return out
}
