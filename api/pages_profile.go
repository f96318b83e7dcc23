package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"hermanar/datasets"
	"hermanar/matcher"

	"github.com/gin-gonic/gin"
)

type editView struct {
	Muni       *datasets.Municipality
	Form       profileForm
	Errors     map[string][]string // by form field: narrative, problems, practices, diaspora.N, countries, min_population, max_population, area_X, lang, "" for the rest
	Summary    []fieldMsg          // the same, listed above the form with links to the fields
	Blank      bool                // the form is empty and the stored profile is not: ask before blanking it
	CanEdit    bool
	SignedIn   bool
	AreaCodes  []string
	AreaLevels []string
	Countries  []pickCountry // the country picker
	MaxText    int           // the description's limit in characters
}

// fieldMsg is one error of the summary: the field's label and anchor.
type fieldMsg struct{ Field, Label, Msg string }

type pickCountry struct {
	Code, Name string
	Selected   bool
}

// profileForm is the profile as the edit form shows it: problems and
// practices as lines, migrant destinations as rows.
type profileForm struct {
	Lang, Narrative, Problems, Practices, MinPop, MaxPop string
	Countries                                            []string
	Diaspora                                             []diasporaRow
	Areas                                                map[string]string
}

// diasporaRow is one migrant destination as the form shows it.
type diasporaRow struct {
	Index               int
	Place, Size, Source string
}

// emptyDiasporaRows are the blank rows the form adds after the filled ones,
// so that a destination can be added without scripts.
const emptyDiasporaRows = 2

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
	for _, d := range p.Diaspora {
		r := diasporaRow{Place: d.Place, Source: d.Source}
		if d.Size > 0 {
			r.Size = strconv.FormatInt(d.Size, 10)
		}
		f.Diaspora = append(f.Diaspora, r)
	}
	f.Countries = append([]string(nil), p.Constraints.Countries...)
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

// values is what a browser posts for the form as shown: one value per
// field, three per destination row, one per picked country.
func (f profileForm) values() url.Values {
	v := url.Values{"lang": {f.Lang}, "narrative": {f.Narrative}, "problems": {f.Problems}, "practices": {f.Practices},
		"min_population": {f.MinPop}, "max_population": {f.MaxPop}}
	for _, r := range f.Diaspora {
		v.Add("diaspora_place", r.Place)
		v.Add("diaspora_size", r.Size)
		v.Add("diaspora_source", r.Source)
	}
	for _, cc := range f.Countries {
		v.Add("countries", cc)
	}
	for code, lvl := range f.Areas {
		v.Set("area_"+code, lvl)
	}
	return v
}

// withBlankRows numbers the rows and adds the empty ones.
func (f profileForm) withBlankRows() profileForm {
	rows := append([]diasporaRow(nil), f.Diaspora...)
	for i := 0; i < emptyDiasporaRows; i++ {
		rows = append(rows, diasporaRow{})
	}
	for i := range rows {
		rows[i].Index = i
	}
	f.Diaspora = rows
	return f
}

func (d diasporaRow) key() string {
	return strings.Join(strings.Fields(d.Place+" | "+d.Size+" | "+d.Source), " ")
}

