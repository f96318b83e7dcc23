package datasets

import (
	"errors"
	"fmt"
	"strings"
)

// SourceTwinnings is recorded on every imported twinning.
const SourceTwinnings = "English Wikipedia lists of twin towns and sister cities (scraped by Hekman/twincities)"

var twinningsImporter = Importer{
	Kind:        KindTwinnings,
	Table:       KindTwinnings,
	Description: "existing twinnings: city1,country1,city2,country2 names resolved to GeoNames places (twin_cities_raw.csv)",
	DefaultFile: "twinnings/twin_cities_raw.csv",
	Source:      SourceTwinnings,
	Licence:     "facts from Wikipedia (CC BY-SA 4.0, attribute Wikipedia); scraper code MIT",
	Columns:     []string{"city1", "country1", "city2", "country2"},
	parse:       parseTwinnings,
}

// twinSide is how one side of a twinning row resolved.
type twinSide struct {
	c       Candidate
	country string // ISO code, "" when unknown
	reason  string // "" when resolved
	detail  string
}

// twinResolver resolves the names of the Wikipedia lists, caching repeats.
type twinResolver struct {
	res   *Resolver
	cache map[[2]string]twinSide
}

// country reads the list's country column: "Mexico", "England, United
// Kingdom" (a region of a country), "Réunion, France" (a territory with
// its own code), "Georgia (country)".
func (tr *twinResolver) country(s string) (cc, region string, ok bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "in "))
	if c, ok := tr.res.Country(s); ok {
		return c, "", true
	}
	if first, rest, found := strings.Cut(s, ","); found {
		last := rest
		if i := strings.LastIndexByte(rest, ','); i >= 0 {
			last = rest[i+1:]
		}
		if c, ok := tr.res.Country(first); ok {
			return c, "", true
		}
		if c, ok := tr.res.Country(last); ok {
			return c, strings.TrimSpace(first), true
		}
	}
	return "", "", false
}

func (tr *twinResolver) side(name, country string) twinSide {
	key := [2]string{name, country}
	if s, ok := tr.cache[key]; ok {
		return s
	}
	s := tr.resolve(name, country)
	tr.cache[key] = s
	return s
}

func (tr *twinResolver) resolve(name, country string) twinSide {
	if strings.TrimSpace(name) == "" {
		return twinSide{reason: ReasonUnmatched, detail: "empty city name"}
	}
	cc, region, ok := tr.country(country)
	if !ok {
		return twinSide{reason: ReasonUnmatched, detail: fmt.Sprintf("unknown country %q", country)}
	}
	opts := ResolveOptions{Country: cc, Region: region}
	if region != "" && len(tr.res.Region(region, cc)) == 0 {
		opts.Region = "" // "Åland Islands, Finland" and the like: a hint GeoNames does not know
	}
	c, err := tr.res.ResolveUnique(name, opts)
	if err != nil && ErrorCode(err) == EInvalid && !isAmbiguous(err) {
		// "Newry, Mourne and Down": a district GeoNames does not name.
		if first, _, found := strings.Cut(name, ","); found {
			c, err = tr.res.ResolveUnique(first, opts)
		}
	}
	if err != nil {
		// "Old Havana (Havana)", "Wuxi – Huishan": a district the
		// gazetteer does not know stands for its city, as the twinning of a
		// district involves the city.
		city := ""
		if _, inner, ok := splitParenthesis(name); ok {
			city = inner
		} else if outer, _, ok := splitDash(name); ok {
			city = outer
		}
		if city != "" {
			if c2, err2 := tr.res.ResolveUnique(city, opts); err2 == nil {
				c, err = c2, nil
			}
		}
	}
	if err != nil {
		var re *ResolveError
		if errors.As(err, &re) {
			return twinSide{country: cc, reason: re.Reason, detail: candidateList(re.Candidates, 5)}
		}
		return twinSide{country: cc, reason: ReasonUnmatched, detail: err.Error()}
	}
	return twinSide{c: c, country: cc}
}

