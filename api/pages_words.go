package api

import (
	"regexp"
	"strings"
	"time"

	"hermanar/datasets"
)

// Words the pages show for codes kept in the data: roles, who recorded a
// record, profile origins, priority levels, dates.

var roleNames = map[string]T{
	RoleAdmin:     {"administración", "administrator"},
	RoleAnalyst:   {"analista", "analyst"},
	RoleLiaison:   {"enlace de", "liaison of"},
	RoleConsulate: {"consulado", "consulate"},
}

// scopeLabel says who a token is for: "enlace de Manuel Doblado (11008)",
// "consulado milwaukee", "analista".
func scopeLabel(t *Token, lang string, muniName func(string) string) string {
	if t == nil {
		return ""
	}
	role := t.Role
	if r, ok := roleNames[t.Role]; ok {
		role = r.In(lang)
	}
	switch {
	case t.Municipality != "":
		if n := muniName(t.Municipality); n != "" {
			return role + " " + n + " (" + t.Municipality + ")"
		}
		return role + " " + t.Municipality
	case t.Consulate != "":
		return role + " " + t.Consulate
	}
	return role
}

// recordedByLabel names who recorded a tie.
func recordedByLabel(by, lang string) string {
	switch {
	case by == "" || by == "curated":
		return T{"datos curados", "curated data"}.In(lang)
	case by == "import":
		return T{"archivo importado", "imported file"}.In(lang)
	case strings.HasPrefix(by, "import "):
		return T{"archivo importado ", "imported file "}.In(lang) + strings.TrimPrefix(by, "import ")
	case strings.HasPrefix(by, "liaison "):
		return T{"enlace de ", "liaison of "}.In(lang) + strings.TrimPrefix(by, "liaison ")
	case strings.HasPrefix(by, "consulate "):
		by = strings.TrimPrefix(by, "consulate ")
	case by == RoleAnalyst || by == RoleAdmin:
		return roleNames[by].In(lang)
	}
	return T{"consulado ", "consulate "}.In(lang) + by
}

// ProfileOrigin names where the profile a list used came from ("stored",
// "prefilled", "request") for people, in lang.
func ProfileOrigin(origin, lang string) string { return profileOrigin(origin, lang) }

// WeightsLabel says in lang which weights a list used.
func WeightsLabel(provenance, lang string) string { return weightsLabel(provenance, lang) }

// profileOrigin names where the profile a list used came from.
func profileOrigin(origin, lang string) string {
	t, ok := map[string]T{
		"stored":    {"capturado por el municipio", "entered by the municipality"},
		"prefilled": {"llenado con datos públicos", "prefilled from public data"},
		"request":   {"el de esta consulta", "the one in this request"},
	}[origin]
	if !ok {
		return origin
	}
	return t.In(lang)
}

// priorityLabel is an area weight as people say it: alta, media, baja.
func priorityLabel(w float64, lang string) string {
	switch {
	case w >= 0.75:
		return T{"alta", "high"}.In(lang)
	case w >= 0.35:
		return T{"media", "medium"}.In(lang)
	case w > 0:
		return T{"baja", "low"}.In(lang)
	}
	return T{"ninguna", "none"}.In(lang)
}

// mexicoCity is the time zone dates are shown in: the users are in Mexico.
var mexicoCity = func() *time.Location {
	if l, err := time.LoadLocation("America/Mexico_City"); err == nil {
		return l
	}
	return time.FixedZone("CST", -6*3600)
}()

// humanDate writes an RFC 3339 time (or a time.Time) as people write a
// date: "1 de diciembre de 2026, 01:51" or "1 December 2026, 01:51",
// in Mexico City time. Anything else is shown as given.
func humanDate(v any, lang string) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	case string:
		p, err := time.Parse(time.RFC3339, x)
		if err != nil {
			return x
		}
		t = p
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	t = t.In(mexicoCity)
	return longDate(t, lang) + t.Format(", 15:04")
}

// tagLabel names a taxonomy category in lang, or returns the id when the
// taxonomy does not know it.
func tagLabel(tax *datasets.Taxonomy, id, lang string) string {
	if tax != nil {
		if c, ok := tax.Category(id); ok {
			return c.Label.In(lang)
		}
	}
	return id
}

var isoDate = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)

// weightsLabel says in lang which weights a list used; the provenance
// string of the weights file is for analysts (JSON, run.json).
func weightsLabel(prov, lang string) string {
	var out string
	switch {
	case strings.HasPrefix(prov, "calibrated"):
		out = T{"calibrados con hermanamientos reales (validación cruzada por municipio)", "calibrated on real twinnings (cross-validated by municipality)"}.In(lang)
	case strings.HasPrefix(prov, "policy defaults"):
		out = T{"valores fijados a mano (política por omisión)", "hand-set policy defaults"}.In(lang)
	default:
		return T{"pesos propios de esta instalación", "weights set for this installation"}.In(lang)
	}
	if m := isoDate.FindStringSubmatch(prov); m != nil {
		if t, err := time.Parse("2006-01-02", m[0]); err == nil {
			out += ", " + longDate(t, lang)
		}
	}
	return out
}

// csvWords title the schema's column names for people: a column name is
// looked up whole, else as component + suffix ("diaspora_contrib").
var csvWords = map[string]T{
	"municipality": {"municipio", "municipality"}, "municipality_name": {"nombre del municipio", "municipality name"},
	"state": {"estado", "state"}, "state_name": {"nombre del estado", "state name"}, "rank": {"lugar", "rank"},
	"place_id": {"id GeoNames de la ciudad", "city GeoNames id"}, "place_name": {"ciudad", "city"},
	"country": {"país", "country"}, "admin1": {"estado o provincia", "state or province"},
	"population": {"población", "population"}, "score": {"puntaje", "score"},
	"coverage": {"cobertura de datos", "data coverage"}, "twinned": {"ya hermanada", "already twinned"},
	"code": {"código de razones", "reasons code"},
}

var csvSuffixes = []struct {
	suffix string
	t      T
}{{"_value", T{"valor", "value"}}, {"_contrib", T{"aporte", "contribution"}}, {"_present", T{"con datos", "has data"}}}

// csvTitles returns the column titles of names in lang; a name it cannot
// title keeps its schema name.
func csvTitles(names []string, lang string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n
		if t, ok := csvWords[n]; ok {
			out[i] = t.In(lang)
			continue
		}
		for _, s := range csvSuffixes {
			if comp, ok := strings.CutSuffix(n, s.suffix); ok {
				if l := componentLabel(comp, lang); l != comp {
					out[i] = l + " (" + s.t.In(lang) + ")"
				}
				break
			}
		}
	}
	return out
}

// admin2Label writes a GeoNames county name in lang: "Walworth County" is
// "condado de Walworth" on a Spanish page.
func admin2Label(name, lang string) string {
	if lang == "en" {
		return name
	}
	for _, s := range []struct{ en, es string }{{" County", "condado de "}, {" Parish", "parroquia de "}, {" Borough", "municipio de "}} {
		if base, ok := strings.CutSuffix(name, s.en); ok && base != "" {
			return s.es + base
		}
	}
	return name
}
