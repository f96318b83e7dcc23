package mapsvg

import (
	"encoding/xml"
	"fmt"
	"math"
	"sort"
	"strings"

	"golang.org/x/text/language"

	"hermanar/datasets/atlas"
)

// CountryCode is the ISO 3166 alpha-2 code of a Natural Earth country
// shape (whose ids are ISO numeric codes), or "" when it has none.
func CountryCode(s Shape) string {
	switch s.Name { // disputed areas Natural Earth leaves without a code
	case "Kosovo":
		return "XK"
	case "N. Cyprus":
		return "CY"
	case "Somaliland":
		return "SO"
	}
	r, err := language.ParseRegion(s.ID)
	if err != nil {
		return ""
	}
	return r.String()
}

// Steps is a choropleth's colour scale: zero is grey, the rest five
// steps, square-root scaled since counts are skewed.
var Steps = []string{"#fee8c8", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"}

// StepOf is the step of v when the largest value is top (-1 for zero).
func StepOf(v, top float64) int {
	if v <= 0 || top <= 0 {
		return -1
	}
	return min(int(math.Sqrt(v/top)*float64(len(Steps))), len(Steps)-1)
}

// StepColor is the colour of StepOf(v, top).
func StepColor(v, top float64) string {
	if i := StepOf(v, top); i >= 0 {
		return Steps[i]
	}
	return "#eeeeee"
}

// StepLegend labels the steps with the ranges of values they hold
// (integers), plus the zero key.
func StepLegend(top float64, zero string) []LegendItem {
	out := []LegendItem{}
	for i := len(Steps) - 1; i >= 0; i-- {
		lo := math.Floor(top*math.Pow(float64(i)/float64(len(Steps)), 2)) + 1
		hi := math.Ceil(top*math.Pow(float64(i+1)/float64(len(Steps)), 2)) - 1
		if i == len(Steps)-1 {
			hi = top
		}
		if hi < lo {
			continue
		}
		label := fmt.Sprintf("%.0f–%.0f", lo, hi)
		if lo == hi {
			label = fmt.Sprintf("%.0f", lo)
		}
		out = append(out, LegendItem{Kind: "box", Color: Steps[i], Label: label})
	}
	return append(out, LegendItem{Kind: "box", Color: "#eeeeee", Label: zero})
}

// WorldChoropleth draws every country coloured by its value (keyed by
// ISO alpha-2 code) on a whole-world Equal Earth map 600 units wide.
// titleOf gives each country's tooltip.
func WorldChoropleth(values map[string]float64, title, credit string, titleOf func(code string, v float64) string, legend []LegendItem) (string, error) {
	world, err := LoadLayer(atlas.Countries110m, "countries")
	if err != nil {
		return "", err
	}
	top := 0.0
	for _, v := range values {
		top = math.Max(top, v)
	}
	m := &Map{Frame: Fit(World, 600, 200, 400, 0, 0), Title: title, Credit: credit, Legend: legend, LegendBottom: true,
		Layers: []LayerDraw{{Layer: world, Fill: "#eeeeee", Stroke: "#ffffff", Style: func(s Shape) (string, string, bool) {
			code := CountryCode(s)
			v := values[code]
			return StepColor(v, top), titleOf(code, v), code != ""
		}}}}
	return m.Render(), nil
}

// mexicoSVG is the embedded map of Mexico's states (MapSVG, CC BY 4.0):
// already drawn in its own projection, so it takes no markers.
type mexicoSVG struct {
	ViewBox string `xml:"viewBox,attr"`
	Paths   []struct {
		ID   string `xml:"id,attr"`
		Name string `xml:"aria-label,attr"`
		D    string `xml:"d,attr"`
	} `xml:"path"`
}

// mexicoINEGI maps the file's state ids (ISO 3166-2:MX suffixes) to INEGI
// state codes.
var mexicoINEGI = map[string]string{
	"agu": "01", "bcn": "02", "bcs": "03", "cam": "04", "coa": "05", "col": "06", "chp": "07", "chh": "08",
	"cmx": "09", "dur": "10", "gua": "11", "gro": "12", "hid": "13", "jal": "14", "mex": "15", "mic": "16",
	"mor": "17", "nay": "18", "nle": "19", "oax": "20", "pue": "21", "que": "22", "roo": "23", "slp": "24",
	"sin": "25", "son": "26", "tab": "27", "tam": "28", "tla": "29", "ver": "30", "yuc": "31", "zac": "32",
}

// MexicoChoropleth draws Mexico's 32 states coloured by their values
// (keyed by INEGI state code, "11"); titleOf gives each state's tooltip.
func MexicoChoropleth(values map[string]float64, title, credit string, titleOf func(code string, v float64) string, legend []LegendItem) (string, error) {
	var doc mexicoSVG
	if err := xml.Unmarshal(atlas.MexicoStatesSVG(), &doc); err != nil {
		return "", fmt.Errorf("mexico-states.svg: %w", err)
	}
	if len(doc.Paths) != 32 {
		return "", fmt.Errorf("mexico-states.svg: %d states, want 32", len(doc.Paths))
	}
	vb := strings.Fields(doc.ViewBox)
	if len(vb) != 4 {
		return "", fmt.Errorf("mexico-states.svg: viewBox %q", doc.ViewBox)
	}
	top := 0.0
	for _, v := range values {
		top = math.Max(top, v)
	}
	sort.Slice(doc.Paths, func(i, j int) bool { return mexicoINEGI[doc.Paths[i].ID] < mexicoINEGI[doc.Paths[j].ID] })
	var b strings.Builder
	b.WriteString(`<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="` + esc(doc.ViewBox) + `" role="group" aria-label="` + esc(title) + `">`)
	b.WriteString(`<title>` + esc(title) + `</title><rect width="` + vb[2] + `" height="` + vb[3] + `" fill="#dfeaf2"/>`)
	b.WriteString(`<g stroke="#ffffff" stroke-width=".8">`)
	for _, p := range doc.Paths {
		code, ok := mexicoINEGI[p.ID]
		if !ok {
			return "", fmt.Errorf("mexico-states.svg: unknown state id %q", p.ID)
		}
		v := values[code]
		b.WriteString(`<path data-id="` + code + `" fill="` + StepColor(v, top) + `" d="` + esc(p.D) + `"><title>` + esc(titleOf(code, v)) + `</title></path>`)
	}
	b.WriteString(`</g>`)
	// The north-east corner of this drawing is Texas: empty, room for the key.
	w := 0.0
	fmt.Sscan(vb[2], &w)
	writeLegend(&b, legend, w-250, 10, 1.4) // the drawing is 793 units wide: a larger key
	if credit != "" {
		b.WriteString(`<text x="` + vb[2] + `" y="` + vb[3] + `" dx="-4" dy="-4" text-anchor="end" font-size="11" fill="#5d6678">` + esc(credit) + `</text>`)
	}
	b.WriteString(`</svg>`)
	return b.String(), nil
}
