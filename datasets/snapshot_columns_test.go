package datasets

import "testing"

// The columnar decoding of the embedded places must give exactly what the
// row-based GenericReader gives, for every place and every column.
func TestDecodePlacesMatchesRowReader(t *testing.T) {
	pb, err := snapshotFS.ReadFile("snapshot/places.parquet")
	if err != nil {
		t.Fatal(err)
	}
	got, index, err := decodePlaces(bytesParquet(pb))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadParquetBytes[placeCore](pb)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d places, want %d", len(got), len(want))
	}
	bad := 0
	for i, c := range want {
		w := Place{ID: c.ID, Name: c.Name, ASCIIName: c.ASCIIName, Lat: c.Lat, Lon: c.Lon,
			FeatureCode: c.FeatureCode, Country: c.Country, Admin1: c.Admin1, Admin2: c.Admin2,
			Population: c.Population, Elevation: c.Elevation, Timezone: c.Timezone, CoastKm: c.CoastKm, BorderKm: c.BorderKm}
		if got[i] != w {
			if bad++; bad <= 5 {
				t.Errorf("place %d: got %+v, want %+v", i, got[i], w)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d places differ", bad)
	}
	// The id index built while the names decode.
	if len(index) != len(want) {
		t.Errorf("id index: %d entries, want %d", len(index), len(want))
	}
	for i, c := range want {
		if j, ok := index[c.ID]; !ok || int(j) != i {
			t.Errorf("id index: place %d at %d, %v; want %d", c.ID, j, ok, i)
			break
		}
	}

	ab, err := snapshotFS.ReadFile("snapshot/admin.parquet")
	if err != nil {
		t.Fatal(err)
	}
	gotAdmin, err := decodeAdminNames(bytesParquet(ab))
	if err != nil {
		t.Fatal(err)
	}
	wantAdmin, err := ReadParquetBytes[AdminName](ab)
	if err != nil {
		t.Fatal(err)
	}
	if len(gotAdmin) != len(wantAdmin) {
		t.Fatalf("got %d admin names, want %d", len(gotAdmin), len(wantAdmin))
	}
	for i := range wantAdmin {
		if gotAdmin[i] != wantAdmin[i] {
			t.Fatalf("admin name %d: got %+v, want %+v", i, gotAdmin[i], wantAdmin[i])
		}
	}

	s, err := LoadEmbeddedSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	alts, err := ReadParquetBytes[placeAlt](pb)
	if err != nil {
		t.Fatal(err)
	}
	bad = 0
	for i := range s.Places {
		if g := s.PlaceAltNames(&s.Places[i]); g != alts[i].AltNames {
			if bad++; bad <= 5 {
				t.Errorf("alt names of place %d: got %q, want %q", s.Places[i].ID, g, alts[i].AltNames)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d alternate names differ", bad)
	}
}
