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
	RoleAdmin:     {ES: "administración", EN: "administrator"},
	RoleAnalyst:   {ES: "analista", EN: "analyst"},
	RoleLiaison:   {ES: "enlace de", EN: "liaison of"},
	RoleConsulate: {ES: "consulado", EN: "consulate"},
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

// authorLabel names who wrote a process record (author: "liaison 11008
// #id", "consulate milwaukee #id", "analyst #id", or "cli USER" from the
// command line) in lang, without the token id.
func authorLabel(by, lang string) string {
	by, _, _ = strings.Cut(by, " #")
	role, rest, _ := strings.Cut(by, " ")
	switch role {
	case RoleLiaison:
		return T{ES: "enlace de ", EN: "liaison of "}.In(lang) + rest
	case RoleConsulate:
		return T{ES: "consulado ", EN: "consulate "}.In(lang) + rest
	case RoleAnalyst, RoleAdmin:
		return roleNames[role].In(lang)
	case "cli":
		return T{ES: "línea de comandos (", EN: "command line ("}.In(lang) + rest + ")"
	}
	return by
}

// recordedByLabel names who recorded a tie.
func recordedByLabel(by, lang string) string {
	switch {
	case by == "" || by == "curated":
		return T{ES: "datos curados", EN: "curated data"}.In(lang)
	case by == "import":
		return T{ES: "archivo importado", EN: "imported file"}.In(lang)
	case strings.HasPrefix(by, "import "):
		return T{ES: "archivo importado ", EN: "imported file "}.In(lang) + strings.TrimPrefix(by, "import ")
	case strings.HasPrefix(by, "liaison "):
		return T{ES: "enlace de ", EN: "liaison of "}.In(lang) + strings.TrimPrefix(by, "liaison ")
	case strings.HasPrefix(by, "consulate "):
		by = strings.TrimPrefix(by, "consulate ")
	case by == RoleAnalyst || by == RoleAdmin:
		return roleNames[by].In(lang)
	}
	return T{ES: "consulado ", EN: "consulate "}.In(lang) + by
}

// ProfileOrigin names where the profile a list used came from ("stored",
// "prefilled", "request") for people, in lang.
func ProfileOrigin(origin, lang string) string { return profileOrigin(origin, lang) }

// WeightsLabel says in lang which weights a list used.
func WeightsLabel(provenance, lang string) string { return weightsLabel(provenance, lang) }

// profileOrigin names where the profile a list used came from.
func profileOrigin(origin, lang string) string {
	t, ok := map[string]T{
		"stored":    {ES: "capturado por el municipio", EN: "entered by the municipality"},
		"prefilled": {ES: "llenado con datos públicos", EN: "prefilled from public data"},
		"request":   {ES: "el de esta consulta", EN: "the one in this request"},
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
		return T{ES: "alta", EN: "high"}.In(lang)
	case w >= 0.35:
		return T{ES: "media", EN: "medium"}.In(lang)
	case w > 0:
		return T{ES: "baja", EN: "low"}.In(lang)
	}
	return T{ES: "ninguna", EN: "none"}.In(lang)
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
		out = T{ES: "calibrados con hermanamientos reales (validación cruzada por municipio)", EN: "calibrated on real twinnings (cross-validated by municipality)"}.In(lang)
	case strings.HasPrefix(prov, "list-fit"):
		out = T{ES: "fijados a mano para que cada municipio reciba una lista propia y variada", EN: "hand-set so that each municipality gets a varied list of its own"}.In(lang)
	case strings.HasPrefix(prov, "policy defaults"):
		out = T{ES: "valores fijados a mano (política por omisión)", EN: "hand-set policy defaults"}.In(lang)
	default:
		return T{ES: "pesos propios de esta instalación", EN: "weights set for this installation"}.In(lang)
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
	"municipality": {ES: "municipio", EN: "municipality"}, "municipality_name": {ES: "nombre del municipio", EN: "municipality name"},
	"state": {ES: "estado", EN: "state"}, "state_name": {ES: "nombre del estado", EN: "state name"}, "rank": {ES: "lugar", EN: "rank"},
	"place_id": {ES: "id GeoNames de la ciudad", EN: "city GeoNames id"}, "place_name": {ES: "ciudad", EN: "city"},
	"country": {ES: "país", EN: "country"}, "admin1": {ES: "estado o provincia", EN: "state or province"},
	"population": {ES: "población", EN: "population"}, "score": {ES: "puntaje", EN: "score"},
	"coverage": {ES: "cobertura de datos", EN: "data coverage"}, "twinned": {ES: "ya hermanada", EN: "already twinned"},
	"code": {ES: "código de razones", EN: "reasons code"},
}

var csvSuffixes = []struct {
	suffix string
	t      T
}{{"_value", T{ES: "valor", EN: "value"}}, {"_contrib", T{ES: "aporte", EN: "contribution"}}, {"_present", T{ES: "con datos", EN: "has data"}}}

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
