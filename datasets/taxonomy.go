package datasets

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// taxonomyJSON is the project's own problem taxonomy. It ships inside the
// binary so that profiles can be validated and scored without any data
// directory.
//
//go:embed taxonomy/taxonomy.json
var taxonomyJSON []byte

// Keywords are the words and short phrases people use for a category, per
// language. They feed the keyword and Bleve classifiers, so they are
// written the way liaison officers write, not the way the UN does.
type Keywords struct {
	ES []string `json:"es"`
	EN []string `json:"en"`
}

// In returns the keywords for lang ("en" or Spanish otherwise).
func (k Keywords) In(lang string) []string {
	if lang == "en" {
		return k.EN
	}
	return k.ES
}

// Category is one municipal problem or cooperation topic. SDG holds the
// Sustainable Development Goal numbers (1–17), primary goal first; Areas
// holds the codes (a–h) of the SRE model agreement's areas of cooperation.
type Category struct {
	ID          string   `json:"id"`
	Label       Text     `json:"label"`
	Description Text     `json:"description"`
	Keywords    Keywords `json:"keywords"`
	SDG         []int    `json:"sdg"`
	Areas       []string `json:"areas"`
}

// Taxonomy is the ordered list of categories. Categories must not be
// modified after parsing: the id index points into the slice.
type Taxonomy struct {
	Version    string     `json:"version"`
	Categories []Category `json:"categories"`
	byID       map[string]int
}

// Category returns the category with the given id.
func (t *Taxonomy) Category(id string) (Category, bool) {
	if t == nil {
		return Category{}, false
	}
	i, ok := t.byID[id]
	if !ok {
		return Category{}, false
	}
	return t.Categories[i], true
}

// DefaultTaxonomy returns the embedded taxonomy, parsed once per process.
// It panics only if the embedded file is invalid, which the package tests
// rule out.
func DefaultTaxonomy() *Taxonomy { return defaultTaxonomy() }

var defaultTaxonomy = sync.OnceValue(func() *Taxonomy {
	t, err := ParseTaxonomy(taxonomyJSON)
	if err != nil {
		panic(fmt.Sprintf("datasets: embedded taxonomy is invalid: %v", err))
	}
	return t
})

// Limits checked by ParseTaxonomy. The shipped taxonomy is held to stricter
// editorial rules (6–15 keywords, at most 3 goals and 3 areas) by its test;
// the parser only rejects what would break classification.
const (
	minTaxonomyKeywords = 4
	maxSDG              = 17
)

var kebabID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ParseTaxonomy decodes and validates a taxonomy. Unknown JSON fields are
// rejected so that a misspelt field does not silently drop data. On invalid
// content it returns an EInvalid *Error whose message names every offending
// category id and field, e.g.
// `categories[water-scarcity].sdg[1]: must be between 1 and 17, got 18`.
func ParseTaxonomy(data []byte) (*Taxonomy, error) {
	var t Taxonomy
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, Errf(EInvalid, "taxonomía: %v", "taxonomy: %v", err)
	}
	if dec.More() {
		return nil, Errf(EInvalid, "taxonomía: datos sobrantes después del objeto JSON", "taxonomy: unexpected data after the JSON object")
	}

	v := taxonomyValidator{fields: FieldErrors{}}
	if strings.TrimSpace(t.Version) == "" {
		v.add("version", "must not be empty")
	}
	if len(t.Categories) == 0 {
		v.add("categories", "must not be empty")
	}
	t.byID = make(map[string]int, len(t.Categories))
	for i, c := range t.Categories {
		v.category(i, c, t.byID)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return &t, nil
}

// taxonomyValidator collects problems in file order, so that the error
// message reads top to bottom like the file.
type taxonomyValidator struct {
	fields FieldErrors
	order  []string
}

func (v *taxonomyValidator) add(field, format string, args ...any) {
	if _, dup := v.fields[field]; dup {
		return
	}
	// The taxonomy is the project's own file, checked by its tests and the
	// command line: its messages are in English alone.
	v.fields[field] = Text{EN: fmt.Sprintf(format, args...)}
	v.order = append(v.order, field)
}

