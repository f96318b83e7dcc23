package datasets

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// How a candidate's name matched the query.
const (
	MatchName         = "name"         // the GeoNames name
	MatchASCII        = "ascii"        // the GeoNames ASCII name
	MatchAlt          = "alt"          // one of the alternate names
	MatchMunicipality = "municipality" // the name of the Mexican municipality the place is the seat of
)

// Match kinds as stored in the name index, and their rank: the official
// name of a municipality counts as much as a place's own name.
const (
	kindName = iota
	kindASCII
	kindAlt
	kindMunicipality
)

var (
	matchKinds = [...]string{MatchName, MatchASCII, MatchAlt, MatchMunicipality}
	matchRank  = [...]int{0, 1, 2, 0}
)

// Reasons a name does not resolve to one place.
const (
	ReasonUnmatched = "unmatched"
	ReasonAmbiguous = "ambiguous"
)

// DominanceFactor is how much stronger (larger) the best candidate must be
// than every other one for ResolveUnique to pick it without further hints.
// Measured on the Wikipedia twinning lists (rows involving Mexico): a
// factor of 10 resolves 81% of rows, 5 resolves 86%, and the picks 5 adds
// were right where checked by hand (Portland, Oregon for Guadalajara;
// Madison, Wisconsin for Tepatitlán; Santa Fe, New Mexico for Hidalgo del
// Parral), while the cases known to be ambiguous stay so (Benito Juárez,
// Guadalupe, Tequila). 3 would start guessing (Guadalupe, Nuevo León).
const DominanceFactor = 5

// MaxQuery bounds the length of a place query.
const MaxQuery = 300

// AltNameDiscount divides the population of a place that matches a query
// only on one of its alternate names, when candidates are compared.
const AltNameDiscount = 10

// Candidate is one place a query may mean.
type Candidate struct {
	ID               int64   `json:"id"`
	Name             string  `json:"name"`
	Country          string  `json:"country"`
	Admin1           string  `json:"admin1,omitempty"`
	Admin1Name       string  `json:"admin1_name,omitempty"`
	Admin2           string  `json:"admin2,omitempty"`
	Admin2Name       string  `json:"admin2_name,omitempty"`
	Population       int64   `json:"population"`
	Lat              float32 `json:"lat"`
	Lon              float32 `json:"lon"`
	FeatureCode      string  `json:"feature_code,omitempty"`
	Match            string  `json:"match"`
	Municipality     string  `json:"municipality,omitempty"` // CVEGEO, for Mexican places
	MunicipalityName string  `json:"municipality_name,omitempty"`

	index  int32
	kind   int   // how it matched: kindName ...
	tier   int   // rank of the match, lower is better
	weight int64 // population used to rank: the place's, or its municipality's when matched by it
}

// ResolveOptions narrow a query beyond what it says itself.
type ResolveOptions struct {
	Country string // ISO code or country name ("US", "Estados Unidos")
	Region  string // admin1 name or code, or admin2 name, within the country
	Limit   int    // most candidates Resolve returns; 0 means 10
}

// ResolveError says why a name did not resolve to exactly one place or
// municipality. It unwraps to an *Error: ENotFound when nothing matched,
// EInvalid when several did.
type ResolveError struct {
	Query      string
	Reason     string // ReasonUnmatched or ReasonAmbiguous
	Candidates []Candidate
	What       string // "place" (default) or "municipality"
}

func (e *ResolveError) Error() string { return e.Text().EN }

// Text is the error's message in both languages.
func (e *ResolveError) Text() Text {
	whatES, whatsES, whatEN := "ningún lugar", "lugares", "place"
	if e.What == "municipality" {
		whatES, whatsES, whatEN = "ningún municipio", "municipios", "municipality"
	}
	if e.Reason == ReasonAmbiguous {
		names := make([]string, 0, 5)
		for i, c := range e.Candidates {
			if i == 5 {
				names = append(names, "…")
				break
			}
			names = append(names, c.Label())
		}
		list := strings.Join(names, "; ")
		return Text{
			ES: fmt.Sprintf("%q es ambiguo (%d %s: %s); añada estado o país", e.Query, len(e.Candidates), whatsES, list),
			EN: fmt.Sprintf("%q is ambiguous (%d %ss: %s); add a region or country", e.Query, len(e.Candidates), whatEN, list),
		}
	}
	return Text{
		ES: fmt.Sprintf("%q no corresponde a %s", e.Query, whatES),
		EN: fmt.Sprintf("%q matches no %s", e.Query, whatEN),
	}
}

