package mapsvg

import (
	"html"
	"math"
	"strconv"
	"strings"
)

// Map is one drawing: shapes first, then lines, then markers on top.
type Map struct {
	Frame   Frame
	Title   string // what the map shows, for screen readers and as its tooltip
	Layers  []LayerDraw
	Lines   []Line
	Markers []Marker
	Legend  []LegendItem
	// LegendBottom puts the legend in the bottom-left corner instead of
	// the top-left one (on a world map, the South Pacific).
	LegendBottom bool
	Credit       string // data credit, drawn in a corner
}

// LayerDraw draws the shapes of a layer that fall in the frame.
type LayerDraw struct {
	Layer  *Layer
	Fill   string // default fill colour
	Stroke string // outline colour; "" for none
	// Style, if set, may give a shape its own fill and a title (shown on
	// hover); ok false keeps the default fill and no title.
	Style func(s Shape) (fill, title string, ok bool)
	// Only, if set, keeps the shapes it returns true for.
	Only func(s Shape) bool
}

// Line is a gentle arc between two places, [lon, lat] each.
type Line struct {
	From, To [2]float64
	Width    float64
	Color    string
	Title    string
}

// Marker is a dot at a place; with Href it is a link.
type Marker struct {
	ID       string // becomes data-id, for tests and scripts
	Lon, Lat float64
	R        float64
	Color    string
	Stroke   string
	Label    string // shown beside the dot on hover and focus
	Title    string // the tooltip and accessible name
	Href     string
}

// LegendItem is one key of the legend: a dot, a line or a box of colour.
type LegendItem struct {
	Kind   string // "dot", "line" or "box"
	Color  string
	Stroke string  // outline of a dot; white when empty
	Width  float64 // line width, for "line"
	Label  string
}

