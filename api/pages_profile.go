package api

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"hermanar/datasets"

	"github.com/gin-gonic/gin"
)

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
		lines = append(lines, diasporaLine(d))
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

// diasporaLine is how the form shows one diaspora entry: "place | size | source".
func diasporaLine(d datasets.DiasporaLink) string {
	parts := []string{d.Place}
	if d.Size > 0 || d.Source != "" {
		parts = append(parts, strconv.FormatInt(d.Size, 10))
	}
	if d.Source != "" {
		parts = append(parts, d.Source)
	}
	return strings.Join(parts, " | ")
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

// profileFromForm parses the edit form. What the form shows coarser than
// it is stored comes back as stored when the user left it alone: the tags
// of problems and practices whose text did not change, an area weight
// whose level did not change (0.3 shows as "0.5"), and a diaspora line
// that did not change (with its place_id and year, which the form does
// not show). Saving an untouched form changes nothing.
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
	oldDiaspora := map[string]datasets.DiasporaLink{}
	for _, d := range old.Diaspora {
		oldDiaspora[strings.Join(strings.Fields(diasporaLine(d)), " ")] = d
	}
	for i, line := range lines(f.Diaspora) {
		if d, ok := oldDiaspora[strings.Join(strings.Fields(line), " ")]; ok {
			p.Diaspora = append(p.Diaspora, d)
			continue
		}
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
		if w := old.Areas[code]; w > 0 && v == areaLevel(w) {
			p.Areas[code] = w
			continue
		}
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

func (s *Server) profileSavePage(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	if _, err := s.requireProfileEditor(c, b, m.CVEGEO); err != nil {
		s.fail(c, err)
		return
	}
	lang := langOf(c)
	p, form, fe := profileFromForm(c, b.Engine.Profile(m.CVEGEO))
	var msgs []string
	var saveFields map[string]string
	if len(fe) == 0 {
		_, err := s.saveProfile(b, m.CVEGEO, p)
		if err == nil {
			c.Redirect(http.StatusSeeOther, "/municipios/"+m.CVEGEO+"?guardado=1")
			return
		}
		d := errorDetail(err, lang)
		if d.Code != datasets.EInvalid {
			s.fail(c, err)
			return
		}
		saveFields = d.Fields
	}
	// Show every problem at once: the form's own and the profile's rules.
	for k, msg := range fe {
		msgs = append(msgs, k+": "+msg.In(lang))
	}
	if err := p.Validate(s.tax); err != nil {
		for k, msg := range errorDetail(err, lang).Fields {
			if _, dup := fe[k]; !dup {
				msgs = append(msgs, k+": "+msg)
				delete(saveFields, k)
			}
		}
	}
	// What only saving finds (a destination that names no place, or
	// several) is shown too.
	for k, msg := range saveFields {
		if _, dup := fe[k]; !dup {
			msgs = append(msgs, k+": "+msg)
		}
	}
	sort.Strings(msgs)
	v := s.editView(c, b, m)
	v.Form, v.Errors = form, msgs
	s.render(c, http.StatusBadRequest, "profile_edit", page{Title: pageText["edit.title"].In(lang) + " " + m.Name, P: v})
}