func (v *taxonomyValidator) err() error {
	if len(v.order) == 0 {
		return nil
	}
	msgs := make([]string, len(v.order))
	for i, f := range v.order {
		msgs[i] = f + ": " + v.fields[f].EN
	}
	return &Error{
		Code:   EInvalid,
		Msg:    Text{EN: "invalid taxonomy: " + strings.Join(msgs, "; ")},
		Fields: map[string]Text(v.fields),
	}
}

func (v *taxonomyValidator) category(i int, c Category, byID map[string]int) {
	// Name the category by its id when it has a usable one, so that the
	// message points at the line to fix; fall back to its position.
	name := fmt.Sprintf("categories[%s]", c.ID)
	switch {
	case c.ID == "":
		name = fmt.Sprintf("categories[#%d]", i)
		v.add(name+".id", "must not be empty")
	case !kebabID.MatchString(c.ID):
		v.add(name+".id", "must be kebab-case ASCII (a-z, 0-9 and single hyphens)")
	default:
		if j, dup := byID[c.ID]; dup {
			name = fmt.Sprintf("categories[%s#%d]", c.ID, i)
			v.add(name+".id", "duplicate id %q (first used by category #%d)", c.ID, j)
		} else {
			byID[c.ID] = i
		}
	}

	v.text(name+".label", c.Label)
	v.text(name+".description", c.Description)
	v.keywords(name+".keywords.es", c.Keywords.ES)
	v.keywords(name+".keywords.en", c.Keywords.EN)

	if len(c.SDG) == 0 {
		v.add(name+".sdg", "must list at least one SDG goal (1–17)")
	}
	seenGoal := map[int]bool{}
	for j, g := range c.SDG {
		f := fmt.Sprintf("%s.sdg[%d]", name, j)
		switch {
		case g < 1 || g > maxSDG:
			v.add(f, "must be between 1 and %d, got %d", maxSDG, g)
		case seenGoal[g]:
			v.add(f, "duplicate goal %d", g)
		}
		seenGoal[g] = true
	}

	if len(c.Areas) == 0 {
		v.add(name+".areas", "must list at least one area (a–h)")
	}
	seenArea := map[string]bool{}
	for j, a := range c.Areas {
		f := fmt.Sprintf("%s.areas[%d]", name, j)
		switch {
		case !isAreaCode(a):
			v.add(f, "unknown area %q; use a–h of the model agreement", a)
		case seenArea[a]:
			v.add(f, "duplicate area %q", a)
		}
		seenArea[a] = true
	}
}

func (v *taxonomyValidator) text(field string, t Text) {
	if strings.TrimSpace(t.ES) == "" {
		v.add(field+".es", "must not be empty")
	}
	if strings.TrimSpace(t.EN) == "" {
		v.add(field+".en", "must not be empty")
	}
}

func (v *taxonomyValidator) keywords(field string, kws []string) {
	if len(kws) < minTaxonomyKeywords {
		v.add(field, "needs at least %d keywords, has %d", minTaxonomyKeywords, len(kws))
	}
	seen := map[string]bool{}
	for j, k := range kws {
		f := fmt.Sprintf("%s[%d]", field, j)
		key := strings.ToLower(strings.TrimSpace(k))
		switch {
		case key == "":
			v.add(f, "must not be empty")
		case seen[key]:
			v.add(f, "duplicate keyword %q", k)
		}
		seen[key] = true
	}
}

// AreaCodes are the areas of cooperation of the SRE model agreement, in
// the agreement's order.
var AreaCodes = []string{"a", "b", "c", "d", "e", "f", "g", "h"}

var areaLabels = map[string]Text{
	"a": {ES: "Negocios, inversión y comercio", EN: "Business, investment and trade"},
	"b": {ES: "Cultura", EN: "Culture"},
	"c": {ES: "Turismo", EN: "Tourism"},
	"d": {ES: "Desarrollo gubernamental", EN: "Government development"},
	"e": {ES: "Educación", EN: "Education"},
	"f": {ES: "Ciencia y tecnología", EN: "Science and technology"},
	"g": {ES: "Medio ambiente", EN: "Environment"},
	"h": {ES: "Otras áreas", EN: "Other areas"},
}

// AreaLabel returns the name of area code (a–h) in lang ("en" for English,
// Spanish otherwise), or "" for an unknown code.
func AreaLabel(code, lang string) string {
	t, ok := areaLabels[code]
	if !ok {
		return ""
	}
	return t.In(lang)
}

func isAreaCode(code string) bool {
	_, ok := areaLabels[code]
	return ok
}