func (e *ResolveError) Unwrap() error {
	if e.Reason == ReasonAmbiguous {
		return &Error{Code: EInvalid, Msg: e.Text()}
	}
	return &Error{Code: ENotFound, Msg: e.Text()}
}

// Label names a candidate for people: "Whitewater, Wisconsin, US (14692)".
func (c Candidate) Label() string {
	return fmt.Sprintf("%s (%d)", joinNonEmptyParts(", ", c.Name, c.Admin2Name, c.Admin1Name, c.Country), c.Population)
}

func joinNonEmptyParts(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// Resolver turns free-text place names into GeoNames places and Mexican
// municipality names into CVEGEOs. Build it once per Snapshot and keep it:
// its first place lookup indexes every name and alternate name (about a
// second of work). It is safe for concurrent use.
type Resolver struct {
	snap      *Snapshot
	namesOnce sync.Once
	names     map[string][]uint32 // folded name → place index<<2 | tier; built on first use
	countries map[string]string   // folded country name or code → ISO code
	regions   map[string][]string // folded admin name or code → "CC.A1" or "CC.A1.A2"
	states    map[string]string   // folded Mexican state name, abbreviation or code → INEGI code

	muniNames   map[string][]int32 // folded municipality name → index in snap.Municipalities
	muniByState map[string][]int32 // INEGI state → municipalities
	muniSeats   map[int64][]int32  // seat place id → municipalities
	muniFold    []string           // muniKey of municipality names, by index
	muniLoose   []string           // looseMuni names, by index
}

// ignoredFeatures are places that no longer exist as such.
var ignoredFeatures = map[string]bool{"PPLH": true, "PPLQ": true, "PPLW": true, "PPLCH": true}

// NewResolver indexes the snapshot's countries, regions and
// municipalities; the index of place names, the costly part, is built on
// the first place lookup.
func NewResolver(s *Snapshot) *Resolver {
	r := &Resolver{snap: s, regions: map[string][]string{}, states: map[string]string{},
		muniNames: map[string][]int32{}, muniByState: map[string][]int32{}, muniSeats: map[int64][]int32{}}
	codes := map[string]bool{}
	for i := range s.Places {
		codes[s.Places[i].Country] = true
	}
	r.countries = buildCountries(codes)
	r.indexRegions()
	r.indexMunicipalities()
	return r
}

// Snapshot returns the snapshot the resolver indexes.
func (r *Resolver) Snapshot() *Snapshot { return r.snap }

func (r *Resolver) indexNames() {
	places := r.snap.Places
	// Folding ~1M names dominates; split it across two goroutines.
	type entry struct {
		key string
		v   uint32
	}
	const parts = 2
	out := make([][]entry, parts)
	var wg sync.WaitGroup
	for w := 0; w < parts; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			lo, hi := len(places)*w/parts, len(places)*(w+1)/parts
			buf := make([]entry, 0, (hi-lo)*5)
			var seen []string
			for i := lo; i < hi; i++ {
				p := &places[i]
				if ignoredFeatures[p.FeatureCode] {
					continue
				}
				seen = seen[:0]
				add := func(name string, tier int) {
					k := Fold(name)
					if k == "" || slices.Contains(seen, k) {
						return
					}
					seen = append(seen, k)
					buf = append(buf, entry{k, uint32(i)<<2 | uint32(tier)})
				}
				add(p.Name, 0)
				add(p.ASCIIName, 1)
				for alt := range strings.SplitSeq(r.snap.PlaceAltNames(p), ",") {
					// Queries come in Spanish or English: alternate
					// names in other scripts would only cost memory.
					if LatinScript(alt) {
						add(alt, 2)
					}
				}
			}
			out[w] = buf
		}(w)
	}
	wg.Wait()
	n := 0
	for _, b := range out {
		n += len(b)
	}
	r.names = make(map[string][]uint32, n*2/3)
	for _, b := range out {
		for _, e := range b {
			r.names[e.key] = append(r.names[e.key], e.v)
		}
	}
}

