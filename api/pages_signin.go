package api

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

type signinView struct {
	Next  string
	Error bool
	Done  *Token
}

// safeNext keeps a sign-in's return address on this site: a path that
// starts with one slash. Browsers drop tabs and newlines from URLs and
// read a backslash as a slash, so "/\t/evil.example" or "/\\evil.example"
// would leave the site; any control character or backslash sends the
// user home instead.
func safeNext(next string) string {
	if len(next) > 500 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if ch := next[i]; ch < 0x20 || ch == 0x7f || ch == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
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
	next := safeNext(c.PostForm("next"))
	secret := strings.TrimSpace(c.PostForm("token"))
	tok, err := b.tokens.Lookup(secret)
	if err != nil {
		s.render(c, http.StatusUnauthorized, "signin", page{Title: pageText["signin.title"].In(langOf(c)), P: signinView{Next: next, Error: true}})
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: tokenCookie, Value: secret, Path: "/", MaxAge: int((30 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: s.secureCookie(c.Request), SameSite: http.SameSiteStrictMode})
	if next == "/" && tok.Role == RoleLiaison {
		next = "/municipios/" + tok.Municipality
	} else if next == "/" && tok.Role == RoleConsulate {
		next = "/consulados/" + tok.Consulate
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) signoutPost(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: tokenCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookie(c.Request), SameSite: http.SameSiteStrictMode})
	c.Redirect(http.StatusSeeOther, "/")
}
