package api

import (
	"html/template"
	"sort"
	"strconv"
	"strings"

	"hermanar/api/mapsvg"
	"hermanar/datasets"
	"hermanar/datasets/atlas"
)

// usStateFIPS maps GeoNames' US admin1 codes (postal abbreviations) to the
// Census FIPS codes that us-atlas uses as ids.
var usStateFIPS = map[string]string{
	"AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09", "DE": "10", "DC": "11",
	"FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17", "IN": "18", "IA": "19", "KS": "20", "KY": "21",
	"LA": "22", "ME": "23", "MD": "24", "MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30",
	"NE": "31", "NV": "32", "NH": "33", "NJ": "34", "NM": "35", "NY": "36", "NC": "37", "ND": "38", "OH": "39",
	"OK": "40", "OR": "41", "PA": "42", "RI": "44", "SC": "45", "SD": "46", "TN": "47", "TX": "48", "UT": "49",
	"VT": "50", "VA": "51", "WA": "53", "WV": "54", "WI": "55", "WY": "56", "AS": "60", "GU": "66", "MP": "69",
	"PR": "72", "VI": "78",
}

// destination is one place of the jurisdiction with the ties and
// opportunities that reach it.
type destination struct {
	place   *datasets.Place
	people  int64
	est     bool
	origins []string
	best    float64
	scored  bool
	href    string
}

// consulateMap draws the US states the consulate serves, with a dot per
// destination of its opportunities and ties.
func (b *Backend) consulateMap(con datasets.Consulate, ties []TieView, ops []opportunityView, lang string) (*mapView, error) {
	states, err := mapsvg.LoadLayer(atlas.States10m, "states")
	if err != nil {
		return nil, err
	}
	whole, part := map[string]bool{}, map[string]bool{}
	for _, j := range con.Jurisdiction {
		if j.Country != "US" {
			continue
		}
		for _, a := range j.Admin1 {
			if f, ok := usStateFIPS[a]; ok {
				whole[f] = true
			}
		}
		for _, code := range j.Admin2 { // "US.WI.127"
			if parts := strings.Split(code, "."); len(parts) == 3 {
				if f, ok := usStateFIPS[parts[1]]; ok && !whole[f] {
					part[f] = true
				}
			}
		}
	}
	box := mapsvg.EmptyBox()
	for _, s := range states.Shapes {
		if whole[s.ID] || part[s.ID] {
			box.AddShape(s)
		}
	}
	dests := map[int64]*destination{}
	get := func(id int64) *destination {
		if d := dests[id]; d != nil {
			return d
		}
		p, ok := b.snap.Place(id)
		if !ok {
			return nil
		}
		d := &destination{place: p, href: placeHref(id)}
		dests[id] = d
		return d
	}
	for _, o := range ops {
		d := get(o.Place.ID)
		if d == nil {
			continue
		}
		if !d.scored || o.Score > d.best {
			d.best, d.scored, d.href = o.Score, true, o.PageURL
		}
	}
	for _, t := range ties {
		d := get(t.Place)
		if d == nil {
			continue
		}
		d.people += t.Size
		d.est = d.est || t.Estimated
		name := t.MunicipalityName
		if t.Locality != "" {
			name = t.Locality + " (" + t.MunicipalityName + ")"
		}
		d.origins = append(d.origins, name)
	}
	list := make([]*destination, 0, len(dests))
	var largest int64
	for _, d := range dests {
		list = append(list, d)
		largest = max(largest, d.people)
		box.AddPoint(float64(d.place.Lon), float64(d.place.Lat))
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].people != list[j].people {
			return list[i].people > list[j].people
		}
		return list[i].place.ID < list[j].place.ID
	})
	seat, hasSeat := b.snap.Place(con.Place)
	if hasSeat {
		box.AddPoint(float64(seat.Lon), float64(seat.Lat))
	}
	f := mapsvg.FitBox(box, mapWidth, 300, 420, 0.12, 6)
	world, err := worldLayer(f)
	if err != nil {
		return nil, err
	}
	jurisTitle := func(s mapsvg.Shape) (string, string, bool) {
		switch {
		case whole[s.ID]:
			return jurisFill, s.Name + " — " + tr("map.juris", lang), true
		case part[s.ID]:
			return jurisPart, s.Name + " — " + tr("map.juris.part", lang), true
		}
		return "", "", false
	}
	mp := &mapsvg.Map{Frame: f, Title: tr("map.consulate.aria", lang) + ": " + con.Name, Credit: tr("map.credit.us", lang),
		Layers: []mapsvg.LayerDraw{
			{Layer: world, Fill: landFill, Stroke: landStroke, Only: func(s mapsvg.Shape) bool { return s.ID != "840" }},
			{Layer: states, Fill: landFill, Stroke: "#b3ab9b", Style: jurisTitle},
		}}
	v := &mapView{ID: "map", Heading: tr("map.consulate.title", lang), Note: tr("map.note.consulate", lang),
		Header: []string{tr("map.dest", lang), tr("map.origins", lang), tr("map.value", lang)}}
	var scores []float64
	for i := len(list) - 1; i >= 0; i-- { // the largest drawn last, on top
		d := list[i]
		where := d.place.Name + ", " + b.snap.Admin1Name(d.place)
		title := where
		if len(d.origins) > 0 {
			title += " ← " + strings.Join(d.origins, ", ") + ": " + peopleText(d.people, d.est, lang)
		}
		color := "#9aa3b2"
		label := d.place.Name
		if d.scored {
			color = mapsvg.ScoreColor(d.best)
			title += " — " + tr("map.score", lang) + " " + f2s(d.best)
			label += " · " + f2s(d.best)
			scores = append(scores, d.best)
		}
		mp.Markers = append(mp.Markers, mapsvg.Marker{ID: strconv.FormatInt(d.place.ID, 10), Lon: float64(d.place.Lon), Lat: float64(d.place.Lat),
			R: 2 + tieWidth(d.people, largest), Color: color, Label: label, Title: title, Href: d.href})
	}
	for _, d := range list {
		val := peopleText(d.people, d.est, lang)
		if d.scored {
			val += "; " + tr("map.score", lang) + " " + f2s(d.best)
		}
		v.Rows = append(v.Rows, []mapCell{{Text: d.place.Name + ", " + b.snap.Admin1Name(d.place), Href: d.href},
			{Text: strings.Join(d.origins, ", ")}, {Text: val}})
	}
	if hasSeat {
		mp.Markers = append(mp.Markers, mapsvg.Marker{ID: "consulate-" + con.ID, Lon: float64(seat.Lon), Lat: float64(seat.Lat), R: 6,
			Color: consulColor, Label: tr("map.consulate", lang), Title: tr("map.consulate", lang) + ": " + con.Name + ", " + seat.Name})
	}
	mp.Legend = []mapsvg.LegendItem{{Kind: "dot", Color: consulColor, Label: tr("map.consulate", lang)}}
	if len(whole) > 0 {
		mp.Legend = append(mp.Legend, mapsvg.LegendItem{Kind: "box", Color: jurisFill, Label: tr("map.juris", lang)})
	}
	if len(part) > 0 {
		mp.Legend = append(mp.Legend, mapsvg.LegendItem{Kind: "box", Color: jurisPart, Label: tr("map.juris.part", lang)})
	}
	mp.Legend = append(mp.Legend, scoreLegend(scores, lang)...)
	v.SVG = template.HTML(mp.Render())
	return v, nil
}
