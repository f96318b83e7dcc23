package datasets

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// PlaceProfile is what is known about a foreign city as a partner. Its
// Profile says what the city seeks (problems: what it needs help with)
// and what it offers (practices), its priority areas and a narrative; a
// place profile records no diaspora and no constraints (ties are recorded
// apart; a city's own wishes are Wishes). Interests are the city's stated
// wishes to twin with a Mexican municipality or state. Provenance says,
// for each field, who entered it, when and from what source.
type PlaceProfile struct {
	PlaceID int64 `json:"place_id"`
	Profile
	// NarrativeI18n holds the narrative in other languages, by code.
	NarrativeI18n map[string]string     `json:"narrative_i18n,omitempty"`
	Wishes        Wishes                `json:"wishes,omitzero"`
	Contact       *Contact              `json:"contact,omitempty"`
	Interests     []Interest            `json:"interests,omitempty"`
	Provenance    map[string]Provenance `json:"provenance,omitempty"`
}

// Wishes are what a city asks of a partner.
type Wishes struct {
	Countries     []string `json:"countries,omitempty"` // ISO codes
	Regions       []string `json:"regions,omitempty"`   // UN M49 codes ("009" Oceania); names are accepted and stored as codes
	Languages     []string `json:"languages,omitempty"` // ISO 639-1 codes of the language the partner should speak
	MinPopulation int64    `json:"min_population,omitempty"`
	MaxPopulation int64    `json:"max_population,omitempty"`
	// SimilarSize asks for a partner of about the city's own size (within
	// a factor of 3).
	SimilarSize bool     `json:"similar_size,omitempty"`
	Traits      []string `json:"traits,omitempty"` // other wishes, in words
}

// Empty reports whether no wish is stated.
func (w Wishes) Empty() bool {
	return len(w.Countries) == 0 && len(w.Regions) == 0 && len(w.Languages) == 0 && w.MinPopulation == 0 &&
		w.MaxPopulation == 0 && !w.SimilarSize && len(w.Traits) == 0
}

// Contact is whom to address at the city.
type Contact struct {
	Name         string            `json:"name,omitempty"`
	Role         string            `json:"role,omitempty"`
	RoleI18n     map[string]string `json:"role_i18n,omitempty"`
	Organisation string            `json:"organisation,omitempty"`
	Email        string            `json:"email,omitempty"`
	Phone        string            `json:"phone,omitempty"`
	Via          string            `json:"via,omitempty"`       // e.g. the consulate that relays
	Languages    string            `json:"languages,omitempty"` // codes the contact speaks: "es, en"
}

// Interest is a city's stated wish to twin with a Mexican municipality
// (and optionally one of its localities) or with a state.
type Interest struct {
	Municipality string            `json:"municipality,omitempty"` // CVEGEO
	Locality     string            `json:"locality,omitempty"`
	State        string            `json:"state,omitempty"` // INEGI state code, 2 digits
	Date         string            `json:"date"`            // YYYY-MM-DD, YYYY-MM or YYYY
	Source       string            `json:"source"`
	Note         string            `json:"note,omitempty"`
	NoteI18n     map[string]string `json:"note_i18n,omitempty"`
	RecordedBy   string            `json:"recorded_by,omitempty"`
	RecordedAt   string            `json:"recorded_at,omitempty"`
}

// Provenance is who entered a field, when, and from what source.
type Provenance struct {
	By     string `json:"by"`
	At     string `json:"at"`
	Source string `json:"source"`
}

// PlaceProfileFields are the fields of a place profile that carry
// provenance.
var PlaceProfileFields = []string{"narrative", "problems", "practices", "areas", "wishes", "contact"}

// PlaceProfileUpdate is the body of PUT /places/{id}/profile: the
// profile's fields and the source they come from. Interests are added
// apart (POST /places/{id}/interest).
type PlaceProfileUpdate struct {
	Profile
	NarrativeI18n map[string]string `json:"narrative_i18n,omitempty"`
	Wishes        Wishes            `json:"wishes,omitzero"`
	Contact       *Contact          `json:"contact,omitempty"`
	Source        string            `json:"source"`
}

var (
	dateRE  = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	langRE  = regexp.MustCompile(`^[a-z]{2}$`)
	m49RE   = regexp.MustCompile(`^\d{3}$`)
	stateRE = regexp.MustCompile(`^(0[1-9]|[12]\d|3[0-2])$`)
)

// ValidDate accepts YYYY, YYYY-MM and YYYY-MM-DD from 1900 to next year.
func ValidDate(s string) bool {
	if !dateRE.MatchString(s) {
		return false
	}
	layout := map[int]string{4: "2006", 7: "2006-01", 10: "2006-01-02"}[len(s)]
	t, err := time.Parse(layout, s)
	return err == nil && t.Year() >= 1900 && t.Year() <= time.Now().Year()+1
}

