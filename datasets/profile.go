package datasets

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Limits on user-entered profiles, so that one request cannot store or
// score an unbounded amount of text.
const (
	MaxNarrative    = 8000
	MaxItems        = 50
	MaxItemText     = 500
	MaxTags         = 10
	MaxSourceText   = 500
	MaxCountries    = 50
	MaxDiasporaSize = 50_000_000
)

// Problem is one problem statement with optional taxonomy tags.
type Problem struct {
	Text string   `json:"text" yaml:"text"`
	Tags []string `json:"tags,omitempty" yaml:"tags,omitempty"`
	// I18n holds the text in other languages, by code ("en"), for
	// explanations in the reader's language.
	I18n map[string]string `json:"i18n,omitempty" yaml:"i18n,omitempty"`
}

// Practice is something the profile's owner can offer a partner.
type Practice struct {
	Text string            `json:"text" yaml:"text"`
	Tags []string          `json:"tags,omitempty" yaml:"tags,omitempty"`
	I18n map[string]string `json:"i18n,omitempty" yaml:"i18n,omitempty"`
}

// DiasporaLink names a foreign place where people from the profile's owner
// live. Place is free text ("Whitewater, Wisconsin") or, once resolved,
// PlaceID.
type DiasporaLink struct {
	Place   string `json:"place,omitempty" yaml:"place,omitempty"`
	PlaceID int64  `json:"place_id,omitempty" yaml:"place_id,omitempty"`
	Size    int64  `json:"size,omitempty" yaml:"size,omitempty"`
	Source  string `json:"source,omitempty" yaml:"source,omitempty"`
	Year    int32  `json:"year,omitempty" yaml:"year,omitempty"`
	// SourceEN is Source in English where the tie behind a prefilled
	// entry gave one, for English pages; never stored.
	SourceEN string `json:"-" yaml:"-"`
}

// Constraints narrow the candidates a profile wants to see.
type Constraints struct {
	Countries     []string `json:"countries,omitempty" yaml:"countries,omitempty"`
	MinPopulation int64    `json:"min_population,omitempty" yaml:"min_population,omitempty"`
	MaxPopulation int64    `json:"max_population,omitempty" yaml:"max_population,omitempty"`
}

// Profile describes a municipality or a foreign city for matching: its
// problems, priority areas (a–h of the SRE model agreement, weighted),
// practices it offers, diaspora destinations, a narrative and constraints.
type Profile struct {
	Lang        string             `json:"lang" yaml:"lang"`
	Narrative   string             `json:"narrative,omitempty" yaml:"narrative,omitempty"`
	Problems    []Problem          `json:"problems,omitempty" yaml:"problems,omitempty"`
	Areas       map[string]float64 `json:"areas,omitempty" yaml:"areas,omitempty"`
	Practices   []Practice         `json:"practices,omitempty" yaml:"practices,omitempty"`
	Diaspora    []DiasporaLink     `json:"diaspora,omitempty" yaml:"diaspora,omitempty"`
	Constraints Constraints        `json:"constraints,omitzero" yaml:"constraints,omitempty"`
	UpdatedAt   string             `json:"updated_at,omitempty" yaml:"updated_at,omitempty"`
}

// Empty reports whether the profile carries nothing to match on.
func (p Profile) Empty() bool {
	return strings.TrimSpace(p.Narrative) == "" && len(p.Problems) == 0 && len(p.Areas) == 0 &&
		len(p.Practices) == 0 && len(p.Diaspora) == 0
}

