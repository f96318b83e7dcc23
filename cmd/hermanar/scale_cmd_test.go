package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"hermanar/matcher"
)

func matchResult(t *testing.T, args ...string) matcher.Result {
	t.Helper()
	out, _, err := runCLI(t, append([]string{"match", "--format", "json"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	var res matcher.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// The shipped score scale makes a value mean the same for Oaxaca de
// Juárez (a list on size and climate alone, raw scores near 0.9) and
// Manuel Doblado (a migrant tie in the basis, which lowers every other
// city's raw score to near 0.3): a city's calibrated value is the
// structure fit at its structure value in both, and within each list the
// calibrated values follow the raw scores.
func TestCalibratedScaleSameEverywhere(t *testing.T) {
	scale := matcher.DefaultScale()
	if scale == nil || scale.Bases["structure"] == nil {
		t.Fatal("weights_default.json has no score scale with a structure basis")
	}
	data := t.TempDir()
	raws := map[string][]float64{}
	type point struct{ raw, cal float64 }
	var seen []point // every calibrated match of both lists, on the structure fit
	for _, muni := range []string{"20067", "11008"} {
		res := matchResult(t, "--municipality", muni, "--k", "20", "--data", data)
		if res.Scale == "" {
			t.Errorf("%s: no scale with the shipped weights", muni)
		}
		n := 0
		for _, m := range res.Matches {
			if m.Calibrated == nil {
				continue
			}
			n++
			structure := -1.0
			for _, c := range m.Components {
				if c.Name == matcher.CompStructure {
					structure = c.Value
				}
			}
			want := scale.Bases["structure"].Apply(structure)
			if m.CalibratedBasis != "structure" || math.Abs(*m.Calibrated-want) > 2e-6 {
				t.Errorf("%s: %s calibrated %v on %q, the structure fit at its structure value %v is %v",
					muni, m.Place.Name, *m.Calibrated, m.CalibratedBasis, structure, want)
			}
			// Within a list the map is monotone in the raw score, so the
			// order by score is the order by calibrated value.
			for _, p := range seen[len(seen)-n+1:] {
				if (m.Score-p.raw)*(*m.Calibrated-p.cal) < 0 {
					t.Errorf("%s: %s score %v calibrated %v against score %v calibrated %v", muni, m.Place.Name, m.Score, *m.Calibrated, p.raw, p.cal)
				}
			}
			seen = append(seen, point{m.Score, *m.Calibrated})
			raws[muni] = append(raws[muni], m.Score)
		}
		if n < 15 {
			t.Errorf("%s: %d of %d matches calibrated", muni, n, len(res.Matches))
		}
		if muni == "11008" && (res.Matches[0].Place.ID != 5278931 || res.Matches[0].Calibrated != nil) {
			t.Errorf("Whitewater, lifted by its tie, should lead without a calibrated value: %+v", res.Matches[0])
		}
	}
	// The raw scores mean different things: Oaxaca's are well above
	// Manuel Doblado's for cities of the same calibrated level.
	if len(raws["20067"]) == 0 || len(raws["11008"]) == 0 || raws["20067"][0] < 2*raws["11008"][0] {
		t.Errorf("raw scores of the two lists: %v and %v", raws["20067"], raws["11008"])
	}
}

// calibrate stores a scale fitted on its cross-validated scores beside
// the weights it writes, and match applies it from that file; scale
// fits one for a hand-set weights file and leaves its weights alone.
func TestCommandsWriteTheScale(t *testing.T) {
	dir := t.TempDir()
	w := filepath.Join(dir, "weights.json")
	if _, _, err := runCLI(t, "calibrate", "--twinnings", smallTwinningsFile, "--folds", "3", "--data", t.TempDir(), "--quiet", "--out", w); err != nil {
		t.Fatal(err)
	}
	s, err := matcher.LoadScale(w)
	if err != nil || s == nil {
		t.Fatalf("calibrate wrote no scale: %v", err)
	}
	cw, _ := matcher.LoadWeights(w)
	if s.Weights != cw.Provenance || len(s.Bases) == 0 {
		t.Errorf("calibrate's scale: weights %q (file %q), %d bases", s.Weights, cw.Provenance, len(s.Bases))
	}
	res := matchResult(t, "--municipality", "20067", "--k", "3", "--data", t.TempDir(), "--weights", w)
	if res.Scale != s.Provenance {
		t.Errorf("match --weights does not use the file's scale: %q", res.Scale)
	}

	hand := filepath.Join(dir, "hand.json")
	raw, _ := os.ReadFile("../../matcher/weights_default.json")
	if err := os.WriteFile(hand, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := matcher.LoadWeights(hand)
	if _, _, err := runCLI(t, "scale", "--twinnings", smallTwinningsFile, "--data", t.TempDir(), "--quiet", "--weights", hand); err != nil {
		t.Fatal(err)
	}
	after, _ := matcher.LoadWeights(hand)
	a, _ := json.Marshal(before)
	b, _ := json.Marshal(after)
	if string(a) != string(b) {
		t.Errorf("scale changed the weights:\n%s\n%s", a, b)
	}
	hs, err := matcher.LoadScale(hand)
	if err != nil || hs == nil || hs.Weights != after.Provenance || hs.Bases["structure"] == nil {
		t.Errorf("scale's fit: %+v %v", hs, err)
	}
	if _, _, err := runCLI(t, "scale", "--twinnings", smallTwinningsFile); err == nil || exitCode(err) != 2 {
		t.Errorf("scale without --weights: %v", err)
	}
}