func rowOf(d datasets.DiasporaLink) diasporaRow {
	r := diasporaRow{Place: d.Place, Source: d.Source}
	if d.Size > 0 {
		r.Size = strconv.FormatInt(d.Size, 10)
	}
	return r
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
// whose level did not change (0.3 shows as "0.5"), and a diaspora row
// that did not change (with its place_id and year, which the form does
// not show). Saving an untouched form changes nothing. Errors are keyed
// by the profile's field paths, as Validate's.
func profileFromForm(form url.Values, old datasets.Profile) (datasets.Profile, profileForm, fieldErrs) {
	fe := fieldErrs{}
	get := func(k string) string { return form.Get(k) }
	f := profileForm{Lang: get("lang"), Narrative: get("narrative"), Problems: get("problems"),
		Practices: get("practices"), MinPop: strings.TrimSpace(get("min_population")), MaxPop: strings.TrimSpace(get("max_population")),
		Areas: map[string]string{}}
	p := datasets.Profile{Lang: f.Lang, Narrative: strings.TrimSpace(f.Narrative), Areas: map[string]float64{}}
	if n := utf8.RuneCountInString(p.Narrative); n > datasets.MaxNarrative {
		fe.add("narrative", "tiene %d caracteres y caben %d: acórtela, nada se ha recortado", "has %d characters and %d fit: shorten it; nothing was cut", n, datasets.MaxNarrative)
	}
	oldTags := map[string][]string{}
	oldI18n := map[string]map[string]string{} // translations of lines left alone
	for _, x := range old.Problems {
		oldTags["p:"+x.Text], oldI18n["p:"+x.Text] = x.Tags, x.I18n
	}
	for _, x := range old.Practices {
		oldTags["r:"+x.Text], oldI18n["r:"+x.Text] = x.Tags, x.I18n
	}
	for i, line := range lines(f.Problems) {
		if n := utf8.RuneCountInString(line); n > datasets.MaxItemText {
			fe.add(fmt.Sprintf("problems[%d].text", i), "tiene %d caracteres y caben %d", "has %d characters and %d fit", n, datasets.MaxItemText)
		}
		p.Problems = append(p.Problems, datasets.Problem{Text: line, Tags: oldTags["p:"+line], I18n: oldI18n["p:"+line]})
	}
	for i, line := range lines(f.Practices) {
		if n := utf8.RuneCountInString(line); n > datasets.MaxItemText {
			fe.add(fmt.Sprintf("practices[%d].text", i), "tiene %d caracteres y caben %d", "has %d characters and %d fit", n, datasets.MaxItemText)
		}
		p.Practices = append(p.Practices, datasets.Practice{Text: line, Tags: oldTags["r:"+line], I18n: oldI18n["r:"+line]})
	}
	oldDiaspora := map[string]datasets.DiasporaLink{}
	for _, d := range old.Diaspora {
		oldDiaspora[rowOf(d).key()] = d
	}
	places, sizes, sources := form["diaspora_place"], form["diaspora_size"], form["diaspora_source"]
	var rows []diasporaRow
	for i := range places {
		r := diasporaRow{Place: strings.TrimSpace(places[i])}
		if i < len(sizes) {
			r.Size = strings.TrimSpace(sizes[i])
		}
		if i < len(sources) {
			r.Source = strings.TrimSpace(sources[i])
		}
		if r.Place == "" && r.Size == "" && r.Source == "" {
			continue // a blank row
		}
		rows = append(rows, r)
	}
	// Older clients post the destinations as lines "place | size | source".
	for _, line := range lines(get("diaspora")) {
		parts := strings.Split(line, "|")
		r := diasporaRow{Place: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			r.Size = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			r.Source = strings.TrimSpace(strings.Join(parts[2:], "|"))
		}
		rows = append(rows, r)
	}
	f.Diaspora = rows
	for i, r := range rows {
		if d, ok := oldDiaspora[r.key()]; ok {
			p.Diaspora = append(p.Diaspora, d)
			continue
		}
		d := datasets.DiasporaLink{Place: r.Place, Source: r.Source}
		if r.Place == "" {
			fe.add(fmt.Sprintf("diaspora[%d].place", i), "escriba la ciudad donde viven (p. ej. «Whitewater, Wisconsin»)", "name the city where they live (e.g. \"Whitewater, Wisconsin\")")
		}
		if r.Size != "" {
			n, err := strconv.ParseInt(strings.NewReplacer(",", "", ".", "", " ", "").Replace(r.Size), 10, 64)
			switch {
			case err != nil:
				fe.add(fmt.Sprintf("diaspora[%d].size", i), "escriba un número entero de personas, como 500", "write a whole number of people, such as 500")
			case n < 0 || n > datasets.MaxDiasporaSize:
				fe.add(fmt.Sprintf("diaspora[%d].size", i), "debe estar entre 0 y %s", "must be between 0 and %s", matcher.Thousands(datasets.MaxDiasporaSize))
			}
			d.Size = n
		}
		p.Diaspora = append(p.Diaspora, d)
	}
	for _, code := range datasets.AreaCodes {
		v := get("area_" + code)
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
			fe.add("areas."+code, "elija alta, media o ninguna", "choose high, medium or none")
		}
	}
	if len(p.Areas) == 0 {
		p.Areas = nil
	}
	// The picker posts one value per country; a typed list "US, CA" works too.
	for _, v := range form["countries"] {
		for _, cc := range strings.Split(v, ",") {
			if cc = strings.ToUpper(strings.TrimSpace(cc)); cc != "" && !slices.Contains(p.Constraints.Countries, cc) {
				if !datasets.KnownCountry(cc) {
					fe.add("constraints.countries", "%q no es un país de la lista", "%q is not a country of the list", cc)
					continue
				}
				p.Constraints.Countries = append(p.Constraints.Countries, cc)
			}
		}
	}
	f.Countries = p.Constraints.Countries
	num := func(field, v string) int64 {
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(strings.NewReplacer(",", "", ".", "", " ", "").Replace(v), 10, 64)
		if err != nil {
			fe.add(field, "escriba un número entero de habitantes, como 20000", "write a whole number of inhabitants, such as 20000")
		} else if n < 0 {
			fe.add(field, "no puede ser negativa", "cannot be negative")
		}
		return n
	}
	p.Constraints.MinPopulation = num("constraints.min_population", f.MinPop)
	p.Constraints.MaxPopulation = num("constraints.max_population", f.MaxPop)
	if mx := p.Constraints.MaxPopulation; mx > 0 && p.Constraints.MinPopulation > mx {
		fe.add("constraints.max_population", "debe ser mayor que la mínima", "must be larger than the minimum")
	}
	return p, f, fe
}

