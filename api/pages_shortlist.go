package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
	"hermanar/matcher"
)

// workflowPageRoutes are the pages from shortlist to signed agreement.
func (s *Server) workflowPageRoutes(r *gin.Engine) {
	r.GET("/municipios/:cvegeo/seleccion", s.shortlistPage)
	r.POST("/municipios/:cvegeo/seleccion", s.shortlistSavePage)
	r.POST("/municipios/:cvegeo/seleccion/:place/quitar", s.shortlistRemovePage)
	r.GET("/municipios/:cvegeo/comparar", s.comparePage)
	r.GET("/municipios/:cvegeo/procesos", s.processesPage)
	r.POST("/municipios/:cvegeo/procesos", s.processOpenPage)
	r.GET("/municipios/:cvegeo/procesos/:place", s.processPage)
	r.POST("/municipios/:cvegeo/procesos/:place/eventos", s.processEventPage)
	r.POST("/municipios/:cvegeo/procesos/:place/eventos/:id/eliminar", s.processEventRemovePage)
	r.POST("/municipios/:cvegeo/procesos/:place/comentarios", s.processCommentPage)
	r.GET("/procesos", s.overviewPage)
}

// pageUser is the signed-in user of a page; without one the browser is
// sent to sign in and ok is false.
func (s *Server) pageUser(c *gin.Context, b *Backend) (Token, bool) {
	tok, ok := s.optionalPrincipal(c, b)
	if !ok {
		next := c.Request.URL.Path
		if c.Request.Method != http.MethodGet {
			next = strings.TrimSuffix(next, "/quitar")
		}
		c.Redirect(http.StatusSeeOther, "/acceso?next="+url.QueryEscape(next))
		return tok, false
	}
	return tok, true
}

// pageReader reads the municipality of a page's path, sends a browser
// without a session to sign in, and checks that the signed-in user may
// read the municipality's records; on failure the answer is written.
func (s *Server) pageReader(c *gin.Context) (b *Backend, m *datasets.Municipality, tok Token, ok bool) {
	if b, m, ok = s.municipalityRequest(c); !ok {
		return nil, nil, tok, false
	}
	if tok, ok = s.pageUser(c, b); !ok {
		return nil, nil, tok, false
	}
	if _, err := s.requireMunicipalityReader(c, b, m.CVEGEO); err != nil {
		s.fail(c, err)
		return nil, nil, tok, false
	}
	return b, m, tok, true
}

type slPageItem struct {
	ShortlistItem
	CountryName string
	Admin1      string
	MainLabel   string
	AreaSet     map[string]bool
	HasProcess  bool
	Km          string
}

type slPageView struct {
	Muni      *datasets.Municipality
	Items     []slPageItem
	CanEdit   bool
	AreaCodes []string
	Flash     string
	Errors    []string
}

