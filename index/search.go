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
	ID         string  `json:"id"`
	Kind       string  `json:"kind"`
	Name       string  `json:"name"`
	Country    string  `json:"country"`
	Admin1     string  `json:"admin1,omitempty"` // state or province name
	Admin2     string  `json:"admin2,omitempty"` // county or municipality name
	Population int64   `json:"population"`
	Score      float64 `json:"score"`
}

// PlaceID returns the GeoNames id of a place hit (0 for a municipality).
func (h Hit) PlaceID() int64 {
	id, _ := strconv.ParseInt(h.ID, 10, 64)
	return id
}

// CVEGEO returns the municipality code of a municipality hit ("" for a place).
func (h Hit) CVEGEO() string {
	c, _ := strings.CutPrefix(h.ID, "mun:")
	if c == h.ID {
		return ""
	}
	return c
}

// Ranking knobs. Field boosts make a match in the place's own name count
// more than one in an alternate spelling, and both more than a match of
// its state or county. popWeight sets how much a tenfold bigger place
// gains: among equal text matches the bigger place wins, while a clearly
// better text match still beats a bigger place.
const (
	boostName     = 3.0
	boostAlt      = 1.5
	boostAdmin    = 0.25
	boostPrefix   = 1.5
	boostFuzzy    = 0.6
	boostExact    = 8.0
	popWeight     = 0.12
	candidatesMin = 50
)

// SearchPlaces finds places and municipalities by name as the user types:
// every word must match a name, alternate name or admin name (exactly,
// with one or two typos for longer words, or — for the last word — as a
// prefix); a whole-name match is boosted; and the Bleve score is then
// multiplied by a log-population factor in Go. If no document matches
// every word, it retries requiring all words but one.
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
	typing := !strings.HasSuffix(q, " ") && len(q) > 0 && !unicode.IsPunct(rune(q[len(q)-1]))
	perWord := make([]query.Query, len(words))
	for i, w := range words {
		perWord[i] = wordQuery(w, typing && i == len(words)-1)
	}
	exact := query.NewTermQuery(exactKeyOf(x.an, q))
	exact.SetField(fExact)
	exact.SetBoost(boostExact)

	var filters []query.Query
	if f.Country != "" {
		filters = append(filters, keywordQuery(fCountry, strings.ToUpper(f.Country)))
	}
	if f.Kind != "" {
		filters = append(filters, keywordQuery(fKind, f.Kind))
	}
	size := max(candidatesMin, 4*limit)

	run := func(minShould int) (*bleve.SearchResult, error) {
		bq := query.NewBooleanQuery(nil, nil, nil)
		if minShould == 0 {
			bq.AddMust(perWord...)
			bq.AddShould(exact)
		} else {
			bq.AddShould(append(slices.Clone(perWord), exact)...)
			bq.SetMinShould(float64(minShould))
		}
		if len(filters) > 0 {
			bq.AddFilter(query.NewConjunctionQuery(filters))
		}
		req := bleve.NewSearchRequestOptions(bq, size, 0, false)
		return x.places.Search(req)
	}
	res, err := run(0)
	if err != nil {
		return nil, err
	}
	if res.Total == 0 && len(words) > 1 {
		if res, err = run(len(words) - 1); err != nil {
			return nil, err
		}
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, d := range res.Hits {
		h, ok := x.hit(d.ID)
		if !ok {
			continue
		}
		h.Score = d.Score * (1 + popWeight*math.Log10(1+float64(max(h.Population, 0))))
		hits = append(hits, h)
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
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

// wordQuery matches one query word: exactly in any name field, as a
// prefix while it is being typed, and with typos when long enough.
func wordQuery(w string, typing bool) query.Query {
	var qs []query.Query
	add := func(q interface {
		query.Query
		SetField(string)
		SetBoost(float64)
	}, field string, boost float64) {
		q.SetField(field)
		q.SetBoost(boost)
		qs = append(qs, q)
	}
	add(query.NewTermQuery(w), fName, boostName)
	add(query.NewTermQuery(w), fAlt, boostAlt)
	add(query.NewTermQuery(w), fAdmin, boostAdmin)
	n := utf8.RuneCountInString(w)
	if typing {
		if n <= maxPrefix {
			add(query.NewTermQuery(w), fPrefix, boostPrefix)
		} else {
			add(query.NewPrefixQuery(w), fName, boostPrefix)
		}
	}
	if fz := fuzziness(n); fz > 0 {
		for _, fb := range []struct {
			field string
			boost float64
		}{{fName, boostFuzzy * boostName}, {fAlt, boostFuzzy * boostAlt}} {
			q := query.NewFuzzyQuery(w)
			q.SetFuzziness(fz)
			q.SetPrefix(1)
			add(q, fb.field, fb.boost)
		}
	}
	return query.NewDisjunctionQuery(qs)
}

// fuzziness allows one typo from five letters and two from nine; shorter
// words are matched exactly or as prefixes, where typos would match too
// much.
func fuzziness(runes int) int {
	switch {
	case runes >= 9:
		return 2
	case runes >= 5:
		return 1
	}
	return 0
}

func keywordQuery(field, value string) query.Query {
	q := query.NewTermQuery(value)
	q.SetField(field)
	q.SetBoost(0)
	return q
}

func exactKeyOf(an *analyzers, s string) string {
	ts := an.exact.Analyze([]byte(s))
	if len(ts) == 0 {
		return ""
	}
	return strings.TrimSpace(string(ts[0].Term))
}

// hit fills a Hit from the snapshot, which is faster than loading stored
// fields and always agrees with the index (it is rebuilt when the
// snapshot changes).
func (x *Index) hit(id string) (Hit, bool) {
	if c, ok := strings.CutPrefix(id, "mun:"); ok {
		m, ok := x.snap.Municipality(c)
		if !ok {
			return Hit{}, false
		}
		return Hit{ID: id, Kind: KindMunicipality, Name: m.Name, Country: "MX", Admin1: m.StateName, Population: m.Population}, true
	}
	pid, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return Hit{}, false
	}
	p, ok := x.snap.Place(pid)
	if !ok {
		return Hit{}, false
	}
	return placeHit(x.snap, id, p), true
}

func placeHit(s *datasets.Snapshot, id string, p *datasets.Place) Hit {
	return Hit{ID: id, Kind: KindPlace, Name: p.Name, Country: p.Country,
		Admin1: s.Admin1Name(p), Admin2: s.Admin2Name(p), Population: p.Population}
}