func checkField(fe FieldErrors, field, s string, max int, required bool) {
	switch {
	case !utf8.ValidString(s):
		fe.Addf(field, "no es UTF-8 válido", "is not valid UTF-8")
	case required && strings.TrimSpace(s) == "":
		fe.Addf(field, "no debe estar vacío", "must not be empty")
	case utf8.RuneCountInString(s) > max:
		fe.Addf(field, "tiene más de %d caracteres", "is longer than %d characters", max)
	case strings.ContainsRune(s, 0):
		fe.Addf(field, "contiene un carácter NUL", "contains a NUL character")
	}
}

func checkI18n(fe FieldErrors, field string, m map[string]string, max int) {
	for k, v := range m {
		if k != "es" && k != "en" {
			fe.Addf(field+"."+k, "debe ser \"es\" o \"en\"; se recibió %q", "must be \"es\" or \"en\", got %q", k)
			continue
		}
		checkField(fe, field+"."+k, v, max, true)
	}
}

// Normalize turns region names into M49 codes and language phrases
// ("English-speaking") into codes, and upper-cases countries, so that
// what is stored is what is scored.
func (w *Wishes) Normalize() {
	for i, r := range w.Regions {
		if c, ok := RegionCode(r); ok {
			w.Regions[i] = c
		}
	}
	for i, l := range w.Languages {
		if c, ok := LanguageWish(l); ok {
			w.Languages[i] = c
		} else {
			w.Languages[i] = strings.ToLower(strings.TrimSpace(l))
		}
	}
	for i, c := range w.Countries {
		w.Countries[i] = strings.ToUpper(strings.TrimSpace(c))
	}
}

func (w Wishes) validate(fe FieldErrors) {
	checkCountries(fe, "wishes.countries", w.Countries)
	if len(w.Regions) > MaxCountries {
		fe.Addf("wishes.regions", "tiene más de %d elementos", "has more than %d items", MaxCountries)
	}
	for i, r := range w.Regions {
		if !m49RE.MatchString(r) || RegionName(r, "en") == r {
			fe.Addf(fmt.Sprintf("wishes.regions[%d]", i), "región del mundo desconocida: %q; use un código M49 de la ONU o un nombre como Oceanía, Europa, América Latina",
				"unknown world region %q; use a UN M49 code or a name such as Oceania, Europe, Latin America", r)
		}
	}
	for i, l := range w.Languages {
		if !langRE.MatchString(l) {
			fe.Addf(fmt.Sprintf("wishes.languages[%d]", i), "debe ser un código de idioma de dos letras como en; se recibió %q", "must be a two-letter language code such as en, got %q", l)
		}
	}
	checkPopulationRange(fe, "wishes", w.MinPopulation, w.MaxPopulation)
	if len(w.Traits) > MaxItems {
		fe.Addf("wishes.traits", "tiene más de %d elementos", "has more than %d items", MaxItems)
	}
	for i, t := range w.Traits {
		checkField(fe, fmt.Sprintf("wishes.traits[%d]", i), t, MaxItemText, true)
	}
}

func (c *Contact) validate(fe FieldErrors) {
	if c == nil {
		return
	}
	for f, v := range map[string]string{"name": c.Name, "role": c.Role, "organisation": c.Organisation,
		"email": c.Email, "phone": c.Phone, "via": c.Via, "languages": c.Languages} {
		checkField(fe, "contact."+f, v, 200, false)
	}
	checkI18n(fe, "contact.role_i18n", c.RoleI18n, 200)
	if c.Email != "" && !strings.Contains(c.Email, "@") {
		fe.Addf("contact.email", "no es una dirección de correo", "is not an e-mail address")
	}
}

// Validate checks an update; tax checks tags when not nil.
func (u *PlaceProfileUpdate) Validate(tax *Taxonomy) error {
	fe := FieldErrors{}
	if err := u.Profile.Validate(tax); err != nil {
		if de, ok := err.(*Error); ok {
			for k, v := range de.Fields {
				fe[k] = v
			}
		}
	}
	if len(u.Diaspora) > 0 {
		fe.Addf("diaspora", "el perfil de una ciudad no lleva diáspora; registre los vínculos con POST /api/v1/ties",
			"a city's profile records no diaspora; record ties with POST /api/v1/ties")
	}
	if !reflect.ValueOf(u.Constraints).IsZero() {
		fe.Addf("constraints", "el perfil de una ciudad no lleva restricciones; indique lo que pide a un socio en wishes",
			"a city's profile has no constraints; state what it asks of a partner in wishes")
	}
	checkI18n(fe, "narrative_i18n", u.NarrativeI18n, MaxNarrative)
	u.Wishes.Normalize()
	u.Wishes.validate(fe)
	u.Contact.validate(fe)
	checkField(fe, "source", u.Source, MaxSourceText, true)
	return fe.Err(Text{ES: "El perfil tiene campos no válidos.", EN: "The profile has invalid fields."})
}

