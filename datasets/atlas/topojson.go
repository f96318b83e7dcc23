package atlas

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Point is a position in degrees: [0] longitude, [1] latitude.
type Point [2]float64

// Ring is a closed sequence of points; the first point equals the last.
type Ring []Point

// Polygon is an exterior ring followed by its holes, if any.
type Polygon []Ring

// Feature is one geometry of a TopoJSON object with its id and name
// (properties.name). Lines and points of the object are not decoded.
type Feature struct {
	ID       string
	Name     string
	Polygons []Polygon
}

// Topology is a decoded TopoJSON file: its arcs, already made absolute and
// scaled to degrees, and its named objects.
type Topology struct {
	arcs    [][]Point
	objects map[string]geometry
}

type geometry struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
	Arcs       json.RawMessage `json:"arcs"`
	Geometries []geometry      `json:"geometries"`
}

type topologyJSON struct {
	Type      string `json:"type"`
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Objects map[string]geometry `json:"objects"`
	Arcs    [][][]float64       `json:"arcs"`
}

// Parse decodes a TopoJSON document. Quantized files (with a transform)
// have delta-encoded arcs; Parse undoes both so that every arc holds
// absolute longitudes and latitudes.
func Parse(data []byte) (*Topology, error) {
	var raw topologyJSON
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("topojson: %w", err)
	}
	if raw.Type != "Topology" {
		return nil, fmt.Errorf("topojson: type is %q, want \"Topology\"", raw.Type)
	}
	t := &Topology{arcs: make([][]Point, len(raw.Arcs)), objects: raw.Objects}
	for i, a := range raw.Arcs {
		if len(a) < 2 {
			return nil, fmt.Errorf("topojson: arc %d has %d positions, want at least 2", i, len(a))
		}
		pts := make([]Point, len(a))
		var x, y float64
		for j, p := range a {
			if len(p) < 2 {
				return nil, fmt.Errorf("topojson: arc %d position %d has %d coordinates, want 2", i, j, len(p))
			}
			if raw.Transform == nil {
				pts[j] = Point{p[0], p[1]}
				continue
			}
			x += p[0]
			y += p[1]
			s, tr := raw.Transform.Scale, raw.Transform.Translate
			pts[j] = Point{x*s[0] + tr[0], y*s[1] + tr[1]}
		}
		t.arcs[i] = pts
	}
	return t, nil
}

