package api

import (
	"net/http"
	"strings"

	"hermanar/datasets"
	"hermanar/index"

	"github.com/gin-gonic/gin"
)

func (s *Server) homePage(c *gin.Context) {
	s.render(c, http.StatusOK, "home", page{Title: pageText["home.title"].In(langOf(c))})
}

type searchView struct {
	Municipalities []PlaceHit
	Localities     []PlaceHit // Mexican places, each with its municipality
	Places         []PlaceHit // abroad, when no municipality or locality matches
}

func (s *Server) searchPage(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	q := strings.TrimSpace(c.Query("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	lang := langOf(c)
	v := searchView{}
	if q != "" {
		var err error
		if v.Municipalities, err = s.search(b, q, index.PlaceFilter{Kind: index.KindMunicipality, Limit: 20}, lang); err != nil {
			s.fail(c, err)
			return
		}
		locs, err := s.search(b, q, index.PlaceFilter{Kind: index.KindPlace, Country: "MX", Limit: 10}, lang)
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, h := range locs {
			if h.Municipality != "" {
				v.Localities = append(v.Localities, h)
			}
		}
		// Straight to the municipality only when the name is a whole name
		// of exactly one municipality (or of localities of one): a partial
		// or misspelt name lists what it may mean instead.
		if cve, ok := onlyExact(q, v.Municipalities, v.Localities); ok {
			c.Redirect(http.StatusSeeOther, "/municipios/"+cve)
			return
		}
		if len(v.Municipalities) == 0 && len(v.Localities) == 0 {
			v.Places, _ = s.search(b, q, index.PlaceFilter{Kind: index.KindPlace, Limit: 10}, lang)
		}
	}
	s.render(c, http.StatusOK, "search", page{Title: pageText["search.title"].In(lang), Q: q, P: v})
}

// onlyExact returns the municipality that q names exactly, when every hit
// whose whole name (or matched alternate name) is q belongs to that one
// municipality.
func onlyExact(q string, lists ...[]PlaceHit) (string, bool) {
	fq := datasets.Fold(q)
	found := ""
	for _, l := range lists {
		for _, h := range l {
			if h.Municipality == "" || (datasets.Fold(h.Name) != fq && datasets.Fold(h.Matched) != fq) {
				continue
			}
			if found != "" && found != h.Municipality {
				return "", false
			}
			found = h.Municipality
		}
	}
	return found, found != ""
}

// matchView is one match as the pages show it.