// Render writes the map as an inline SVG element. Everything that shows
// is in presentation attributes, so the SVG looks the same pasted into a
// page, a notebook or a print; CSS only adds the hover and focus labels.
func (m *Map) Render() string {
	f := m.Frame
	var b strings.Builder
	b.Grow(64 << 10)
	b.WriteString(`<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `)
	b.WriteString(num(f.Width) + " " + num(f.Height))
	b.WriteString(`" role="group" aria-label="` + esc(m.Title) + `" data-frame="` +
		strconv.FormatFloat(f.Scale, 'f', 4, 64) + " " + strconv.FormatFloat(f.TX, 'f', 4, 64) + " " + strconv.FormatFloat(f.TY, 'f', 4, 64) + `">`)
	b.WriteString(`<title>` + esc(m.Title) + `</title>`)
	b.WriteString(`<rect width="` + num(f.Width) + `" height="` + num(f.Height) + `" fill="#dfeaf2"/>`)
	for _, l := range m.Layers {
		b.WriteString(`<g fill-rule="evenodd" fill="` + l.Fill + `"`)
		if l.Stroke != "" {
			b.WriteString(` stroke="` + l.Stroke + `" stroke-width=".6" stroke-linejoin="round"`)
		}
		b.WriteString(`>`)
		for _, s := range l.Layer.Shapes {
			if l.Only != nil && !l.Only(s) {
				continue
			}
			d := s.path(f)
			if d == "" {
				continue
			}
			fill, title, ok := "", "", false
			if l.Style != nil {
				fill, title, ok = l.Style(s)
			}
			b.WriteString(`<path data-id="` + esc(s.ID) + `"`)
			if ok && fill != "" {
				b.WriteString(` fill="` + fill + `"`)
			}
			b.WriteString(` d="` + d + `"`)
			if ok && title != "" {
				b.WriteString(`><title>` + esc(title) + `</title></path>`)
			} else {
				b.WriteString(`/>`)
			}
		}
		b.WriteString(`</g>`)
	}
	if len(m.Lines) > 0 {
		b.WriteString(`<g fill="none" stroke-linecap="round" stroke-opacity=".75">`)
		for _, l := range m.Lines {
			x1, y1 := f.Project(l.From[0], l.From[1])
			x2, y2 := f.Project(l.To[0], l.To[1])
			// Bend the line to the left of its direction by a fifth of
			// its length, so lines from one origin fan out.
			cx, cy := (x1+x2)/2-(y2-y1)/5, (y1+y2)/2+(x2-x1)/5
			b.WriteString(`<path class="tie" stroke="` + l.Color + `" stroke-width="` + num1(l.Width) +
				`" d="M` + num1(x1) + " " + num1(y1) + "Q" + num1(cx) + " " + num1(cy) + " " + num1(x2) + " " + num1(y2) + `">`)
			b.WriteString(`<title>` + esc(l.Title) + `</title></path>`)
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`<g class="markers">`)
	for _, mk := range m.Markers {
		x, y := f.Project(mk.Lon, mk.Lat)
		if mk.Href != "" {
			b.WriteString(`<a class="mk" href="` + esc(mk.Href) + `"`)
		} else {
			b.WriteString(`<g class="mk" tabindex="0"`)
		}
		b.WriteString(` data-id="` + esc(mk.ID) + `" aria-label="` + esc(mk.Title) + `">`)
		b.WriteString(`<title>` + esc(mk.Title) + `</title>`)
		stroke := mk.Stroke
		if stroke == "" {
			stroke = "#fff"
		}
		b.WriteString(`<circle cx="` + num1(x) + `" cy="` + num1(y) + `" r="` + num1(mk.R) + `" fill="` + mk.Color +
			`" stroke="` + stroke + `" stroke-width="1.2"/>`)
		if mk.Label != "" {
			tx, anchor := x+mk.R+3, "start"
			if x > f.Width*0.7 {
				tx, anchor = x-mk.R-3, "end"
			}
			b.WriteString(`<text class="lbl" x="` + num1(tx) + `" y="` + num1(y+4) + `" text-anchor="` + anchor +
				`" font-size="13" fill="#1d2433" stroke="#fff" stroke-width="3" paint-order="stroke">` + esc(mk.Label) + `</text>`)
		}
		if mk.Href != "" {
			b.WriteString(`</a>`)
		} else {
			b.WriteString(`</g>`)
		}
	}
	b.WriteString(`</g>`)
	m.legend(&b)
	if m.Credit != "" {
		b.WriteString(`<text x="` + num(f.Width-4) + `" y="` + num(f.Height-4) + `" text-anchor="end" font-size="10" fill="#5d6678">` + esc(m.Credit) + `</text>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func (m *Map) legend(b *strings.Builder) {
	y := 6.0
	if m.LegendBottom {
		y = m.Frame.Height - legendHeight(m.Legend) - 6
	}
	writeLegend(b, m.Legend, 6, y, 1)
}

const legendRow = 19.0

func legendHeight(items []LegendItem) float64 { return legendRow*float64(len(items)) + 6 }

// writeLegend draws the keys in a box whose top-left corner is (x, y),
// scale times its size on a 600-unit map.
func writeLegend(b *strings.Builder, items []LegendItem, x, y, scale float64) {
	if len(items) == 0 {
		return
	}
	const row = legendRow
	longest := 0
	for _, it := range items {
		longest = max(longest, len([]rune(it.Label)))
	}
	w := 32 + 7.6*float64(longest)
	h := legendHeight(items)
	b.WriteString(`<g class="legend" font-size="14" fill="#1d2433" transform="translate(` + num(x) + " " + num(y) + `) scale(` + num1(scale) + `) translate(-6 -6)"><rect x="6" y="6" width="` + num(w) + `" height="` + num(h) +
		`" rx="4" fill="#fff" fill-opacity=".88" stroke="#dde2ea"/>`)
	for i, it := range items {
		y := 6 + row*float64(i) + row/2 + 3
		switch it.Kind {
		case "line":
			b.WriteString(`<line x1="12" x2="30" y1="` + num1(y) + `" y2="` + num1(y) + `" stroke="` + it.Color + `" stroke-width="` + num1(it.Width) + `" stroke-linecap="round"/>`)
		case "box":
			b.WriteString(`<rect x="13" y="` + num1(y-6) + `" width="14" height="12" fill="` + it.Color + `" stroke="#9aa3b2" stroke-width=".5"/>`)
		default:
			stroke := it.Stroke
			if stroke == "" {
				stroke = "#fff"
			}
			b.WriteString(`<circle cx="21" cy="` + num1(y) + `" r="5" fill="` + it.Color + `" stroke="` + stroke + `" stroke-width="1.5"/>`)
		}
		b.WriteString(`<text x="36" y="` + num1(y+5) + `">` + esc(it.Label) + `</text>`)
	}
	b.WriteString(`</g>`)
}

func esc(s string) string { return html.EscapeString(s) }

func num(x float64) string { return strconv.FormatFloat(math.Round(x), 'f', -1, 64) }

func num1(x float64) string { return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64) }

// ScoreColor maps a score in [0, 1] to a colour of a five-step sequential
// scale (light yellow-green to dark blue), readable by most colour-blind
// people.
func ScoreColor(score float64) string {
	return ScoreColors[ScoreBin(score)]
}

// ScoreColors are the steps of the score scale, low to high; ScoreBins
// are their lower bounds.
var (
	ScoreColors = []string{"#d9ef8b", "#91cf60", "#41ab5d", "#1d7fa8", "#253494"}
	ScoreBins   = []float64{0, 0.2, 0.4, 0.6, 0.8}
)

// ScoreBin is the index of the step a score falls in.
func ScoreBin(score float64) int {
	i := 0
	for k, lo := range ScoreBins {
		if score >= lo {
			i = k
		}
	}
	return i
}
