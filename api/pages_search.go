package api

import (
	"net/http"
	"strings"

	"hermanar/index"

	"github.com/gin-gonic/gin"
)

func (s *Server) homePage(c *gin.Context) {
	s.render(c, http.StatusOK, "home", page{Title: pageText["home.title"].In(langOf(c))})
}

type searchView struct {
	Municipalities []PlaceHit
	Places         []PlaceHit
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
	v := searchView{}
	if q != "" {
		var err error
		if v.Municipalities, err = s.search(b, q, index.PlaceFilter{Kind: index.KindMunicipality, Limit: 20}); err != nil {
			s.fail(c, err)
			return
		}
		// One municipality and nothing else to choose: go straight to it.
		if len(v.Municipalities) == 1 {
			c.Redirect(http.StatusSeeOther, v.Municipalities[0].URL)
			return
		}
		if len(v.Municipalities) == 0 {
			v.Places, _ = s.search(b, q, index.PlaceFilter{Kind: index.KindPlace, Limit: 10})
		}
	}
	s.render(c, http.StatusOK, "search", page{Title: pageText["search.title"].In(langOf(c)), Q: q, P: v})
}

// matchView is one match as the pages show it.
