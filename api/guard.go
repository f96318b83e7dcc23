package api

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

// browserWrites guards every write a browser could send on its own. It
// runs for every route (new ones included), so a handler needs nothing
// more than its role check:
//
//   - a page form (any unsafe method outside /api/) must come from this
//     site's own origin, scheme included, and its body must arrive whole:
//     the form is parsed here with Request.ParseForm, whose error Gin's
//     PostForm would ignore (a dropped connection would otherwise store
//     an empty profile);
//   - a JSON API write that carries the sign-in cookie and no
//     Authorization header must come from this origin and be sent as
//     application/json, which a cross-site "no-cors" fetch cannot do.
//
// Requests with Authorization: Bearer are not sent by browsers on their
// own and pass unchanged.
func (s *Server) browserWrites(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	page := isPage(c)
	if c.GetHeader("Authorization") != "" && !page {
		c.Next()
		return
	}
	if !page && cookie(c, tokenCookie) == "" {
		c.Next() // no credential a browser would attach: the handler answers 401 where one is needed
		return
	}
	if !s.originAllowed(c) {
		s.fail(c, errf(datasets.EForbidden,
			"La solicitud viene de otro sitio (%s); solo se aceptan envíos desde %s.",
			"The request comes from another site (%s); only %s may send it.", originOrNone(c), s.ownOrigin(c)))
		return
	}
	c.Set(sameOriginKey, true)
	if !page {
		if ct := c.ContentType(); ct != "application/json" && !strings.HasSuffix(ct, "+json") {
			s.fail(c, errf(EUnsupported, "Envíe JSON (Content-Type: application/json), no %q.",
				"Send JSON (Content-Type: application/json), not %q.", ct))
			return
		}
		c.Next()
		return
	}
	if err := readForm(c.Request, s.cfg.MaxBodyBytes); err != nil {
		s.fail(c, err)
		return
	}
	c.Next()
}

const sameOriginKey = "hermanar.same_origin"

// readForm parses a form body whole, or says why it could not: too large
// (413), not a form (415), or cut short (400).
func readForm(r *http.Request, maxBytes int64) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch ct {
	case "multipart/form-data":
		err = r.ParseMultipartForm(maxBytes)
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case "":
		if r.ContentLength == 0 {
			err = r.ParseForm() // an empty POST, e.g. signing out
			break
		}
		fallthrough
	default:
		return errf(EUnsupported, "Envíe el formulario como application/x-www-form-urlencoded, no %q.",
			"Send the form as application/x-www-form-urlencoded, not %q.", ct)
	}
	if err == nil {
		return nil
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errf(ETooLarge, "El formulario supera %d bytes; no se guardó nada.", "The form exceeds %d bytes; nothing was saved.", tooBig.Limit)
	}
	return errf(datasets.EInvalid, "El formulario llegó incompleto; no se guardó nada. Envíelo de nuevo.",
		"The form arrived incomplete; nothing was saved. Send it again.")
}

// ownOrigin is the origin a browser shows for this site: the configured
// public URL, or the request's own scheme and host.
func (s *Server) ownOrigin(c *gin.Context) string {
	if s.publicOrigin != "" {
		return s.publicOrigin
	}
	return requestScheme(c.Request) + "://" + strings.ToLower(c.Request.Host)
}

func requestScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// originAllowed: the Origin header names this site exactly. Browsers send
// Origin with every POST, PUT and DELETE; one that is missing is refused.
func (s *Server) originAllowed(c *gin.Context) bool {
	o := c.GetHeader("Origin")
	if o == "" || o == "null" {
		return false
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || u.Path != "" && u.Path != "/" {
		return false
	}
	got := strings.ToLower(u.Scheme + "://" + u.Host)
	return got == s.ownOrigin(c)
}

func originOrNone(c *gin.Context) string {
	if o := c.GetHeader("Origin"); o != "" {
		if len(o) > 100 {
			o = o[:100] + "…"
		}
		return strings.ToValidUTF8(o, "?")
	}
	return "sin Origin / no Origin"
}

// secureCookies: cookies carry Secure when the site is served over https
// (the request came over TLS, the public URL is https) or the operator
// asked for it; over plain http on a LAN a Secure cookie would never come
// back and sign-in would silently fail.
func (s *Server) secureCookie(r *http.Request) bool {
	return s.cfg.SecureCookies || r.TLS != nil || strings.HasPrefix(s.publicOrigin, "https://")
}
