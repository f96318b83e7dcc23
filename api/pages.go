package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
	"hermanar/matcher"
)

//go:embed web/templates/*.html
var templateFS embed.FS

//go:embed web/static
var staticFS embed.FS

// pageSet holds every page template, parsed once per language so that
// the "t" function needs no request state.
type pageSet struct {
	byLang map[string]map[string]*template.Template
	tax    *datasets.Taxonomy
}

var pageNames = []string{"home", "search", "municipality", "matches", "profile_edit", "place", "consulates", "consulate", "signin", "starting", "error", "help", "analysis", "shortlist", "compare", "processes", "process", "overview"}

func loadPages(tax *datasets.Taxonomy) (*pageSet, error) {
	ps := &pageSet{byLang: map[string]map[string]*template.Template{}, tax: tax}
	for _, lang := range []string{"es", "en"} {
		ps.byLang[lang] = map[string]*template.Template{}
		funcs := templateFuncs(lang, tax)
		base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "web/templates/layout.html", "web/templates/partials.html", "web/templates/map.html")
		if err != nil {
			return nil, fmt.Errorf("api: layout template: %w", err)
		}
		for _, name := range pageNames {
			t, err := template.Must(base.Clone()).ParseFS(templateFS, "web/templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("api: template %s: %w", name, err)
			}
			ps.byLang[lang][name] = t
		}
	}
	return ps, nil
}

func templateFuncs(lang string, tax *datasets.Taxonomy) template.FuncMap {
	return template.FuncMap{
		"t": func(key string) string {
			if v, ok := pageText[key]; ok {
				return v.In(lang)
			}
			return key
		},
		"comp":      func(name string) string { return componentLabel(name, lang) },
		"country":   func(code string) string { return countryName(code, lang) },
		"thousands": anyThousands,
		"area":      func(code string) string { return datasets.AreaLabel(code, lang) },
		"f2":        func(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) },
		"f3":        func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) },
		"prob":      matcher.FormatProbability,
		"deref":     func(p *float64) float64 { return *p },
		"pct":       func(x float64) string { return strconv.FormatFloat(math.Round(x*100), 'f', 0, 64) + "%" },
		"width":     func(x float64) string { return strconv.FormatFloat(math.Max(0, math.Min(100, x*100)), 'f', 1, 64) },
		"add":       func(a, b int) int { return a + b },
		"join":      strings.Join,
		"recorded":  func(by string) string { return recordedByLabel(by, lang) },
		"author":    func(by string) string { return authorLabel(by, lang) },
		"anchor":    func(field string) string { return strings.ReplaceAll(field, ".", "-") },
		"admin2":    func(name string) string { return admin2Label(name, lang) },
		"origin":    func(o string) string { return profileOrigin(o, lang) },
		"priority":  func(w float64) string { return priorityLabel(w, lang) },
		"date":      func(v any) string { return humanDate(v, lang) },
		"tag":       func(id string) string { return tagLabel(tax, id, lang) },
		"weights":   func(prov string) string { return weightsLabel(prov, lang) },
		// inlang picks a record's English text on English pages where its
		// writer gave one ({{inlang .Source .SourceEN}}).
		"inlang": func(es, en string) string {
			if lang == "en" && en != "" {
				return en
			}
			return es
		},
	}
}

func anyThousands(v any) string {
	switch n := v.(type) {
	case int:
		return matcher.Thousands(int64(n))
	case int32:
		return matcher.Thousands(int64(n))
	case int64:
		return matcher.Thousands(n)
	}
	return fmt.Sprint(v)
}

// page is what every template receives.
type page struct {
	Lang      string
	Title     string
	SwitchURL string // the same page in the other language
	User      *Token
	UserLabel string // who is signed in, in the page's language
	Flash     string
	Q         string
	P         any // the page's own data
}

