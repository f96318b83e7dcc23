package datasets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// KindPlaceProfiles imports partner-seeking lists: foreign cities that
// look for a Mexican (or any) partner, with what they seek, offer and
// wish for. SCHEMAS.md documents the CSV and JSON Lines formats and the
// mapping of CLAIR's list.
const KindPlaceProfiles = "place-profiles"

var placeProfilesImporter = Importer{
	Kind: KindPlaceProfiles, Table: PlaceProfilesKind,
	Description: "partner-seeking cities (Hermanar's CSV or JSON Lines, or CLAIR's list as published)",
	DefaultFile: "partner-seeking/clair_japan_seeking.csv",
	Source:      "as stated by each row's source",
	Licence:     "as stated by each row's source (CLAIR's list: facts from a public page; cite \"CLAIR, Finding a sister city\")",
	parseFile:   parsePlaceProfilesFile,
}

// placeRow is one city of a partner-seeking list, whatever its format.
type placeRow struct {
	line       int
	name       string
	country    string
	region     string
	placeID    int64
	population int64
	date       string
	update     PlaceProfileUpdate
	interests  []Interest
}

// placeProfileLine is one JSON Lines record: where the city is, and its
// profile as PUT /places/{id}/profile takes it.
type placeProfileLine struct {
	Name       string `json:"name"`
	Country    string `json:"country"`
	Region     string `json:"region"`
	PlaceID    int64  `json:"place_id"`
	Population int64  `json:"population"`
	Date       string `json:"date"`
	PlaceProfileUpdate
	Interests []Interest `json:"interests"`
}

func parsePlaceProfilesFile(s *importSession, file string, data []byte) (*parsed, error) {
	var rows []placeRow
	snap, err := s.snapshot()
	if err != nil {
		return nil, err
	}
	res, err := s.resolver()
	if err != nil {
		return nil, err
	}
	countries := func(name string) (string, bool) {
		if len(name) == 2 && isASCIIUpper(name) && KnownCountry(name) {
			return name, true
		}
		return res.Country(name)
	}
	ext := strings.ToLower(filepath.Ext(file))
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if ext == ".jsonl" || ext == ".ndjson" || (ext != ".csv" && bytes.HasPrefix(trimmed, []byte("{"))) {
		rows, err = readPlaceProfilesJSONL(file, data)
	} else {
		var t *csvTable
		if t, err = readCSV(file, data); err != nil {
			return nil, err
		}
		if _, clair := t.cols["local_government"]; clair {
			rows, err = readCLAIR(t, countries)
		} else {
			rows, err = readPlaceProfilesCSV(t, countries)
		}
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, lineError(file, 2, "sin ciudades: el archivo tiene encabezado y ninguna fila", "no cities: the file has a header and no rows")
	}
	by := "import " + filepath.Base(file)
	at := time.Now()
	out := map[int64]PlaceProfile{}
	var order []int64
	var report []ReportEntry
	counts := map[string]int{"rows": len(rows)}
	known := func(c string) bool { _, ok := snap.Municipality(c); return ok }
	for _, r := range rows {
		if err := r.update.Validate(nil); err != nil {
			return nil, rowFieldError(file, r.line, err)
		}
		for i := range r.interests {
			if err := r.interests[i].Validate(known); err != nil {
				return nil, rowFieldError(file, r.line, err)
			}
			r.interests[i].RecordedBy = by
			r.interests[i].RecordedAt = at.UTC().Format(time.RFC3339)
		}
		id, entry := resolvePartnerCity(res, snap, r)
		if entry != nil {
			report = append(report, *entry)
			counts[entry.Reason]++
			if id == 0 {
				continue
			}
		}
		counts["resolved"]++
		rec := r.update.Apply(PlaceProfile{}, by, at)
		rec.PlaceID = id
		rec.Interests = r.interests
		if prev, dup := out[id]; dup {
			report = append(report, ReportEntry{Line: r.line, Input: r.name, Reason: "duplicate",
				Detail: fmt.Sprintf("place %d appears twice; this row replaces the earlier one", id)})
			rec.Interests = append(prev.Interests, rec.Interests...)
		} else {
			order = append(order, id)
		}
		out[id] = rec
	}
	if counts["resolved"] == 0 {
		return nil, Errf(EInvalid, "%[1]s: ninguna de sus %[2]d ciudades es un lugar extranjero conocido (vea el informe)",
			"%[1]s: none of its %[2]d cities names a known foreign place (see the report)", file, len(rows))
	}
	recs := make([]PlaceProfile, 0, len(order))
	for _, id := range order {
		recs = append(recs, out[id])
	}
	p := &parsed{report: report, counts: counts}
	p.rows, p.save = tableOf(recs)
	p.notes = append(p.notes, fmt.Sprintf("%d cities: %d resolved (%s), %d ambiguous, %d unmatched, %d in Mexico; the report lists those left out",
		len(rows), counts["resolved"], pct(counts["resolved"], len(rows)), counts["ambiguous"], counts["unmatched"], counts["mexican"]))
	return p, nil
}

