package datasets

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Consulates CSV, the project's own format for Mexican consulates and
// their jurisdictions (see SCHEMAS.md):
//
//	id,name,place,country,admin1,admin2,source
//
// One row per piece of jurisdiction; rows with the same id merge into one
// consulate (name, place and source may be repeated or left empty after
// the first row, but must not differ).
//   - id: a slug, lower-case letters, digits and hyphens ("milwaukee").
//   - name: "Consulado de México en Milwaukee".
//   - place: GeoNames id of the city the consulate sits in.
//   - country: ISO code or name of the country of this piece.
//   - admin1: first-level division (code "WI" or name "Wisconsin"), or empty
//     for the whole country.
//   - admin2: second-level division within admin1 (GeoNames code "127",
//     full code "US.WI.127" or name "Walworth County"), or empty for all
//     of admin1. A row with admin2 covers only that county.
//   - source: where the jurisdiction comes from.

var consulateColumns = []string{"id", "name", "place", "country", "admin1", "admin2", "source"}

var consulatesImporter = Importer{
	Kind:        KindConsulates,
	Table:       "consulates-imported",
	Description: "Mexican consulates and their jurisdictions, the project's CSV: " + strings.Join(consulateColumns, ",") + " (see datasets/SCHEMAS.md)",
	Source:      "file supplied by the operator; each row names its own source",
	Licence:     "as stated by each row's source",
	Columns:     consulateColumns,
	parse: func(s *importSession, t *csvTable) (*parsed, error) {
		snap, err := s.snapshot()
		if err != nil {
			return nil, err
		}
		cs, err := parseConsulates(t, snap, s.resolver)
		if err != nil {
			return nil, err
		}
		p := &parsed{}
		p.rows, p.save = tableOf(cs)
		p.notes = append(p.notes, fmt.Sprintf("%d consulates from %d rows", len(cs), len(t.rows)))
		return p, nil
	},
}

