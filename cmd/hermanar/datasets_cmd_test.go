package main

import (
	"bytes"
	"context"
	"encoding/json"
	"hermanar/datasets"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// runCLI runs the hermanar command line as a user would.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

// sharedDataDir finds ../shared/data above the working directory or skips.
func sharedDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	d, ok := datasets.FindSharedData(dir)
	if !ok {
		t.Skip("shared/data (the official data files) not found above the working directory; skipping import tests")
	}
	return d
}

type statsJSON struct {
	Tables map[string]struct {
		Rows    int    `json:"rows"`
		Source  string `json:"source"`
		Licence string `json:"licence"`
	} `json:"tables"`
}

func mustStats(t *testing.T, data string) statsJSON {
	t.Helper()
	out, stderr, err := runCLI(t, "datasets", "stats", "--data", data, "--format", "json")
	if err != nil {
		t.Fatalf("stats: %v\n%s", err, stderr)
	}
	var s statsJSON
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("stats JSON: %v\n%s", err, out)
	}
	return s
}

func TestDatasetsResolveCLI(t *testing.T) {
	data := t.TempDir()
	cases := []struct {
		name   string
		args   []string
		checks []string // substrings of stdout
	}{
		{"table", []string{"Whitewater, Wisconsin"}, []string{"5278931", "Whitewater", "Wisconsin", "Walworth County", "US", "14692", "unique: 5278931"}},
		{"no commas", []string{"whitewater wi"}, []string{"unique: 5278931"}},
		{"flags first, csv", []string{"--format", "csv", "San José de Otates"}, []string{"id,name,admin1,admin2,country,population,match,municipality\n4024473,San José de Otates,Guanajuato,Manuel Doblado,MX,664,name,11008 Manuel Doblado"}},
		{"country flag", []string{"León", "--country", "México"}, []string{"unique: 3998655"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"datasets", "resolve", "--data", data}, tc.args...)
			out, stderr, err := runCLI(t, args...)
			if err != nil {
				t.Fatalf("%s: %v\n%s", tc.name, err, stderr)
			}
			for _, c := range tc.checks {
				if !strings.Contains(out, c) {
					t.Errorf("%s: output lacks %q:\n%s", tc.name, c, out)
				}
			}
		})
	}

	out, _, err := runCLI(t, "datasets", "resolve", "Whitewater, Wisconsin", "--format", "json", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Unique     int64 `json:"unique"`
		Candidates []struct {
			ID         int64  `json:"id"`
			Admin1     string `json:"admin1"`
			Admin2Name string `json:"admin2_name"`
			Population int64  `json:"population"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Unique != 5278931 || len(got.Candidates) == 0 || got.Candidates[0].Admin1 != "WI" ||
		got.Candidates[0].Admin2Name != "Walworth County" || got.Candidates[0].Population != 14692 {
		t.Errorf("resolve JSON: %+v", got)
	}

	// An ambiguous name lists the candidates and still fails, so that a
	// script does not take the first line for the answer.
	out, _, err = runCLI(t, "datasets", "resolve", "Otates", "--data", data)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "ambiguous") || !strings.Contains(out, "4023973") {
		t.Errorf("ambiguous name: err %v (exit %d), want exit 1 naming the ambiguity after the candidates:\n%s", err, exitCode(err), out)
	}
	if _, _, err := runCLI(t, "datasets", "resolve", "Xyzzyqwv", "--data", data); err == nil || exitCode(err) != 1 {
		t.Errorf("unmatched name: err %v, want exit status 1", err)
	}
	if _, _, err := runCLI(t, "datasets", "resolve", "--data", data); exitCode(err) != 2 {
		t.Errorf("missing name: err %v, want a usage error", err)
	}
}

func TestDatasetsStatsAndVerifyEmptyStore(t *testing.T) {
	data := t.TempDir()
	s := mustStats(t, data)
	want := map[string]int{"places": 199568, "municipalities": 2471, "admin_names": 51508, "ties": 1, "consulates": 1}
	for name, rows := range want {
		tb, ok := s.Tables[name]
		if !ok || tb.Rows != rows || tb.Source == "" || tb.Licence == "" {
			t.Errorf("stats %s: %+v (present %v), want %d rows with source and licence", name, tb, ok, rows)
		}
	}
	out, stderr, err := runCLI(t, "datasets", "verify", "--data", data)
	if err != nil || !strings.HasPrefix(out, "ok") {
		t.Errorf("verify: %v\n%s%s", err, out, stderr)
	}
	out, _, err = runCLI(t, "datasets", "stats", "--data", data, "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	recs := readBOMCSV(t, "datasets stats --format csv", []byte(out))
	if len(recs) != 6 || strings.Join(recs[0], ",") != "table,rows,source,licence" {
		t.Errorf("stats csv:\n%s", out)
	}
}

func TestDatasetsUsage(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{
		{"datasets"},
		{"datasets", "nope"},
		{"datasets", "import", "nope", "x.csv", "--data", data},
		{"datasets", "import", "conapo", "--data", data},
		{"datasets", "stats", "--format", "yaml", "--data", data},
	} {
		if _, _, err := runCLI(t, args...); exitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error (exit 2)", args, err)
		}
	}
}

func TestDatasetsImportCLI(t *testing.T) {
	shared := sharedDataDir(t)
	data := t.TempDir()
	out, stderr, err := runCLI(t, "datasets", "import-all", shared, "--data", data)
	if err != nil {
		t.Fatalf("import-all: %v\n%s%s", err, out, stderr)
	}
	t.Logf("import-all:\n%s", out)
	// One summary: each kind's row count appears on stdout once, not again
	// on stderr.
	if strings.Contains(stderr, "rows") {
		t.Errorf("import-all repeats its summary on stderr:\n%s", stderr)
	}
	if n := strings.Count(out, "\nconapo "); n != 1 {
		t.Errorf("conapo appears %d times in the summary table, want 1:\n%s", n, out)
	}
	// Banxico's "No identificado" rows are counted where the report holds them.
	if !regexp.MustCompile(`0 unmatched or ambiguous; 32 "No identificado" names`).MatchString(out) {
		t.Errorf("the Banxico note does not account for the 32 report lines:\n%s", out)
	}
	s := mustStats(t, data)
	// Municipalities counts what the engine uses after the INEGI import.
	if got := s.Tables["municipalities"].Rows; got != 2478 {
		t.Errorf("stats municipalities after import: %d, want 2478", got)
	}
	want := map[string]int{"inegi-municipalities": 2478, "inegi-localities": 10635, "conapo": 2456, "inecc": 14736, "conagua": 12146}
	for name, rows := range want {
		if got := s.Tables[name].Rows; got != rows {
			t.Errorf("stats %s: %d rows, want %d", name, got, rows)
		}
	}
	for _, k := range []string{"banxico-municipalities", "banxico-us-states", "twinnings"} {
		if s.Tables[k].Rows == 0 {
			t.Errorf("stats %s: no rows", k)
		}
		if _, err := os.Stat(filepath.Join(data, "import-report-"+k+".csv")); err != nil {
			t.Errorf("report for %s: %v", k, err)
		}
	}
	if out, stderr, err := runCLI(t, "datasets", "verify", "--data", data); err != nil {
		t.Errorf("verify after import-all: %v\n%s%s", err, out, stderr)
	}

	// Importing a file again leaves the same counts.
	conapo := filepath.Join(shared, "conapo", "IIM2010_BASEMUN.csv")
	out, stderr, err = runCLI(t, "datasets", "import", "conapo", conapo, "--data", data)
	if err != nil {
		t.Fatalf("import conapo: %v\n%s", err, stderr)
	}
	report := filepath.Join(data, "import-report-conapo.csv")
	if !strings.Contains(out, "2456") || !strings.Contains(out, report) {
		t.Errorf("import output lacks the count or the report path:\n%s", out)
	}
	again := mustStats(t, data)
	if !reflect.DeepEqual(s, again) {
		t.Errorf("stats changed after importing conapo again:\n%v\n%v", s, again)
	}

	// A corrupted copy is rejected with its line, and nothing changes.
	b, err := os.ReadFile(conapo)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "conapo.csv")
	os.WriteFile(bad, bytes.Replace(b, []byte(",18.31,"), []byte(",18.3.1,"), 1), 0o644)
	_, _, err = runCLI(t, "datasets", "import", "conapo", bad, "--data", data)
	if err == nil || !regexp.MustCompile(`conapo.csv line [0-9]+: column VIV_EMIG`).MatchString(err.Error()) {
		t.Errorf("corrupted import: %v, want a VIV_EMIG error with its line", err)
	}
	if after := mustStats(t, data); !reflect.DeepEqual(s, after) {
		t.Errorf("stats changed after a rejected import")
	}
}
