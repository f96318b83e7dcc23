package api

import (
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"hermanar/datasets"
	"hermanar/matcher"

	"github.com/gin-gonic/gin"
)

type matchView struct {
	matcher.Match
	CountryName  string
	Main         string
	MainEvidence string // the first line of evidence of the main reason
	Bars         []barView
	DirNote      string // how both directions and the city's wishes make the score
	Segs         []segView
	Evidence     []evidenceView
	Keep         *keepView // the shortlist button, for the municipality's liaison
}

type barView struct {
	Name, Label                 string
	Value, Weight, Contribution float64
	// Both directions, when both sides have profiles (Dirs), and the
	// factor of the city's wishes (Adj, 0 when none): the row reads
	// forward · reverse → value × weight (× Adj) = contribution.
	Dirs             bool
	Forward, Reverse float64
	Adj              float64
}

// newBar is the page row of one component; adj is its match's Adjustment.
func newBar(comp matcher.Component, adj float64, lang string) barView {
	b := barView{Name: comp.Name, Label: componentLabel(comp.Name, lang), Value: comp.Value, Weight: comp.Weight,
		Contribution: comp.Contribution, Adj: adj}
	if comp.Forward != nil && comp.Reverse != nil {
		b.Dirs, b.Forward, b.Reverse = true, *comp.Forward, *comp.Reverse
	}
	return b
}

type segView struct {
	Name     string
	X, Width float64 // percent of the full bar
}

type evidenceView struct {
	Label  string
	Lines  []string
	Source string
}

func matchViews(ms []matcher.Match, lang string) []matchView {
	out := make([]matchView, len(ms))
	for i, m := range ms {
		v := matchView{Match: m, CountryName: countryName(m.Place.Country, lang), DirNote: matcher.DirectionsNote(&m, lang)}
		best, x := -1.0, 0.0
		for _, comp := range m.Components {
			v.Bars = append(v.Bars, newBar(comp, m.Adjustment, lang))
			if comp.Contribution > best {
				best, v.Main = comp.Contribution, componentLabel(comp.Name, lang)
				v.MainEvidence = ""
				if len(comp.Evidence) > 0 {
					v.MainEvidence = comp.Evidence[0]
				}
			}
			w := math.Max(0, comp.Contribution*100)
			v.Segs = append(v.Segs, segView{Name: comp.Name, X: x, Width: w})
			x += w
			if len(comp.Evidence) > 0 {
				v.Evidence = append(v.Evidence, evidenceView{Label: componentLabel(comp.Name, lang), Lines: comp.Evidence, Source: comp.Source})
			}
		}
		out[i] = v
	}
	return out
}

type muniView struct {
	Muni      MunicipalityDetail
	Profile   profileView
	Matches   []matchView
	CanEdit   bool
	Saved     bool
	SavedNote string // what the save can change (pages_matches_truth.go)
	Ties      []TieView
	TwinNames []string
}

type profileView struct {
	datasets.Profile
	Stored bool
	Areas  []areaView
}

type areaView struct {
	Code, Label string
	Weight      float64
}

func newProfileView(p datasets.Profile, stored bool, lang string) profileView {
	v := profileView{Profile: p, Stored: stored}
	for _, code := range datasets.AreaCodes {
		if w, ok := p.Areas[code]; ok && w > 0 {
			v.Areas = append(v.Areas, areaView{Code: code, Label: datasets.AreaLabel(code, lang), Weight: w})
		}
	}
	return v
}

func (s *Server) municipalityPage(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	lang := langOf(c)
	res, err := s.runMatch(c, b, m.CVEGEO, matchParams{K: 5, Lang: lang, Format: "json"})
	if err != nil {
		s.fail(c, err)
		return
	}
	v := muniView{Muni: municipalityDetail(b, m), Matches: matchViews(res.Matches, lang),
		Profile: newProfileView(b.Engine.Profile(m.CVEGEO), b.Engine.ProfileIsStored(m.CVEGEO), lang),
		Saved:   c.Query("guardado") == "1"}
	if v.Saved {
		v.SavedNote = savedNote(b, lang)
	}
	for _, t := range v.Muni.Ties {
		if p, ok := b.snap.Place(t.Place); ok {
			v.Ties = append(v.Ties, TieView{Tie: t, PlaceRef: placeInfo(b.snap, p).PlaceRef})
		}
	}
	if tok, ok := s.optionalPrincipal(c, b); ok {
		v.CanEdit = canEditProfile(tok, m.CVEGEO)
	}
	s.render(c, http.StatusOK, "municipality", page{Title: m.Name + ", " + m.StateName, P: v})
}

