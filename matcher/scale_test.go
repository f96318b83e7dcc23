package matcher

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The pool-adjacent-violators fit on binned scores: rising knots, the
// right rates on a sample whose answer is known, and a basis with too
// few hidden twins left without a fit.
func TestScaleFit(t *testing.T) {
	var a ScaleSample
	// 40 queries of 100 candidates: scores 0.00–0.99; the hidden twin
	// scores 0.95 in half of them and 0.25 in the other half.
	for q := 0; q < 40; q++ {
		scores := make([]float32, 100)
		for i := range scores {
			scores[i] = float32(i) / 100
		}
		h := int32(95)
		if q%2 == 1 {
			h = 25
		}
		a.addBasis("structure", scores, h)
	}
	a.addBasis("diaspora+structure", []float32{0.1, 0.9}, 1)
	s, err := a.Fit()
	if err != nil || s == nil {
		t.Fatalf("fit: %v %v", s, err)
	}
	if _, ok := s.Bases["diaspora+structure"]; ok {
		t.Error("a basis with one hidden twin got a fit")
	}
	b := s.Bases["structure"]
	if b == nil || b.Queries != 40 || b.Candidates != 4000 {
		t.Fatalf("structure fit: %+v", b)
	}
	// Each score bin holds 40 candidates. Bins 0.00–0.24 hold no twin;
	// PAV pools 0.25–0.94 (20 twins in 70 × 40 scores: the rate falls
	// after 0.25) and 0.95–0.99 (20 in 5 × 40). The knots are the pools'
	// mean scores, linear in between.
	cases := []struct {
		name  string
		score float64
		want  float64
	}{
		{"lowest scores", 0.05, 0},
		{"centre of the middle pool", 0.595, 20.0 / (70 * 40)},
		{"centre of the top pool", 0.97, 0.1},
		{"above the top pool", 0.99, 0.1},
		{"halfway between", (0.595 + 0.97) / 2, (20.0/(70*40) + 0.1) / 2},
	}
	for _, tc := range cases {
		if got := b.Apply(tc.score); math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("%s: Apply(%v) = %v, want %v", tc.name, tc.score, got, tc.want)
		}
	}
	prev := -1.0
	for x := 0.0; x <= 1; x += 0.001 {
		v := b.Apply(x)
		if v < prev-1e-12 || v < 0 || v > 1 {
			t.Fatalf("Apply not monotone in [0,1] at %v: %v after %v", x, v, prev)
		}
		prev = v
	}
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
}

// addBasis is add for a sample whose basis is given (tests).
func (a *ScaleSample) addBasis(key string, scores []float32, hidden int32) {
	a.mu.Lock()
	if a.bases == nil {
		a.bases = map[string]*binSample{}
	}
	bs := a.bases[key]
	if bs == nil {
		bs = &binSample{}
		a.bases[key] = bs
	}
	a.mu.Unlock()
	for _, s := range scores {
		b := scaleBin(float64(s))
		bs.all[b]++
		bs.sum[b] += float64(s)
	}
	bs.hits[scaleBin(float64(scores[hidden]))]++
	bs.queries++
}

// WriteScale adds the scale to a weights file and leaves the weights as
// they were, keys in order; ReadScale reads it back.
func TestWriteScaleKeepsWeights(t *testing.T) {
	name := filepath.Join(t.TempDir(), "w.json")
	if err := os.WriteFile(name, weightsDefaultJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := LoadWeights(name)
	if err != nil {
		t.Fatal(err)
	}
	s := &ScoreScale{Weights: before.Provenance, Provenance: "test", Bases: map[string]*BasisScale{
		"structure": {Scores: []float64{0.1, 0.5}, Values: []float64{0, 0.25}, Queries: 30, Candidates: 90}}}
	for i := 0; i < 2; i++ { // twice: the second replaces the first
		if err := WriteScale(name, s); err != nil {
			t.Fatal(err)
		}
	}
	after, err := LoadWeights(name)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(before)
	b, _ := json.Marshal(after)
	if string(a) != string(b) {
		t.Errorf("weights changed:\n%s\n%s", a, b)
	}
	got, err := LoadScale(name)
	if err != nil || got == nil || math.Abs(got.Bases["structure"].Apply(0.3)-0.125) > 1e-12 {
		t.Errorf("scale read back: %+v %v", got, err)
	}
}

// The engine applies a scale only to the weights it was fitted for.
func TestScaleBelongsToItsWeights(t *testing.T) {
	s := &ScoreScale{Weights: "other weights", Bases: map[string]*BasisScale{
		"structure": {Scores: []float64{0, 1}, Values: []float64{0, 1}}}}
	e := mustEngine(t, Inputs{Scale: s})
	res, err := e.Match(context.Background(), Query{Municipality: "20067", K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scale != "" || res.Matches[0].Calibrated != nil {
		t.Errorf("a scale of other weights was applied: %q %v", res.Scale, res.Matches[0].Calibrated)
	}
	w := PolicyWeights()
	s.Weights = w.Provenance
	e = mustEngine(t, Inputs{Scale: s, Weights: w})
	scaled, err := e.Match(context.Background(), Query{Municipality: "20067", K: 3})
	if err != nil {
		t.Fatal(err)
	}
	// The scale changes no rank and no score.
	for i, m := range scaled.Matches {
		if p := res.Matches[i]; p.Place.ID != m.Place.ID || p.Score != m.Score {
			t.Errorf("rank %d: %s %v with the scale, %s %v without", m.Rank, m.Place.Name, m.Score, p.Place.Name, p.Score)
		}
	}
	m := scaled.Matches[0]
	if m.Calibrated == nil || math.Abs(*m.Calibrated-m.Score) > 1e-6 || m.CalibratedBasis != "structure" {
		t.Errorf("identity scale on a structure-only list: %v on %q for score %v", m.Calibrated, m.CalibratedBasis, m.Score)
	}
}
