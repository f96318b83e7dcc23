package index

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"hermanar/datasets"
)

// PlaceFilter narrows SearchPlaces. Population and distance filters are
// not here on purpose: callers apply them in Go on the snapshot.
type PlaceFilter struct {
	Country string // ISO code; "" = any
	Kind    string // KindPlace, KindMunicipality or "" for both
	Limit   int    // default 10, at most MaxLimit
}

// MaxLimit caps PlaceFilter.Limit.
const MaxLimit = 100

// MaxQueryLen caps the query length in bytes; longer queries are cut.
const MaxQueryLen = 200

// Hit is one search result. ID is the GeoNames id ("5278931") for a
// place and "mun:" + CVEGEO ("mun:11008") for a municipality.
type Hit struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Country    string `json:"country"`
	Admin1     string `json:"admin1,omitempty"` // state or province name
	Admin2     string `json:"admin2,omitempty"` // county or municipality name
	Population int64  `json:"population"`
	// Score orders the hits of one query: the name match (up to 1.3 for
	// an exact whole name) plus a population prior (up to about 0.4). It
	// is not comparable across queries.
	Score float64 `json:"score"`
	// Matched is the name the query matched: the place's name or one of
	// its alternate names ("Ciudad de México" for Mexico City).
	Matched string `json:"matched,omitempty"`
}

// PlaceID returns the GeoNames id of a place hit (0 for a municipality).
func (h Hit) PlaceID() int64 {
	id, _ := strconv.ParseInt(h.ID, 10, 64)
	return id
}

// CVEGEO returns the municipality code of a municipality hit ("" for a place).
func (h Hit) CVEGEO() string {
	c, ok := strings.CutPrefix(h.ID, "mun:")
	if !ok {
		return ""
	}
	return c
}

// Retrieval boosts (Bleve). They only decide which candidates reach the
// re-ranking in Go, so they favour recall: any name field, a prefix of
// the word being typed, and an exact whole name.
const (
	boostName   = 3.0
	boostAlt    = 1.5
	boostAdmin  = 0.25
	boostPrefix = 1.5
	boostFuzzy  = 0.6
	boostExact  = 8.0
	// candidates fetched from Bleve for re-ranking.
	candidates = 100
)

// Re-ranking weights (Go). A query word scores 1 when it is a word of the
// name, less as a prefix or with typos, and less again when it only
// matches the state or county. An exact whole-name match scores
// exactName. Alternate names count slightly less than the place's own.
// Population adds popWeight·log10(population)/7, enough to put Mexico City
// first for "mexico" and the Wisconsin Whitewater before the Kansas one,
// not enough to beat a better text match by a little town's name.
const (
	wordPrefixMin = 0.7
	wordPrefixMax = 0.9
	wordFuzzy1    = 0.7
	wordFuzzy2    = 0.5
	adminFactor   = 0.4
	altFactor     = 0.95
	exactName     = 1.3
	coverageShare = 0.3
	popWeight     = 0.4
)

