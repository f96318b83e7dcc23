package mapsvg

import (
	"math"

	"hermanar/datasets/atlas"
)

// splitAntimeridian cuts a ring that crosses the 180° meridian (Fiji,
// Chukotka) into its parts east and west of it. Natural Earth keeps such
// rings whole, with a jump of nearly 360° in longitude between two
// neighbouring points, which a plain projection would draw as a line
// across the whole map. Rings around a pole (Antarctica) jump too but run
// along the map's edge there; they, and rings that do not cross, are
// returned as they are.
func splitAntimeridian(r atlas.Ring) []atlas.Ring {
	crosses := false
	for i := 1; i < len(r); i++ {
		if math.Abs(r[i][0]-r[i-1][0]) > 180 {
			if math.Abs(r[i][1]) > 80 && math.Abs(r[i-1][1]) > 80 {
				return []atlas.Ring{r}
			}
			crosses = true
		}
	}
	if !crosses {
		return []atlas.Ring{r}
	}
	u := make(atlas.Ring, len(r))
	u[0] = r[0]
	for i := 1; i < len(r); i++ {
		lon := r[i][0]
		for lon-u[i-1][0] > 180 {
			lon -= 360
		}
		for lon-u[i-1][0] < -180 {
			lon += 360
		}
		u[i] = atlas.Point{lon, r[i][1]}
	}
	if math.Abs(u[len(u)-1][0]-u[0][0]) > 1e-9 { // winds around the globe
		return []atlas.Ring{r}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range u {
		lo, hi = math.Min(lo, p[0]), math.Max(hi, p[0])
	}
	shift := -360.0 // the part past 180° E comes back on the west side
	if hi <= 180 {
		shift = 360 // the part past 180° W comes back on the east side
	}
	moved := make(atlas.Ring, len(u))
	for i, p := range u {
		moved[i] = atlas.Point{p[0] + shift, p[1]}
	}
	var out []atlas.Ring
	for _, part := range []atlas.Ring{clipLon(u, shift < 0), clipLon(moved, shift > 0)} {
		if len(part) >= 4 {
			out = append(out, part)
		}
	}
	return out
}

// clipLon keeps the part of a ring west of 180° E (below) or east of
// 180° W (!below), by Sutherland–Hodgman against that one meridian.
func clipLon(r atlas.Ring, below bool) atlas.Ring {
	edge := 180.0
	in := func(p atlas.Point) bool { return p[0] <= edge }
	if !below {
		edge = -180
		in = func(p atlas.Point) bool { return p[0] >= edge }
	}
	var out atlas.Ring
	for i := 0; i+1 < len(r); i++ {
		p, q := r[i], r[i+1]
		pin, qin := in(p), in(q)
		if pin {
			out = append(out, p)
		}
		if pin != qin {
			t := (edge - p[0]) / (q[0] - p[0])
			out = append(out, atlas.Point{edge, p[1] + t*(q[1]-p[1])})
		}
	}
	if len(out) > 0 {
		out = append(out, out[0])
	}
	return out
}
