package api

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"hermanar/api/mapsvg"
	"hermanar/datasets"
	"hermanar/matcher"
)

// The overview counts every municipality's list, puts a recorded twinning
// in its state, and draws both on maps whose colours follow the counts.
func TestOverviewCountsAndColours(t *testing.T) {
	d := mustData(t)
	m, ok := d.Snapshot.Municipality(manuelDoblado)
	if !ok || m.SeatPlaceID == 0 {
		t.Fatal("Manuel Doblado or its seat is missing from the snapshot")
	}
	eng, err := matcher.NewEngine(matcher.Inputs{Snap: d.Snapshot, Ties: d.Ties, Consulates: d.Consulates,
		Twinnings: []datasets.Twinning{{PlaceA: whitewater, PlaceB: m.SeatPlaceID, Municipality: manuelDoblado, Source: "test"}}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := overviewOf(context.Background(), eng)
	if err != nil {
		t.Fatal(err)
	}
	if o.munis != len(d.Snapshot.Municipalities) || o.slots != o.munis*overviewK {
		t.Errorf("overview of %d municipalities with %d places, want %d and %d", o.munis, o.slots, len(d.Snapshot.Municipalities), len(d.Snapshot.Municipalities)*overviewK)
	}
	sum := 0
	for _, n := range o.byCountry {
		sum += n
	}
	if sum != o.slots || len(o.best) != o.munis {
		t.Errorf("countries add up to %d of %d places; %d best scores for %d municipalities", sum, o.slots, len(o.best), o.munis)
	}
	if o.twins["11"] != 1 || o.twinned["11"] != 1 || len(o.twins) != 1 {
		t.Errorf("twinnings by state %v (municipalities %v), want Guanajuato (11): 1", o.twins, o.twinned)
	}
	for _, lang := range []string{"es", "en"} {
		v, err := analysisViewOf(o, lang)
		if err != nil {
			t.Fatal(err)
		}
		_, states := mapSVG(t, string(v.States.SVG))
		gto, ok := states.find("path", "11")
		if !ok || gto.attr("fill") != mapsvg.Steps[len(mapsvg.Steps)-1] || !strings.Contains(gto.title(), "Guanajuato: 1") {
			t.Errorf("%s: Guanajuato drawn with fill %q and title %q, want the top step and its count", lang, gto.attr("fill"), gto.title())
		}
		n := 0
		states.each(func(p svgNode) {
			if p.XMLName.Local == "path" && p.attr("data-id") != "" {
				n++
				if p.attr("data-id") != "11" && p.attr("fill") != "#eeeeee" {
					t.Errorf("%s: state %s has no twinning but fill %q", lang, p.attr("data-id"), p.attr("fill"))
				}
			}
		})
		if n != 32 || len(v.States.Rows) != 32 {
			t.Errorf("%s: %d state shapes and %d table rows, want 32 each", lang, n, len(v.States.Rows))
		}
		// The country with the most places is drawn in the top step, and
		// leads the table and the chart.
		topCode, topN := "", 0
		for code, n := range o.byCountry {
			if n > topN || (n == topN && code < topCode) {
				topCode, topN = code, n
			}
		}
		_, world := mapSVG(t, string(v.Countries.SVG))
		found := false
		world.each(func(p svgNode) {
			if p.XMLName.Local == "path" && strings.HasPrefix(p.title(), countryName(topCode, lang)+":") {
				found = p.attr("fill") == mapsvg.Steps[len(mapsvg.Steps)-1]
			}
		})
		if !found {
			t.Errorf("%s: %s (%d places) is not drawn in the top step", lang, topCode, topN)
		}
		if v.Countries.Rows[0][0].Text != countryName(topCode, lang) || !strings.Contains(string(v.Chart), countryName(topCode, lang)) {
			t.Errorf("%s: the table starts with %q, want %q", lang, v.Countries.Rows[0][0].Text, countryName(topCode, lang))
		}
		if len(v.Countries.Rows) != len(o.byCountry) {
			t.Errorf("%s: %d country rows for %d countries", lang, len(v.Countries.Rows), len(o.byCountry))
		}
	}
}

func TestAnalysisPage(t *testing.T) {
	e := mustEnv(t)
	cases := []struct {
		path, want string
		not        []string
	}{
		{"/analisis", "Panorama para analistas", []string{"score", "Partner", "Twinnings"}},
		{"/analysis", "Overview for analysts", []string{"puntaje", "Hermanamientos", "Países"}},
	}
	for _, tc := range cases {
		w := e.do(t, req{path: tc.path, header: map[string]string{"Accept": "text/html"}})
		if w.Code != 200 {
			t.Fatalf("%s: got %d", tc.path, w.Code)
		}
		body := w.Body.String()
		if !strings.Contains(body, tc.want) || strings.Count(body, `<svg class="map"`) != 2 || strings.Count(body, `<svg class="chart"`) != 2 {
			t.Errorf("%s: want %q, two maps and two charts", tc.path, tc.want)
		}
		if !strings.Contains(body, `id="no-twinnings"`) {
			t.Errorf("%s: the embedded data has no twinnings; the page must say so", tc.path)
		}
		// What a reader sees: the text of the content, tags and ids left out.
		main := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body[strings.Index(body, "<main>"):strings.Index(body, "</main>")], " ")
		for _, s := range tc.not {
			if strings.Contains(main, s) {
				t.Errorf("%s: the page's content contains %q from the other language", tc.path, s)
			}
		}
	}
}