// Validate checks every field against the limits and returns an EInvalid
// *Error naming each bad field (e.g. "problems[2].text"). Tags are checked
// against tax when it is not nil.
func (p *Profile) Validate(tax *Taxonomy) error {
	fe := FieldErrors{}
	switch p.Lang {
	case "":
		p.Lang = "es"
	case "es", "en":
	default:
		fe.Addf("lang", "debe ser \"es\" o \"en\"; se recibió %q", "must be \"es\" or \"en\", got %q", p.Lang)
	}
	checkText := func(field, s string, max int, required bool) { checkField(fe, field, s, max, required) }
	checkTags := func(field string, tags []string) {
		if len(tags) > MaxTags {
			fe.Addf(field, "tiene más de %d etiquetas", "has more than %d tags", MaxTags)
			return
		}
		for j, t := range tags {
			if tax == nil {
				continue
			}
			if _, ok := tax.Category(t); !ok {
				fe.Addf(fmt.Sprintf("%s[%d]", field, j), "categoría desconocida de la taxonomía: %q", "unknown taxonomy category %q", t)
			}
		}
	}
	checkText("narrative", p.Narrative, MaxNarrative, false)
	if len(p.Problems) > MaxItems {
		fe.Addf("problems", "tiene más de %d elementos", "has more than %d items", MaxItems)
	}
	for i, pr := range p.Problems {
		if i >= MaxItems {
			break
		}
		checkText(fmt.Sprintf("problems[%d].text", i), pr.Text, MaxItemText, len(pr.Tags) == 0)
		checkTags(fmt.Sprintf("problems[%d].tags", i), pr.Tags)
		checkI18n(fe, fmt.Sprintf("problems[%d].i18n", i), pr.I18n, MaxItemText)
	}
	if len(p.Practices) > MaxItems {
		fe.Addf("practices", "tiene más de %d elementos", "has more than %d items", MaxItems)
	}
	for i, pr := range p.Practices {
		if i >= MaxItems {
			break
		}
		checkText(fmt.Sprintf("practices[%d].text", i), pr.Text, MaxItemText, len(pr.Tags) == 0)
		checkTags(fmt.Sprintf("practices[%d].tags", i), pr.Tags)
		checkI18n(fe, fmt.Sprintf("practices[%d].i18n", i), pr.I18n, MaxItemText)
	}
	for k, v := range p.Areas {
		if len(k) != 1 || k[0] < 'a' || k[0] > 'h' {
			fe.Addf("areas."+k, "área desconocida; use a–h del convenio modelo", "unknown area; use a–h of the model agreement")
			continue
		}
		if math.IsNaN(v) || v < 0 || v > 1 {
			fe.Addf("areas."+k, "el peso debe estar entre 0 y 1", "weight must be between 0 and 1")
		}
	}
	if len(p.Diaspora) > MaxItems {
		fe.Addf("diaspora", "tiene más de %d elementos", "has more than %d items", MaxItems)
	}
	for i, d := range p.Diaspora {
		if i >= MaxItems {
			break
		}
		f := fmt.Sprintf("diaspora[%d]", i)
		if strings.TrimSpace(d.Place) == "" && d.PlaceID == 0 {
			fe.Addf(f+".place", "indique un lugar o su place_id", "name a place or give place_id")
		}
		checkText(f+".place", d.Place, MaxItemText, false)
		checkText(f+".source", d.Source, MaxSourceText, false)
		if d.Size < 0 || d.Size > MaxDiasporaSize {
			fe.Addf(f+".size", "debe estar entre 0 y %d", "must be between 0 and %d", MaxDiasporaSize)
		}
		if d.PlaceID < 0 {
			fe.Addf(f+".place_id", "debe ser positivo", "must be positive")
		}
		if d.Year != 0 && (d.Year < 1900 || int(d.Year) > time.Now().Year()+1) {
			fe.Addf(f+".year", "debe ser un año entre 1900 y el próximo", "must be a year from 1900 to next year")
		}
	}
	c := p.Constraints
	checkCountries(fe, "constraints.countries", c.Countries)
	checkPopulationRange(fe, "constraints", c.MinPopulation, c.MaxPopulation)
	return fe.Err(Text{ES: "El perfil tiene campos no válidos.", EN: "the profile has invalid fields"})
}

// checkCountries holds a list of countries (a profile's constraints, a
// city's wishes) to MaxCountries two-letter ISO codes in capitals.
func checkCountries(fe FieldErrors, field string, cs []string) {
	if len(cs) > MaxCountries {
		fe.Addf(field, "tiene más de %d países", "has more than %d countries", MaxCountries)
	}
	for i, cc := range cs {
		if len(cc) != 2 || !isASCIIUpper(cc) {
			fe.Addf(fmt.Sprintf("%s[%d]", field, i), "debe ser un código ISO de dos letras mayúsculas; se recibió %q", "must be a two-letter ISO code in capitals, got %q", cc)
		}
	}
}

// checkPopulationRange holds prefix.min_population and
// prefix.max_population to non-negative values, the maximum (0: none) at
// least the minimum.
func checkPopulationRange(fe FieldErrors, prefix string, lo, hi int64) {
	if lo < 0 {
		fe.Addf(prefix+".min_population", "no debe ser negativo", "must not be negative")
	}
	if hi < 0 {
		fe.Addf(prefix+".max_population", "no debe ser negativo", "must not be negative")
	}
	if hi > 0 && lo > hi {
		fe.Addf(prefix+".max_population", "debe ser al menos min_population", "must be at least min_population")
	}
}

func isASCIIUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
