package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
	"hermanar/index"
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

var pageNames = []string{"home", "search", "municipality", "matches", "profile_edit", "place", "consulates", "consulate", "signin", "starting", "error"}

func loadPages(tax *datasets.Taxonomy) (*pageSet, error) {
	ps := &pageSet{byLang: map[string]map[string]*template.Template{}, tax: tax}
	for _, lang := range []string{"es", "en"} {
		ps.byLang[lang] = map[string]*template.Template{}
		funcs := templateFuncs(lang)
		base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "web/templates/layout.html", "web/templates/partials.html")
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

func templateFuncs(lang string) template.FuncMap {
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
		"pct":       func(x float64) string { return strconv.FormatFloat(math.Round(x*100), 'f', 0, 64) + "%" },
		"width":     func(x float64) string { return strconv.FormatFloat(math.Max(0, math.Min(100, x*100)), 'f', 1, 64) },
		"add":       func(a, b int) int { return a + b },
		"join":      strings.Join,
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
	Flash     string
	Q         string
	P         any // the page's own data
}

func (s *Server) pageRoutes(r *gin.Engine) {
	static, _ := fs.Sub(staticFS, "web/static")
	r.GET("/static/*path", s.staticHandler(http.FS(static)))
	r.GET("/", s.homePage)
	r.GET("/buscar", s.searchPage)
	r.GET("/municipios/:cvegeo", s.municipalityPage)
	r.GET("/municipios/:cvegeo/coincidencias", s.matchesPage)
	r.GET("/municipios/:cvegeo/perfil", s.profileEditPage)
	r.POST("/municipios/:cvegeo/perfil", s.profileSavePage)
	r.GET("/lugares/:id", s.placePage)
	r.GET("/consulados", s.consulatesPage)
	r.GET("/consulados/:id", s.consulatePage)
	r.GET("/acceso", s.signinPage)
	r.POST("/acceso", s.signinPost)
	r.POST("/salir", s.signoutPost)
}

func (s *Server) staticHandler(root http.FileSystem) gin.HandlerFunc {
	fsrv := http.StripPrefix("/static", http.FileServer(root))
	return func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(c.Writer, c.Request)
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
		}
	}
	var buf bytes.Buffer
	if err := s.pages.byLang[lang][name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.Error("template", "page", name, "request_id", requestID(c), "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("template error"))
		return
	}
	c.Header("Cache-Control", "no-cache")
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
type matchView struct {
	matcher.Match
	CountryName  string
	Main         string
	MainEvidence string // the first line of evidence of the main reason
	Bars         []barView
	Segs         []segView
	Evidence     []evidenceView
}

type barView struct {
	Name, Label                 string
	Value, Weight, Contribution float64
}

type segView struct {
	Name     string
	X, Width float64 // percent of the full bar
}

type evidenceView struct {
	Label  string
	Lines  []string
	Source string
}

func matchViews(ms []matcher.Match, lang string) []matchView {
	out := make([]matchView, len(ms))
	for i, m := range ms {
		v := matchView{Match: m, CountryName: countryName(m.Place.Country, lang)}
		best, x := -1.0, 0.0
		for _, comp := range m.Components {
			v.Bars = append(v.Bars, barView{Name: comp.Name, Label: componentLabel(comp.Name, lang),
				Value: comp.Value, Weight: comp.Weight, Contribution: comp.Contribution})
			if comp.Contribution > best {
				best, v.Main = comp.Contribution, componentLabel(comp.Name, lang)
				v.MainEvidence = ""
				if len(comp.Evidence) > 0 {
					v.MainEvidence = comp.Evidence[0]
				}
			}
			w := math.Max(0, comp.Contribution*100)
			v.Segs = append(v.Segs, segView{Name: comp.Name, X: x, Width: w})
			x += w
			if len(comp.Evidence) > 0 {
				v.Evidence = append(v.Evidence, evidenceView{Label: componentLabel(comp.Name, lang), Lines: comp.Evidence, Source: comp.Source})
			}
		}
		out[i] = v
	}
	return out
}

type muniView struct {
	Muni      MunicipalityDetail
	Profile   profileView
	Matches   []matchView
	CanEdit   bool
	Saved     bool
	Ties      []TieView
	TwinNames []string
}

type profileView struct {
	datasets.Profile
	Stored bool
	Areas  []areaView
}

type areaView struct {
	Code, Label string
	Weight      float64
}

func newProfileView(p datasets.Profile, stored bool, lang string) profileView {
	v := profileView{Profile: p, Stored: stored}
	for _, code := range datasets.AreaCodes {
		if w, ok := p.Areas[code]; ok && w > 0 {
			v.Areas = append(v.Areas, areaView{Code: code, Label: datasets.AreaLabel(code, lang), Weight: w})
		}
	}
	return v
}

func (s *Server) municipalityPage(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	lang := langOf(c)
	res, err := s.runMatch(c, b, m.CVEGEO, matchParams{K: 5, Lang: lang, Format: "json"})
	if err != nil {
		s.fail(c, err)
		return
	}
	v := muniView{Muni: municipalityDetail(b, m), Matches: matchViews(res.Matches, lang),
		Profile: newProfileView(b.Engine.Profile(m.CVEGEO), b.Engine.ProfileIsStored(m.CVEGEO), lang),
		Saved:   c.Query("guardado") == "1"}
	for _, t := range v.Muni.Ties {
		if p, ok := b.snap.Place(t.Place); ok {
			v.Ties = append(v.Ties, TieView{Tie: t, PlaceRef: placeInfo(b.snap, p).PlaceRef})
		}
	}
	if tok, ok := s.optionalPrincipal(c, b); ok {
		v.CanEdit = canEditProfile(tok, m.CVEGEO)
	}
	s.render(c, http.StatusOK, "municipality", page{Title: m.Name + ", " + m.StateName, P: v})
}

// runMatch runs a match for the pages.
func (s *Server) runMatch(c *gin.Context, b *Backend, cvegeo string, mp matchParams) (*matcher.Result, error) {
	ctx, cancel := requestContext(c, matchTimeout)
	defer cancel()
	return b.Engine.Match(ctx, matcher.Query{Municipality: cvegeo, K: mp.K, Lang: mp.Lang, Filter: mp.Filter})
}

type matchesView struct {
	Muni       *datasets.Municipality
	Result     *matcher.Result
	Matches    []matchView
	Params     matchParams
	Country    string
	MinPop     string
	MaxPop     string
	Countries  []countryOption
	KOptions   []int
	CSVURL     string
	JSONURL    string
	Errors     map[string]string
	ProfileSrc string
}

type countryOption struct{ Code, Name string }

// commonCountries are offered first in the country filter: where Mexican
// migrants and twinnings concentrate.
var commonCountries = []string{"US", "CA", "ES", "GT", "CO", "AR", "CL", "PE", "CU", "FR", "DE", "IT", "JP", "CN", "KR"}

func (s *Server) matchesPage(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	lang := langOf(c)
	p := newParams(c)
	mp := p.match(c)
	v := matchesView{Muni: m, Params: mp, KOptions: []int{10, 20, 50, 100}, Country: strings.Join(mp.Filter.Countries, ","),
		ProfileSrc: profileSource(b, m.CVEGEO)}
	if mp.Filter.MinPopulation > 0 {
		v.MinPop = strconv.FormatInt(mp.Filter.MinPopulation, 10)
	}
	if mp.Filter.MaxPopulation > 0 {
		v.MaxPop = strconv.FormatInt(mp.Filter.MaxPopulation, 10)
	}
	if err := p.err(); err != nil {
		// Show the page with the messages rather than an error page: the
		// user fixes the filter in place.
		v.Errors = errorDetail(err, lang).Fields
		mp = matchParams{K: 10, Lang: lang, Format: "json"}
		v.Params = mp
	}
	for _, code := range commonCountries {
		v.Countries = append(v.Countries, countryOption{code, countryName(code, lang)})
	}
	sort.Slice(v.Countries, func(i, j int) bool { return v.Countries[i].Name < v.Countries[j].Name })
	res, err := s.runMatch(c, b, m.CVEGEO, mp)
	if err != nil {
		s.fail(c, err)
		return
	}
	v.Result, v.Matches = res, matchViews(res.Matches, lang)
	q := c.Request.URL.Query()
	q.Del("format")
	q.Set("lang", lang)
	api := "/api/v1/municipalities/" + m.CVEGEO + "/matches?"
	v.JSONURL = api + q.Encode()
	q.Set("format", "csv")
	v.CSVURL = api + q.Encode()
	s.render(c, http.StatusOK, "matches", page{Title: pageText["matches.title"].In(lang) + " " + m.Name, P: v})
}

type editView struct {
	Muni       *datasets.Municipality
	Form       profileForm
	Errors     []string
	CanEdit    bool
	SignedIn   bool
	AreaCodes  []string
	AreaLevels []string
}

// profileForm is the profile as the edit form shows it: lists as lines.
type profileForm struct {
	Lang, Narrative, Problems, Practices, Diaspora, Countries, MinPop, MaxPop string
	Areas                                                                     map[string]string
}

func formFromProfile(p datasets.Profile) profileForm {
	f := profileForm{Lang: p.Lang, Narrative: p.Narrative, Areas: map[string]string{}}
	var lines []string
	for _, x := range p.Problems {
		lines = append(lines, x.Text)
	}
	f.Problems = strings.Join(lines, "\n")
	lines = lines[:0]
	for _, x := range p.Practices {
		lines = append(lines, x.Text)
	}
	f.Practices = strings.Join(lines, "\n")
	lines = lines[:0]
	for _, d := range p.Diaspora {
		parts := []string{d.Place}
		if d.Size > 0 || d.Source != "" {
			parts = append(parts, strconv.FormatInt(d.Size, 10))
		}
		if d.Source != "" {
			parts = append(parts, d.Source)
		}
		lines = append(lines, strings.Join(parts, " | "))
	}
	f.Diaspora = strings.Join(lines, "\n")
	f.Countries = strings.Join(p.Constraints.Countries, ", ")
	if p.Constraints.MinPopulation > 0 {
		f.MinPop = strconv.FormatInt(p.Constraints.MinPopulation, 10)
	}
	if p.Constraints.MaxPopulation > 0 {
		f.MaxPop = strconv.FormatInt(p.Constraints.MaxPopulation, 10)
	}
	for _, code := range datasets.AreaCodes {
		f.Areas[code] = areaLevel(p.Areas[code])
	}
	return f
}

func areaLevel(w float64) string {
	switch {
	case w >= 0.75:
		return "1"
	case w > 0:
		return "0.5"
	}
	return "0"
}

// profileFromForm parses the edit form, keeping the tags of problems and
// practices whose text did not change.
func profileFromForm(c *gin.Context, old datasets.Profile) (datasets.Profile, profileForm, fieldErrs) {
	fe := fieldErrs{}
	f := profileForm{Lang: c.PostForm("lang"), Narrative: c.PostForm("narrative"), Problems: c.PostForm("problems"),
		Practices: c.PostForm("practices"), Diaspora: c.PostForm("diaspora"), Countries: c.PostForm("countries"),
		MinPop: strings.TrimSpace(c.PostForm("min_population")), MaxPop: strings.TrimSpace(c.PostForm("max_population")),
		Areas: map[string]string{}}
	p := datasets.Profile{Lang: f.Lang, Narrative: strings.TrimSpace(f.Narrative), Areas: map[string]float64{}}
	oldTags := map[string][]string{}
	for _, x := range old.Problems {
		oldTags["p:"+x.Text] = x.Tags
	}
	for _, x := range old.Practices {
		oldTags["r:"+x.Text] = x.Tags
	}
	for _, line := range lines(f.Problems) {
		p.Problems = append(p.Problems, datasets.Problem{Text: line, Tags: oldTags["p:"+line]})
	}
	for _, line := range lines(f.Practices) {
		p.Practices = append(p.Practices, datasets.Practice{Text: line, Tags: oldTags["r:"+line]})
	}
	for i, line := range lines(f.Diaspora) {
		parts := strings.Split(line, "|")
		d := datasets.DiasporaLink{Place: strings.TrimSpace(parts[0])}
		if len(parts) > 1 && strings.TrimSpace(parts[1]) != "" {
			n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(parts[1]), ",", ""), 10, 64)
			if err != nil {
				fe.add(fmt.Sprintf("diaspora[%d].size", i), "debe ser un número entero", "must be a whole number")
			}
			d.Size = n
		}
		if len(parts) > 2 {
			d.Source = strings.TrimSpace(strings.Join(parts[2:], "|"))
		}
		p.Diaspora = append(p.Diaspora, d)
	}
	for _, code := range datasets.AreaCodes {
		v := c.PostForm("area_" + code)
		f.Areas[code] = v
		switch v {
		case "", "0":
		case "0.5":
			p.Areas[code] = 0.5
		case "1":
			p.Areas[code] = 1
		default:
			fe.add("areas."+code, "valor no válido", "invalid value")
		}
	}
	if len(p.Areas) == 0 {
		p.Areas = nil
	}
	for _, cc := range strings.Split(f.Countries, ",") {
		if cc = strings.ToUpper(strings.TrimSpace(cc)); cc != "" {
			p.Constraints.Countries = append(p.Constraints.Countries, cc)
		}
	}
	num := func(field, v string) int64 {
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(v, ",", ""), 10, 64)
		if err != nil {
			fe.add(field, "debe ser un número entero", "must be a whole number")
		}
		return n
	}
	p.Constraints.MinPopulation = num("constraints.min_population", f.MinPop)
	p.Constraints.MaxPopulation = num("constraints.max_population", f.MaxPop)
	return p, f, fe
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) editView(c *gin.Context, b *Backend, m *datasets.Municipality) editView {
	v := editView{Muni: m, AreaCodes: datasets.AreaCodes, AreaLevels: []string{"0", "0.5", "1"}}
	if tok, ok := s.optionalPrincipal(c, b); ok {
		v.SignedIn = true
		v.CanEdit = canEditProfile(tok, m.CVEGEO)
	}
	return v
}

