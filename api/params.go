package api

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
	"hermanar/matcher"
)

// params reads query parameters, collecting one message per bad field.
type params struct {
	c    *gin.Context
	errs fieldErrs
	// plain: the raw query has nothing to unescape (plainQuery), decided
	// once for the dozen parameters a match reads.
	plain bool
}

func newParams(c *gin.Context) *params {
	return &params{c: c, plain: plainQuery(c.Request.URL.RawQuery)}
}

// query and queryAll are c.Query and c.QueryArray (see query.go).
func (p *params) query(name string) string {
	if !p.plain {
		return p.c.Query(name)
	}
	v, _ := rawQueryValue(p.c.Request.URL.RawQuery, name)
	return v
}

func (p *params) queryAll(name string) []string {
	if !p.plain {
		return p.c.QueryArray(name)
	}
	return rawQueryArray(p.c.Request.URL.RawQuery, name)
}

// add records a message for a bad field (the map is made on the first).
func (p *params) add(field, es, en string, args ...any) {
	if p.errs == nil {
		p.errs = fieldErrs{}
	}
	p.errs.add(field, es, en, args...)
}

func (p *params) str(name string, maxLen int) string {
	v := p.query(name)
	if !utf8.ValidString(v) {
		p.add(name, "no es UTF-8 válido", "is not valid UTF-8")
		return ""
	}
	if len(v) > maxLen {
		p.add(name, "tiene más de %d bytes", "is longer than %d bytes", maxLen)
		return ""
	}
	return v
}

func (p *params) int(name string, def, lo, hi int64) int64 {
	v := strings.TrimSpace(p.query(name))
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		p.add(name, "debe ser un número entero", "must be an integer")
		return def
	}
	if n < lo || n > hi {
		p.add(name, "debe estar entre %d y %d", "must be between %d and %d", lo, hi)
		return def
	}
	return n
}

func (p *params) bool(name string) bool {
	v := strings.ToLower(strings.TrimSpace(p.query(name)))
	switch v {
	case "", "0", "false", "no", "off":
		return false
	case "1", "true", "yes", "on", "si", "sí":
		return true
	}
	p.add(name, "debe ser true o false", "must be true or false")
	return false
}

func (p *params) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(strings.TrimSpace(p.query(name)))
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.add(name, "debe ser uno de: %s", "must be one of: %s", strings.Join(allowed, ", "))
	return def
}

// countries reads a comma-separated (or repeated) list of ISO codes.
func (p *params) countries(name string) []string {
	var out []string
	for _, raw := range p.queryAll(name) {
		for _, v := range strings.Split(raw, ",") {
			v = strings.ToUpper(strings.TrimSpace(v))
			if v == "" {
				continue
			}
			if !isCountryCode(v) {
				p.add(name, "use códigos ISO de dos letras (US, ES…)", "use two-letter ISO codes (US, ES…)")
				return nil
			}
			if len(out) == datasets.MaxCountries {
				p.add(name, "admite a lo más %d países", "takes at most %d countries", datasets.MaxCountries)
				return nil
			}
			out = append(out, v)
		}
	}
	return out
}

func isCountryCode(v string) bool {
	return len(v) == 2 && v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z'
}

func (p *params) err() error { return p.errs.err() }

// has reports whether the parameter was given with a value.
func (p *params) has(name string) bool { return strings.TrimSpace(p.query(name)) != "" }