func rowFieldError(file string, line int, err error) error {
	var parts []string
	if e, ok := err.(*Error); ok && len(e.Fields) > 0 {
		for _, k := range sortedFieldKeys(fieldsOf(err)) {
			parts = append(parts, k+": "+e.Fields[k].EN)
		}
		return lineError(file, line, "%s", "%s", strings.Join(parts, "; "))
	}
	return lineError(file, line, "%v", "%v", err)
}

func sortedFieldKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// resolvePartnerCity finds the foreign place a row means: its place_id,
// or its name within region and country. A name with a municipal suffix
// ("Nagi Town", "Ibara City") is tried without it too. Among several
// candidates, one whose population is within a factor of two of the
// row's is taken (and reported); otherwise the row is left out as
// ambiguous. The entry is nil for a clean match.
func resolvePartnerCity(res *Resolver, snap *Snapshot, r placeRow) (int64, *ReportEntry) {
	input := joinNonEmptyParts(", ", r.name, r.region, r.country)
	if r.placeID != 0 {
		p, ok := snap.Place(r.placeID)
		switch {
		case !ok:
			return 0, &ReportEntry{Line: r.line, Input: strconv.FormatInt(r.placeID, 10), Reason: "unmatched", Detail: "no such GeoNames id"}
		case p.Country == "MX":
			return 0, &ReportEntry{Line: r.line, Input: input, Reason: "mexican", Detail: "a partner-seeking list names foreign cities"}
		}
		return r.placeID, nil
	}
	var cands []Candidate
	names := []string{r.name}
	if base, ok := stripMunicipalSuffix(r.name); ok {
		names = append(names, base)
	}
	for _, n := range names {
		q := joinNonEmptyParts(", ", n, r.region)
		cs, err := res.Resolve(q, ResolveOptions{Country: r.country, Limit: 50})
		if err != nil && r.region != "" {
			cs, err = res.Resolve(n, ResolveOptions{Country: r.country, Limit: 50})
		}
		if err == nil && len(cs) > 0 {
			cands = cs
			if c, err := pickUnique(q, cs); err == nil {
				cands = []Candidate{c}
			}
			break
		}
	}
	var foreign []Candidate
	for _, c := range cands {
		if c.Country != "MX" {
			foreign = append(foreign, c)
		}
	}
	switch {
	case len(cands) == 0:
		return 0, &ReportEntry{Line: r.line, Input: input, Reason: "unmatched", Detail: "no place of that name in the gazetteer (cities of 500 inhabitants or more)"}
	case len(foreign) == 0:
		return 0, &ReportEntry{Line: r.line, Input: input, Reason: "mexican", Detail: "a partner-seeking list names foreign cities"}
	case len(foreign) == 1:
		return foreign[0].ID, nil
	}
	if r.population > 0 {
		var near []Candidate
		for _, c := range foreign {
			if c.Population > 0 && c.Population*2 >= r.population && c.Population <= 2*r.population {
				near = append(near, c)
			}
		}
		if len(near) == 1 {
			return near[0].ID, &ReportEntry{Line: r.line, Input: input, Reason: "chosen", Detail: "chosen by population among " + candidateList(foreign, 5)}
		}
	}
	return 0, &ReportEntry{Line: r.line, Input: input, Reason: "ambiguous", Detail: candidateList(foreign, 5)}
}

