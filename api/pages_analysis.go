package api

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/api/mapsvg"
	"hermanar/datasets"
	"hermanar/matcher"
)

// overviewK is how many candidates per municipality the overview counts.
const overviewK = 10

// overviewTTL is how long an overview serves before it is computed again
// (profiles and ties change the rankings).
const overviewTTL = 10 * time.Minute

// overview aggregates one bulk ranking of every municipality.
type overview struct {
	at        time.Time
	munis     int
	slots     int
	byCountry map[string]int
	best      []float64      // each municipality's best score
	twins     map[string]int // INEGI state -> twinnings with foreign places
	twinned   map[string]int // INEGI state -> municipalities with a twinning
}

var overviews struct {
	sync.Mutex
	engine *matcher.Engine
	o      *overview
}

// overviewOf ranks every municipality once per engine and TTL; concurrent
// callers wait for the one computation.
func overviewOf(ctx context.Context, e *matcher.Engine) (*overview, error) {
	overviews.Lock()
	defer overviews.Unlock()
	if overviews.engine == e && overviews.o != nil && time.Since(overviews.o.at) < overviewTTL {
		return overviews.o, nil
	}
	o := &overview{at: time.Now().UTC(), byCountry: map[string]int{}, twins: map[string]int{}, twinned: map[string]int{}}
	best := map[string]float64{}
	_, err := e.Rank(ctx, matcher.RankRequest{K: overviewK}, func(r matcher.RankRow) error {
		o.slots++
		o.byCountry[r.Country]++
		if r.Rank == 1 {
			best[r.Municipality] = r.Score
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, s := range best {
		o.best = append(o.best, s)
	}
	o.munis = len(best)
	reg := e.Registry()
	for _, m := range e.Snapshot().Municipalities {
		if n := len(reg.Twins(m.CVEGEO)); n > 0 {
			o.twins[m.State] += n
			o.twinned[m.State]++
		}
	}
	overviews.engine, overviews.o = e, o
	return o, nil
}

type analysisView struct {
	Lead      string
	Countries *mapView
	Chart     template.HTML
	ChartH    string
	Scores    *mapView
	States    *mapView
	NoTwins   bool
}

func (s *Server) analysisPage(lang string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Query("lang") == "" && cookie(c, langCookie) == "" {
			c.Set(langKey, lang)
		}
		b := s.ready(c)
		if b == nil {
			return
		}
		l := langOf(c)
		ctx, cancel := requestContext(c, 30*time.Second)
		defer cancel()
		o, err := overviewOf(ctx, b.Engine)
		if err != nil {
			s.fail(c, err)
			return
		}
		v, err := analysisViewOf(o, l)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "analysis", page{Title: tr("an.title", l), P: v})
	}
}

func pct1(n, of int) string {
	if of == 0 {
		return "—"
	}
	return strconv.FormatFloat(100*float64(n)/float64(of), 'f', 1, 64) + "%"
}

func analysisViewOf(o *overview, lang string) (*analysisView, error) {
	v := &analysisView{Lead: fmt.Sprintf(tr("an.lead", lang), overviewK, matcher.Thousands(int64(o.munis)), o.at.Format("2006-01-02 15:04")),
		ChartH: tr("an.countries.chart", lang)}
	// Partner countries: a world choropleth, a bar chart of the first
	// twelve, and the full list.
	codes := make([]string, 0, len(o.byCountry))
	values := map[string]float64{}
	top := 0.0
	for code, n := range o.byCountry {
		codes = append(codes, code)
		values[code] = float64(n)
		top = max(top, float64(n))
	}
	sort.Slice(codes, func(i, j int) bool {
		if o.byCountry[codes[i]] != o.byCountry[codes[j]] {
			return o.byCountry[codes[i]] > o.byCountry[codes[j]]
		}
		return codes[i] < codes[j]
	})
	countryTitle := func(code string, n float64) string {
		if n == 0 {
			return countryName(code, lang) + ": " + tr("an.none", lang)
		}
		return countryName(code, lang) + ": " + matcher.Thousands(int64(n)) + " (" + pct1(int(n), o.slots) + ")"
	}
	svg, err := mapsvg.WorldChoropleth(values, tr("an.countries.aria", lang), tr("map.credit.world", lang), countryTitle,
		mapsvg.StepLegend(top, tr("an.none", lang)))
	if err != nil {
		return nil, err
	}
	v.Countries = &mapView{ID: "countries", Heading: tr("an.countries.h", lang), SVG: template.HTML(svg), Note: tr("an.countries.note", lang),
		Header: []string{tr("an.country", lang), tr("an.slots", lang), tr("an.share", lang)}}
	var labels, texts []string
	var bars []float64
	for i, code := range codes {
		n := o.byCountry[code]
		v.Countries.Rows = append(v.Countries.Rows, []mapCell{{Text: countryName(code, lang)}, {Text: matcher.Thousands(int64(n))}, {Text: pct1(n, o.slots)}})
		if i < 12 {
			labels = append(labels, countryName(code, lang))
			bars = append(bars, float64(n))
			texts = append(texts, matcher.Thousands(int64(n))+" · "+pct1(n, o.slots))
		}
	}
	v.Chart = template.HTML(mapsvg.BarChart(tr("an.countries.chart", lang), labels, bars, texts, "#e34a33"))
	// The best score of each municipality, in twenty bands.
	counts := make([]int, 20)
	for _, s := range o.best {
		counts[min(int(s*20), 19)]++
	}
	hist := mapsvg.Histogram(tr("an.scores.aria", lang), 0, 1, counts, 4, tr("an.scores.x", lang), f2s, "#1d7fa8")
	v.Scores = &mapView{ID: "scores", Heading: tr("an.scores.h", lang), SVG: template.HTML(hist), Note: tr("an.scores.note", lang),
		Header: []string{tr("an.band", lang), tr("an.munis", lang), tr("an.share", lang)}}
	for i, n := range counts {
		if n == 0 {
			continue
		}
		v.Scores.Rows = append(v.Scores.Rows, []mapCell{{Text: f2s(float64(i)/20) + "–" + f2s(float64(i+1)/20)},
			{Text: matcher.Thousands(int64(n))}, {Text: pct1(n, o.munis)}})
	}
	// Twinnings by state.
	states := make([]string, 0, len(datasets.INEGIStateNames))
	for code := range datasets.INEGIStateNames {
		states = append(states, code)
	}
	sort.Strings(states)
	tv := map[string]float64{}
	ttop := 0.0
	for _, code := range states {
		tv[code] = float64(o.twins[code])
		ttop = max(ttop, tv[code])
	}
	v.NoTwins = ttop == 0
	stateTitle := func(code string, n float64) string {
		return datasets.INEGIStateNames[code] + ": " + matcher.Thousands(int64(n)) + " " + tr("an.twinnings.n", lang)
	}
	msvg, err := mapsvg.MexicoChoropleth(tv, tr("an.states.aria", lang), tr("map.credit.mx", lang), stateTitle,
		mapsvg.StepLegend(ttop, "0"))
	if err != nil {
		return nil, err
	}
	v.States = &mapView{ID: "states", Heading: tr("an.states.h", lang), SVG: template.HTML(msvg), Note: tr("an.states.note", lang),
		Header: []string{tr("an.state", lang), tr("an.twinnings", lang), tr("an.twinned", lang)}}
	for _, code := range states {
		v.States.Rows = append(v.States.Rows, []mapCell{{Text: datasets.INEGIStateNames[code] + " (" + code + ")"},
			{Text: matcher.Thousands(int64(o.twins[code]))}, {Text: matcher.Thousands(int64(o.twinned[code]))}})
	}
	return v, nil
}
