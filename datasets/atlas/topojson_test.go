package atlas

import (
	"math"
	"strings"
	"testing"
)

// A square cut in two by a shared middle arc, quantized and delta-encoded:
// with scale 0.5 and translate (10, 20), quantized x 0..4 → lon 10..12,
// y 0..2 → lat 20..21.
const twoSquares = `{"type":"Topology",
 "transform":{"scale":[0.5,0.5],"translate":[10,20]},
 "objects":{"halves":{"type":"GeometryCollection","geometries":[
   {"type":"Polygon","id":"W","properties":{"name":"West"},"arcs":[[0,1]]},
   {"type":"MultiPolygon","id":7,"properties":{"name":"East"},"arcs":[[[-1,2]]]},
   {"type":"LineString","arcs":[0]}]}},
 "arcs":[
   [[2,0],[0,2]],
   [[2,2],[-2,0],[0,-2],[2,0]],
   [[2,0],[2,0],[0,2],[-2,0]]]}`

func TestFeaturesDecodesQuantizedDeltaArcs(t *testing.T) {
	top, err := Parse([]byte(twoSquares))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := top.Features("halves")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id, name string
		ring     Ring
	}{
		{"W", "West", Ring{{11, 20}, {11, 21}, {10, 21}, {10, 20}, {11, 20}}},
		{"7", "East", Ring{{11, 21}, {11, 20}, {12, 20}, {12, 21}, {11, 21}}},
	}
	if len(fs) != len(want) {
		t.Fatalf("got %d features, want %d (the LineString is skipped)", len(fs), len(want))
	}
	for i, w := range want {
		f := fs[i]
		if f.ID != w.id || f.Name != w.name {
			t.Errorf("feature %d: got id %q name %q, want %q %q", i, f.ID, f.Name, w.id, w.name)
		}
		if len(f.Polygons) != 1 || len(f.Polygons[0]) != 1 {
			t.Fatalf("feature %s: got %d polygons, want 1 with 1 ring", w.id, len(f.Polygons))
		}
		got := f.Polygons[0][0]
		if len(got) != len(w.ring) {
			t.Fatalf("feature %s: got ring %v, want %v", w.id, got, w.ring)
		}
		for j := range got {
			if math.Abs(got[j][0]-w.ring[j][0]) > 1e-12 || math.Abs(got[j][1]-w.ring[j][1]) > 1e-12 {
				t.Errorf("feature %s point %d: got %v, want %v", w.id, j, got[j], w.ring[j])
			}
		}
	}
	if !fs[0].Contains(Point{10.5, 20.5}) || fs[0].Contains(Point{11.5, 20.5}) {
		t.Errorf("West should contain (10.5, 20.5) and not (11.5, 20.5)")
	}
	shared, err := top.SharedArcs("halves")
	if err != nil {
		t.Fatal(err)
	}
	if len(shared) != 1 || shared[0][0] != (Point{11, 20}) || shared[0][1] != (Point{11, 21}) {
		t.Errorf("shared arcs: got %v, want the one middle arc (11,20)-(11,21)", shared)
	}
}

func TestParseUnquantized(t *testing.T) {
	top, err := Parse([]byte(`{"type":"Topology","objects":{"o":{"type":"Polygon","arcs":[[0]]}},
		"arcs":[[[-1.5,0],[1.5,0],[0,2.25],[-1.5,0]]]}`))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := top.Features("o")
	if err != nil {
		t.Fatal(err)
	}
	if got := fs[0].Polygons[0][0][2]; got != (Point{0, 2.25}) {
		t.Errorf("got %v, want absolute (0, 2.25) when there is no transform", got)
	}
}