var municipalSuffixes = []string{" city", " town", " village", "-shi", "-machi", "-cho", "-mura", " municipality", " county"}

func stripMunicipalSuffix(name string) (string, bool) {
	l := strings.ToLower(name)
	for _, s := range municipalSuffixes {
		if strings.HasSuffix(l, s) && len(name) > len(s) {
			return strings.TrimSpace(name[:len(name)-len(s)]), true
		}
	}
	return name, false
}

func readPlaceProfilesJSONL(file string, data []byte) ([]placeRow, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, lineError(file, 1, "el archivo está vacío", "the file is empty")
	}
	if data[len(data)-1] != '\n' {
		return nil, lineError(file, 1+bytes.Count(data, []byte("\n")), "la última línea no termina en salto de línea: el archivo parece truncado", "the last line has no line end: the file looks truncated")
	}
	var rows []placeRow
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var l placeProfileLine
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			return nil, lineError(file, line, "%v", "%v", err)
		}
		if dec.More() {
			return nil, lineError(file, line, "más de un valor JSON en la línea", "more than one JSON value on the line")
		}
		if l.PlaceID == 0 && (strings.TrimSpace(l.Name) == "" || strings.TrimSpace(l.Country) == "") {
			return nil, lineError(file, line, "indique place_id, o name y country", "give place_id, or name and country")
		}
		if l.Source == "" {
			return nil, lineError(file, line, "source está vacía", "source is empty")
		}
		rows = append(rows, placeRow{line: line, name: l.Name, country: l.Country, region: l.Region, placeID: l.PlaceID,
			population: l.Population, date: l.Date, update: l.PlaceProfileUpdate, interests: l.Interests})
	}
	if err := sc.Err(); err != nil {
		return nil, lineError(file, line+1, "%v", "%v", err)
	}
	return rows, nil
}

// splitList splits a cell of a list: ";" separates items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ";") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// readWishes reads a desired-countries cell: country names or codes,
// world regions, and language phrases, alone or in parentheses
// ("Australia (English-speaking)").
func readWishes(res func(string) (string, bool), cell string, w *Wishes) error {
	for _, item := range splitList(cell) {
		parts := []string{item}
		if outer, inner, ok := splitParenthesis(item); ok {
			parts = []string{outer, inner}
		}
		for _, p := range parts {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			if l, ok := LanguageWish(p); ok {
				if !containsString(w.Languages, l) {
					w.Languages = append(w.Languages, l)
				}
				continue
			}
			if c, ok := RegionCode(p); ok {
				w.Regions = append(w.Regions, c)
				continue
			}
			if c, ok := res(p); ok {
				w.Countries = append(w.Countries, c)
				continue
			}
			return fmt.Errorf("desired %q is not a country, a world region or a language wish", p)
		}
	}
	return nil
}

// similarSizeWords mark a trait that asks for a partner of one's size.
var similarSizeWords = []string{"similar-sized", "similar sized", "similar size", "same size", "tamaño similar", "tamaño parecido"}

func readTraits(cell string, w *Wishes) {
	if strings.TrimSpace(cell) == "" {
		return
	}
	l := strings.ToLower(cell)
	for _, s := range similarSizeWords {
		if strings.Contains(l, s) {
			w.SimilarSize = true
		}
	}
	w.Traits = append(w.Traits, strings.TrimSpace(cell))
}

// readCLAIR maps CLAIR's list as published (SOURCE.txt of
// ../shared/data/partner-seeking): local_government and prefecture locate
// the town; desired_countries and desired_partner are its wishes; its
// features are what it offers; listed is the date of the listing.
func readCLAIR(t *csvTable, countries func(string) (string, bool)) ([]placeRow, error) {
	var rows []placeRow
	for _, row := range t.rows {
		r := t.reader(row)
		pr := placeRow{line: row.line, name: r.req("local_government"), region: r.str("prefecture"), country: r.req("country"), date: r.str("listed")}
		if n, ok := r.optInt("population"); ok {
			pr.population = n
		}
		u := PlaceProfileUpdate{Profile: Profile{Lang: "en"}}
		if err := readWishes(countries, r.str("desired_countries"), &u.Wishes); err != nil {
			r.fail("desired_countries: %v", "desired_countries: %v", err)
		}
		readTraits(r.str("desired_partner"), &u.Wishes)
		for _, f := range splitList(r.str("features")) {
			u.Practices = append(u.Practices, Practice{Text: f})
		}
		u.Source = "CLAIR, Finding a sister city"
		if pr.date != "" {
			u.Source += " (listed " + pr.date + ")"
		}
		if r.err != nil {
			return nil, r.err
		}
		pr.update = u
		rows = append(rows, pr)
	}
	return rows, nil
}

