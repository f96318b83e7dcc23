package mapsvg

import (
	"math"
	"testing"

	"hermanar/datasets/atlas"
)

// quadArea is the area of the projected lon/lat cell, by the shoelace
// formula over its edges sampled finely (the edges are curves).
func quadArea(lon0, lat0, lon1, lat1 float64) float64 {
	var pts [][2]float64
	const n = 200
	for i := 0; i <= n; i++ {
		pts = append(pts, pt(lon0+(lon1-lon0)*float64(i)/n, lat0))
	}
	for i := 0; i <= n; i++ {
		pts = append(pts, pt(lon1, lat0+(lat1-lat0)*float64(i)/n))
	}
	for i := n; i >= 0; i-- {
		pts = append(pts, pt(lon0+(lon1-lon0)*float64(i)/n, lat1))
	}
	for i := n; i >= 0; i-- {
		pts = append(pts, pt(lon0, lat0+(lat1-lat0)*float64(i)/n))
	}
	a := 0.0
	for i := range pts {
		j := (i + 1) % len(pts)
		a += pts[i][0]*pts[j][1] - pts[j][0]*pts[i][1]
	}
	return math.Abs(a) / 2
}

func pt(lon, lat float64) [2]float64 { x, y := EqualEarth(lon, lat); return [2]float64{x, y} }

// Equal Earth is equal-area: every cell's projected area is its area on
// the unit sphere, Δλ·(sin φ1 − sin φ0). A wrong coefficient or a swapped
// term breaks this at once.
func TestEqualEarthIsEqualArea(t *testing.T) {
	cells := []struct {
		name                   string
		lon0, lat0, lon1, lat1 float64
	}{
		{"equator", 0, 0, 10, 10},
		{"Guanajuato", -102, 20, -100, 22},
		{"Wisconsin", -93, 42.5, -87, 47},
		{"high north", 20, 70, 60, 80},
		{"far south-west", -180, -60, -150, -40},
	}
	for _, c := range cells {
		got := quadArea(c.lon0, c.lat0, c.lon1, c.lat1)
		want := (c.lon1 - c.lon0) * math.Pi / 180 * (math.Sin(c.lat1*math.Pi/180) - math.Sin(c.lat0*math.Pi/180))
		if math.Abs(got/want-1) > 1e-3 {
			t.Errorf("%s: projected area %.6g, spherical area %.6g (ratio %.5f)", c.name, got, want, got/want)
		}
	}
}

func TestEqualEarthShape(t *testing.T) {
	xEdge, _ := EqualEarth(180, 0)
	_, yPole := EqualEarth(0, 90)
	// The published ratio of the map's width to its height is about 2.05:1.
	if r := xEdge / yPole; math.Abs(r-2.05458) > 1e-3 {
		t.Errorf("width/height = %.5f, want 2.05458", r)
	}
	if x, y := EqualEarth(-88.73, 42.83); x >= 0 || y <= 0 {
		t.Errorf("Whitewater (88.73° W, 42.83° N) projects to (%.3f, %.3f): want west and north of the origin", x, y)
	}
	// Meridians curve inwards towards the poles: 90° W lies about a quarter
	// nearer the central meridian at 60° N than on the equator.
	x60, _ := EqualEarth(-90, 60)
	x0, _ := EqualEarth(-90, 0)
	if r := x60 / x0; r < 0.7 || r > 0.8 {
		t.Errorf("90° W: x at 60° N over x at the equator = %.3f, want 0.7–0.8", r)
	}
}

func TestFitHoldsTheExtent(t *testing.T) {
	cases := []struct {
		name   string
		points [][2]float64
	}{
		{"Guanajuato to Wisconsin", [][2]float64{{-101.95, 20.93}, {-88.73, 42.83}}},
		{"one place", [][2]float64{{-117.02, 32.52}}},
		{"Mexico to Japan and Spain", [][2]float64{{-99.1, 19.4}, {139.7, 35.7}, {-3.7, 40.4}}},
	}
	for _, tc := range cases {
		b := EmptyBox()
		for _, p := range tc.points {
			b.AddPoint(p[0], p[1])
		}
		f := FitBox(b, 600, 260, 420, 0.08, 24)
		if f.Height < 260 || f.Height > 420 {
			t.Errorf("%s: height %.0f outside 260–420", tc.name, f.Height)
		}
		for _, p := range tc.points {
			X, Y := f.Project(p[0], p[1])
			if X < 0 || X > f.Width || Y < 0 || Y > f.Height {
				t.Errorf("%s: %v drawn at (%.1f, %.1f), outside the %gx%g view", tc.name, p, X, Y, f.Width, f.Height)
			}
		}
		if f.Zoom() < 0.99 {
			t.Errorf("%s: zoom %.2f, want at least the whole-world scale", tc.name, f.Zoom())
		}
	}
}

// Countries that straddle 180° are cut there: no ring of theirs may span
// the map, or the map shows a line across the Pacific and Siberia.
func TestAntimeridianRingsAreCut(t *testing.T) {
	for _, file := range []string{atlas.Countries110m, atlas.Countries50m} {
		world, err := LoadLayer(file, "countries")
		if err != nil {
			t.Fatal(err)
		}
		edge, _ := EqualEarth(180, 0)
		for _, id := range []string{"242", "643", "840"} { // Fiji, Russia, the US (Aleutians)
			s, ok := world.Shape(id)
			if !ok {
				t.Fatalf("%s: no shape %s", file, id)
			}
			for k, b := range s.boxes {
				if b[2]-b[0] > edge { // wider than half the world
					t.Errorf("%s %s ring %d spans x %.2f..%.2f", file, s.Name, k, b[0], b[2])
				}
			}
		}
		ant, _ := world.Shape("010")
		wide := false
		for _, b := range ant.boxes {
			wide = wide || b[2]-b[0] > edge
		}
		if !wide {
			t.Errorf("%s: Antarctica's ring around the pole must stay whole", file)
		}
	}
}