// blank reports whether a profile says nothing.
func blank(p datasets.Profile) bool {
	return strings.TrimSpace(p.Narrative) == "" && len(p.Problems) == 0 && len(p.Practices) == 0 && len(p.Diaspora) == 0 &&
		len(p.Areas) == 0 && len(p.Constraints.Countries) == 0 && p.Constraints.MinPopulation == 0 && p.Constraints.MaxPopulation == 0
}

// formField says which form field a profile field path belongs to, and
// the words that name an item within it ("renglón 2").
func formField(path, lang string) (field, item string) {
	index := func() int {
		i := strings.IndexByte(path, '[')
		j := strings.IndexByte(path, ']')
		if i < 0 || j < i {
			return -1
		}
		n, err := strconv.Atoi(path[i+1 : j])
		if err != nil {
			return -1
		}
		return n
	}
	line := func() string {
		if n := index(); n >= 0 {
			return fmt.Sprintf(T{ES: "renglón %d: ", EN: "line %d: "}.In(lang), n+1)
		}
		return ""
	}
	switch {
	case path == "narrative" || path == "lang":
		return path, ""
	case strings.HasPrefix(path, "problems"):
		return "problems", line()
	case strings.HasPrefix(path, "practices"):
		return "practices", line()
	case strings.HasPrefix(path, "diaspora["):
		n := index()
		part := ""
		switch {
		case strings.HasSuffix(path, ".size"):
			part = T{ES: "personas: ", EN: "people: "}.In(lang)
		case strings.HasSuffix(path, ".source"):
			part = T{ES: "fuente: ", EN: "source: "}.In(lang)
		}
		return "diaspora." + strconv.Itoa(n), part
	case strings.HasPrefix(path, "areas."):
		return "area_" + strings.TrimPrefix(path, "areas."), ""
	case strings.HasPrefix(path, "constraints.countries"):
		return "countries", ""
	case path == "constraints.min_population":
		return "min_population", ""
	case path == "constraints.max_population":
		return "max_population", ""
	}
	return "", ""
}

// fieldLabel names a form field for the summary.
func fieldLabel(field, lang string) string {
	keys := map[string]string{"narrative": "profile.narrative", "lang": "profile.lang", "problems": "profile.problems",
		"practices": "profile.practices", "countries": "profile.countries", "min_population": "matches.minpop",
		"max_population": "matches.maxpop"}
	if k, ok := keys[field]; ok {
		return pageText[k].In(lang)
	}
	if n, ok := strings.CutPrefix(field, "diaspora."); ok {
		i, _ := strconv.Atoi(n)
		return fmt.Sprintf(T{ES: "%s, destino %d", EN: "%s, destination %d"}.In(lang), pageText["profile.diaspora"].In(lang), i+1)
	}
	if code, ok := strings.CutPrefix(field, "area_"); ok {
		return pageText["profile.areas"].In(lang) + ": " + code + ") " + datasets.AreaLabel(code, lang)
	}
	return pageText["edit.other"].In(lang)
}

// placeErrors files messages by profile path under their form fields.
func (v *editView) addError(path, msg, lang string) {
	field, item := formField(path, lang)
	if v.Errors == nil {
		v.Errors = map[string][]string{}
	}
	m := item + msg
	for _, have := range v.Errors[field] {
		if have == m {
			return
		}
	}
	v.Errors[field] = append(v.Errors[field], m)
}