// traits reads a comma-separated (or repeated) list of trait names.
func (p *params) traits(name string) []string {
	var out []string
	for _, raw := range p.queryAll(name) {
		for _, v := range strings.Split(raw, ",") {
			if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
				out = append(out, v)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	if len(out) > len(matcher.TraitNames()) {
		p.add(name, "admite a lo más %d rasgos", "takes at most %d traits", len(matcher.TraitNames()))
		return nil
	}
	if _, err := matcher.ParseTraits(name, out); err != nil {
		p.add(name, "rasgo desconocido; use uno de: %s", "unknown trait; use one of: %s", strings.Join(matcher.TraitNames(), ", "))
		return nil
	}
	return out
}

// matchParams are the query parameters shared by GET matches and POST match.
type matchParams struct {
	K      int
	Lang   string
	Filter matcher.Filter
	Format string
	// Header is what the first CSV line holds: "names", the schema's
	// column names (for scripts), or "lang", the same columns titled in
	// Lang (the pages' download, for people in a spreadsheet).
	Header string
}

func (p *params) match(c *gin.Context) matchParams {
	mp := matchParams{
		K:    int(p.int("k", 10, 1, matcher.MaxK)),
		Lang: langOf(c),
		Filter: matcher.Filter{
			Countries:      p.countries("country"),
			MinPopulation:  p.int("min_population", 0, 0, 1e10),
			MaxPopulation:  p.int("max_population", 0, 0, 1e10),
			ExcludeTwinned: p.bool("exclude_twinned"),
			IgnoreWishes:   p.bool("ignore_wishes"),
			OnlyProfiled:   p.bool("only_profiled"),
			Traits:         p.traits("traits"),
			IncludeTwinned: p.bool("include_twinned"),
			NoDiversity:    p.has("diversity") && !p.bool("diversity"),
			NoSizeRule:     p.has("size_rule") && !p.bool("size_rule"),
		},
		Format: p.oneOf("format", "json", "json", "csv"),
		Header: p.oneOf("csv_header", "names", "names", "lang"),
	}
	if mp.Filter.MaxPopulation > 0 && mp.Filter.MinPopulation > mp.Filter.MaxPopulation {
		p.add("max_population", "debe ser al menos min_population", "must be at least min_population")
	}
	return mp
}

// appendKey appends the cache key of these parameters for municipality
// cvegeo to dst: every field that changes the answer, "|"-separated. A hit
// is then looked up without building a string (lru.get).
func (mp matchParams) appendKey(dst []byte, cvegeo string) []byte {
	f := mp.Filter
	list := func(dst []byte, vs []string) []byte {
		for i, v := range vs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, v...)
		}
		return dst
	}
	dst = append(dst, cvegeo...)
	dst = append(dst, '|')
	dst = strconv.AppendInt(dst, int64(mp.K), 10)
	dst = append(append(dst, '|'), mp.Lang...)
	dst = list(append(dst, '|'), f.Countries)
	dst = strconv.AppendInt(append(dst, '|'), f.MinPopulation, 10)
	dst = strconv.AppendInt(append(dst, '|'), f.MaxPopulation, 10)
	dst = strconv.AppendBool(append(dst, '|'), f.ExcludeTwinned)
	dst = append(append(dst, '|'), mp.Format...)
	dst = list(append(dst, '|'), f.Traits)
	for _, b := range [...]bool{f.IncludeTwinned, f.NoDiversity, f.NoSizeRule, f.IgnoreWishes, f.OnlyProfiled} {
		dst = strconv.AppendBool(append(dst, '|'), b)
	}
	return append(append(dst, '|'), mp.Header...)
}

// cvegeoParam validates the :cvegeo path parameter and finds the
// municipality.
func cvegeoParam(c *gin.Context, b *Backend) (*datasets.Municipality, error) {
	id := c.Param("cvegeo")
	if !datasets.ValidCVEGEO(id) {
		f := fieldErrs{}
		f.add("cvegeo", "debe ser una clave CVEGEO de 5 dígitos (p. ej. 11008)", "must be a 5-digit CVEGEO (e.g. 11008)")
		return nil, f.err()
	}
	m, ok := b.snap.Municipality(id)
	if !ok {
		return nil, errf(datasets.ENotFound, "No existe el municipio %s.", "There is no municipality %s.", id)
	}
	return m, nil
}

// municipalityRequest is the start of every handler about one municipality:
// the service must be ready and {cvegeo} must name a known municipality.
// When ok is false the error has been written.
func (s *Server) municipalityRequest(c *gin.Context) (*Backend, *datasets.Municipality, bool) {
	b := s.ready(c)
	if b == nil {
		return nil, nil, false
	}
	m, err := cvegeoParam(c, b)
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	return b, m, true
}