func validSlug(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// parseConsulates validates every row and merges rows by id; res is
// called only for names that are not codes.
func parseConsulates(t *csvTable, snap *Snapshot, res func() (*Resolver, error)) ([]Consulate, error) {
	byID := map[string]*Consulate{}
	firstLine := map[string]int{}
	var order []string
	for _, row := range t.rows {
		r := t.reader(row)
		id := r.req("id")
		name, src := r.str("name"), r.str("source")
		var place int64
		if s := r.str("place"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				r.fail("columna place: %q no es un id de GeoNames", "column place: %q is not a GeoNames id", s)
			} else if _, ok := snap.Place(n); !ok {
				r.fail("el lugar %d no está en el catálogo de lugares", "place %d is not in the gazetteer", n)
			}
			place = n
		}
		if r.err == nil && !validSlug(id) {
			r.fail("el id %q debe tener solo minúsculas, dígitos y guiones", "id %q must be lower-case letters, digits and hyphens", id)
		}
		cc := r.req("country")
		if r.err == nil {
			cc = consulateCountry(r, snap, res, cc)
		}
		var a1, a2 string
		if r.err == nil {
			a1, a2 = consulateAdmins(r, snap, res, cc, r.str("admin1"), r.str("admin2"))
		}
		if r.err != nil {
			return nil, r.err
		}
		c := byID[id]
		if c == nil {
			if name == "" || place == 0 || src == "" {
				return nil, lineError(t.file, row.line, "la primera fila del consulado %q requiere name, place y source", "the first row of consulate %q needs name, place and source", id)
			}
			c = &Consulate{ID: id, Name: name, Place: place, Source: src}
			byID[id] = c
			firstLine[id] = row.line
			order = append(order, id)
		} else {
			switch {
			case name != "" && name != c.Name:
				return nil, lineError(t.file, row.line, "el consulado %q se llama %q en la línea %d", "consulate %q is named %q on line %d", id, c.Name, firstLine[id])
			case place != 0 && place != c.Place:
				return nil, lineError(t.file, row.line, "el consulado %q está en el lugar %d en la línea %d", "consulate %q sits in place %d on line %d", id, c.Place, firstLine[id])
			case src != "" && src != c.Source:
				return nil, lineError(t.file, row.line, "el consulado %q tiene la fuente %q en la línea %d", "consulate %q has source %q on line %d", id, c.Source, firstLine[id])
			}
		}
		addJurisdiction(c, cc, a1, a2)
	}
	out := make([]Consulate, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out, nil
}

func consulateCountry(r *rowReader, snap *Snapshot, res func() (*Resolver, error), s string) string {
	if len(s) == 2 && isASCIIUpper(s) {
		// a code: accept it if some place lies there
		for i := range snap.Places {
			if snap.Places[i].Country == s {
				return s
			}
		}
	}
	rv, err := res()
	if err != nil {
		r.fail("%v", "%v", err)
		return ""
	}
	cc, ok := rv.Country(s)
	if !ok {
		r.fail("país desconocido %q", "unknown country %q", s)
	}
	return cc
}

// consulateAdmins turns admin1/admin2 codes or names into a GeoNames
// admin1 code and a full admin2 code.
func consulateAdmins(r *rowReader, snap *Snapshot, res func() (*Resolver, error), cc, a1, a2 string) (string, string) {
	if a1 == "" {
		if a2 != "" {
			r.fail("admin2 %q requiere admin1", "admin2 %q needs admin1", a2)
		}
		return "", ""
	}
	if snap.AdminName(cc+"."+a1) == "" {
		rv, err := res()
		if err != nil {
			r.fail("%v", "%v", err)
			return "", ""
		}
		var found []string
		for _, code := range rv.Region(a1, cc) {
			if strings.Count(code, ".") == 1 {
				found = append(found, strings.TrimPrefix(code, cc+"."))
			}
		}
		if len(found) != 1 {
			r.fail("admin1 %q no es una división de primer nivel de %s", "admin1 %q is not a first-level division of %s", a1, cc)
			return "", ""
		}
		a1 = found[0]
	}
	if a2 == "" {
		return a1, ""
	}
	prefix := cc + "." + a1 + "."
	switch {
	case strings.HasPrefix(a2, prefix) && snap.AdminName(a2) != "":
		return a1, a2
	case snap.AdminName(prefix+a2) != "":
		return a1, prefix + a2
	}
	rv, err := res()
	if err != nil {
		r.fail("%v", "%v", err)
		return "", ""
	}
	var found []string
	for _, code := range rv.Region(a2, cc) {
		if strings.HasPrefix(code, prefix) {
			found = append(found, code)
		}
	}
	if len(found) != 1 {
		r.fail("admin2 %q no es una división de segundo nivel de %s.%s", "admin2 %q is not a second-level division of %s.%s", a2, cc, a1)
		return "", ""
	}
	return a1, found[0]
}

// addJurisdiction adds one piece to c: a whole country, a first-level
// division or one county.
func addJurisdiction(c *Consulate, cc, a1, a2 string) {
	var j *Jurisdiction
	for i := range c.Jurisdiction {
		if c.Jurisdiction[i].Country == cc {
			j = &c.Jurisdiction[i]
		}
	}
	if j == nil {
		c.Jurisdiction = append(c.Jurisdiction, Jurisdiction{Country: cc})
		j = &c.Jurisdiction[len(c.Jurisdiction)-1]
		if a1 == "" {
			return // the whole country
		}
	} else if len(j.Admin1) == 0 && len(j.Admin2) == 0 {
		return // already the whole country
	}
	if a1 == "" {
		j.Admin1, j.Admin2 = nil, nil
		return
	}
	switch {
	case a2 != "":
		if !containsString(j.Admin2, a2) {
			j.Admin2 = append(j.Admin2, a2)
		}
	case !containsString(j.Admin1, a1):
		j.Admin1 = append(j.Admin1, a1)
	}
	sort.Strings(j.Admin1)
	sort.Strings(j.Admin2)
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
