package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hermanar/matcher"
)

// The hand-written twinnings fixture of the matcher package: real city
// names, resolved in memory by the twinnings importer.
const smallTwinningsFile = "../../matcher/testdata/twinnings_small.csv"

func TestEvalCommandJSON(t *testing.T) {
	_, _, err := runCLI(t, "eval", "--twinnings", smallTwinningsFile, "--format", "json", "--folds", "3",
		"--data", t.TempDir(), "--shared", filepath.Join(t.TempDir(), "none"), "--quiet")
	if err == nil || !strings.Contains(err.Error(), "--shared") {
		// A --shared directory without the files is an error, not a silent skip.
		t.Fatalf("missing --shared files: got %v", err)
	}
	out, _, err := runCLI(t, "eval", "--twinnings", smallTwinningsFile, "--format", "json", "--folds", "3",
		"--data", t.TempDir(), "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Queries int `json:"queries"`
		Methods []struct {
			Name       string   `json:"name"`
			Kind       string   `json:"kind"`
			RecallAt10 *float64 `json:"recall_at_10"`
			RecallAt50 *float64 `json:"recall_at_50"`
			MRR        *float64 `json:"mrr"`
			NDCGAt10   *float64 `json:"ndcg_at_10"`
			Coverage   *float64 `json:"coverage"`
		} `json:"methods"`
		Input struct {
			SHA256      string `json:"sha256"`
			DataVersion string `json:"data_version"`
		} `json:"input"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Queries < 25 || len(rep.Methods) != 10 || len(rep.Input.SHA256) != 64 || !strings.HasPrefix(rep.Input.DataVersion, "sha256:") {
		t.Fatalf("got %d queries, %d methods, sha %q", rep.Queries, len(rep.Methods), rep.Input.SHA256)
	}
	kinds := map[string]int{}
	for _, m := range rep.Methods {
		kinds[m.Kind]++
		if m.RecallAt10 == nil || m.RecallAt50 == nil || m.MRR == nil || m.NDCGAt10 == nil || m.Coverage == nil {
			t.Errorf("%s: a metric is missing", m.Name)
		}
	}
	// matchers: policy, shipped (in-sample), calibrated (held out) and
	// the second stage (held out, not shipped)
	if kinds["baseline"] != 6 || kinds["matcher"] != 4 {
		t.Errorf("kinds: %v, want 6 baselines and 4 matchers", kinds)
	}
}

func TestEvalCommandMarkdownAndTable(t *testing.T) {
	md := filepath.Join(t.TempDir(), "EVALUATION.md")
	out, _, err := runCLI(t, "eval", "--twinnings", smallTwinningsFile, "--folds", "3", "--data", t.TempDir(), "--quiet", "--write", md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mexico_popularity", "matcher_calibrated", "R@10"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Evaluation", "| method | kind | R@10", "hermanar eval --twinnings", "liaison officer", "## Acceptance", "## Calibrated weights"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("EVALUATION.md lacks %q", want)
		}
	}
}

func TestCalibrateCommand(t *testing.T) {
	w := filepath.Join(t.TempDir(), "weights.json")
	if _, _, err := runCLI(t, "calibrate", "--twinnings", smallTwinningsFile, "--folds", "3", "--data", t.TempDir(), "--quiet", "--out", w); err != nil {
		t.Fatal(err)
	}
	got, err := matcher.LoadWeights(w)
	if err != nil {
		t.Fatal(err)
	}
	// The fit is the twinned weights; the weights for municipalities
	// without twins keep the shipped ones.
	if got.Twinned == nil || !strings.HasPrefix(got.Twinned.Provenance, "twinned weights calibrated ") {
		t.Fatalf("no calibrated twinned weights: %+v", got.Twinned)
	}
	if ship := matcher.DefaultWeights(); got.Provenance != ship.Provenance || got.Components[matcher.CompNetwork] != ship.Components[matcher.CompNetwork] {
		t.Errorf("weights without twins changed: %q %v", got.Provenance, got.Components)
	}
	if sn := got.Twinned.Components[matcher.CompStructure] + got.Twinned.Components[matcher.CompNetwork]; math.Abs(sn-0.25) > 1e-4 {
		t.Errorf("twinned structure+network %v, want the total 0.25", sn)
	}
	var raw struct {
		Calibration *matcher.CalibrationProvenance `json:"calibration"`
	}
	b, _ := os.ReadFile(w)
	if err := json.Unmarshal(b, &raw); err != nil || raw.Calibration == nil {
		t.Fatalf("no calibration provenance: %v\n%s", err, b)
	}
	if c := raw.Calibration; len(c.SHA256) != 64 || !strings.HasPrefix(c.DataVersion, "sha256:") || c.Snapshot == "" || c.Queries < 25 || c.CV[matcher.MethodMatcherCalibrated] == 0 && c.CV[matcher.MethodMexicoPopularity] == 0 {
		t.Errorf("provenance incomplete: %+v", c)
	}
}

func TestEvalUsage(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"no twinnings", []string{"eval"}},
		{"bad format", []string{"eval", "--twinnings", smallTwinningsFile, "--format", "xml"}},
		{"one fold", []string{"eval", "--twinnings", smallTwinningsFile, "--folds", "1"}},
		{"calibrate without out", []string{"calibrate", "--twinnings", smallTwinningsFile}},
	}
	for _, tc := range cases {
		_, _, err := runCLI(t, tc.args...)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("%s: got %v, want a usage error", tc.name, err)
		}
	}
}
