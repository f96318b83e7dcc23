package api

import (
	"fmt"
	"html/template"
	"log/slog"
	"math"
	"sort"
	"strconv"

	"hermanar/api/mapsvg"
	"hermanar/datasets"
	"hermanar/datasets/atlas"
	"hermanar/matcher"
)

// mapView is one map with the table that says the same in words.
type mapView struct {
	ID      string
	Heading string
	SVG     template.HTML
	Note    string
	Header  []string
	Rows    [][]mapCell
}

type mapCell struct{ Text, Href string }

// mapWidth is the maps' width in SVG user units; CSS scales them to the
// column (390 px on a phone).
const mapWidth = 600

// The maps' colours.
const (
	landFill    = "#f3efe6"
	landStroke  = "#c9c2b3"
	homeFill    = "#e9dfc7"
	muniColor   = "#1d2433"
	twinColor   = "#ffffff"
	twinStroke  = "#7a2e8a"
	tieColor    = "#c2185b"
	jurisFill   = "#cfe6da"
	jurisPart   = "#e6f1ea"
	consulColor = "#0b6e4f"
)

func tr(key, lang string) string { return pageText[key].In(lang) }

func f2s(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// worldLayer picks the Natural Earth scale for the frame: 1:110m for a
// whole continent or more, 1:50m when zoomed further in.
func worldLayer(f mapsvg.Frame) (*mapsvg.Layer, error) {
	if f.Zoom() >= 2.5 {
		return mapsvg.LoadLayer(atlas.Countries50m, "countries")
	}
	return mapsvg.LoadLayer(atlas.Countries110m, "countries")
}

// tieWidth makes a tie line 1.5 to 7 units wide by the square root of its
// share of the largest tie (sizes are skewed); an unknown size is thinnest.
func tieWidth(size, largest int64) float64 {
	if size <= 0 || largest <= 0 {
		return 1.5
	}
	return 1.5 + 5.5*math.Sqrt(float64(size)/float64(largest))
}

func peopleText(size int64, estimated bool, lang string) string {
	if size <= 0 {
		return "—"
	}
	s := matcher.Thousands(size) + " " + tr("map.people", lang)
	if estimated {
		s = "≈" + s
	}
	return s
}

// scoreLegend lists the score steps that the markers use, high to low.
func scoreLegend(scores []float64, lang string) []mapsvg.LegendItem {
	used := map[int]bool{}
	for _, s := range scores {
		used[mapsvg.ScoreBin(s)] = true
	}
	var out []mapsvg.LegendItem
	for i := len(mapsvg.ScoreBins) - 1; i >= 0; i-- {
		if !used[i] {
			continue
		}
		hi := 1.0
		if i+1 < len(mapsvg.ScoreBins) {
			hi = mapsvg.ScoreBins[i+1]
		}
		out = append(out, mapsvg.LegendItem{Kind: "dot", Color: mapsvg.ScoreColors[i],
			Label: fmt.Sprintf(tr("map.score.range", lang), f2s(mapsvg.ScoreBins[i]), f2s(hi))})
	}
	return out
}

// matchesMap draws the municipality, its candidates coloured by score, its
// existing twins and its diaspora ties.
func (b *Backend) matchesMap(m *datasets.Municipality, ms []matchView, lang string) (*mapView, error) {
	home := [2]float64{float64(m.Lon), float64(m.Lat)}
	box := mapsvg.EmptyBox()
	box.AddPoint(home[0], home[1])
	for _, c := range ms {
		box.AddPoint(float64(c.Place.Lon), float64(c.Place.Lat))
	}
	type twin struct {
		p    *datasets.Place
		name string
	}
	var twins []twin
	listed := map[int64]bool{}
	for _, c := range ms {
		listed[c.Place.ID] = true
	}
	// Twins do not widen the view: the map zooms to the candidates, and a
	// municipality with twins on every continent would get a world map.
	for _, id := range b.Engine.Registry().Twins(m.CVEGEO) {
		if p, ok := b.snap.Place(id); ok {
			twins = append(twins, twin{p, p.Name + ", " + countryName(p.Country, lang)})
		}
	}
	type tie struct {
		t        datasets.Tie
		from, to [2]float64
		origin   string
		dest     *datasets.Place
	}
	var ties []tie
	var largest int64
	for _, t := range b.Engine.Ties(m.CVEGEO) {
		p, ok := b.snap.Place(t.Place)
		if !ok {
			continue
		}
		v := tie{t: t, from: home, to: [2]float64{float64(p.Lon), float64(p.Lat)}, origin: m.Name, dest: p}
		if t.Locality != "" {
			v.origin = t.Locality
		}
		if lp, ok := b.snap.Place(t.LocalityPlace); ok && t.LocalityPlace > 0 {
			v.from = [2]float64{float64(lp.Lon), float64(lp.Lat)}
		}
		ties = append(ties, v)
		largest = max(largest, t.Size)
		box.AddPoint(v.to[0], v.to[1])
	}
	f := mapsvg.FitBox(box, mapWidth, 260, 420, 0.08, 24)
	world, err := worldLayer(f)
	if err != nil {
		return nil, err
	}
	mp := &mapsvg.Map{Frame: f, Title: tr("map.matches.aria", lang), Credit: tr("map.credit.world", lang),
		Layers: []mapsvg.LayerDraw{{Layer: world, Fill: landFill, Stroke: landStroke,
			Style: func(s mapsvg.Shape) (string, string, bool) { return homeFill, "", s.ID == "484" }}}}
	v := &mapView{ID: "map", Heading: tr("map.matches.title", lang), Note: tr("map.note.matches", lang),
		Header: []string{tr("map.kind", lang), tr("map.place", lang), tr("map.value", lang)}}
	v.Rows = append(v.Rows, []mapCell{{Text: tr("map.muni", lang)}, {Text: m.Name + ", " + m.StateName}, {Text: "—"}})
	for _, t := range ties {
		w := tieWidth(t.t.Size, largest)
		title := tr("map.tie", lang) + ": " + t.origin + " → " + t.dest.Name + ", " + peopleText(t.t.Size, t.t.Estimated, lang)
		mp.Lines = append(mp.Lines, mapsvg.Line{From: t.from, To: t.to, Width: w, Color: tieColor, Title: title})
		v.Rows = append(v.Rows, []mapCell{{Text: tr("map.tie", lang)},
			{Text: t.origin + " → " + t.dest.Name + ", " + countryName(t.dest.Country, lang), Href: placeHref(t.dest.ID)},
			{Text: peopleText(t.t.Size, t.t.Estimated, lang)}})
	}
	outside := 0
	for _, t := range twins {
		if x, y := f.Project(float64(t.p.Lon), float64(t.p.Lat)); x < 0 || y < 0 || x > f.Width || y > f.Height {
			outside++
		}
		mp.Markers = append(mp.Markers, mapsvg.Marker{ID: strconv.FormatInt(t.p.ID, 10), Lon: float64(t.p.Lon), Lat: float64(t.p.Lat),
			R: 5, Color: twinColor, Stroke: twinStroke, Label: t.p.Name, Title: tr("map.twin", lang) + ": " + t.name, Href: placeHref(t.p.ID)})
		v.Rows = append(v.Rows, []mapCell{{Text: tr("map.twin", lang)}, {Text: t.name, Href: placeHref(t.p.ID)}, {Text: "—"}})
	}
	// Lowest scores first, so that the best candidates are drawn on top.
	order := make([]int, len(ms))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return ms[order[i]].Score < ms[order[j]].Score })
	var scores []float64
	for _, i := range order {
		c := ms[i]
		scores = append(scores, c.Score)
		stroke := ""
		if c.Twinned {
			stroke = twinStroke
		}
		where := c.Place.Name + ", " + c.Place.Admin1Name + ", " + c.CountryName
		mp.Markers = append(mp.Markers, mapsvg.Marker{ID: strconv.FormatInt(c.Place.ID, 10),
			Lon: float64(c.Place.Lon), Lat: float64(c.Place.Lat), R: 5.5, Color: mapsvg.ScoreColor(c.Score), Stroke: stroke,
			Label: strconv.Itoa(c.Rank) + ". " + c.Place.Name + " · " + f2s(c.Score),
			Title: strconv.Itoa(c.Rank) + ". " + where + " — " + tr("map.score", lang) + " " + f2s(c.Score),
			Href:  placeHref(c.Place.ID)})
	}
	for _, c := range ms {
		v.Rows = append(v.Rows, []mapCell{{Text: tr("map.candidate", lang) + " " + strconv.Itoa(c.Rank)},
			{Text: c.Place.Name + ", " + c.Place.Admin1Name + ", " + c.CountryName, Href: placeHref(c.Place.ID)},
			{Text: tr("map.score", lang) + " " + f2s(c.Score)}})
	}
	mp.Markers = append(mp.Markers, mapsvg.Marker{ID: "muni-" + m.CVEGEO, Lon: home[0], Lat: home[1], R: 6.5, Color: muniColor,
		Label: m.Name, Title: tr("map.muni", lang) + ": " + m.Name + ", " + m.StateName})
	mp.Legend = append([]mapsvg.LegendItem{{Kind: "dot", Color: muniColor, Label: m.Name}}, scoreLegend(scores, lang)...)
	if len(twins) > 0 {
		mp.Legend = append(mp.Legend, mapsvg.LegendItem{Kind: "dot", Color: twinColor, Stroke: twinStroke, Label: tr("map.twin", lang)})
		if outside > 0 {
			v.Note += " " + fmt.Sprintf(tr("map.twins.outside", lang), outside)
		}
	}
	if len(ties) > 0 {
		mp.Legend = append(mp.Legend, mapsvg.LegendItem{Kind: "line", Color: tieColor, Width: 3, Label: tr("map.tie.legend", lang)})
	}
	v.SVG = template.HTML(mp.Render()) // every text in it went through html escaping
	return v, nil
}

// warmMaps decodes and projects the atlas layers in the background when
// the server becomes ready (about 0.3 s of one core, once per process), so
// that the first page with a map pays only the drawing.
func warmMaps(log *slog.Logger) {
	for _, l := range [][2]string{{atlas.Countries110m, "countries"}, {atlas.Countries50m, "countries"}, {atlas.States10m, "states"}} {
		if _, err := mapsvg.LoadLayer(l[0], l[1]); err != nil {
			log.Error("maps: atlas layer", "file", l[0], "err", err)
		}
	}
}

func placeHref(id int64) string { return "/lugares/" + strconv.FormatInt(id, 10) }
