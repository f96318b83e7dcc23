package mapsvg

import "math"

// Equal Earth (Šavrič, Patterson and Jenny, 2018): an equal-area
// pseudocylindrical projection whose meridians curve gently, so that the
// Americas keep their shape better than on an equirectangular map.
const (
	eeA1 = 1.340264
	eeA2 = -0.081106
	eeA3 = 0.000893
	eeA4 = 0.003796
)

var eeM = math.Sqrt(3) / 2

// EqualEarth projects a longitude and latitude in degrees onto the unit
// Equal Earth plane (central meridian 0°, y growing northwards).
func EqualEarth(lon, lat float64) (x, y float64) {
	lam := lon * math.Pi / 180
	th := math.Asin(eeM * math.Sin(lat*math.Pi/180))
	t2 := th * th
	t6 := t2 * t2 * t2
	x = lam * math.Cos(th) / (eeM * (eeA1 + 3*eeA2*t2 + t6*(7*eeA3+9*eeA4*t2)))
	y = th * (eeA1 + eeA2*t2 + t6*(eeA3+eeA4*t2))
	return x, y
}

// Frame maps the Equal Earth plane to SVG user units: X = x*Scale + TX,
// Y = TY - y*Scale (SVG's y grows downwards).
type Frame struct {
	Width, Height float64
	Scale, TX, TY float64
}

// Project returns the SVG position of a longitude and latitude.
func (f Frame) Project(lon, lat float64) (X, Y float64) {
	x, y := EqualEarth(lon, lat)
	return f.plane(x, y)
}

func (f Frame) plane(x, y float64) (X, Y float64) { return x*f.Scale + f.TX, f.TY - y*f.Scale }

// Extent is a box of longitudes and latitudes to show.
type Extent struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

// ExtentOf is the smallest extent holding every point ([lon, lat]).
func ExtentOf(points ...[2]float64) Extent {
	e := Extent{MinLon: 180, MinLat: 90, MaxLon: -180, MaxLat: -90}
	for _, p := range points {
		e.MinLon, e.MaxLon = math.Min(e.MinLon, p[0]), math.Max(e.MaxLon, p[0])
		e.MinLat, e.MaxLat = math.Min(e.MinLat, p[1]), math.Max(e.MaxLat, p[1])
	}
	return e
}

// World is the whole map, less Antarctica.
var World = Extent{MinLon: -180, MinLat: -58, MaxLon: 180, MaxLat: 84}

// Fit returns a frame of the given width whose view holds the extent with
// a margin of pad (a share of the extent's size on each side) and spans at
// least minSpan degrees of longitude at the equator. The height follows the
// extent's shape, kept between minH and maxH; the view widens in the other
// direction to keep the scale the same in x and y.
func Fit(e Extent, width, minH, maxH, pad, minSpan float64) Frame {
	if e.MinLon > e.MaxLon || e.MinLat > e.MaxLat {
		e = World
	}
	// Project the extent's edges and a few inner meridians and parallels:
	// the curved meridians bulge outwards between the corners.
	b := EmptyBox()
	for i := 0; i <= 8; i++ {
		lat := e.MinLat + (e.MaxLat-e.MinLat)*float64(i)/8
		for j := 0; j <= 8; j++ {
			b.AddPoint(e.MinLon+(e.MaxLon-e.MinLon)*float64(j)/8, lat)
		}
	}
	return FitBox(b, width, minH, maxH, pad, minSpan)
}

// FitBox is Fit for a box already on the plane.
func FitBox(bx Box, width, minH, maxH, pad, minSpan float64) Frame {
	if bx.Empty() {
		return Fit(World, width, minH, maxH, 0, 0)
	}
	x0, y0, x1, y1 := bx[0], bx[1], bx[2], bx[3]
	w, h := x1-x0, y1-y0
	x0, x1 = x0-w*pad, x1+w*pad
	y0, y1 = y0-h*pad, y1+h*pad
	if span, _ := EqualEarth(minSpan/2, 0); x1-x0 < 2*span {
		c := (x0 + x1) / 2
		x0, x1 = c-span, c+span
	}
	if _, half := EqualEarth(0, minSpan/4); y1-y0 < 2*half {
		c := (y0 + y1) / 2
		y0, y1 = c-half, c+half
	}
	w, h = x1-x0, y1-y0
	height := width * h / w
	switch {
	case height < minH:
		height = minH
		grow := (w*minH/width - h) / 2 // taller view: more latitude
		y0, y1 = y0-grow, y1+grow
	case height > maxH:
		height = maxH
		grow := (h*width/maxH - w) / 2 // wider view: more longitude
		x0, x1 = x0-grow, x1+grow
	}
	height = math.Round(height)
	scale := width / (x1 - x0)
	// Centre vertically in the rounded height.
	ty := y1*scale + (height-(y1-y0)*scale)/2
	return Frame{Width: width, Height: height, Scale: scale, TX: -x0 * scale, TY: ty}
}

// Zoom is how many times larger than a whole-world map of the same width
// the frame draws things.
func (f Frame) Zoom() float64 {
	edge, _ := EqualEarth(180, 0)
	return f.Scale * 2 * edge / f.Width
}

// Box is a rectangle on the Equal Earth plane: X0, Y0, X1, Y1.
type Box [4]float64

// EmptyBox holds nothing; Add grows it.
func EmptyBox() Box { return Box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} }

// AddPoint grows the box to hold a longitude and latitude.
func (b *Box) AddPoint(lon, lat float64) {
	x, y := EqualEarth(lon, lat)
	b.add(x, y)
}

// AddShape grows the box to hold a shape.
func (b *Box) AddShape(s Shape) {
	for _, r := range s.boxes {
		b.add(r[0], r[1])
		b.add(r[2], r[3])
	}
}

func (b *Box) add(x, y float64) {
	b[0], b[1] = math.Min(b[0], x), math.Min(b[1], y)
	b[2], b[3] = math.Max(b[2], x), math.Max(b[3], y)
}

// Empty reports whether nothing was added.
func (b Box) Empty() bool { return b[0] > b[2] }
