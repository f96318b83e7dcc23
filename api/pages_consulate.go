package api

import (
	"fmt"
	"net/http"
	"strings"

	"hermanar/datasets"
	"hermanar/matcher"

	"github.com/gin-gonic/gin"
)

func (s *Server) consulatesPage(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	s.render(c, http.StatusOK, "consulates", page{Title: pageText["consulates.title"].In(langOf(c)), P: b.Engine.Consulates()})
}

type consulateView struct {
	Consulate     datasets.Consulate
	Jurisdiction  []string
	Ties          []TieView
	Opportunities []opportunityView
	Map           *mapView        // maps_consulate.go
	Forms         *consulateForms // pages_consulate_forms.go
}

type opportunityView struct {
	matcher.Opportunity
	PageURL string
	Status  OppStatus
}

func (s *Server) consulatePage(c *gin.Context) {
	b, con, ok := s.consulateRequest(c)
	if !ok {
		return
	}
	s.consulatePageWith(c, b, con, http.StatusOK, nil, nil)
}

// consulatePageWith renders the consulate's page; a form post that failed
// passes its errors and values to show again.
func (s *Server) consulatePageWith(c *gin.Context, b *Backend, con datasets.Consulate, status int, errs []string, form map[string]string) {
	lang := langOf(c)
	ops, err := opportunities(c, b, con, 200)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := consulateView{Consulate: con, Ties: b.tiesIn(con)}
	for _, j := range con.Jurisdiction {
		parts := []string{}
		for _, a := range j.Admin1 {
			if n := b.snap.AdminName(j.Country + "." + a); n != "" {
				parts = append(parts, n)
			} else {
				parts = append(parts, a)
			}
		}
		for _, a := range j.Admin2 {
			if n := b.snap.AdminName(a); n != "" {
				parts = append(parts, n)
			} else {
				parts = append(parts, a)
			}
		}
		line := countryName(j.Country, lang)
		if len(parts) > 0 {
			line += ": " + strings.Join(parts, ", ")
		}
		v.Jurisdiction = append(v.Jurisdiction, line)
	}
	for _, o := range ops {
		st := o.OppStatus
		for i := range st.History {
			st.History[i].Who = matcher.RecorderName(lang, st.History[i].By)
			st.History[i].At = dayOf(st.History[i].At) + " " + strings.TrimSuffix(strings.TrimPrefix(st.History[i].At[min(10, len(st.History[i].At)):], "T"), "Z")
		}
		v.Opportunities = append(v.Opportunities, opportunityView{Opportunity: o.Opportunity, Status: st,
			PageURL: fmt.Sprintf("/municipios/%s/coincidencias?country=%s#p%d", o.Municipality, o.Place.Country, o.Place.ID)})
	}
	v.Forms = s.consulateForms(c, b, con, lang)
	v.Forms.Errors = errs
	if form != nil {
		v.Forms.Form = form
	}
	if v.Map, err = b.consulateMap(con, v.Ties, v.Opportunities, lang); err != nil {
		s.fail(c, err)
		return
	}
	flash := ""
	if c.Query("guardado") == "1" {
		flash = pageText["consulate.saved"].In(lang)
	}
	s.render(c, status, "consulate", page{Title: con.Name, P: v, Flash: flash})
}