func (s *Server) pageRoutes(r *gin.Engine) {
	static, _ := fs.Sub(staticFS, "web/static")
	r.GET("/static/*path", s.staticHandler(static))
	r.GET("/", s.homePage)
	r.GET("/buscar", s.searchPage)
	r.GET("/municipios/:cvegeo", s.municipalityPage)
	r.GET("/municipios/:cvegeo/coincidencias", s.matchesPage)
	r.GET("/municipios/:cvegeo/perfil", s.profileEditPage)
	r.POST("/municipios/:cvegeo/perfil", s.profileSavePage)
	r.GET("/lugares/:id", s.placePage)
	r.GET("/consulados", s.consulatesPage)
	r.GET("/consulados/:id", s.consulatePage)
	r.POST("/consulados/:id/ciudad", s.consulateCityPost)
	r.POST("/consulados/:id/vinculo", s.consulateTiePost)
	r.POST("/consulados/:id/oportunidad", s.consulateOppPost)
	r.GET("/ayuda", s.helpPage("es"))
	r.GET("/help", s.helpPage("en"))
	r.GET("/analisis", s.analysisPage("es"))
	r.GET("/analysis", s.analysisPage("en"))
	r.GET("/acceso", s.signinPage)
	r.POST("/acceso", s.signinPost)
	r.POST("/salir", s.signoutPost)
	s.workflowPageRoutes(r)
}

// staticHandler serves the embedded files, and nothing else: no
// directory listings, and a path that is not a valid file name (invalid
// UTF-8, "..", a directory) is a plain 404 page, never a 500.
func (s *Server) staticHandler(root fs.FS) gin.HandlerFunc {
	return func(c *gin.Context) {
		name := strings.TrimPrefix(c.Param("path"), "/")
		notFound := func() {
			s.fail(c, errf(datasets.ENotFound, "No existe el archivo %s.", "There is no file %s.", strings.ToValidUTF8(c.Request.URL.Path, "?")))
		}
		if !utf8.ValidString(name) || !fs.ValidPath(name) || name == "." {
			notFound()
			return
		}
		f, err := root.Open(name)
		if err != nil {
			notFound()
			return
		}
		defer f.Close()
		st, err := f.Stat()
		rs, seekable := f.(io.ReadSeeker)
		if err != nil || st.IsDir() || !seekable {
			notFound()
			return
		}
		c.Header("Cache-Control", "public, max-age=3600")
		http.ServeContent(c.Writer, c.Request, st.Name(), st.ModTime(), rs)
	}
}

// render writes page name with data; the language switch cookie is set
// here when the request chose a language with ?lang=.
func (s *Server) render(c *gin.Context, status int, name string, p page) {
	lang := langOf(c)
	if q := c.Query("lang"); q == "es" || q == "en" {
		c.SetSameSite(http.SameSiteLaxMode)
		c.SetCookie(langCookie, q, 365*24*3600, "/", "", false, false)
	}
	p.Lang = lang
	p.SwitchURL = switchURL(c.Request.URL, lang)
	if b := s.backend.Load(); b != nil {
		if tok, ok := s.optionalPrincipal(c, b); ok {
			p.User = &tok
			p.UserLabel = scopeLabel(&tok, lang, func(cve string) string {
				if m, ok := b.snap.Municipality(cve); ok {
					return m.Name
				}
				return ""
			})
		}
	}
	var buf bytes.Buffer
	if err := s.pages.byLang[lang][name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.Error("template", "page", name, "request_id", requestID(c), "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("template error"))
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Header("Vary", "Accept-Language, Cookie") // the language is chosen from both
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func switchURL(u *url.URL, lang string) string {
	q := u.Query()
	if lang == "en" {
		q.Set("lang", "es")
	} else {
		q.Set("lang", "en")
	}
	return u.Path + "?" + q.Encode()
}

func (s *Server) renderErrorPage(c *gin.Context, status int, d ErrorDetail) {
	if d.Code == EUnavailable && s.backend.Load() == nil {
		s.render(c, status, "starting", page{Title: pageText["starting.title"].In(langOf(c))})
		return
	}
	s.render(c, status, "error", page{Title: pageText["error.title"].In(langOf(c)), P: d})
}
