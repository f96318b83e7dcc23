package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hermanar/datasets"
	"hermanar/matcher"
)

type runJSON struct {
	Weights           matcher.Weights `json:"weights"`
	WeightsProvenance string          `json:"weights_provenance"`
	Snapshot          string          `json:"snapshot_version"`
	Municipalities    int             `json:"municipalities"`
	Candidates        int             `json:"candidates"`
	Rows              int             `json:"rows"`
	K                 int             `json:"k"`
	Started           string          `json:"started"`
	Seconds           float64         `json:"seconds"`
	GoVersion         string          `json:"go_version"`
	Machine           struct {
		Cores int `json:"cores"`
	} `json:"machine"`
}

// rank --state 11 writes a readable Parquet file, a CSV copy and run.json;
// a second run writes the same bytes; the rows are what Match returns.
func TestRankStateEndToEnd(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	out := filepath.Join(t.TempDir(), "out")
	stdout, stderr, err := runCLI(t, "rank", "--state", "11", "--k", "10", "--csv", "--data", data, "--out", out)
	if err != nil {
		t.Fatalf("rank: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "ranked 46 municipalities") {
		t.Errorf("stdout %q should sum up the run", stdout)
	}
	if !strings.Contains(stderr, "100%") || !strings.Contains(stderr, "municipalities/s") {
		t.Errorf("stderr %q should show a progress bar with a rate", stderr)
	}
	rows, err := datasets.ReadRankFile(filepath.Join(out, "ranking.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 460 {
		t.Fatalf("%d rows, want 46×10", len(rows))
	}
	for i, r := range rows {
		if r.State != "11" || r.StateName == "" || r.Rank != int32(i%10+1) || r.PlaceID == 0 || r.Code == "" || !r.StructurePresent {
			t.Fatalf("row %d: %+v", i, r)
		}
		if i > 0 && r.Municipality < rows[i-1].Municipality {
			t.Fatalf("row %d: municipalities out of order", i)
		}
	}

	var run runJSON
	b, err := os.ReadFile(filepath.Join(out, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &run); err != nil {
		t.Fatal(err)
	}
	if run.Municipalities != 46 || run.Rows != 460 || run.K != 10 || run.Candidates < 100000 || run.Snapshot == "" ||
		run.WeightsProvenance == "" || run.Weights.Components == nil || run.GoVersion == "" || run.Machine.Cores < 1 ||
		run.Started == "" || run.Seconds <= 0 {
		t.Errorf("run.json is incomplete: %s", b)
	}

	f, err := os.Open(filepath.Join(out, "ranking.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 461 || recs[0][0] != datasets.UTF8BOM+"municipality" {
		t.Errorf("ranking.csv: %d records (%v), want a header and 460 rows", len(recs), err)
	}
	if left, _ := filepath.Glob(filepath.Join(out, ".*partial")); len(left) > 0 {
		t.Errorf("partial files left behind: %v", left)
	}

	// The same rows as Match for the same municipality, and the same bytes
	// on a second run.
	a, err := openApp(context.Background(), appOptions{dataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.engine.Match(context.Background(), matcher.Query{Municipality: "11008", K: 10})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	var got []datasets.RankRow
	for _, r := range rows {
		if r.Municipality == "11008" {
			got = append(got, r)
		}
	}
	for i, m := range res.Matches {
		if got[i].PlaceID != m.Place.ID || got[i].Score != m.Score || got[i].Code != m.Code {
			t.Errorf("11008 rank %d: rank file has %d %v %s, match %d %v %s", i+1,
				got[i].PlaceID, got[i].Score, got[i].Code, m.Place.ID, m.Score, m.Code)
		}
	}
	out2 := filepath.Join(t.TempDir(), "again")
	if _, stderr, err := runCLI(t, "rank", "--state", "11", "--k", "10", "--quiet", "--data", data, "--out", out2); err != nil {
		t.Fatalf("second rank: %v\n%s", err, stderr)
	} else if stderr != "" {
		t.Errorf("--quiet still wrote %q", stderr)
	}
	b1, _ := os.ReadFile(filepath.Join(out, "ranking.parquet"))
	b2, _ := os.ReadFile(filepath.Join(out2, "ranking.parquet"))
	if !bytes.Equal(b1, b2) {
		t.Error("two runs wrote different Parquet files")
	}
}

func TestRankBadInputs(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badLine := write("bad.txt", "# Guanajuato\n11008\n1100\n")
	unknown := write("unknown.txt", "cvegeo\n11999\n")
	empty := write("empty.txt", "# nothing\n\n")
	file := write("plain-file", "x")
	good := write("good.csv", "cvegeo,name\n11008,Manuel Doblado\n")
	for _, tc := range []struct {
		name string
		args []string
		want []string // substrings of the error
	}{
		{"no out", []string{"rank", "--state", "11"}, []string{"--out"}},
		{"state 99", []string{"rank", "--state", "99", "--out", dir}, []string{"--state", "99"}},
		{"state name", []string{"rank", "--state", "Guanajuato", "--out", dir}, []string{"--state", "two-digit"}},
		{"bad k", []string{"rank", "--k", "0", "--out", dir}, []string{"--k"}},
		{"bad country", []string{"rank", "--country", "USA", "--out", dir}, []string{"--country", "USA"}},
		{"state and list", []string{"rank", "--state", "11", "--municipalities", good, "--out", dir}, []string{"not both"}},
		{"bad line", []string{"rank", "--municipalities", badLine, "--out", dir}, []string{"line 3", "1100"}},
		{"missing file", []string{"rank", "--municipalities", filepath.Join(dir, "nope.txt"), "--out", dir}, []string{"nope.txt"}},
		{"empty file", []string{"rank", "--municipalities", empty, "--out", dir}, []string{"no municipality codes"}},
		{"unwritable out", []string{"rank", "--state", "11", "--out", filepath.Join(file, "sub")}, []string{"--out", "plain-file"}},
		{"unknown code", []string{"rank", "--municipalities", unknown, "--data", data, "--out", filepath.Join(dir, "o")}, []string{"line 2", "11999"}},
		{"bench peer", []string{"bench", "rank", "--vs", "R", "--state", "11"}, []string{"--vs"}},
		{"bench what", []string{"bench", "match"}, []string{"bench rank"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCLI(t, tc.args...)
			if err == nil {
				t.Fatalf("%v: no error", tc.args)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q does not mention %q", tc.name, err, w)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "o", "ranking.parquet")); err == nil {
		t.Error("a failed run left ranking.parquet behind")
	}
}

// bench rank runs Go and the numpy peer on Guanajuato and finds the same
// top 50 (the peer reproduces the float32 scores exactly).
func TestBenchRankVsNumpy(t *testing.T) {
	if err := exec.Command(numpyPython, "-c", "import numpy").Run(); err != nil {
		t.Skipf("%s with numpy is not available (apt-get install -y python3-numpy): %v", numpyPython, err)
	}
	data := filepath.Join(t.TempDir(), "data")
	keep := t.TempDir()
	stdout, stderr, err := runCLI(t, "bench", "rank", "--vs", "numpy", "--state", "11", "--format", "json", "--data", data, "--keep", keep)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr)
	}
	var res benchResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("bench output %q: %v", stdout, err)
	}
	if res.Municipalities != 46 || res.K != 50 || res.GoS <= 0 || res.NumpyS <= 0 || res.Ratio <= 0 {
		t.Errorf("bench result %+v", res)
	}
	if res.Top50Overlap < 0.99 || res.ExactLists < 0.99 || res.ExactListsExhaustive < 0.99 || res.ExactListsPruned < 0.99 {
		t.Errorf("overlap %v, identical lists %v (exhaustive %v, pruned %v); want ≥ 0.99",
			res.Top50Overlap, res.ExactLists, res.ExactListsExhaustive, res.ExactListsPruned)
	}
	// Like with like: the exhaustive runs score every pair, the pruned ones fewer.
	if all := int64(res.Municipalities) * int64(res.Candidates); res.GoExhaustiveScored != all || res.GoScored >= all ||
		res.NumpyPrunedScored <= 0 || res.NumpyPrunedScored >= all || res.GoExhaustiveS <= 0 || res.NumpyPrunedS <= 0 {
		t.Errorf("scored: go %d, go exhaustive %d, numpy pruned %d of %d", res.GoScored, res.GoExhaustiveScored, res.NumpyPrunedScored, all)
	}
	var feat matcher.DenseFeatures
	b, err := os.ReadFile(filepath.Join(keep, "features", "features.json"))
	if err == nil {
		err = json.Unmarshal(b, &feat)
	}
	if err != nil || len(feat.Queries) != 46 || feat.Candidates != res.Candidates {
		t.Errorf("exported features: %d queries, %d candidates (%v)", len(feat.Queries), feat.Candidates, err)
	}
}

func TestExportFeaturesCLI(t *testing.T) {
	out := t.TempDir()
	stdout, stderr, err := runCLI(t, "export-features", "--state", "01", "--data", filepath.Join(t.TempDir(), "data"), "--out", out)
	if err != nil {
		t.Fatalf("export-features: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "exported 11 municipalities") {
		t.Errorf("stdout %q", stdout)
	}
	for _, n := range []string{"features.json", "id.npy", "log_pop.npy", "country.npy", "pop_mx.npy"} {
		if st, err := os.Stat(filepath.Join(out, n)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty (%v)", n, err)
		}
	}
	if _, _, err := runCLI(t, "export-features", "--country", "US", "--out", out); err == nil {
		t.Error("export-features took --country, which it cannot honour")
	}
}