func (s *Server) renderShortlist(c *gin.Context, b *Backend, m *datasets.Municipality, tok Token, status int, flash string, errs []string) {
	lang := langOf(c)
	sl, err := datasets.LoadShortlist(b.Store, m.CVEGEO)
	if err != nil {
		s.fail(c, err)
		return
	}
	sv, err := s.shortlistView(c, b, m, sl, tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := slPageView{Muni: m, CanEdit: canWriteMunicipality(tok, m.CVEGEO), AreaCodes: datasets.AreaCodes, Flash: flash, Errors: errs}
	for _, it := range sv.Entries {
		pi := slPageItem{ShortlistItem: it, CountryName: countryName(it.Place.Country, lang), Admin1: it.Place.Admin1Name,
			MainLabel: componentLabel(it.Main, lang), AreaSet: map[string]bool{}, Km: km(it.DistanceKm)}
		for _, a := range it.Areas {
			pi.AreaSet[a] = true
		}
		_, pi.HasProcess, _ = datasets.LoadProcess(b.Store, m.CVEGEO, it.Place.ID)
		v.Items = append(v.Items, pi)
	}
	s.render(c, status, "shortlist", page{Title: pageText["sl.title"].In(lang) + " " + m.Name, P: v})
}

func (s *Server) shortlistPage(c *gin.Context) {
	b, m, tok, ok := s.pageReader(c)
	if !ok {
		return
	}
	flash := ""
	switch {
	case c.Query("guardado") == "1":
		flash = pageText["sl.saved"].In(langOf(c))
	case c.Query("quitado") == "1":
		flash = pageText["sl.removed"].In(langOf(c))
	}
	s.renderShortlist(c, b, m, tok, http.StatusOK, flash, nil)
}

// fieldMessages lists an error's field messages for a page, or its message.
func fieldMessages(err error, lang string) []string {
	d := errorDetail(err, lang)
	if len(d.Fields) == 0 {
		return []string{d.Message}
	}
	var out []string
	for _, k := range sortedKeys(d.Fields) {
		out = append(out, d.Fields[k])
	}
	return out
}

func (s *Server) shortlistSavePage(c *gin.Context) {
	b, m, tok, ok := s.municipalityWriter(c)
	if !ok {
		return
	}
	lang := langOf(c)
	form := c.Request.PostForm
	id, perr := strconv.ParseInt(strings.TrimSpace(form.Get("place_id")), 10, 64)
	req := datasets.ShortlistAdd{Place: id, Note: form.Get("note"), Areas: form["areas"]}
	if perr != nil {
		req.Place = 0
	}
	if form.Get("edit") != "1" {
		// Kept from the list of matches: keep what was noted already.
		if cur, err := datasets.LoadShortlist(b.Store, m.CVEGEO); err == nil {
			if e, kept := cur.Entry(id); kept {
				req.Note, req.Areas = e.Note, e.Areas
			}
		}
	}
	if _, _, err := s.addToShortlist(b, m.CVEGEO, req, tok); err != nil {
		if errorDetail(err, lang).Code != datasets.EInvalid {
			s.fail(c, err)
			return
		}
		s.renderShortlist(c, b, m, tok, http.StatusBadRequest, "", fieldMessages(err, lang))
		return
	}
	if next := form.Get("next"); strings.HasPrefix(next, "/municipios/"+m.CVEGEO+"/coincidencias") {
		c.Redirect(http.StatusSeeOther, next+"#p"+strconv.FormatInt(id, 10))
		return
	}
	c.Redirect(http.StatusSeeOther, "/municipios/"+m.CVEGEO+"/seleccion?guardado=1#p"+strconv.FormatInt(id, 10))
}

func (s *Server) shortlistRemovePage(c *gin.Context) {
	b, m, place, _, ok := s.processWriter(c)
	if !ok {
		return
	}
	if _, err := s.removeFromShortlist(b, m.CVEGEO, place); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/municipios/"+m.CVEGEO+"/seleccion?quitado=1")
}

// keepView marks a match on the matches page as keepable by the signed-in
// liaison, and whether it is kept already.
type keepView struct {
	CVEGEO string
	Next   string
	Kept   bool
}

// markKeepable gives each match a "keep" button when the user may write
// the municipality's shortlist.
func (s *Server) markKeepable(c *gin.Context, b *Backend, m *datasets.Municipality, ms []matchView) {
	tok, ok := s.optionalPrincipal(c, b)
	if !ok || !canWriteMunicipality(tok, m.CVEGEO) {
		return
	}
	sl, err := datasets.LoadShortlist(b.Store, m.CVEGEO)
	if err != nil {
		return
	}
	next := c.Request.URL.Path
	if q := c.Request.URL.RawQuery; q != "" {
		next += "?" + q
	}
	for i := range ms {
		_, kept := sl.Entry(ms[i].Place.ID)
		ms[i].Keep = &keepView{CVEGEO: m.CVEGEO, Next: next, Kept: kept}
	}
}

// ---- comparison ----

type cmpPageItem struct {
	CompareItem
	CountryName string
	Bars        []barView
	Evidence    []evidenceView
	Km          string
}

type cmpPageView struct {
	Muni   *datasets.Municipality
	Items  []cmpPageItem
	Errors []string
}

func (s *Server) comparePage(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	lang := langOf(c)
	v := cmpPageView{Muni: m}
	title := pageText["cmp.title"].In(lang) + " " + m.Name
	ids, err := compareIDs(c, b)
	if err != nil {
		v.Errors = fieldMessages(err, lang)
		s.render(c, http.StatusBadRequest, "compare", page{Title: title, P: v})
		return
	}
	cv, err := s.compareView(c, b, m, ids)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, it := range cv.Items {
		pi := cmpPageItem{CompareItem: it, CountryName: countryName(it.Place.Country, lang), Km: km(it.DistanceKm)}
		for _, comp := range it.Components {
			pi.Bars = append(pi.Bars, newBar(comp, it.Adjustment, lang))
			if len(comp.Evidence) > 0 && comp.Name != "structure" {
				pi.Evidence = append(pi.Evidence, evidenceView{Label: componentLabel(comp.Name, lang), Lines: comp.Evidence, Source: comp.Source})
			}
		}
		v.Items = append(v.Items, pi)
	}
	s.render(c, http.StatusOK, "compare", page{Title: title, P: v})
}

// km writes a distance rounded to the kilometre, with thousands separators.
func km(d float64) string { return matcher.Thousands(int64(d+0.5)) + " km" }