// SearchPlaces finds places and municipalities by name as the user types.
//
// Bleve retrieves candidates: every word must match a name, alternate
// name or admin name exactly or, for the last word while it is typed, as
// a prefix; when that finds nothing it retries allowing one or two typos
// per word, then with one word missing. The candidates are
// then ranked in Go by how well the query matches their best name (all
// words, as whole words, covering the whole name; an exact match counts
// most) plus a log-population prior, ties broken by id.
func (x *Index) SearchPlaces(q string, f PlaceFilter) ([]Hit, error) {
	if len(q) > MaxQueryLen {
		q = q[:MaxQueryLen]
		for !utf8.ValidString(q) {
			q = q[:len(q)-1]
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, MaxLimit)
	words := terms(x.an.name, q)
	if len(words) == 0 {
		return nil, nil
	}
	if len(words) > 8 {
		words = words[:8]
	}
	last, _ := utf8.DecodeLastRuneInString(q)
	typing := unicode.IsLetter(last) || unicode.IsNumber(last)

	var filters []query.Query
	if f.Country != "" {
		filters = append(filters, keywordQuery(fCountry, strings.ToUpper(f.Country)))
	}
	if f.Kind != "" {
		filters = append(filters, keywordQuery(fKind, f.Kind))
	}
	exact := termQuery(fExact, datasets.Fold(q), boostExact)
	run := func(fuzzy, admin bool, minShould int, filters ...query.Query) (*bleve.SearchResult, error) {
		perWord := make([]query.Query, len(words))
		for i, w := range words {
			perWord[i] = wordQuery(w, typing && i == len(words)-1, fuzzy, admin)
		}
		bq := query.NewBooleanQuery(nil, nil, nil)
		if minShould == 0 {
			bq.AddMust(perWord...)
			bq.AddShould(exact)
		} else {
			bq.AddShould(append(perWord, exact)...)
			bq.SetMinShould(float64(minShould))
		}
		if len(filters) > 0 {
			bq.AddFilter(query.NewConjunctionQuery(filters))
		}
		return x.places.Search(bleve.NewSearchRequestOptions(bq, candidates, 0, false))
	}
	res, err := run(false, true, 0, filters...)
	if err != nil {
		return nil, err
	}
	if res.Total == 0 {
		if res, err = run(true, true, 0, filters...); err != nil {
			return nil, err
		}
	}
	if res.Total == 0 && len(words) > 1 {
		if res, err = run(true, true, len(words)-1, filters...); err != nil {
			return nil, err
		}
	}
	ids := make([]string, 0, 2*candidates)
	for _, d := range res.Hits {
		ids = append(ids, d.ID)
	}
	// A broad query ("san jose", "mexico") matches more places equally
	// well than Bleve hands over; look again among places of 10,000 or
	// more (100,000 or a million for very broad ones) so that the big
	// ones reach the ranking. Only names are searched this time: a big
	// place matched only by its state's name is not worth the cost.
	if res.Total > candidates {
		tier := "p4"
		switch {
		case res.Total > 100*candidates:
			tier = "p6"
		case res.Total > 10*candidates:
			tier = "p5"
		}
		big, err := run(false, false, 0, append(slices.Clone(filters), keywordQuery(fTier, tier))...)
		if err != nil {
			return nil, err
		}
		for _, d := range big.Hits {
			if !slices.Contains(ids[:len(res.Hits)], d.ID) {
				ids = append(ids, d.ID)
			}
		}
	}

	qf := strings.Fields(datasets.Fold(q))
	if len(qf) > 8 {
		qf = qf[:8]
	}
	r := ranker{words: qf, exact: strings.Join(qf, " "), typing: typing}
	hits := make([]Hit, 0, len(ids))
	for _, id := range ids {
		h, ok := x.rank(&r, id)
		if ok {
			hits = append(hits, h)
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

// wordQuery matches one query word: exactly in the name fields (and the
// admin names when asked), as a prefix while it is being typed, and with
// typos when asked.
func wordQuery(w string, typing, fuzzy, admin bool) query.Query {
	qs := []query.Query{
		termQuery(fName, w, boostName),
		termQuery(fAlt, w, boostAlt),
	}
	if admin {
		qs = append(qs, termQuery(fAdmin, w, boostAdmin))
	}
	n := utf8.RuneCountInString(w)
	if typing {
		if n == 1 {
			qs = append(qs, termQuery(fInitial, w, boostPrefix))
		} else if n <= maxPrefix {
			qs = append(qs, termQuery(fPrefix, w, boostPrefix))
		} else {
			qs = append(qs, prefixQuery(fName, w, boostPrefix))
		}
		// "guadalajara jal": the admin vocabulary is small, so a prefix
		// expansion there is cheap.
		if admin && n >= 2 {
			qs = append(qs, prefixQuery(fAdmin, w, boostAdmin))
		}
	}
	if fz := fuzziness(n); fuzzy && fz > 0 {
		for _, fb := range []struct {
			field string
			boost float64
		}{{fName, boostFuzzy * boostName}, {fAlt, boostFuzzy * boostAlt}} {
			q := query.NewFuzzyQuery(w)
			q.SetFuzziness(fz)
			q.SetPrefix(2)
			q.SetField(fb.field)
			q.SetBoost(fb.boost)
			qs = append(qs, q)
		}
	}
	return query.NewDisjunctionQuery(qs)
}

// fuzziness allows one typo from five letters and two from nine; shorter
// words are matched exactly or as prefixes, where typos would match too
// much.
func fuzziness(runes int) int {
	switch {
	case runes >= 11:
		return 2
	case runes >= 5:
		return 1
	}
	return 0
}

func prefixQuery(field, prefix string, boost float64) query.Query {
	q := query.NewPrefixQuery(prefix)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

func keywordQuery(field, value string) query.Query {
	q := query.NewTermQuery(value)
	q.SetField(field)
	q.SetBoost(0)
	return q
}

// ranker scores candidates against one folded query.
type ranker struct {
	words  []string
	exact  string
	typing bool
}

// rank fills a Hit from the snapshot (faster than loading stored fields,
// and always in agreement with the index, which is rebuilt when the
// snapshot changes) and scores it.
func (x *Index) rank(r *ranker, id string) (Hit, bool) {
	var (
		h      Hit
		names  []string
		alts   string
		admins []string
	)
	if c, ok := strings.CutPrefix(id, "mun:"); ok {
		m, ok := x.snap.Municipality(c)
		if !ok {
			return Hit{}, false
		}
		h = Hit{ID: id, Kind: KindMunicipality, Name: m.Name, Country: "MX", Admin1: m.StateName, Population: m.Population}
		names = []string{m.Name}
		admins = []string{m.StateName, "MX"}
	} else {
		pid, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return Hit{}, false
		}
		p, ok := x.snap.Place(pid)
		if !ok {
			return Hit{}, false
		}
		h = placeHit(x.snap, id, p)
		names = []string{p.Name, p.ASCIIName}
		alts = x.snap.PlaceAltNames(p)
		admins = []string{h.Admin1, h.Admin2, p.Country}
	}
	adminWords := strings.Fields(datasets.Fold(strings.Join(admins, " ")))
	best, matched := 0.0, ""
	try := func(name string, factor float64) {
		if name == "" {
			return
		}
		if s := r.score(strings.Fields(datasets.Fold(name)), adminWords) * factor; s > best {
			best, matched = s, name
		}
	}
	for _, n := range names {
		try(n, 1)
	}
	// An alternate name scores at most altFactor·exactName, so once a name
	// reaches that the rest need not be folded.
	for a := range strings.SplitSeq(alts, ",") {
		if best >= altFactor*exactName {
			break
		}
		// Only Latin-script names are indexed (see docBuilder.place); big
		// cities carry a hundred others, not worth folding.
		if a = strings.TrimSpace(a); datasets.LatinScript(a) {
			try(a, altFactor)
		}
	}
	pop := math.Log10(1+float64(max(h.Population, 0))) / 7
	h.Score = best + popWeight*pop
	if matched != h.Name {
		h.Matched = matched
	}
	return h, true
}

// score is the text score of one name (folded words) in [0, exactName].
func (r *ranker) score(name, admin []string) float64 {
	if len(name) == 0 {
		return 0
	}
	if strings.Join(name, " ") == r.exact {
		return exactName
	}
	covered := make([]bool, len(name))
	sum := 0.0
	for i, w := range r.words {
		partial := r.typing && i == len(r.words)-1
		s, at := wordScore(w, name, partial)
		if at >= 0 {
			covered[at] = true
		}
		if s == 0 {
			a, _ := wordScore(w, admin, partial)
			s = adminFactor * a
		}
		sum += s
	}
	n := 0
	for _, c := range covered {
		if c {
			n++
		}
	}
	coverage := float64(n) / float64(len(name))
	return sum / float64(len(r.words)) * (1 - coverageShare + coverageShare*coverage)
}

// wordScore is how well query word w matches the best of words, and
// which one.
func wordScore(w string, words []string, partial bool) (float64, int) {
	best, at := 0.0, -1
	fz := fuzziness(utf8.RuneCountInString(w))
	for i, t := range words {
		s := 0.0
		switch {
		case t == w:
			s = 1
		case partial && strings.HasPrefix(t, w):
			s = wordPrefixMin + (wordPrefixMax-wordPrefixMin)*float64(len(w))/float64(len(t))
		case fz > 0:
			switch d := editDistance(w, t, fz); d {
			case 1:
				s = wordFuzzy1
			case 2:
				s = wordFuzzy2
			}
		}
		if s > best {
			best, at = s, i
		}
	}
	return best, at
}

// editDistance is the Levenshtein distance between a and b (bytes of
// folded ASCII), or max+1 when it exceeds max.
func editDistance(a, b string, maxD int) int {
	if d := len(a) - len(b); d > maxD || -d > maxD {
		return maxD + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > maxD {
			return maxD + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func placeHit(s *datasets.Snapshot, id string, p *datasets.Place) Hit {
	return Hit{ID: id, Kind: KindPlace, Name: p.Name, Country: p.Country,
		Admin1: s.Admin1Name(p), Admin2: s.Admin2Name(p), Population: p.Population}
}
