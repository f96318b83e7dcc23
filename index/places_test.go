package index

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hermanar/datasets"
)

// The brief's acceptance cases, on the shared index: the whole snapshot,
// or Mexican and US places under -short (every case is Mexican or US).
func TestSearchPlacesAcceptance(t *testing.T) {
	x := sharedIndex(t)
	cases := []struct {
		name    string
		q       string
		f       PlaceFilter
		want    string
		within  int // rank (1-based) at or above which want must appear
		amongUS bool
	}{
		// Thirteen Mexican localities are called "... Otates"; the seed
		// locality is a small one among them.
		{"locality by its distinctive word", "otates", PlaceFilter{Limit: 20}, "4024473", 20, false},
		{"locality by full name", "San José de Otates", PlaceFilter{}, "4024473", 1, false},
		{"locality without accents", "san jose de otates", PlaceFilter{}, "4024473", 1, false},
		{"typo, first among US hits", "Whitewter", PlaceFilter{}, "5278931", 1, true},
		{"typo, US filter", "Whitewter", PlaceFilter{Country: "US"}, "5278931", 1, false},
		{"Spanish alternate name", "ciudad de mexico", PlaceFilter{}, "3530597", 1, false},
		{"bare country-like name", "mexico", PlaceFilter{}, "3530597", 1, false},
		{"municipality by name", "Manuel Doblado", PlaceFilter{}, "mun:11008", 1, false},
		{"municipality while typing", "manuel dob", PlaceFilter{}, "mun:11008", 1, false},
		{"municipality kind filter", "manuel", PlaceFilter{Kind: KindMunicipality}, "mun:11008", 3, false},
		{"prefix", "otat", PlaceFilter{Country: "MX", Limit: 20}, "4023973", 20, false},
		{"name and state", "whitewater wisconsin", PlaceFilter{}, "5278931", 1, false},
		{"bigger place first among equal names", "whitewater", PlaceFilter{Country: "US"}, "5278931", 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := x.SearchPlaces(tc.q, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if tc.amongUS {
				hits = slices.DeleteFunc(hits, func(h Hit) bool { return h.Country != "US" })
			}
			rank := slices.IndexFunc(hits, func(h Hit) bool { return h.ID == tc.want }) + 1
			if rank == 0 || rank > tc.within {
				t.Errorf("%s: %q: %s at rank %d, want ≤ %d; got %s", tc.name, tc.q, tc.want, rank, tc.within, describe(hits))
			}
		})
	}
}

func describe(hits []Hit) string {
	var b strings.Builder
	for i, h := range hits {
		if i == 8 {
			b.WriteString(" …")
			break
		}
		b.WriteString(" ")
		b.WriteString(h.ID + "=" + h.Name + "/" + h.Country)
	}
	return b.String()
}

