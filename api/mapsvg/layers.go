package mapsvg

import (
	"math"
	"strconv"
	"sync"

	"hermanar/datasets/atlas"
)

// Shape is one atlas feature projected onto the Equal Earth plane.
type Shape struct {
	ID, Name string
	rings    [][][2]float64 // projected, per ring
	boxes    [][4]float64   // per ring: x0, y0, x1, y1
}

// Layer is every feature of one atlas object, projected once.
type Layer struct{ Shapes []Shape }

var (
	layersMu sync.Mutex
	layers   = map[string]*layerOnce{}
)

type layerOnce struct {
	once sync.Once
	l    *Layer
	err  error
}

// LoadLayer projects one object of an embedded atlas file (atlas.Countries110m,
// "countries") once per process and shares the result.
func LoadLayer(file, object string) (*Layer, error) {
	layersMu.Lock()
	o := layers[file+"/"+object]
	if o == nil {
		o = &layerOnce{}
		layers[file+"/"+object] = o
	}
	layersMu.Unlock()
	o.once.Do(func() {
		fs, err := atlas.Load(file, object)
		if err != nil {
			o.err = err
			return
		}
		o.l = projectLayer(fs)
	})
	return o.l, o.err
}

func projectLayer(fs []atlas.Feature) *Layer {
	l := &Layer{Shapes: make([]Shape, 0, len(fs))}
	for _, f := range fs {
		s := Shape{ID: f.ID, Name: f.Name}
		for _, poly := range f.Polygons {
			for _, whole := range poly {
				for _, r := range splitAntimeridian(whole) {
					s.addRing(r)
				}
			}
		}
		l.Shapes = append(l.Shapes, s)
	}
	return l
}

// addRing projects one ring and keeps its bounding box.
func (s *Shape) addRing(r atlas.Ring) {
	pr := make([][2]float64, len(r))
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for i, p := range r {
		x, y := EqualEarth(p[0], p[1])
		pr[i] = [2]float64{x, y}
		b = [4]float64{math.Min(b[0], x), math.Min(b[1], y), math.Max(b[2], x), math.Max(b[3], y)}
	}
	s.rings = append(s.rings, pr)
	s.boxes = append(s.boxes, b)
}

// Shape returns the shape with that id, if the layer has it.
func (l *Layer) Shape(id string) (Shape, bool) {
	for _, s := range l.Shapes {
		if s.ID == id {
			return s, true
		}
	}
	return Shape{}, false
}

// path renders the shape's rings that show in the frame as SVG path data
// in whole user units, with relative steps, dropping steps under one unit:
// the map is at most a few hundred pixels wide, so finer detail is weight
// without sight. It returns "" when nothing shows.
func (s Shape) path(f Frame) string {
	var b []byte
	for k, r := range s.rings {
		bx := s.boxes[k]
		X0, Y1 := f.plane(bx[0], bx[1])
		X1, Y0 := f.plane(bx[2], bx[3])
		if X1 < 0 || Y1 < 0 || X0 > f.Width || Y0 > f.Height || (X1-X0 < 1.5 && Y1-Y0 < 1.5) {
			continue
		}
		start := len(b)
		px, py, n := 0, 0, 0
		for i, p := range r {
			fx, fy := f.plane(p[0], p[1])
			x, y := int(math.Round(fx)), int(math.Round(fy))
			if i == 0 {
				b = append(b, 'M')
				b = appendPair(b, x, y)
				b = append(b, 'l')
				px, py = x, y
				continue
			}
			if x == px && y == py {
				continue
			}
			if n > 0 && x-px >= 0 {
				b = append(b, ' ')
			}
			b = appendPair(b, x-px, y-py)
			px, py = x, y
			n++
		}
		if n < 2 { // collapsed to a dot or a line at this scale
			b = b[:start]
			continue
		}
		b = append(b, 'z')
	}
	return string(b)
}

// appendPair writes "x y", or "x-y" where the minus sign separates.
func appendPair(b []byte, x, y int) []byte {
	b = strconv.AppendInt(b, int64(x), 10)
	if y >= 0 {
		b = append(b, ' ')
	}
	return strconv.AppendInt(b, int64(y), 10)
}
