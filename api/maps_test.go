package api

import (
	"context"
	"encoding/xml"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"hermanar/api/mapsvg"
	"hermanar/datasets"
	"hermanar/matcher"
)

// mapSVG cuts the map out of a page and parses it.
func mapSVG(t *testing.T, page string) (string, svgNode) {
	t.Helper()
	i := strings.Index(page, `<svg class="map"`)
	if i < 0 {
		t.Fatalf("the page has no map")
	}
	j := strings.Index(page[i:], "</svg>")
	svg := page[i : i+j+len("</svg>")]
	var root svgNode
	if err := xml.Unmarshal([]byte(svg), &root); err != nil {
		t.Fatalf("the map is not well-formed: %v", err)
	}
	return svg, root
}

type svgNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []svgNode  `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n svgNode) each(fn func(svgNode)) {
	fn(n)
	for _, c := range n.Nodes {
		c.each(fn)
	}
}

// find returns the first element with that tag and data-id.
func (n svgNode) find(tag, id string) (svgNode, bool) {
	var out svgNode
	ok := false
	n.each(func(c svgNode) {
		if !ok && c.XMLName.Local == tag && c.attr("data-id") == id {
			out, ok = c, true
		}
	})
	return out, ok
}

func (n svgNode) child(tag string) svgNode {
	for _, c := range n.Nodes {
		if c.XMLName.Local == tag {
			return c
		}
	}
	return svgNode{}
}

func (n svgNode) title() string { return n.child("title").Text }

func frameOf(t *testing.T, root svgNode) mapsvg.Frame {
	t.Helper()
	var f mapsvg.Frame
	parts := strings.Fields(root.attr("data-frame"))
	vb := strings.Fields(root.attr("viewBox"))
	if len(parts) != 3 || len(vb) != 4 {
		t.Fatalf("map without data-frame or viewBox: %q %q", root.attr("data-frame"), root.attr("viewBox"))
	}
	f.Scale, _ = strconv.ParseFloat(parts[0], 64)
	f.TX, _ = strconv.ParseFloat(parts[1], 64)
	f.TY, _ = strconv.ParseFloat(parts[2], 64)
	f.Width, _ = strconv.ParseFloat(vb[2], 64)
	f.Height, _ = strconv.ParseFloat(vb[3], 64)
	return f
}

func circleAt(t *testing.T, n svgNode) (float64, float64) {
	t.Helper()
	c := n.child("circle")
	x, err1 := strconv.ParseFloat(c.attr("cx"), 64)
	y, err2 := strconv.ParseFloat(c.attr("cy"), 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("marker %s has no circle position", n.attr("data-id"))
	}
	return x, y
}

var pathToken = regexp.MustCompile(`[MlzQ]|-?[0-9]+(\.[0-9]+)?`)

// pathRings reads the path data the maps write (M, relative l, z).
func pathRings(d string) [][][2]float64 {
	var rings [][][2]float64
	var cur [][2]float64
	var nums []float64
	cmd := ""
	flush := func() {
		for i := 0; i+1 < len(nums); i += 2 {
			if cmd == "M" && len(cur) == 0 {
				cur = append(cur, [2]float64{nums[i], nums[i+1]})
				continue
			}
			last := cur[len(cur)-1]
			cur = append(cur, [2]float64{last[0] + nums[i], last[1] + nums[i+1]})
		}
		nums = nums[:0]
	}
	for _, tok := range pathToken.FindAllString(d, -1) {
		switch tok {
		case "M", "l":
			flush()
			cmd = tok
		case "z":
			flush()
			rings = append(rings, cur)
			cur = nil
		default:
			v, _ := strconv.ParseFloat(tok, 64)
			nums = append(nums, v)
		}
	}
	return rings
}

// inside applies the even-odd rule over all the rings of a path.
func inside(rings [][][2]float64, x, y float64) bool {
	in := false
	for _, r := range rings {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
				in = !in
			}
		}
	}
	return in
}

// The matches map puts each marker at its place's projected position and
// inside the right country, draws the tie, and speaks the page's language.
func TestMatchesMap(t *testing.T) {
	e := mustEnv(t)
	cases := []struct {
		name, path, lang string
		place            int64
		country          string // ISO numeric id of the country path the marker must fall in
		tie              bool
	}{
		{"Manuel Doblado, Spanish", "/municipios/11008/coincidencias", "es", whitewater, "840", true},
		{"Manuel Doblado, English", "/municipios/11008/coincidencias?lang=en", "en", whitewater, "840", true},
		{"Tijuana, 50 candidates", "/municipios/02004/coincidencias?k=50", "es", 0, "840", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := e.do(t, req{path: tc.path, header: map[string]string{"Accept": "text/html"}})
			if w.Code != 200 {
				t.Fatalf("got %d", w.Code)
			}
			svg, root := mapSVG(t, w.Body.String())
			f := frameOf(t, root)
			if len(svg) > 150<<10 {
				t.Errorf("the map weighs %d bytes, budget 150 KB", len(svg))
			}
			// Every candidate of the list has a linked marker at its projected
			// position, inside the view.
			res := pageMatches(t, e, w.Body.String())
			if len(res) == 0 {
				t.Fatal("no candidates listed")
			}
			first := int64(0)
			for i, id := range res {
				mk, ok := root.find("a", strconv.FormatInt(id, 10))
				if !ok {
					t.Errorf("candidate %d has no marker", id)
					continue
				}
				if mk.attr("href") != "/lugares/"+strconv.FormatInt(id, 10) {
					t.Errorf("candidate %d's marker links to %q", id, mk.attr("href"))
				}
				p, _ := e.b.snap.Place(id)
				x, y := circleAt(t, mk)
				wx, wy := f.Project(float64(p.Lon), float64(p.Lat))
				if math.Hypot(x-wx, y-wy) > 1 {
					t.Errorf("%s drawn at (%.1f, %.1f), projected at (%.1f, %.1f)", p.Name, x, y, wx, wy)
				}
				if x < 0 || y < 0 || x > f.Width || y > f.Height {
					t.Errorf("%s drawn outside the view", p.Name)
				}
				if i == 0 {
					first = id
				}
			}
			id := tc.place
			if id == 0 {
				id = first
			}
			mk, _ := root.find("a", strconv.FormatInt(id, 10))
			x, y := circleAt(t, mk)
			us, ok := root.find("path", tc.country)
			if !ok {
				t.Fatalf("no country path %s", tc.country)
			}
			if !inside(pathRings(us.attr("d")), x, y) {
				t.Errorf("marker %d at (%.1f, %.1f) is not inside country %s as drawn", id, x, y, tc.country)
			}
			mx, _ := root.find("path", "484")
			if inside(pathRings(mx.attr("d")), x, y) {
				t.Errorf("marker %d falls inside Mexico as drawn", id)
			}
			// Whitewater's marker title says its name and score in the page's language.
			score, other := "puntaje", "score"
			if tc.lang == "en" {
				score, other = "score", "puntaje"
			}
			if !strings.Contains(mk.title(), score) || strings.Contains(svg, other) {
				t.Errorf("marker title %q: want %q and no %q anywhere in the map", mk.title(), score, other)
			}
			var ties []svgNode
			root.each(func(n svgNode) {
				if n.XMLName.Local == "path" && n.attr("class") == "tie" {
					ties = append(ties, n)
				}
			})
			if !tc.tie {
				if len(ties) != 0 {
					t.Errorf("got %d tie lines, want none", len(ties))
				}
				return
			}
			if len(ties) != 1 {
				t.Fatalf("got %d tie lines, want 1 (San José de Otates → Whitewater)", len(ties))
			}
			nums := pathToken.FindAllString(ties[0].attr("d"), -1)
			ex, _ := strconv.ParseFloat(nums[len(nums)-2], 64)
			ey, _ := strconv.ParseFloat(nums[len(nums)-1], 64)
			if math.Hypot(ex-x, ey-y) > 1 {
				t.Errorf("the tie line ends at (%.1f, %.1f), Whitewater is at (%.1f, %.1f)", ex, ey, x, y)
			}
			if !strings.Contains(ties[0].title(), "San José de Otates") || !strings.Contains(ties[0].title(), "500") {
				t.Errorf("tie title %q: want the locality and the head count", ties[0].title())
			}
		})
	}
}

var listedPlace = regexp.MustCompile(`<li class="match" id="p([0-9]+)"`)

// pageMatches lists the place ids of the page's match list, in order.
func pageMatches(t *testing.T, e *testEnv, body string) []int64 {
	var out []int64
	for _, m := range listedPlace.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, id)
	}
	return out
}

// The consulate map fills the states it serves and puts the destinations
// of its ties inside them.
func TestConsulateMap(t *testing.T) {
	e := mustEnv(t)
	for _, lang := range []string{"es", "en"} {
		w := e.do(t, req{path: "/consulados/milwaukee?lang=" + lang, header: map[string]string{"Accept": "text/html"}})
		if w.Code != 200 {
			t.Fatalf("%s: got %d", lang, w.Code)
		}
		svg, root := mapSVG(t, w.Body.String())
		if len(svg) > 150<<10 {
			t.Errorf("%s: the map weighs %d bytes, budget 150 KB", lang, len(svg))
		}
		f := frameOf(t, root)
		wi, ok := root.find("path", "55")
		if !ok {
			t.Fatalf("%s: no Wisconsin path", lang)
		}
		juris := map[string]string{"es": "circunscripción", "en": "jurisdiction"}[lang]
		if wi.attr("fill") != jurisFill || !strings.Contains(wi.title(), "Wisconsin") || !strings.Contains(wi.title(), juris) {
			t.Errorf("%s: Wisconsin is not marked as served: fill %q title %q", lang, wi.attr("fill"), wi.title())
		}
		il, _ := root.find("path", "17")
		if il.attr("fill") == jurisFill {
			t.Errorf("%s: Illinois is filled as served; Milwaukee serves Wisconsin", lang)
		}
		mk, ok := root.find("a", strconv.FormatInt(whitewater, 10))
		if !ok {
			t.Fatalf("%s: no Whitewater marker", lang)
		}
		x, y := circleAt(t, mk)
		p, _ := e.b.snap.Place(whitewater)
		wx, wy := f.Project(float64(p.Lon), float64(p.Lat))
		if math.Hypot(x-wx, y-wy) > 1 {
			t.Errorf("%s: Whitewater drawn at (%.1f, %.1f), projected at (%.1f, %.1f)", lang, x, y, wx, wy)
		}
		if !inside(pathRings(wi.attr("d")), x, y) {
			t.Errorf("%s: Whitewater's marker is not inside Wisconsin as drawn", lang)
		}
		if !strings.Contains(mk.title(), "Manuel Doblado") || !strings.Contains(mk.attr("href"), "/municipios/11008/coincidencias") {
			t.Errorf("%s: Whitewater's marker: title %q, link %q", lang, mk.title(), mk.attr("href"))
		}
		seat, ok := root.find("g", "consulate-milwaukee")
		if !ok {
			t.Fatalf("%s: no consulate marker", lang)
		}
		if sx, sy := circleAt(t, seat); !inside(pathRings(wi.attr("d")), sx, sy) {
			t.Errorf("%s: the Milwaukee consulate is not drawn in Wisconsin", lang)
		}
	}
}

// Twins far away keep the view on the candidates: they are listed in the
// table, and the note says how many the map leaves out.
func TestMatchesMapTwinsOutsideTheView(t *testing.T) {
	d := mustData(t)
	m, _ := d.Snapshot.Municipality(manuelDoblado)
	var kyoto int64
	for _, p := range d.Snapshot.Places {
		if p.Country == "JP" && p.Name == "Kyoto" {
			kyoto = p.ID
		}
	}
	if kyoto == 0 {
		t.Fatal("no Kyoto in the snapshot")
	}
	eng, err := matcher.NewEngine(matcher.Inputs{Snap: d.Snapshot, Ties: d.Ties, Consulates: d.Consulates,
		Twinnings: []datasets.Twinning{{PlaceA: kyoto, PlaceB: m.SeatPlaceID, Municipality: manuelDoblado, Source: "test"}}})
	if err != nil {
		t.Fatal(err)
	}
	b := &Backend{Engine: eng, snap: d.Snapshot}
	// Candidates in the US only (the page's country filter), so that the
	// view is North America's whatever the twinning does to the scores.
	res, err := eng.Match(context.Background(), matcher.Query{Municipality: manuelDoblado, K: 10, Lang: "es",
		Filter: matcher.Filter{Countries: []string{"US"}}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := b.matchesMap(m, matchViews(res.Matches, "es"), "es")
	if err != nil {
		t.Fatal(err)
	}
	_, root := mapSVG(t, string(v.SVG))
	f := frameOf(t, root)
	mk, ok := root.find("a", strconv.FormatInt(kyoto, 10))
	if !ok || !strings.Contains(mk.title(), "Hermanamiento existente: Kyoto") {
		t.Fatalf("no twin marker for Kyoto (title %q)", mk.title())
	}
	if x, _ := circleAt(t, mk); x <= f.Width {
		t.Errorf("Kyoto drawn at x=%.0f inside a %g-wide view zoomed on Guanajuato and the US", x, f.Width)
	}
	if f.Zoom() < 2 {
		t.Errorf("zoom %.2f: the twin in Japan widened the view", f.Zoom())
	}
	if !strings.Contains(v.Note, "fuera de esta vista: 1") {
		t.Errorf("note %q does not say one twinning is outside the view", v.Note)
	}
	listed := false
	for _, r := range v.Rows {
		listed = listed || (r[0].Text == "Hermanamiento existente" && strings.HasPrefix(r[1].Text, "Kyoto"))
	}
	if !listed {
		t.Errorf("Kyoto is not in the table")
	}
}