func TestSearchPlacesFilters(t *testing.T) {
	x := sharedIndex(t)
	hits, err := x.SearchPlaces("san", PlaceFilter{Country: "us", Limit: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 7 {
		t.Errorf("limit 7: got %d hits", len(hits))
	}
	for _, h := range hits {
		if h.Country != "US" || h.Kind != KindPlace || h.PlaceID() == 0 || h.CVEGEO() != "" {
			t.Errorf("country filter: got %+v", h)
		}
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("not sorted by score: %s", describe(hits))
		}
	}
	hits, err = x.SearchPlaces("guanajuato", PlaceFilter{Kind: KindMunicipality})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].ID != "mun:11015" {
		t.Errorf("municipality Guanajuato: got %s", describe(hits))
	}
	for _, h := range hits {
		if h.Kind != KindMunicipality || h.CVEGEO() == "" || h.Country != "MX" {
			t.Errorf("kind filter: got %+v", h)
		}
	}
	for _, q := range []string{"", "   ", "¿?", strings.Repeat("a", 10*MaxQueryLen)} {
		if _, err := x.SearchPlaces(q, PlaceFilter{}); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	if hits, _ := x.SearchPlaces("whitewater", PlaceFilter{Limit: 10 * MaxLimit}); len(hits) > MaxLimit {
		t.Errorf("limit not capped: %d hits", len(hits))
	}
}

// tinySnapshot is a hand-made gazetteer for tests that build indexes of
// their own.
func tinySnapshot(version string) *datasets.Snapshot {
	places := []datasets.Place{
		{ID: 4024473, Name: "San José de Otates", ASCIIName: "San Jose de Otates", Country: "MX", Admin1: "11", Admin2: "008", Population: 664},
		{ID: 4013705, Name: "Ciudad Manuel Doblado", ASCIIName: "Ciudad Manuel Doblado", Country: "MX", Admin1: "11", Admin2: "008", FeatureCode: "PPLA2", Population: 13956},
		{ID: 5278931, Name: "Whitewater", ASCIIName: "Whitewater", AltNames: "Uajtuoter,Whitewater", Country: "US", Admin1: "WI", Admin2: "127", Population: 14692},
		{ID: 4281710, Name: "Whitewater", ASCIIName: "Whitewater", Country: "US", Admin1: "KS", Admin2: "015", Population: 710},
		{ID: 3530597, Name: "Mexico City", ASCIIName: "Mexico City", AltNames: "Ciudad de México,CDMX,Мехико", Country: "MX", Admin1: "09", FeatureCode: "PPLC", Population: 12294193},
	}
	admins := []datasets.AdminName{
		{Code: "MX.11", Name: "Guanajuato"}, {Code: "MX.11.008", Name: "Manuel Doblado"},
		{Code: "US.WI", Name: "Wisconsin"}, {Code: "US.WI.127", Name: "Walworth County"},
		{Code: "US.KS", Name: "Kansas"}, {Code: "US.KS.015", Name: "Butler County"},
		{Code: "MX.09", Name: "Mexico City"},
	}
	return datasets.NewSnapshot(datasets.Manifest{Version: version}, places, admins)
}

func mustOpen(tb testing.TB, dir string, snap *datasets.Snapshot, opts Options) *Index {
	tb.Helper()
	x, err := Open(dir, snap, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return x
}

func TestOpenBuildsOnceAndRebuildsWhenStale(t *testing.T) {
	dir := t.TempDir()
	var reports [][2]int
	x := mustOpen(t, dir, tinySnapshot("v1"), Options{Progress: func(done, total int) { reports = append(reports, [2]int{done, total}) }})
	info := x.Places()
	if !info.Rebuilt || info.Docs != 5+1 || info.SnapshotVersion != "v1" || info.MappingVersion != MappingVersion {
		t.Errorf("first open: %+v", info)
	}
	if n := len(reports); n < 2 || reports[0] != [2]int{0, 6} || reports[n-1] != [2]int{6, 6} {
		t.Errorf("progress: got %v, want 0 of 6 first and 6 of 6 last", reports)
	}
	if hits, _ := x.SearchPlaces("otates", PlaceFilter{}); len(hits) != 1 || hits[0].ID != "4024473" {
		t.Errorf("search in a fresh index: %s", describe(hits))
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}

	x = mustOpen(t, dir, tinySnapshot("v1"), Options{})
	if x.Places().Rebuilt {
		t.Error("second open with the same snapshot rebuilt the index")
	}
	if hits, _ := x.SearchPlaces("ciudad de mexico", PlaceFilter{}); len(hits) == 0 || hits[0].ID != "3530597" || hits[0].Matched != "Ciudad de México" {
		t.Errorf("reused index: %+v", hits)
	}
	x.Close()

	for _, tc := range []struct {
		name string
		snap *datasets.Snapshot
		opts Options
	}{
		{"new snapshot version", tinySnapshot("v2"), Options{}},
		{"country subset", tinySnapshot("v2"), Options{Countries: []string{"us"}}},
	} {
		x = mustOpen(t, dir, tc.snap, tc.opts)
		if !x.Places().Rebuilt {
			t.Errorf("%s: not rebuilt", tc.name)
		}
		x.Close()
	}
	// The US-only index has no Mexican places but keeps municipalities.
	x = mustOpen(t, dir, tinySnapshot("v2"), Options{Countries: []string{"US"}})
	defer x.Close()
	if hits, _ := x.SearchPlaces("otates", PlaceFilter{}); len(hits) != 0 {
		t.Errorf("subset index: got %s", describe(hits))
	}
	if hits, _ := x.SearchPlaces("manuel doblado", PlaceFilter{}); len(hits) != 1 || hits[0].ID != "mun:11008" {
		t.Errorf("subset index municipalities: got %s", describe(hits))
	}
}

func TestOpenIgnoresHalfBuiltIndex(t *testing.T) {
	dir := t.TempDir()
	// What a crash mid-build leaves: a build directory, and a places
	// directory without its meta file.
	if err := os.MkdirAll(filepath.Join(dir, placesDir+".building-123", placesDir, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, placesDir, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	x := mustOpen(t, dir, tinySnapshot("v1"), Options{})
	defer x.Close()
	if !x.Places().Rebuilt {
		t.Error("a places directory without meta was trusted")
	}
	if hits, _ := x.SearchPlaces("whitewater", PlaceFilter{}); len(hits) != 2 || hits[0].ID != "5278931" {
		t.Errorf("rebuilt index: got %s", describe(hits))
	}
}

func TestSecondOpenFailsInsteadOfBlocking(t *testing.T) {
	dir := t.TempDir()
	x := mustOpen(t, dir, tinySnapshot("v1"), Options{})
	defer x.Close()
	start := time.Now()
	y, err := Open(dir, tinySnapshot("v1"), Options{BoltTimeout: 100 * time.Millisecond})
	if err == nil {
		y.Close()
		t.Fatal("a second Open of a locked index succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second Open took %v", d)
	}
	if !strings.Contains(err.Error(), "locked") || datasets.ErrorCode(err) != datasets.EConflict {
		t.Errorf("error %q (code %s) does not say the index is locked", err, datasets.ErrorCode(err))
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		max  int
		want int
	}{
		{"whitewter", "whitewater", 2, 1},
		{"otates", "otates", 1, 0},
		{"guadalajra", "guadalajara", 1, 1},
		{"abc", "xyz", 1, 2},
		{"abcdef", "ab", 2, 3},
	} {
		if got := editDistance(tc.a, tc.b, tc.max); got != tc.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.max, got, tc.want)
		}
	}
}