// runMatch runs a match for the pages, as the JSON handler does.
func (s *Server) runMatch(c *gin.Context, b *Backend, cvegeo string, mp matchParams) (*matcher.Result, error) {
	return s.match(c.Request.Context(), b, cvegeo, mp)
}

type matchesView struct {
	Muni       *datasets.Municipality
	Result     *matcher.Result
	Matches    []matchView
	Params     matchParams
	Country    string
	MinPop     string
	MaxPop     string
	Countries  []countryOption
	KOptions   []int
	CSVURL     string
	JSONURL    string
	Errors     map[string]string
	ProfileSrc string
	Map        *mapView // maps.go
	Twinned    []matchView
	Traits     []traitOption
	Truth      *matchesTruth // pages_matches_truth.go
}

// traitOption is one trait of the filter form.
type traitOption struct {
	Name, Label string
	Checked     bool
}

type countryOption struct{ Code, Name string }

// commonCountries are offered first in the country filter: where Mexican
// migrants and twinnings concentrate.
var commonCountries = []string{"US", "CA", "ES", "GT", "CO", "AR", "CL", "PE", "CU", "FR", "DE", "IT", "JP", "CN", "KR"}

func (s *Server) matchesPage(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	lang := langOf(c)
	p := newParams(c)
	mp := p.match(c)
	v := matchesView{Muni: m, Params: mp, KOptions: []int{10, 20, 50, 100}, Country: strings.Join(mp.Filter.Countries, ","),
		ProfileSrc: profileSource(b, m.CVEGEO)}
	if mp.Filter.MinPopulation > 0 {
		v.MinPop = strconv.FormatInt(mp.Filter.MinPopulation, 10)
	}
	if mp.Filter.MaxPopulation > 0 {
		v.MaxPop = strconv.FormatInt(mp.Filter.MaxPopulation, 10)
	}
	if err := p.err(); err != nil {
		// Show the page with the messages rather than an error page: the
		// user fixes the filter in place.
		v.Errors = errorDetail(err, lang).Fields
		mp = matchParams{K: 10, Lang: lang, Format: "json"}
		v.Params = mp
	}
	for _, code := range commonCountries {
		v.Countries = append(v.Countries, countryOption{code, countryName(code, lang)})
	}
	sort.Slice(v.Countries, func(i, j int) bool { return v.Countries[i].Name < v.Countries[j].Name })
	res, err := s.runMatch(c, b, m.CVEGEO, mp)
	if err != nil {
		s.fail(c, err)
		return
	}
	v.Result, v.Matches = res, matchViews(res.Matches, lang)
	v.Truth = s.matchesTruth(b, m.CVEGEO, res, c.Request.URL.Query(), lang)
	s.markKeepable(c, b, m, v.Matches)
	v.Twinned = matchViews(res.Twinned, lang)
	for _, t := range matcher.TraitNames() {
		v.Traits = append(v.Traits, traitOption{Name: t, Label: matcher.TraitLabel(t, lang), Checked: slices.Contains(mp.Filter.Traits, t)})
	}
	if v.Map, err = b.matchesMap(m, v.Matches, lang); err != nil {
		s.fail(c, err)
		return
	}
	q := c.Request.URL.Query()
	q.Del("format")
	q.Set("lang", lang)
	api := "/api/v1/municipalities/" + m.CVEGEO + "/matches?"
	v.JSONURL = api + q.Encode()
	q.Set("format", "csv")
	q.Set("csv_header", "lang")
	v.CSVURL = api + q.Encode()
	s.render(c, http.StatusOK, "matches", page{Title: pageText["matches.title"].In(lang) + " " + m.Name, P: v})
}
