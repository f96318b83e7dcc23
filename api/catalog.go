package api

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
	"hermanar/index"
)

// PlaceHit is one search result with the page it links to. A Mexican
// locality links to its municipality's page, since partner cities are
// proposed to municipalities; Label says so in the request's language.
type PlaceHit struct {
	index.Hit
	URL              string `json:"url"`
	Label            string `json:"label"`                       // "San José de Otates — localidad de Manuel Doblado, Gto."
	Municipality     string `json:"municipality,omitempty"`      // CVEGEO of a municipality or of a Mexican locality's municipality
	MunicipalityName string `json:"municipality_name,omitempty"` // of a Mexican locality
}

// PlaceList is the answer of GET /places.
type PlaceList struct {
	Query  string     `json:"query"`
	Places []PlaceHit `json:"places"`
}

func (s *Server) searchPlaces(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	p := newParams(c)
	q := p.str("q", 500)
	f := index.PlaceFilter{
		Kind:  p.oneOf("kind", "", index.KindPlace, index.KindMunicipality),
		Limit: int(p.int("limit", 10, 1, index.MaxLimit)),
	}
	if cs := p.countries("country"); len(cs) > 1 {
		p.add("country", "admite un solo país", "takes one country")
	} else if len(cs) == 1 {
		f.Country = cs[0]
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	hits, err := s.search(b, q, f, langOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Vary", "Accept-Language, Cookie")
	c.Header("Cache-Control", "public, max-age=60")
	c.JSON(http.StatusOK, PlaceList{Query: q, Places: hits})
}

func (s *Server) search(b *Backend, q string, f index.PlaceFilter, lang string) ([]PlaceHit, error) {
	out := []PlaceHit{}
	if strings.TrimSpace(q) == "" {
		return out, nil
	}
	if b.Search == nil {
		return nil, errf(EUnavailable, "La búsqueda por nombre no está disponible todavía.", "Name search is not available yet.")
	}
	hits, err := b.Search.SearchPlaces(q, f)
	if err != nil {
		return nil, err
	}
	listed := map[string]bool{} // municipalities among the hits
	for _, h := range hits {
		if cve := h.CVEGEO(); cve != "" {
			listed[cve] = true
		}
	}
	fq := datasets.Fold(q)
	for _, h := range hits {
		ph := s.placeHit(b, h, lang)
		// A locality found through its municipality's name ("Frías" for
		// "Manuel Doblado") adds nothing beside the municipality itself.
		// Nor does the seat that bears the municipality's name.
		if h.Kind == index.KindPlace && listed[ph.Municipality] &&
			(!strings.Contains(datasets.Fold(h.Name), fq) || datasets.Fold(h.Name) == datasets.Fold(ph.MunicipalityName)) {
			continue
		}
		out = append(out, ph)
	}
	return out, nil
}

// placeHit links a hit to its page and labels it for people.
func (s *Server) placeHit(b *Backend, h index.Hit, lang string) PlaceHit {
	ph := PlaceHit{Hit: h, URL: "/lugares/" + h.ID, Label: joinLabel(h.Name, h.Admin1, countryName(h.Country, lang))}
	if cve := h.CVEGEO(); cve != "" {
		ph.URL, ph.Municipality, ph.Label = "/municipios/"+cve, cve, joinLabel(h.Name, h.Admin1)
		return ph
	}
	if h.Country != "MX" {
		return ph
	}
	p, ok := b.snap.Place(h.PlaceID())
	if !ok {
		return ph
	}
	cve, ok := datasets.MunicipalityOf(p)
	if !ok {
		return ph
	}
	m, ok := b.snap.Municipality(cve)
	if !ok {
		return ph
	}
	ph.URL, ph.Municipality, ph.MunicipalityName = "/municipios/"+cve, cve, m.Name
	ph.Label = h.Name + " — " + T{ES: "localidad de ", EN: "locality of "}.In(lang) + m.Name + ", " + stateAbbr(cve[:2], m.StateName)
	return ph
}

func stateAbbr(code, name string) string {
	if a, ok := datasets.INEGIStateAbbr[code]; ok {
		return a
	}
	return name
}

func joinLabel(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// PlaceDetail is the answer of GET /places/{id}.
type PlaceDetail struct {
	Place        PlaceInfo         `json:"place"`
	Municipality string            `json:"municipality,omitempty"` // CVEGEO, for a Mexican place
	Candidate    bool              `json:"candidate"`              // a foreign place matches can rank
	Profile      *datasets.Profile `json:"profile,omitempty"`
	Ties         []datasets.Tie    `json:"ties"`
	Consulates   []ConsulateRef    `json:"consulates"`
	Twins        TwinCounts        `json:"twins"`
}

// PlaceInfo is a gazetteer place with its division names.
type PlaceInfo struct {
	datasets.PlaceRef
	FeatureCode string `json:"feature_code,omitempty"`
	Elevation   int32  `json:"elevation,omitempty"`
	Timezone    string `json:"timezone,omitempty"`
}

// TwinCounts are a place's twinnings in the registry.
type TwinCounts struct {
	Mexican int `json:"mexican"`
	All     int `json:"all"`
}

// ConsulateRef names a consulate.
type ConsulateRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func placeInfo(snap *datasets.Snapshot, p *datasets.Place) PlaceInfo {
	return PlaceInfo{PlaceRef: snap.PlaceRef(p),
		FeatureCode: p.FeatureCode, Elevation: p.Elevation, Timezone: p.Timezone}
}

func placeParam(c *gin.Context, b *Backend) (*datasets.Place, error) {
	raw := c.Param("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || len(raw) > 12 {
		f := fieldErrs{}
		f.add("id", "debe ser un id numérico de GeoNames (p. ej. 5278931)", "must be a numeric GeoNames id (e.g. 5278931)")
		return nil, f.err()
	}
	p, ok := b.snap.Place(id)
	if !ok {
		return nil, errf(datasets.ENotFound, "No existe el lugar %d.", "There is no place %d.", id)
	}
	return p, nil
}

func (s *Server) getPlace(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	p, err := placeParam(c, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.placeDetail(b, p))
}

func (s *Server) placeDetail(b *Backend, p *datasets.Place) PlaceDetail {
	d := PlaceDetail{Place: placeInfo(b.snap, p), Ties: b.tiesTo(p.ID), Consulates: []ConsulateRef{}}
	if cve, ok := datasets.MunicipalityOf(p); ok {
		d.Municipality = cve
	}
	_, d.Candidate = b.Engine.CandidateIndex(p.ID)
	if prof, ok := b.Engine.PlaceProfile(p.ID); ok {
		d.Profile = &prof
	}
	for _, con := range b.Engine.Consulates() {
		if con.Serves(*p) {
			d.Consulates = append(d.Consulates, ConsulateRef{ID: con.ID, Name: con.Name})
		}
	}
	reg := b.Engine.Registry()
	d.Twins = TwinCounts{Mexican: reg.MexicanTwins(p.ID), All: reg.AllTwins(p.ID)}
	return d
}

// tiesTo lists the ties whose destination is place, largest first.
func (b *Backend) tiesTo(place int64) []datasets.Tie {
	out := []datasets.Tie{}
	for _, list := range b.Engine.AllTies() {
		for _, t := range list {
			if t.Place == place {
				out = append(out, t)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Size != out[j].Size {
			return out[i].Size > out[j].Size
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// MunicipalityRef is one row of GET /municipalities.
type MunicipalityRef struct {
	CVEGEO     string `json:"cvegeo"`
	Name       string `json:"name"`
	State      string `json:"state"`
	StateName  string `json:"state_name"`
	Population int64  `json:"population"`
}

// MunicipalityList is the answer of GET /municipalities.
type MunicipalityList struct {
	Municipalities []MunicipalityRef `json:"municipalities"`
}

func (s *Server) listMunicipalities(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	p := newParams(c)
	state := p.str("state", 2)
	if _, ok := datasets.INEGIStateNames[state]; state != "" && !ok {
		p.add("state", "debe ser una clave de estado del INEGI de 2 dígitos (01–32)", "must be a 2-digit INEGI state code (01–32)")
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out := MunicipalityList{Municipalities: make([]MunicipalityRef, 0, len(b.snap.Municipalities))}
	for _, m := range b.snap.Municipalities {
		if state == "" || m.State == state {
			out.Municipalities = append(out.Municipalities, MunicipalityRef{CVEGEO: m.CVEGEO, Name: m.Name,
				State: m.State, StateName: m.StateName, Population: m.Population})
		}
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, out)
}

// MunicipalityDetail is the answer of GET /municipalities/{cvegeo}.
type MunicipalityDetail struct {
	datasets.Municipality
	ProfileStored bool                `json:"profile_stored"`
	Ties          []datasets.Tie      `json:"ties"`
	Twins         []datasets.PlaceRef `json:"twins"`
	Links         map[string]string   `json:"links"`
}

func (s *Server) getMunicipality(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, municipalityDetail(b, m))
}

func municipalityDetail(b *Backend, m *datasets.Municipality) MunicipalityDetail {
	d := MunicipalityDetail{Municipality: *m, ProfileStored: b.Engine.ProfileIsStored(m.CVEGEO),
		Ties: append([]datasets.Tie{}, b.Engine.Ties(m.CVEGEO)...), Twins: []datasets.PlaceRef{},
		Links: map[string]string{
			"profile": "/api/v1/municipalities/" + m.CVEGEO + "/profile",
			"matches": "/api/v1/municipalities/" + m.CVEGEO + "/matches",
			"page":    "/municipios/" + m.CVEGEO,
		}}
	for _, id := range b.Engine.Registry().Twins(m.CVEGEO) {
		if p, ok := b.snap.Place(id); ok {
			d.Twins = append(d.Twins, placeInfo(b.snap, p).PlaceRef)
		}
	}
	return d
}

// TaxonomyEntry is one category in the request's language.
type TaxonomyEntry struct {
	ID          string   `json:"id"`
	Label       string   `json:"label"`
	Description string   `json:"description"`
	SDG         []int    `json:"sdg"`
	Areas       []string `json:"areas"`
}

// TaxonomyList is the answer of GET /taxonomy.
type TaxonomyList struct {
	Version    string          `json:"version"`
	Categories []TaxonomyEntry `json:"categories"`
}

func (s *Server) getTaxonomy(c *gin.Context) {
	lang := langOf(c)
	out := TaxonomyList{Version: s.tax.Version, Categories: make([]TaxonomyEntry, 0, len(s.tax.Categories))}
	for _, cat := range s.tax.Categories {
		out.Categories = append(out.Categories, TaxonomyEntry{ID: cat.ID, Label: cat.Label.In(lang),
			Description: cat.Description.In(lang), SDG: nonNilInts(cat.SDG), Areas: nonNilStrings(cat.Areas)})
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.JSON(http.StatusOK, out)
}

// ClassifyRequest is the body of POST /classify.
type ClassifyRequest struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
	K    int    `json:"k"`
}

// ClassifiedCategory is one category a text was mapped to.
type ClassifiedCategory struct {
	ID    string   `json:"id"`
	Label string   `json:"label"`
	Score float64  `json:"score"`
	SDG   []int    `json:"sdg"`
	Areas []string `json:"areas"`
}

// Classification is the answer of POST /classify (and `hermanar classify`).
type Classification struct {
	Categories []ClassifiedCategory `json:"categories"`
}

// Classify maps text onto the taxonomy with cls, labelled in lang.
func Classify(cls Classifier, tax *datasets.Taxonomy, text, lang string, k int) Classification {
	out := Classification{Categories: []ClassifiedCategory{}}
	if cls == nil {
		return out
	}
	for _, cat := range cls.Classify(text, lang, k) {
		tc, ok := tax.Category(cat.ID)
		if !ok {
			continue
		}
		out.Categories = append(out.Categories, ClassifiedCategory{ID: cat.ID, Label: tc.Label.In(lang),
			Score: cat.Score, SDG: nonNilInts(tc.SDG), Areas: nonNilStrings(tc.Areas)})
	}
	return out
}

func (s *Server) postClassify(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	var req ClassifyRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fieldErrs{}
	if strings.TrimSpace(req.Text) == "" {
		f.add("text", "no debe estar vacío", "must not be empty")
	} else if len([]rune(req.Text)) > datasets.MaxNarrative {
		f.add("text", "tiene más de %d caracteres", "is longer than %d characters", datasets.MaxNarrative)
	}
	switch req.Lang {
	case "":
		req.Lang = langOf(c)
	case "es", "en":
	default:
		f.add("lang", `debe ser "es" o "en"`, `must be "es" or "en"`)
	}
	if req.K == 0 {
		req.K = 5
	}
	if req.K < 1 || req.K > 20 {
		f.add("k", "debe estar entre 1 y 20", "must be between 1 and 20")
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	if b.Classifier == nil {
		s.fail(c, errf(EUnavailable, "El clasificador no está disponible.", "The classifier is not available."))
		return
	}
	c.JSON(http.StatusOK, Classify(b.Classifier, s.tax, req.Text, req.Lang, req.K))
}

func nonNilInts(x []int) []int {
	if x == nil {
		return []int{}
	}
	return x
}

func nonNilStrings(x []string) []string {
	if x == nil {
		return []string{}
	}
	return x
}