// Objects lists the names of the topology's objects, sorted.
func (t *Topology) Objects() []string {
	names := make([]string, 0, len(t.objects))
	for n := range t.objects {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Features decodes the named object into its polygonal features, in file
// order. A GeometryCollection yields one feature per member (nested
// collections are flattened); geometries that are neither Polygon nor
// MultiPolygon are skipped.
func (t *Topology) Features(object string) ([]Feature, error) {
	g, ok := t.objects[object]
	if !ok {
		return nil, fmt.Errorf("topojson: no object %q (have %v)", object, t.Objects())
	}
	var out []Feature
	if err := t.collect(g, &out); err != nil {
		return nil, fmt.Errorf("topojson object %q: %w", object, err)
	}
	return out, nil
}

func (t *Topology) collect(g geometry, out *[]Feature) error {
	f := Feature{ID: idString(g.ID), Name: g.Properties.Name}
	switch g.Type {
	case "GeometryCollection":
		for _, m := range g.Geometries {
			if err := t.collect(m, out); err != nil {
				return err
			}
		}
		return nil
	case "Polygon":
		var rings [][]int
		if err := json.Unmarshal(g.Arcs, &rings); err != nil {
			return fmt.Errorf("polygon %q: arcs: %w", f.ID, err)
		}
		p, err := t.polygon(rings)
		if err != nil {
			return fmt.Errorf("polygon %q: %w", f.ID, err)
		}
		if p != nil {
			f.Polygons = []Polygon{p}
		}
	case "MultiPolygon":
		var polys [][][]int
		if err := json.Unmarshal(g.Arcs, &polys); err != nil {
			return fmt.Errorf("multipolygon %q: arcs: %w", f.ID, err)
		}
		for _, rings := range polys {
			p, err := t.polygon(rings)
			if err != nil {
				return fmt.Errorf("multipolygon %q: %w", f.ID, err)
			}
			if p != nil {
				f.Polygons = append(f.Polygons, p)
			}
		}
	default:
		return nil
	}
	*out = append(*out, f)
	return nil
}

// polygon decodes one polygon's rings. Quantization collapses some tiny
// islands and lakes to fewer than four points; those rings enclose nothing
// and are dropped, and a polygon whose exterior collapsed is dropped whole
// (nil, nil).
func (t *Topology) polygon(rings [][]int) (Polygon, error) {
	p := make(Polygon, 0, len(rings))
	for k, r := range rings {
		ring, err := t.ring(r)
		if err != nil {
			return nil, err
		}
		if len(ring) < 4 {
			if k == 0 {
				return nil, nil
			}
			continue
		}
		p = append(p, ring)
	}
	return p, nil
}

// ring joins arcs end to start; an arc index i < 0 means arc ^i reversed.
// Consecutive arcs share their joining point, which is kept once.
func (t *Topology) ring(idx []int) (Ring, error) {
	if len(idx) == 0 {
		return nil, fmt.Errorf("ring with no arcs")
	}
	var r Ring
	for k, i := range idx {
		a, err := t.arc(i)
		if err != nil {
			return nil, err
		}
		start := 0
		if k > 0 {
			start = 1
		}
		if i >= 0 {
			r = append(r, a[start:]...)
			continue
		}
		for j := len(a) - 1 - start; j >= 0; j-- {
			r = append(r, a[j])
		}
	}
	if r[0] != r[len(r)-1] {
		return nil, fmt.Errorf("ring of arcs %v is not closed", idx)
	}
	return r, nil
}

func (t *Topology) arc(i int) ([]Point, error) {
	j := i
	if i < 0 {
		j = ^i
	}
	if j >= len(t.arcs) {
		return nil, fmt.Errorf("arc index %d out of range (%d arcs)", i, len(t.arcs))
	}
	return t.arcs[j], nil
}

// SharedArcs returns the arcs that two or more different geometries of the
// named object use: in a file of countries, the land borders between
// countries (coasts are used by one country only).
func (t *Topology) SharedArcs(object string) ([][]Point, error) {
	g, ok := t.objects[object]
	if !ok {
		return nil, fmt.Errorf("topojson: no object %q (have %v)", object, t.Objects())
	}
	users := map[int]map[int]bool{} // arc -> set of geometry ordinals
	n := 0
	var walk func(g geometry) error
	walk = func(g geometry) error {
		switch g.Type {
		case "GeometryCollection":
			for _, m := range g.Geometries {
				if err := walk(m); err != nil {
					return err
				}
			}
			return nil
		case "Polygon", "MultiPolygon":
		default:
			return nil
		}
		var polys [][][]int
		if g.Type == "Polygon" {
			var rings [][]int
			if err := json.Unmarshal(g.Arcs, &rings); err != nil {
				return err
			}
			polys = [][][]int{rings}
		} else if err := json.Unmarshal(g.Arcs, &polys); err != nil {
			return err
		}
		for _, rings := range polys {
			for _, r := range rings {
				for _, i := range r {
					if i < 0 {
						i = ^i
					}
					if users[i] == nil {
						users[i] = map[int]bool{}
					}
					users[i][n] = true
				}
			}
		}
		n++
		return nil
	}
	if err := walk(g); err != nil {
		return nil, fmt.Errorf("topojson object %q: %w", object, err)
	}
	idx := make([]int, 0, len(users))
	for i, u := range users {
		if len(u) > 1 {
			idx = append(idx, i)
		}
	}
	sort.Ints(idx)
	out := make([][]Point, 0, len(idx))
	for _, i := range idx {
		if i >= len(t.arcs) {
			return nil, fmt.Errorf("topojson object %q: arc index %d out of range", object, i)
		}
		out = append(out, t.arcs[i])
	}
	return out, nil
}

// idString renders a TopoJSON id, which may be a string or a number.
func idString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// Contains reports whether p lies inside the feature: inside an exterior
// ring and outside that polygon's holes (even-odd rule, planar in degrees).
func (f Feature) Contains(p Point) bool {
	for _, poly := range f.Polygons {
		in := false
		for _, r := range poly {
			if r.contains(p) {
				in = !in
			}
		}
		if in {
			return true
		}
	}
	return false
}

func (r Ring) contains(p Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}