func TestBadTopologyIsAnError(t *testing.T) {
	cases := []struct{ name, doc, object, want string }{
		{"empty", ``, "o", "topojson"},
		{"truncated", `{"type":"Topology","arcs":[[[0,0],`, "o", "topojson"},
		{"not a topology", `{"type":"FeatureCollection"}`, "o", `type is "FeatureCollection"`},
		{"short arc", `{"type":"Topology","objects":{},"arcs":[[[0,0]]]}`, "o", "arc 0 has 1 positions"},
		{"short position", `{"type":"Topology","objects":{},"arcs":[[[0,0],[1]]]}`, "o", "arc 0 position 1"},
		{"unknown object", `{"type":"Topology","objects":{"a":{"type":"Polygon","arcs":[[0]]}},"arcs":[[[0,0],[1,0],[1,1],[0,0]]]}`, "b", `no object "b"`},
		{"arc out of range", `{"type":"Topology","objects":{"o":{"type":"Polygon","id":"X","arcs":[[3]]}},"arcs":[[[0,0],[1,0],[1,1],[0,0]]]}`, "o", "arc index 3 out of range"},
		{"open ring", `{"type":"Topology","objects":{"o":{"type":"Polygon","arcs":[[0]]}},"arcs":[[[0,0],[1,0],[1,1],[0,1]]]}`, "o", "not closed"},
		{"bad arcs shape", `{"type":"Topology","objects":{"o":{"type":"MultiPolygon","arcs":[0]}},"arcs":[[[0,0],[1,0]]]}`, "o", "arcs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			top, err := Parse([]byte(tc.doc))
			if err == nil {
				_, err = top.Features(tc.object)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: got error %v, want one mentioning %q", tc.name, err, tc.want)
			}
		})
	}
}

// The embedded files decode, and places fall in the right polygons.
func TestEmbeddedAtlases(t *testing.T) {
	cases := []struct {
		name, file, object string
		features           int
		id, featName       string
		inside, outside    Point
	}{
		{"Mexico City in Mexico", Countries110m, "countries", 177, "484", "Mexico", Point{-99.13, 19.43}, Point{-106.0, 35.0}},
		{"Whitewater in Wisconsin", States10m, "states", 56, "55", "Wisconsin", Point{-88.73, 42.83}, Point{-87.0, 42.83}},
		{"Tijuana in Mexico at 1:10m", Countries10m, "countries", 255, "484", "Mexico", Point{-117.02, 32.52}, Point{-117.02, 32.6}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := Load(tc.file, tc.object)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != tc.features {
				t.Errorf("%s: got %d features, want %d", tc.file, len(fs), tc.features)
			}
			var f *Feature
			for i := range fs {
				if fs[i].ID == tc.id {
					f = &fs[i]
				}
			}
			if f == nil {
				t.Fatalf("%s: no feature with id %s", tc.file, tc.id)
			}
			if f.Name != tc.featName {
				t.Errorf("%s id %s: got name %q, want %q", tc.file, tc.id, f.Name, tc.featName)
			}
			if !f.Contains(tc.inside) || f.Contains(tc.outside) {
				t.Errorf("%s: %s should contain %v and not %v", tc.file, tc.featName, tc.inside, tc.outside)
			}
		})
	}
	land, err := Load(Land10m, "land")
	if err != nil {
		t.Fatal(err)
	}
	if len(land) != 1 || !land[0].Contains(Point{-88.73, 42.83}) || land[0].Contains(Point{-40, 30}) {
		t.Errorf("land-10m: want one feature containing Whitewater and not the mid-Atlantic")
	}
}

// Borders shared by two countries include the US–Mexico line, and no coast.
func TestSharedArcsAreBorders(t *testing.T) {
	top, err := Open(Countries110m)
	if err != nil {
		t.Fatal(err)
	}
	borders, err := top.SharedArcs("countries")
	if err != nil {
		t.Fatal(err)
	}
	near := func(p Point) float64 {
		best := math.Inf(1)
		for _, a := range borders {
			for _, q := range a {
				best = math.Min(best, math.Hypot(q[0]-p[0], q[1]-p[1]))
			}
		}
		return best
	}
	if d := near(Point{-106.5, 31.76}); d > 1 { // El Paso–Ciudad Juárez
		t.Errorf("nearest border vertex to El Paso is %.2f° away, want < 1°", d)
	}
	if d := near(Point{-99.0, 21.0}); d < 3 { // central Mexico, far from any border at 110m
		t.Errorf("a border vertex %.2f° from central Mexico; coasts must not count as borders", d)
	}
}