// readPlaceProfilesCSV reads Hermanar's partner-seeking CSV (SCHEMAS.md).
func readPlaceProfilesCSV(t *csvTable, countries func(string) (string, bool)) ([]placeRow, error) {
	for _, c := range []string{"source"} {
		if _, ok := t.cols[c]; !ok {
			return nil, lineError(t.file, 1, "falta la columna %s; el encabezado tiene %s", "missing column %s; the header has %s", c, strings.Join(t.header, ","))
		}
	}
	_, hasID := t.cols["place_id"]
	_, hasName := t.cols["name"]
	_, hasCountry := t.cols["country"]
	if !hasID && !(hasName && hasCountry) {
		return nil, lineError(t.file, 1, "incluya una columna place_id, o columnas name y country", "give a place_id column, or name and country columns")
	}
	var rows []placeRow
	for _, row := range t.rows {
		r := t.reader(row)
		pr := placeRow{line: row.line, name: r.str("name"), country: r.str("country"), region: r.str("region"), date: r.str("date")}
		if n, ok := r.optInt("place_id"); ok {
			pr.placeID = n
		} else if pr.name == "" || pr.country == "" {
			r.fail("indique place_id, o name y country", "give place_id, or name and country")
		}
		if n, ok := r.optInt("population"); ok {
			pr.population = n
		}
		lang := r.str("lang")
		if lang == "" {
			lang = "en"
		}
		u := PlaceProfileUpdate{Profile: Profile{Lang: lang, Narrative: r.str("narrative")}, Source: r.req("source")}
		for _, x := range splitList(r.str("problems")) {
			u.Problems = append(u.Problems, Problem{Text: x})
		}
		for _, x := range splitList(r.str("interests")) {
			u.Problems = append(u.Problems, Problem{Text: x})
		}
		for _, x := range splitList(r.str("practices")) {
			u.Practices = append(u.Practices, Practice{Text: x})
		}
		if a := r.str("areas"); a != "" {
			u.Areas = map[string]float64{}
			for _, x := range splitList(a) {
				code, w, found := strings.Cut(x, ":")
				v := 1.0
				if found {
					f, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
					if err != nil {
						r.fail("areas: %q no es un peso", "areas: %q is not a weight", w)
					}
					v = f
				}
				u.Areas[strings.ToLower(strings.TrimSpace(code))] = v
			}
		}
		if err := readWishes(countries, r.str("desired_countries"), &u.Wishes); err != nil {
			r.fail("desired_countries: %v", "desired_countries: %v", err)
		}
		readTraits(r.str("desired_traits"), &u.Wishes)
		if sz := r.str("desired_size"); sz != "" {
			if lo, hi, ok := strings.Cut(sz, "-"); ok {
				u.Wishes.MinPopulation, _ = strconv.ParseInt(strings.TrimSpace(lo), 10, 64)
				u.Wishes.MaxPopulation, _ = strconv.ParseInt(strings.TrimSpace(hi), 10, 64)
			} else if strings.EqualFold(strings.TrimSpace(sz), "similar") {
				u.Wishes.SimilarSize = true
			} else {
				r.fail("desired_size: use MIN-MAX o similar, no %q", "desired_size: use MIN-MAX or similar, got %q", sz)
			}
		}
		if c := r.str("contact"); c != "" {
			u.Contact = &Contact{Name: c}
			if strings.Contains(c, "@") && !strings.Contains(c, " ") {
				u.Contact = &Contact{Email: c}
			}
		}
		if m := r.str("interest_municipality"); m != "" {
			pr.interests = append(pr.interests, Interest{Municipality: m, Date: pr.date, Source: u.Source})
		}
		if r.err != nil {
			return nil, r.err
		}
		pr.update = u
		rows = append(rows, pr)
	}
	return rows, nil
}
