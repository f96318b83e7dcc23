package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"hermanar/datasets"
)

// readBOMCSV checks that b starts with a UTF-8 BOM (so a spreadsheet reads
// "José" intact) and returns its records.
func readBOMCSV(t *testing.T, what string, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(datasets.UTF8BOM)) {
		t.Errorf("%s: no UTF-8 BOM at the start: %q", what, b[:min(len(b), 24)])
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte(datasets.UTF8BOM)))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return recs
}

// TestOneCSVSchema: match --format csv, rank --format csv and rank's
// ranking.csv share one header and give the same rows for the same
// municipality, missing components as 0 with *_present false.
func TestOneCSVSchema(t *testing.T) {
	data := t.TempDir()
	list := filepath.Join(t.TempDir(), "list.txt")
	if err := os.WriteFile(list, []byte("11008\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	match, stderr, err := runCLI(t, "match", "--municipality", "11008", "--k", "5", "--format", "csv", "--data", data)
	if err != nil {
		t.Fatalf("match: %v\n%s", err, stderr)
	}
	rank, stderr, err := runCLI(t, "rank", "--municipalities", list, "--k", "5", "--format", "csv", "--quiet", "--data", data)
	if err != nil {
		t.Fatalf("rank --format csv: %v\n%s", err, stderr)
	}
	out := t.TempDir()
	if _, stderr, err := runCLI(t, "rank", "--municipalities", list, "--k", "5", "--csv", "--quiet", "--out", out, "--data", data); err != nil {
		t.Fatalf("rank --csv: %v\n%s", err, stderr)
	}
	file, err := os.ReadFile(filepath.Join(out, "ranking.csv"))
	if err != nil {
		t.Fatal(err)
	}
	m := readBOMCSV(t, "match --format csv", []byte(match))
	r := readBOMCSV(t, "rank --format csv", []byte(rank))
	f := readBOMCSV(t, "ranking.csv", file)
	for what, recs := range map[string][][]string{"match": m, "rank --format csv": r, "ranking.csv": f} {
		if len(recs) != 6 || !reflect.DeepEqual(recs[0], datasets.RankCSVHeader) {
			t.Fatalf("%s: %d records, header %v; want 5 rows under %v", what, len(recs), recs[0], datasets.RankCSVHeader)
		}
	}
	if !reflect.DeepEqual(m, r) || !reflect.DeepEqual(r, f) {
		t.Errorf("the three CSVs differ:\nmatch:\n%s\nrank:\n%s\nranking.csv:\n%s", match, rank, file)
	}
	col := map[string]int{}
	for i, h := range m[0] {
		col[h] = i
	}
	first := m[1]
	if first[col["place_name"]] != "Whitewater" || first[col["admin1"]] != "WI" || first[col["municipality_name"]] != "Manuel Doblado" {
		t.Errorf("first row: %v", first)
	}
	for _, row := range m[1:] {
		for _, c := range []string{"problems", "areas", "diaspora", "text", "structure", "network"} {
			if i, ok := col[c+"_value"]; ok && row[i] == "" {
				t.Errorf("%s_value empty in %v; missing values are 0 with %s_present false", c, row, c)
			}
		}
	}
	if !strings.Contains(match, "Doblado") {
		t.Errorf("accents or names lost:\n%s", match)
	}
}
