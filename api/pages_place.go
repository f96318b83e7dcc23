package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

type placeView struct {
	PlaceDetail
	CountryName string
	MuniName    string
	Ties        []TieView
}

func (s *Server) placePage(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	p, err := placeParam(c, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := s.placeDetail(b, p)
	v := placeView{PlaceDetail: d, CountryName: countryName(p.Country, langOf(c))}
	if m, ok := b.snap.Municipality(d.Municipality); ok {
		v.MuniName = m.Name
	}
	for _, t := range d.Ties {
		tv := TieView{Tie: t, PlaceRef: d.Place.PlaceRef}
		if m, ok := b.snap.Municipality(t.Municipality); ok {
			tv.MunicipalityName = m.Name
		}
		v.Ties = append(v.Ties, tv)
	}
	s.render(c, http.StatusOK, "place", page{Title: p.Name, P: v})
}
