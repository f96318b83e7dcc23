package api

import (
	"net/http"
	"strings"
	"time"

	"hermanar/datasets"

	"github.com/gin-gonic/gin"
)

type signinView struct {
	Next  string
	Error bool
	Done  *Token
}

func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || len(next) > 500 {
		return "/"
	}
	return next
}

func (s *Server) signinPage(c *gin.Context) {
	s.render(c, http.StatusOK, "signin", page{Title: pageText["signin.title"].In(langOf(c)), P: signinView{Next: safeNext(c.Query("next"))}})
}

func (s *Server) signinPost(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	if !sameOrigin(c) {
		s.fail(c, errf(datasets.EForbidden, "Formulario enviado desde otro sitio.", "Form posted from another site."))
		return
	}
	next := safeNext(c.PostForm("next"))
	secret := strings.TrimSpace(c.PostForm("token"))
	tok, err := b.tokens.Lookup(secret)
	if err != nil {
		s.render(c, http.StatusUnauthorized, "signin", page{Title: pageText["signin.title"].In(langOf(c)), P: signinView{Next: next, Error: true}})
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: tokenCookie, Value: secret, Path: "/", MaxAge: int((30 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	if next == "/" && tok.Role == RoleLiaison {
		next = "/municipios/" + tok.Municipality
	} else if next == "/" && tok.Role == RoleConsulate {
		next = "/consulados/" + tok.Consulate
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) signoutPost(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: tokenCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	c.Redirect(http.StatusSeeOther, "/")
}