// mxStateAliases are the short forms people write for Mexican states, by
// INEGI code: INEGI's abbreviations and the usual colloquial names.
var mxStateAliases = map[string][]string{
	"01": {"Ags"}, "02": {"BC", "Baja California Norte"}, "03": {"BCS"}, "04": {"Camp"},
	"05": {"Coah", "Coahuila"}, "06": {"Col"}, "07": {"Chis"}, "08": {"Chih"},
	"09": {"CDMX", "DF", "Distrito Federal", "Mexico City", "Ciudad de Mexico"}, "10": {"Dgo"},
	"11": {"Gto"}, "12": {"Gro"}, "13": {"Hgo"}, "14": {"Jal"},
	"15": {"Mex", "Edomex", "Edo Mex", "Estado de Mexico", "State of Mexico"},
	"16": {"Mich", "Michoacan"}, "17": {"Mor"}, "18": {"Nay"}, "19": {"NL"}, "20": {"Oax"},
	"21": {"Pue"}, "22": {"Qro", "Queretaro de Arteaga"}, "23": {"Q Roo", "QRoo"}, "24": {"SLP"},
	"25": {"Sin"}, "26": {"Son"}, "27": {"Tab"}, "28": {"Tamps"}, "29": {"Tlax"},
	"30": {"Ver", "Veracruz"}, "31": {"Yuc"}, "32": {"Zac"},
}

func (r *Resolver) indexRegions() {
	addRegion := func(key, code string) {
		if key == "" {
			return
		}
		for _, c := range r.regions[key] {
			if c == code {
				return
			}
		}
		r.regions[key] = append(r.regions[key], code)
	}
	r.snap.AdminCodes(func(code, name string) {
		parts := strings.Split(code, ".")
		if len(parts) < 2 || len(parts) > 3 {
			return
		}
		for _, k := range regionKeys(name) {
			addRegion(k, code)
		}
		if len(parts) == 2 && hasLetter(parts[1]) {
			addRegion(Fold(parts[1]), code)
		}
	})
	for st, name := range INEGIStateNames {
		code := "MX." + GeoNamesAdmin1(st)
		for _, k := range regionKeys(name) {
			addRegion(k, code)
		}
		for _, a := range mxStateAliases[st] {
			addRegion(Fold(a), code)
		}
		r.states[st] = st
		r.states[Fold(name)] = st
		r.states[strconv.Itoa(atoiOr(st, 0))] = st
		if n := r.snap.AdminName("MX." + GeoNamesAdmin1(st)); n != "" {
			r.states[Fold(n)] = st
		}
		for _, a := range mxStateAliases[st] {
			r.states[Fold(a)] = st
		}
		// "Coahuila de Zaragoza" is "Coahuila" to most.
		if i := strings.Index(Fold(name), " de "); i > 0 && st != "09" {
			if _, taken := r.states[Fold(name)[:i]]; !taken {
				r.states[Fold(name)[:i]] = st
			}
		}
	}
}

// regionKeys folds an admin name with and without its generic part
// ("Walworth County" → "walworth county", "walworth").
func regionKeys(name string) []string {
	k := Fold(name)
	if k == "" {
		return nil
	}
	keys := []string{k}
	for _, suf := range []string{" county", " parish", " borough", " census area", " municipality", " district", " province", " prefecture", " region", " state", " oblast", " kraj", " voivodeship"} {
		if strings.HasSuffix(k, suf) && len(k) > len(suf) {
			keys = append(keys, k[:len(k)-len(suf)])
		}
	}
	for _, pre := range []string{"state of ", "estado de ", "province of ", "provincia de ", "departamento de ", "municipio de ", "city of ", "county of "} {
		if strings.HasPrefix(k, pre) && len(k) > len(pre) {
			keys = append(keys, k[len(pre):])
		}
	}
	return keys
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') {
			return true
		}
	}
	return false
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

