package datasets

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

var banxicoMunicipalitiesImporter = Importer{
	Kind:        KindBanxicoMunicipality,
	Table:       KindBanxicoMunicipality,
	Description: "Banco de México remittances by municipality, quarterly, long form (remesas_municipio_long.csv); stored as yearly totals",
	DefaultFile: "banxico/remesas_municipio_long.csv",
	Source:      "Banco de México, SIE: ingresos por remesas por municipio (million USD, nominal); via lapanquecita/remesas",
	Licence:     "Banco de México public data; compilation MIT (Copyright 2023 Montse)",
	Columns:     []string{"estado", "municipio", "trimestre", "remesas_millones_usd"},
	parse:       parseBanxicoMunicipalities,
}

// banxicoQuarters are the quarter labels of Banxico's series.
var banxicoQuarters = map[string]int{"ene-mar": 1, "abr-jun": 2, "jul-sep": 3, "oct-dic": 4}

// parseQuarter reads "Ene-Mar 2013" as year 2013, quarter 1.
func parseQuarter(s string) (year, q int, ok bool) {
	label, ys, found := strings.Cut(strings.TrimSpace(s), " ")
	if !found {
		return 0, 0, false
	}
	q, ok = banxicoQuarters[strings.ToLower(label)]
	y, err := strconv.Atoi(ys)
	if !ok || err != nil || y < 1990 || y > 2100 {
		return 0, 0, false
	}
	return y, q, true
}

func parseBanxicoMunicipalities(s *importSession, t *csvTable) (*parsed, error) {
	res, err := s.resolver()
	if err != nil {
		return nil, err
	}
	type nameKey struct{ state, name string }
	type match struct {
		cve  string
		line int
	}
	matched := map[nameKey]match{} // "" cve: unmatched
	byCVE := map[string]nameKey{}
	type yearKey struct {
		cve  string
		year int
	}
	totals := map[yearKey]*Remittance{}
	quarters := map[string]int{} // "cve year q" → line
	p := &parsed{}
	names, unmatchedNames, unattributed := 0, 0, 0
	for _, row := range t.rows {
		r := t.reader(row)
		state, name := r.req("estado"), r.req("municipio")
		year, q, ok := parseQuarter(r.req("trimestre"))
		if !ok && r.err == nil {
			r.fail("columna trimestre: %q no tiene la forma \"Ene-Mar 2013\"", "column trimestre: %q is not like \"Ene-Mar 2013\"", r.str("trimestre"))
		}
		v := r.float("remesas_millones_usd")
		if r.err == nil && v < 0 {
			r.fail("remesas negativas %v", "negative remittances %v", v)
		}
		if r.err != nil {
			return nil, r.err
		}
		k := nameKey{state, name}
		m, seen := matched[k]
		if !seen && Fold(name) == "no identificado" {
			// Remittances Banxico could not place in a municipality.
			p.report = append(p.report, ReportEntry{Line: row.line, Input: name + ", " + state, Reason: "not a municipality",
				Detail: "remittances not attributed to a municipality; left out"})
			unattributed++
			matched[k] = match{line: row.line}
			continue
		}
		if !seen {
			names++
			m = match{line: row.line}
			mun, err := res.ResolveMunicipality(state, name)
			var re *ResolveError
			switch {
			case err == nil:
				if other, dup := byCVE[mun.CVEGEO]; dup {
					p.report = append(p.report, ReportEntry{Line: row.line, Input: name + ", " + state, Reason: "duplicate",
						Detail: fmt.Sprintf("matches %s %s, already matched by %q", mun.CVEGEO, mun.Name, other.name)})
				} else {
					m.cve = mun.CVEGEO
					byCVE[mun.CVEGEO] = k
				}
			case errors.As(err, &re):
				p.report = append(p.report, ReportEntry{Line: row.line, Input: name + ", " + state, Reason: re.Reason,
					Detail: municipalityList(re.Candidates)})
			default:
				p.report = append(p.report, ReportEntry{Line: row.line, Input: name + ", " + state, Reason: ReasonUnmatched, Detail: err.Error()})
			}
			if m.cve == "" {
				unmatchedNames++
			}
			matched[k] = m
		}
		if m.cve == "" {
			continue
		}
		qk := fmt.Sprintf("%s %d %d", m.cve, year, q)
		if prev, dup := quarters[qk]; dup {
			return nil, lineError(t.file, row.line, "%s, %s: el trimestre %s ya está en la línea %d", "%s, %s: quarter %s already on line %d", name, state, r.str("trimestre"), prev)
		}
		quarters[qk] = row.line
		yk := yearKey{m.cve, year}
		tot := totals[yk]
		if tot == nil {
			tot = &Remittance{CVEGEO: m.cve, Year: year}
			totals[yk] = tot
		}
		tot.MillionUSD += v
		tot.Quarters++
	}
	out := make([]Remittance, 0, len(totals))
	for _, r := range totals {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CVEGEO != out[j].CVEGEO {
			return out[i].CVEGEO < out[j].CVEGEO
		}
		return out[i].Year < out[j].Year
	})
	p.rows, p.save = tableOf(out)
	p.counts = map[string]int{"names": names, "names_matched": names - unmatchedNames, "municipalities": len(byCVE)}
	p.counts["not_attributed"] = unattributed
	note := fmt.Sprintf("%d of %d municipality names matched to a CVEGEO (%s); %d unmatched or ambiguous",
		names-unmatchedNames, names, pct(names-unmatchedNames, names), unmatchedNames)
	if unattributed > 0 {
		note += fmt.Sprintf("; %d \"No identificado\" names (remittances Banxico attributes to no municipality) left out", unattributed)
	}
	p.notes = append(p.notes, note+"; each is a line of the import report")
	return p, nil
}

// municipalityList summarises municipality candidates for a report.
func municipalityList(cs []Candidate) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Municipality+" "+c.MunicipalityName)
	}
	return strings.Join(parts, " | ")
}