func (s *Server) profileEditPage(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	v := s.editView(c, b, m)
	v.Form = formFromProfile(b.Engine.Profile(m.CVEGEO))
	status := http.StatusOK
	if !v.CanEdit {
		status = http.StatusForbidden
		if !v.SignedIn {
			c.Redirect(http.StatusSeeOther, "/acceso?next="+url.QueryEscape(c.Request.URL.Path))
			return
		}
	}
	s.render(c, status, "profile_edit", page{Title: pageText["edit.title"].In(langOf(c)) + " " + m.Name, P: v})
}

// sameOrigin rejects cross-site form posts (the token cookie is
// SameSite=Strict already; this is a second lock).
func sameOrigin(c *gin.Context) bool {
	if o := c.GetHeader("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		return err == nil && u.Host == c.Request.Host
	}
	switch c.GetHeader("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
}

func (s *Server) profileSavePage(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	if !sameOrigin(c) {
		s.fail(c, errf(datasets.EForbidden, "Formulario enviado desde otro sitio.", "Form posted from another site."))
		return
	}
	if _, err := s.requireProfileEditor(c, b, m.CVEGEO); err != nil {
		s.fail(c, err)
		return
	}
	lang := langOf(c)
	p, form, fe := profileFromForm(c, b.Engine.Profile(m.CVEGEO))
	var msgs []string
	if len(fe) == 0 {
		_, err := s.saveProfile(b, m.CVEGEO, p)
		if err == nil {
			c.Redirect(http.StatusSeeOther, "/municipios/"+m.CVEGEO+"?guardado=1")
			return
		}
		if d := errorDetail(err, lang); d.Code != datasets.EInvalid {
			s.fail(c, err)
			return
		}
	}
	// Show every problem at once: the form's own and the profile's rules.
	for k, msg := range fe {
		msgs = append(msgs, k+": "+msg.In(lang))
	}
	if err := p.Validate(s.tax); err != nil {
		for k, msg := range errorDetail(err, lang).Fields {
			if _, dup := fe[k]; !dup {
				msgs = append(msgs, k+": "+msg)
			}
		}
	}
	sort.Strings(msgs)
	v := s.editView(c, b, m)
	v.Form, v.Errors = form, msgs
	s.render(c, http.StatusBadRequest, "profile_edit", page{Title: pageText["edit.title"].In(lang) + " " + m.Name, P: v})
}

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
}

type opportunityView struct {
	matcher.Opportunity
	PageURL string
}

func (s *Server) consulatePage(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	con, err := consulateParam(c, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	lang := langOf(c)
	ctx, cancel := requestContext(c, matchTimeout)
	defer cancel()
	ops, err := b.Engine.Opportunities(ctx, con.ID, lang, 200)
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
		v.Opportunities = append(v.Opportunities, opportunityView{Opportunity: o,
			PageURL: fmt.Sprintf("/municipios/%s/coincidencias?country=%s#p%d", o.Municipality, o.Place.Country, o.Place.ID)})
	}
	s.render(c, http.StatusOK, "consulate", page{Title: con.Name, P: v})
}

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
