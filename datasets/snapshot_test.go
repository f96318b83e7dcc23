package datasets

import (
	"os"
	"path/filepath"
	"testing"
)

func TestEmbeddedSnapshot(t *testing.T) {
	s, err := DefaultSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Places); n < 199_000 {
		t.Errorf("places: got %d, want ≥ 199,000", n)
	}
	valid := 0
	for _, m := range s.Municipalities {
		if ValidCVEGEO(m.CVEGEO) {
			valid++
		}
	}
	if valid < 2460 {
		t.Errorf("municipalities with a 5-digit CVEGEO: got %d, want ≥ 2,460", valid)
	}
	ww, ok := s.Place(5278931)
	if !ok {
		t.Fatal("Whitewater 5278931 missing")
	}
	if ww.Name != "Whitewater" || ww.Country != "US" || ww.Admin1 != "WI" || ww.Population != 14692 || s.Admin2Name(ww) != "Walworth County" {
		t.Errorf("Whitewater: got %+v in %q", *ww, s.Admin2Name(ww))
	}
	ot, ok := s.Place(4024473)
	if !ok {
		t.Fatal("San José de Otates 4024473 missing")
	}
	cve, _ := MunicipalityOf(ot)
	md, ok := s.Municipality(cve)
	if cve != "11008" || !ok || md.Name != "Manuel Doblado" || md.StateName != "Guanajuato" {
		t.Errorf("Otates belongs to %s %+v, want 11008 Manuel Doblado", cve, md)
	}
	if !md.PopulationEstimated {
		t.Error("derived municipal population must be marked as an estimate")
	}
}

// The four states whose GeoNames and INEGI codes differ must land on the
// INEGI code: Saltillo is in Coahuila (INEGI 05), Tuxtla Gutiérrez in
// Chiapas (07), Chihuahua city in Chihuahua (08), Colima city in Colima (06).
func TestStateCrosswalk(t *testing.T) {
	s, err := DefaultSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		place int64
		state string
	}{{3988086, "05"}, {3515001, "07"}, {4014338, "08"}, {4013516, "06"}}
	for _, tc := range cases {
		p, ok := s.Place(tc.place)
		if !ok {
			t.Errorf("place %d missing", tc.place)
			continue
		}
		cve, _ := MunicipalityOf(p)
		if cve[:2] != tc.state {
			t.Errorf("%s (%d): state %s, want %s", p.Name, tc.place, cve[:2], tc.state)
		}
	}
}

// Rebuilding from the same inputs gives the same bytes; checked on a
// small slice of GeoNames rows written by the test.
func TestBuildSnapshotReproducible(t *testing.T) {
	dir := t.TempDir()
	rows := "5278931\tWhitewater\tWhitewater\t\t42.83362\t-88.73233\tP\tPPL\tUS\t\tWI\t127\t86925\t\t14692\t251\t252\tAmerica/Chicago\t2017-05-23\n" +
		"4024473\tSan José de Otates\tSan Jose de Otates\t\t20.78253\t-101.79941\tP\tPPL\tMX\t\t11\t008\t\t\t664\t\t1853\tAmerica/Mexico_City\t2018-11-03\n"
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c := write("cities500.txt", rows)
	a1 := write("admin1.json", `[{"code":"US.WI","name":"Wisconsin"},{"code":"MX.11","name":"Guanajuato"}]`)
	a2 := write("admin2.json", `[{"code":"US.WI.127","name":"Walworth County"},{"code":"MX.11.008","name":"Manuel Doblado"}]`)
	var sums [2][]byte
	for i := range sums {
		out := filepath.Join(dir, "out")
		if _, err := BuildSnapshot(c, a1, a2, "atlas/data/land-10m.json", "atlas/data/countries-10m.json", out); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, "places.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = b
	}
	if string(sums[0]) != string(sums[1]) {
		t.Error("two builds from the same inputs differ")
	}
	bad := write("bad.txt", "123\tonly three\tcolumns\n")
	if _, err := BuildSnapshot(bad, a1, a2, "atlas/data/land-10m.json", "atlas/data/countries-10m.json", filepath.Join(dir, "bad")); err == nil {
		t.Error("a malformed cities500 row was accepted")
	}
}

// BenchmarkLoadEmbeddedSnapshot decodes the embedded Parquet snapshot
// (199,568 places and 51,508 admin names) into memory.
func BenchmarkLoadEmbeddedSnapshot(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadEmbeddedSnapshot(); err != nil {
			b.Fatal(err)
		}
	}
}