// Validate checks a stated interest. knownMunicipality reports whether a
// CVEGEO exists (nil: not checked).
func (in *Interest) Validate(knownMunicipality func(string) bool) error {
	fe := FieldErrors{}
	in.Municipality = strings.TrimSpace(in.Municipality)
	in.State = strings.TrimSpace(in.State)
	switch {
	case in.Municipality == "" && in.State == "":
		fe.Addf("municipality", "indique el municipio (CVEGEO) o el estado con el que la ciudad quiere hermanarse",
			"name the municipality (CVEGEO) or the state the city wants to twin with")
	case in.Municipality != "" && !ValidCVEGEO(in.Municipality):
		fe.Addf("municipality", "debe ser una clave CVEGEO de 5 dígitos como 11008", "must be a 5-digit CVEGEO such as 11008")
	case in.Municipality != "" && knownMunicipality != nil && !knownMunicipality(in.Municipality):
		fe.Addf("municipality", "no es un municipio conocido", "is not a known municipality")
	}
	if in.State != "" && !stateRE.MatchString(in.State) {
		fe.Addf("state", "debe ser una clave de estado del INEGI de 2 dígitos como 11", "must be a 2-digit INEGI state code such as 11")
	}
	if in.Municipality != "" && in.State != "" && in.State != in.Municipality[:2] {
		fe.Addf("state", "no es el estado del municipio %s", "is not the state of municipality %s", in.Municipality)
	}
	if !ValidDate(in.Date) {
		fe.Addf("date", "debe ser una fecha AAAA-MM-DD (o AAAA-MM, AAAA) entre 1900 y el año próximo",
			"must be a date YYYY-MM-DD (or YYYY-MM, YYYY) from 1900 to next year")
	}
	checkField(fe, "locality", in.Locality, MaxItemText, false)
	checkField(fe, "source", in.Source, MaxSourceText, true)
	checkField(fe, "note", in.Note, MaxNarrative, false)
	checkI18n(fe, "note_i18n", in.NoteI18n, MaxNarrative)
	return fe.Err(Text{ES: "El interés tiene campos no válidos.", EN: "The interest has invalid fields."})
}

// Apply makes the new version of a place profile from base and an update
// entered by who at when: every field that changes takes the update's
// source; unchanged fields keep their provenance; interests are kept.
func (u PlaceProfileUpdate) Apply(base PlaceProfile, who string, at time.Time) PlaceProfile {
	out := base
	out.Provenance = map[string]Provenance{}
	for k, v := range base.Provenance {
		out.Provenance[k] = v
	}
	stamp := Provenance{By: who, At: at.UTC().Format(time.RFC3339), Source: u.Source}
	set := func(field string, changed bool) {
		if changed {
			out.Provenance[field] = stamp
		}
	}
	set("narrative", u.Narrative != base.Narrative || !reflect.DeepEqual(emptyNil(u.NarrativeI18n), emptyNil(base.NarrativeI18n)))
	set("problems", !reflect.DeepEqual(slices.Clip(u.Problems), slices.Clip(base.Problems)) && !(len(u.Problems) == 0 && len(base.Problems) == 0))
	set("practices", !reflect.DeepEqual(u.Practices, base.Practices) && !(len(u.Practices) == 0 && len(base.Practices) == 0))
	set("areas", !reflect.DeepEqual(emptyNilF(u.Areas), emptyNilF(base.Areas)))
	set("wishes", !reflect.DeepEqual(u.Wishes, base.Wishes))
	set("contact", !reflect.DeepEqual(u.Contact, base.Contact))
	for _, f := range PlaceProfileFields {
		if _, ok := out.Provenance[f]; ok && fieldEmpty(u, f) {
			delete(out.Provenance, f)
		}
	}
	out.Lang = u.Lang
	out.Narrative, out.NarrativeI18n = u.Narrative, u.NarrativeI18n
	out.Problems, out.Practices, out.Areas = u.Problems, u.Practices, u.Areas
	out.Wishes, out.Contact = u.Wishes, u.Contact
	out.UpdatedAt = stamp.At
	if len(out.Provenance) == 0 {
		out.Provenance = nil
	}
	return out
}

func fieldEmpty(u PlaceProfileUpdate, f string) bool {
	switch f {
	case "narrative":
		return strings.TrimSpace(u.Narrative) == ""
	case "problems":
		return len(u.Problems) == 0
	case "practices":
		return len(u.Practices) == 0
	case "areas":
		return len(u.Areas) == 0
	case "wishes":
		return u.Wishes.Empty()
	case "contact":
		return u.Contact == nil || reflect.ValueOf(*u.Contact).IsZero()
	}
	return false
}

func emptyNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func emptyNilF(m map[string]float64) map[string]float64 {
	if len(m) == 0 {
		return nil
	}
	return m
}

// Update is the part of a stored place profile a PUT replaces.
func (p PlaceProfile) Update() PlaceProfileUpdate {
	return PlaceProfileUpdate{Profile: p.Profile, NarrativeI18n: p.NarrativeI18n, Wishes: p.Wishes, Contact: p.Contact}
}

// Empty reports whether the record holds nothing at all.
func (p PlaceProfile) Empty() bool {
	return p.Profile.Empty() && p.Wishes.Empty() && p.Contact == nil && len(p.Interests) == 0
}
