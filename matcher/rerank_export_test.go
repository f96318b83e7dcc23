package matcher

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestExportPoolsWritesTheCVRows runs the developer export on the small
// twinnings: every file is there, and each fold's training rows hold as
// many feature rows as its CSV's last range ends at.
func TestExportPoolsWritesTheCVRows(t *testing.T) {
	dir := t.TempDir()
	if err := ExportPools(context.Background(), Inputs{Snap: mustSnapshot(t), Twinnings: mustSmallTwinnings(t)}, 2, 1, 2, dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"features.f32", "rows.csv", "queries.csv", "features.txt", "hidden.f32"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", name, err)
		}
	}
	csvs, _ := filepath.Glob(filepath.Join(dir, "cv", "train_*.csv"))
	if len(csvs) == 0 {
		t.Fatal("no cross-validation training rows written")
	}
	for _, name := range csvs {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(recs) < 2 || recs[0][2] != "end" {
			t.Fatalf("%s: %v, %d lines", name, err, len(recs))
		}
		end, _ := strconv.Atoi(recs[len(recs)-1][2])
		st, err := os.Stat(name[:len(name)-len(".csv")] + ".f32")
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(end * len(rerankFeatureNames) * 4); st.Size() != want {
			t.Errorf("%s: %d bytes of rows, want %d (%d rows)", filepath.Base(name), st.Size(), want, end)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "cv", ".*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}
