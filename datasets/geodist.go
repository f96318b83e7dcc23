package datasets

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"

	"hermanar/datasets/atlas"
)

// Distances to the sea and to an international land border, for the
// coastal and border-city traits. They come from Natural Earth 1:10m
// (world-atlas@2.0.2): every edge of a land-10m ring is coastline; an arc
// that two countries of countries-10m share is a land border (an arc used
// by one country only is its coast). The snapshot build stores each
// place's distance to the nearest such edge in whole kilometres, capped.

// GeoDistCapKm is the largest stored distance: a place farther from the
// sea (or a border) than this stores GeoDistCapKm.
const GeoDistCapKm = 100

// SourceNaturalEarth names the pinned Natural Earth files.
const SourceNaturalEarth = "world-atlas@2.0.2 (Natural Earth 1:10m land and countries, public domain)"

// segment is one edge in degrees: lon/lat of both ends.
type segment struct{ x1, y1, x2, y2 float64 }

// segGrid buckets edges by the 1° cells their bounding boxes touch.
type segGrid struct {
	cells map[[2]int][]int32
	segs  []segment
}

const gridDeg = 1.0

func newSegGrid(lines [][]atlas.Point) *segGrid {
	g := &segGrid{cells: map[[2]int][]int32{}}
	for _, l := range lines {
		for i := 1; i < len(l); i++ {
			a, b := l[i-1], l[i]
			if math.Abs(a[0]-b[0]) > 180 { // an edge along the antimeridian cut
				continue
			}
			s := segment{a[0], a[1], b[0], b[1]}
			id := int32(len(g.segs))
			g.segs = append(g.segs, s)
			x0, x1 := cell(min(s.x1, s.x2)), cell(max(s.x1, s.x2))
			y0, y1 := cell(min(s.y1, s.y2)), cell(max(s.y1, s.y2))
			for x := x0; x <= x1; x++ {
				for y := y0; y <= y1; y++ {
					k := [2]int{x, y}
					g.cells[k] = append(g.cells[k], id)
				}
			}
		}
	}
	return g
}

func cell(d float64) int { return int(math.Floor(d / gridDeg)) }

// distKm is the distance from (lon, lat) to the nearest edge, in km on a
// local equirectangular projection (exact enough below GeoDistCapKm),
// capped at GeoDistCapKm.
func (g *segGrid) distKm(lon, lat float64) float64 {
	const kmLat = 111.2
	coslat := math.Cos(lat * math.Pi / 180)
	kmLon := kmLat * max(coslat, 0.01)
	best := float64(GeoDistCapKm)
	rLat := best / kmLat
	rLon := math.Min(best/kmLon, 180)
	cx0, cx1 := cell(lon-rLon), cell(lon+rLon)
	cy0, cy1 := cell(lat-rLat), cell(lat+rLat)
	for x := cx0; x <= cx1; x++ {
		wx := x // cells beyond ±180° wrap around
		if off := 360 / gridDeg; float64(wx)*gridDeg >= 180 {
			wx -= int(off)
		} else if float64(wx)*gridDeg < -180 {
			wx += int(off)
		}
		for y := cy0; y <= cy1; y++ {
			for _, id := range g.cells[[2]int{wx, y}] {
				s := g.segs[id]
				ax, ay := wrapLon(s.x1-lon)*kmLon, (s.y1-lat)*kmLat
				bx, by := wrapLon(s.x2-lon)*kmLon, (s.y2-lat)*kmLat
				if d := pointSegment(ax, ay, bx, by); d < best {
					best = d
				}
			}
		}
	}
	return best
}

func wrapLon(d float64) float64 {
	switch {
	case d > 180:
		return d - 360
	case d < -180:
		return d + 360
	}
	return d
}

// pointSegment is the distance from the origin to segment a–b.
func pointSegment(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	}
	px, py := ax+t*dx, ay+t*dy
	return math.Sqrt(px*px + py*py)
}

// GeoDistances measures distances to the coast and to land borders from
// the Natural Earth files land-10m.json and countries-10m.json.
type GeoDistances struct {
	coast, border *segGrid
}

// LoadGeoDistances reads the two TopoJSON files.
func LoadGeoDistances(land10m, countries10m string) (*GeoDistances, error) {
	lb, err := os.ReadFile(land10m)
	if err != nil {
		return nil, err
	}
	cb, err := os.ReadFile(countries10m)
	if err != nil {
		return nil, err
	}
	return ParseGeoDistances(lb, cb)
}

// ParseGeoDistances builds the edge grids from the two files' bytes.
func ParseGeoDistances(land10m, countries10m []byte) (*GeoDistances, error) {
	lt, err := atlas.Parse(land10m)
	if err != nil {
		return nil, fmt.Errorf("land-10m: %w", err)
	}
	feats, err := lt.Features("land")
	if err != nil {
		return nil, fmt.Errorf("land-10m: %w", err)
	}
	var coast [][]atlas.Point
	for _, f := range feats {
		for _, poly := range f.Polygons {
			for _, r := range poly {
				coast = append(coast, r)
			}
		}
	}
	ct, err := atlas.Parse(countries10m)
	if err != nil {
		return nil, fmt.Errorf("countries-10m: %w", err)
	}
	borders, err := ct.SharedArcs("countries")
	if err != nil {
		return nil, fmt.Errorf("countries-10m: %w", err)
	}
	if len(coast) == 0 || len(borders) == 0 {
		return nil, fmt.Errorf("natural earth: no coastline (%d rings) or no land borders (%d arcs)", len(coast), len(borders))
	}
	return &GeoDistances{coast: newSegGrid(coast), border: newSegGrid(borders)}, nil
}

// Measure returns the whole kilometres from a point to the sea and to the
// nearest international land border, each capped at GeoDistCapKm.
func (g *GeoDistances) Measure(lat, lon float32) (coastKm, borderKm int32) {
	c := g.coast.distKm(float64(lon), float64(lat))
	b := g.border.distKm(float64(lon), float64(lat))
	return int32(math.Round(c)), int32(math.Round(b))
}

// measurePlaces fills every place's coast and border distances, on all
// cores; each place depends only on its own coordinates, so the result is
// the same whatever the scheduling.
func measurePlaces(g *GeoDistances, places []Place) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(places); i += workers {
				places[i].CoastKm, places[i].BorderKm = g.Measure(places[i].Lat, places[i].Lon)
			}
		}()
	}
	wg.Wait()
}