func isAmbiguous(err error) bool {
	var re *ResolveError
	return errors.As(err, &re) && re.Reason == ReasonAmbiguous
}

func parseTwinnings(s *importSession, t *csvTable) (*parsed, error) {
	// Validate the whole file before the expensive resolving.
	for _, row := range t.rows {
		r := t.reader(row)
		for _, col := range []string{"city1", "country1", "city2", "country2"} {
			if len(r.str(col)) > 500 {
				r.fail("la columna %s pasa de 500 bytes", "column %s is longer than 500 bytes", col)
			}
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	res, err := s.resolver()
	if err != nil {
		return nil, err
	}
	tr := &twinResolver{res: res, cache: map[[2]string]twinSide{}}
	p := &parsed{}
	var out []Twinning
	pairs := map[[2]int64]bool{}
	resolved, mxRows, mxResolved, dups, selfPairs := 0, 0, 0, 0, 0
	for _, row := range t.rows {
		r := t.reader(row)
		a := tr.side(r.str("city1"), r.str("country1"))
		b := tr.side(r.str("city2"), r.str("country2"))
		mexican := a.country == "MX" || b.country == "MX"
		if mexican {
			mxRows++
		}
		if a.reason != "" || b.reason != "" {
			// Every row left out is reported, with or without Mexico: the
			// registry's network signal reads the foreign pairs too.
			var reasons, details []string
			for i, sd := range []twinSide{a, b} {
				if sd.reason != "" {
					reasons = append(reasons, fmt.Sprintf("city%d %s", i+1, sd.reason))
					details = append(details, fmt.Sprintf("city%d: %s", i+1, sd.detail))
				}
			}
			p.report = append(p.report, ReportEntry{Line: row.line,
				Input:  fmt.Sprintf("%s, %s — %s, %s", r.str("city1"), r.str("country1"), r.str("city2"), r.str("country2")),
				Reason: strings.Join(reasons, "; "), Detail: strings.Join(details, " / ")})
			continue
		}
		if a.c.ID == b.c.ID {
			selfPairs++
			p.report = append(p.report, ReportEntry{Line: row.line,
				Input:  fmt.Sprintf("%s, %s — %s, %s", r.str("city1"), r.str("country1"), r.str("city2"), r.str("country2")),
				Reason: "same place", Detail: fmt.Sprintf("both sides resolve to %d %s", a.c.ID, a.c.Label())})
			continue
		}
		resolved++
		if mexican {
			mxResolved++
		}
		k := [2]int64{min(a.c.ID, b.c.ID), max(a.c.ID, b.c.ID)}
		if pairs[k] {
			dups++
			continue
		}
		pairs[k] = true
		tw := Twinning{PlaceA: a.c.ID, PlaceB: b.c.ID, Source: SourceTwinnings}
		if a.c.Municipality != "" {
			tw.Municipality = a.c.Municipality
		} else if b.c.Municipality != "" {
			tw.Municipality = b.c.Municipality
		}
		out = append(out, tw)
	}
	p.rows, p.save = tableOf(out)
	p.counts = map[string]int{"rows": len(t.rows), "rows_resolved": resolved, "mexico_rows": mxRows,
		"mexico_rows_resolved": mxResolved, "pairs": len(out), "repeats": dups}
	p.notes = append(p.notes,
		fmt.Sprintf("%d of %d rows resolved to a pair of places (%s); %d distinct pairs after %d repeats (lists name a pair from both sides)",
			resolved, len(t.rows), pct(resolved, len(t.rows)), len(out), dups),
		fmt.Sprintf("rows involving Mexico: %d of %d resolved (%s)", mxResolved, mxRows, pct(mxResolved, mxRows)),
		fmt.Sprintf("%d rows left out (unresolved or one place on both sides), each a line of the import report", len(p.report)))
	if selfPairs > 0 {
		p.notes = append(p.notes, fmt.Sprintf("%d rows resolved both sides to the same place and were dropped", selfPairs))
	}
	return p, nil
}