func (r *Resolver) indexMunicipalities() {
	r.muniFold = make([]string, len(r.snap.Municipalities))
	r.muniLoose = make([]string, len(r.snap.Municipalities))
	for i, m := range r.snap.Municipalities {
		r.muniFold[i], r.muniLoose[i] = muniKey(m.Name), looseMuni(m.Name)
		for _, k := range muniKeys(m.Name) {
			r.muniNames[k] = appendUnique(r.muniNames[k], int32(i))
		}
		r.muniByState[m.State] = append(r.muniByState[m.State], int32(i))
		if m.SeatPlaceID != 0 {
			r.muniSeats[m.SeatPlaceID] = append(r.muniSeats[m.SeatPlaceID], int32(i))
		}
	}
}

func appendUnique(s []int32, v int32) []int32 {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// Country returns the ISO code of a country name or code in English or
// Spanish ("Estados Unidos", "USA", "UK", "South Korea", "Czech Republic").
func (r *Resolver) Country(name string) (string, bool) {
	c, ok := r.countries[Fold(name)]
	return c, ok
}

// State returns the INEGI code of a Mexican state given by name ("Coahuila",
// "Estado de México", "CDMX"), abbreviation ("Gto.") or code ("11", "5").
func (r *Resolver) State(name string) (string, bool) {
	s, ok := r.states[Fold(name)]
	return s, ok
}

// Region returns the admin codes ("US.WI", "US.WI.127") a region name or
// code may denote, limited to country when it is not empty.
func (r *Resolver) Region(name, country string) []string {
	var out []string
	for _, c := range r.regions[Fold(name)] {
		if country == "" || strings.HasPrefix(c, country+".") {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		// "D.C." folds to "d c": try it written together.
		if k := strings.ReplaceAll(Fold(name), " ", ""); k != Fold(name) {
			for _, c := range r.regions[k] {
				if country == "" || strings.HasPrefix(c, country+".") {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// Resolve returns the places query may mean, best first: by how the name
// matched (own name or Mexican municipality name > ASCII name > alternate
// name), then by population, larger first (for a municipality's seat, the
// municipality's population). The query may be "City", "City, Region",
// "City, Region, Country" or "City, Country", where Region is a
// first-level division (name or code: "Wisconsin", "WI") or a
// second-level one ("Walworth County"); without commas, trailing words
// are tried as region or country when the whole does not match
// ("whitewater wi"). "District (City)" and "City – District" look for the
// district within the city's region. An unknown region or country is an
// EInvalid error; no match at all is an empty list.
func (r *Resolver) Resolve(query string, opts ResolveOptions) ([]Candidate, error) {
	cs, err := r.resolveAll(query, opts)
	if err != nil {
		return nil, err
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 10
	}
	if len(cs) > limit {
		cs = cs[:limit]
	}
	return cs, nil
}

// ResolveUnique returns the one place query means, or a *ResolveError with
// reason "unmatched" or "ambiguous" (carrying every candidate).
//
// The rule: a single candidate is the answer; among several, the strongest
// is the answer only when it is at least DominanceFactor (5) times as
// strong as every other, where strength is population, divided by
// AltNameDiscount (10) for places that match only on an alternate name.
// So a village called León does not compete with the 1.7 million people of
// León, Guanajuato, and Colorado Springs, whose alternate names include
// "El Paso", does not stop "El Paso, United States" from meaning El Paso,
// Texas. A Mexican municipality's official name matches its seat, with the
// municipality's population, as strongly as a place's own name. Otherwise
// the query is ambiguous: "Guadalupe, Mexico" (Nuevo León, 0.7 million;
// Zacatecas, 0.2 million), "Springfield, United States". The rule is the
// same with or without a region: a region only narrows who competes. The
// answer is usually, but not always, the first candidate Resolve lists,
// since that list is ordered by match kind before population.
func (r *Resolver) ResolveUnique(query string, opts ResolveOptions) (Candidate, error) {
	cs, err := r.resolveAll(query, opts)
	if err != nil {
		return Candidate{}, err
	}
	return pickUnique(query, cs)
}

func pickUnique(query string, cs []Candidate) (Candidate, error) {
	switch len(cs) {
	case 0:
		return Candidate{}, &ResolveError{Query: query, Reason: ReasonUnmatched}
	case 1:
		return cs[0], nil
	}
	best := 0
	for i := range cs {
		if cs[i].strength() > cs[best].strength() {
			best = i
		}
	}
	top := cs[best].strength()
	for i, c := range cs {
		if i != best && (top <= 0 || top < DominanceFactor*c.strength()) {
			return Candidate{}, &ResolveError{Query: query, Reason: ReasonAmbiguous, Candidates: cs}
		}
	}
	return cs[best], nil
}

// strength is the population a candidate weighs with when ResolveUnique
// compares candidates: a match on an alternate name counts a tenth.
func (c Candidate) strength() float64 {
	if c.tier >= matchRank[kindAlt] {
		return float64(c.weight) / AltNameDiscount
	}
	return float64(c.weight)
}

// query is one interpretation of a query string.
type query struct {
	name    string     // folded
	country string     // ISO code or ""
	regions [][]string // each a set of admin codes the place must lie in
}

func (r *Resolver) resolveAll(q string, opts ResolveOptions) ([]Candidate, error) {
	base := query{}
	if opts.Country != "" {
		c, ok := r.Country(opts.Country)
		if !ok {
			return nil, Errf(EInvalid, "país desconocido: %q", "unknown country %q", opts.Country)
		}
		base.country = c
	}
	if opts.Region != "" {
		codes := r.Region(opts.Region, base.country)
		if len(codes) == 0 {
			return nil, Errf(EInvalid, "estado o región desconocido: %q", "unknown region %q", opts.Region)
		}
		base.regions = append(base.regions, codes)
	}
	q = strings.TrimSpace(q)
	if len(q) > MaxQuery {
		return nil, Errf(EInvalid, "el nombre del lugar tiene más de %d bytes", "place name longer than %d bytes", MaxQuery)
	}
	if Fold(q) == "" {
		return nil, Errf(EInvalid, "falta el nombre del lugar", "empty place name")
	}
	var parts []string
	for p := range strings.SplitSeq(q, ",") {
		if p = strings.TrimSpace(p); Fold(p) != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 1 {
		return r.resolveName(parts[0], base), nil
	}
	name, rest := parts[0], parts[1:]
	// The last part may be a country; every other part is a region.
	var alts []query
	last := rest[len(rest)-1]
	if c, ok := r.Country(last); ok && (base.country == "" || base.country == c) {
		qq := base
		qq.country = c
		if ok := r.addRegions(&qq, rest[:len(rest)-1]); ok {
			alts = append(alts, qq)
		}
	}
	{
		qq := base
		if ok := r.addRegions(&qq, rest); ok {
			alts = append(alts, qq)
		}
	}
	if len(alts) == 0 {
		return nil, Errf(EInvalid, "estado, región o país desconocido en %q", "unknown region or country in %q", q)
	}
	var out []Candidate
	for _, a := range alts {
		out = mergeCandidates(out, r.resolveName(name, a))
	}
	sortCandidates(out)
	return out, nil
}

// addRegions narrows q by each region name; false if one is unknown.
func (r *Resolver) addRegions(q *query, regions []string) bool {
	for _, reg := range regions {
		codes := r.Region(reg, q.country)
		if len(codes) == 0 {
			return false
		}
		q.regions = append(q.regions, codes)
	}
	return true
}

// resolveName looks name up under q, trying the fallbacks for names
// without commas when the whole name finds nothing.
func (r *Resolver) resolveName(name string, q query) []Candidate {
	q.name = Fold(name)
	if cs := r.lookup(q); len(cs) > 0 {
		return cs
	}
	// "Coyoacán (Mexico City)", "Huishan (Wuxi)": the district within the
	// region named in parentheses, or within the division of the place
	// named there.
	if outer, inner, ok := splitParenthesis(name); ok {
		if cs := r.within(Fold(outer), inner, q); len(cs) > 0 {
			return cs
		}
		qq := q
		qq.name = Fold(outer)
		if cs := r.lookup(qq); len(cs) > 0 {
			return cs
		}
	}
	// "Mexico City – Coyoacán": the district within the city.
	if outer, inner, ok := splitDash(name); ok {
		if cs := r.within(Fold(inner), outer, q); len(cs) > 0 {
			return cs
		}
	}
	// "whitewater wi", "leon guanajuato mexico": trailing words as region
	// or country.
	words := strings.Fields(q.name)
	for k := 1; k <= 3 && k < len(words); k++ {
		head, tail := strings.Join(words[:len(words)-k], " "), strings.Join(words[len(words)-k:], " ")
		var cs []Candidate
		if c, ok := r.countries[tail]; ok && (q.country == "" || q.country == c) {
			qq := q
			qq.country, qq.name = c, head
			cs = mergeCandidates(cs, r.lookup(qq))
		}
		if codes := r.Region(tail, q.country); len(codes) > 0 {
			qq := q
			qq.regions = append(append([][]string(nil), q.regions...), codes)
			qq.name = head
			cs = mergeCandidates(cs, r.lookup(qq))
		}
		if len(cs) > 0 {
			sortCandidates(cs)
			return cs
		}
	}
	// "Querétaro City", "City of Tshwane", "Heroica Nogales".
	for _, v := range nameVariants(q.name) {
		qq := q
		qq.name = v
		if cs := r.lookup(qq); len(cs) > 0 {
			return cs
		}
	}
	return nil
}

// splitParenthesis splits "Coyoacán (Mexico City)".
func splitParenthesis(name string) (outer, inner string, ok bool) {
	name = strings.TrimSpace(name)
	i := strings.IndexByte(name, '(')
	if i <= 0 || !strings.HasSuffix(name, ")") {
		return "", "", false
	}
	outer, inner = strings.TrimSpace(name[:i]), strings.TrimSpace(name[i+1:len(name)-1])
	return outer, inner, outer != "" && inner != ""
}

// splitDash splits "Mexico City – Coyoacán" (an en or em dash, or a
// hyphen between spaces).
func splitDash(name string) (outer, inner string, ok bool) {
	for _, dash := range []string{" – ", " — ", " - "} {
		if i := strings.Index(name, dash); i > 0 {
			outer, inner = strings.TrimSpace(name[:i]), strings.TrimSpace(name[i+len(dash):])
			return outer, inner, outer != "" && inner != ""
		}
	}
	return "", "", false
}

// within looks up the folded name inside area: a region name, or a place
// whose second-level (else first-level) division bounds the search.
func (r *Resolver) within(name, area string, q query) []Candidate {
	codes := r.Region(area, q.country)
	if len(codes) == 0 {
		cs := r.resolveName(area, q)
		c, err := pickUnique(area, cs)
		if err != nil {
			return nil
		}
		code := c.Country + "." + c.Admin1
		if c.Admin2 != "" {
			code += "." + c.Admin2
		}
		codes = []string{code}
	}
	qq := q
	qq.regions = append(append([][]string(nil), q.regions...), codes)
	qq.name = name
	return r.lookup(qq)
}

// nameVariants strips generic words off a folded place name.
func nameVariants(k string) []string {
	var out []string
	for _, suf := range []string{" city", " town", " village", " municipality", " beach"} {
		if strings.HasSuffix(k, suf) && len(k) > len(suf) {
			out = append(out, k[:len(k)-len(suf)])
		}
	}
	for _, pre := range []string{"city of ", "town of ", "ciudad de ", "municipio de ", "heroica ", "h ", "villa de "} {
		if strings.HasPrefix(k, pre) && len(k) > len(pre) {
			out = append(out, k[len(pre):])
		}
	}
	if strings.HasPrefix(k, "st ") {
		out = append(out, "saint "+k[3:])
	}
	if strings.HasPrefix(k, "saint ") {
		out = append(out, "st "+k[6:], "san "+k[6:])
	}
	if strings.HasPrefix(k, "ft ") {
		out = append(out, "fort "+k[3:])
	}
	if strings.HasPrefix(k, "mt ") {
		out = append(out, "mount "+k[3:])
	}
	return out
}

// lookup finds the places named q.name that satisfy q's filters.
func (r *Resolver) lookup(q query) []Candidate {
	if q.name == "" {
		return nil
	}
	byIndex := map[int32]int{}
	var out []Candidate
	add := func(idx int32, kind int, weight int64) {
		p := &r.snap.Places[idx]
		if !r.fits(p, q) {
			return
		}
		if j, ok := byIndex[idx]; ok {
			out[j].improve(kind, weight)
			return
		}
		byIndex[idx] = len(out)
		out = append(out, r.candidate(idx, kind, weight))
	}
	r.namesOnce.Do(r.indexNames)
	for _, v := range r.names[q.name] {
		idx := int32(v >> 2)
		add(idx, int(v&3), r.snap.Places[idx].Population)
	}
	// The query names a Mexican municipality: its seat stands for it, with
	// the municipality's population, and other places inside it that
	// happen to match are the same answer.
	var munis []string
	seats := map[int64]bool{}
	if q.country == "" || q.country == "MX" {
		for _, mi := range r.muniNames[muniKey(q.name)] {
			m := &r.snap.Municipalities[mi]
			if idx, ok := r.snap.PlaceIndex(m.SeatPlaceID); ok && m.SeatPlaceID != 0 && r.fits(&r.snap.Places[idx], q) {
				add(int32(idx), kindMunicipality, max(m.Population, r.snap.Places[idx].Population))
				munis = append(munis, m.CVEGEO)
				seats[m.SeatPlaceID] = true
			}
		}
	}
	if len(munis) > 0 {
		kept := out[:0]
		for _, c := range out {
			if seats[c.ID] || !slices.Contains(munis, c.Municipality) {
				kept = append(kept, c)
			}
		}
		out = kept
	}
	sortCandidates(out)
	return out
}

func (r *Resolver) fits(p *Place, q query) bool {
	if q.country != "" && p.Country != q.country {
		return false
	}
	for _, codes := range q.regions {
		ok := false
		for _, c := range codes {
			if inAdmin(p, c) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// inAdmin reports whether p lies in the admin division code ("US.WI" or
// "US.WI.127").
func inAdmin(p *Place, code string) bool {
	cc, rest, ok := strings.Cut(code, ".")
	if !ok || cc != p.Country {
		return false
	}
	a1, a2, has2 := strings.Cut(rest, ".")
	if a1 != p.Admin1 {
		return false
	}
	return !has2 || a2 == p.Admin2
}

func (r *Resolver) candidate(idx int32, kind int, weight int64) Candidate {
	p := &r.snap.Places[idx]
	c := Candidate{ID: p.ID, Name: p.Name, Country: p.Country, Admin1: p.Admin1, Admin2: p.Admin2,
		Admin1Name: r.snap.Admin1Name(p), Admin2Name: r.snap.Admin2Name(p), Population: p.Population,
		Lat: p.Lat, Lon: p.Lon, FeatureCode: p.FeatureCode, Match: matchKinds[kind],
		index: idx, kind: kind, tier: matchRank[kind], weight: weight}
	if cve, ok := MunicipalityOf(p); ok {
		c.Municipality = cve
		if m, ok := r.snap.Municipality(cve); ok {
			c.MunicipalityName = m.Name
		}
	}
	return c
}

// improve records another way the same place matched.
func (c *Candidate) improve(kind int, weight int64) {
	if t := matchRank[kind]; t < c.tier || (t == c.tier && kind < c.kind) {
		c.kind, c.tier, c.Match = kind, t, matchKinds[kind]
	}
	c.weight = max(c.weight, weight)
}

func mergeCandidates(a, b []Candidate) []Candidate {
	for _, c := range b {
		dup := false
		for i := range a {
			if a[i].ID == c.ID {
				dup = true
				a[i].improve(c.kind, c.weight)
				break
			}
		}
		if !dup {
			a = append(a, c)
		}
	}
	return a
}

func sortCandidates(cs []Candidate) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.tier != b.tier {
			return a.tier < b.tier
		}
		if a.weight != b.weight {
			return a.weight > b.weight
		}
		return a.ID < b.ID
	})
}