func (v *editView) summarize(lang string) {
	order := []string{"lang", "narrative", "problems"}
	for _, code := range datasets.AreaCodes {
		order = append(order, "area_"+code)
	}
	order = append(order, "practices")
	for i := range v.Form.Diaspora {
		order = append(order, "diaspora."+strconv.Itoa(i))
	}
	order = append(order, "countries", "min_population", "max_population", "")
	for _, f := range order {
		for _, m := range v.Errors[f] {
			v.Summary = append(v.Summary, fieldMsg{Field: f, Label: fieldLabel(f, lang), Msg: m})
		}
	}
}

func (s *Server) countryOptions(b *Backend, selected []string, lang string) []pickCountry {
	var out []pickCountry
	for _, cc := range countryCodes(b.snap) {
		if cc == "MX" {
			continue // partners are abroad
		}
		out = append(out, pickCountry{Code: cc, Name: countryName(cc, lang), Selected: slices.Contains(selected, cc)})
	}
	sort.Slice(out, func(i, j int) bool { return collateKey(out[i].Name) < collateKey(out[j].Name) })
	return out
}

var snapCountries sync.Map // *datasets.Snapshot → []string

// countryCodes lists the countries that have places in snap.
func countryCodes(snap *datasets.Snapshot) []string {
	if v, ok := snapCountries.Load(snap); ok {
		return v.([]string)
	}
	seen := map[string]bool{}
	for i := range snap.Places {
		seen[snap.Places[i].Country] = true
	}
	out := make([]string, 0, len(seen))
	for cc := range seen {
		if cc != "" {
			out = append(out, cc)
		}
	}
	sort.Strings(out)
	snapCountries.Store(snap, out)
	return out
}

// collateKey sorts names as a reader expects: "Éire" with the E's.
func collateKey(s string) string { return datasets.Fold(s) }

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
	v := editView{Muni: m, AreaCodes: datasets.AreaCodes, AreaLevels: []string{"0", "0.5", "1"}, MaxText: datasets.MaxNarrative}
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
	lang := langOf(c)
	v := s.editView(c, b, m)
	v.Form = formFromProfile(b.Engine.Profile(m.CVEGEO)).withBlankRows()
	v.Countries = s.countryOptions(b, v.Form.Countries, lang)
	status := http.StatusOK
	if !v.CanEdit {
		status = http.StatusForbidden
		if !v.SignedIn {
			c.Redirect(http.StatusSeeOther, "/acceso?next="+url.QueryEscape(c.Request.URL.Path))
			return
		}
	}
	s.render(c, status, "profile_edit", page{Title: pageText["edit.title"].In(lang) + " " + m.Name, P: v})
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
	if err := c.Request.ParseForm(); err != nil {
		s.fail(c, errf(datasets.EInvalid, "No se pudo leer el formulario; vuelva a enviarlo.", "The form could not be read; send it again."))
		return
	}
	lang := langOf(c)
	old := b.Engine.Profile(m.CVEGEO)
	p, form, fe := profileFromForm(c.Request.PostForm, old)
	v := s.editView(c, b, m)
	v.Form = form
	// An empty form would blank the profile: say so and ask first.
	if len(fe) == 0 && blank(p) && !blank(old) && c.Request.PostForm.Get("confirm_blank") != "1" {
		v.Blank = true
		v.Form = v.Form.withBlankRows()
		v.Countries = s.countryOptions(b, v.Form.Countries, lang)
		s.render(c, http.StatusConflict, "profile_edit", page{Title: pageText["edit.title"].In(lang) + " " + m.Name, P: v})
		return
	}
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
		if len(saveFields) == 0 {
			v.addError("", d.Message, lang)
		}
	}
	// Show every problem at once, each beside its field: the form's own,
	// the profile's rules, and what only saving finds (a destination that
	// names no place, or several).
	for k, msg := range fe {
		v.addError(k, msg.In(lang), lang)
	}
	if err := p.Validate(s.tax); err != nil {
		for k, msg := range errorDetail(err, lang).Fields {
			v.addError(k, msg, lang)
			delete(saveFields, k)
		}
	}
	for k, msg := range saveFields {
		v.addError(k, msg, lang)
	}
	v.summarize(lang)
	v.Form = v.Form.withBlankRows()
	v.Countries = s.countryOptions(b, v.Form.Countries, lang)
	s.render(c, http.StatusBadRequest, "profile_edit", page{Title: pageText["edit.title"].In(lang) + " " + m.Name, P: v})
}
