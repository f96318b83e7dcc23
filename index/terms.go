package index

import (
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
)

// stem is one analysed term of a text together with the word it came
// from, so that explanations can show "agua" rather than the stem "agu".
type stem struct {
	term string // as indexed
	word string // as written, lower-cased
}

// stems analyses text word by word with a, keeping the surface word of
// every term. Stop words yield nothing. Analysing per word (rather than
// the whole text, whose token offsets point into accent-folded text) is
// what makes the surface words exact.
func stems(a analysis.Analyzer, text string) []stem {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '\'' && r != '’'
	})
	out := make([]stem, 0, len(words))
	for _, w := range words {
		for _, t := range a.Analyze([]byte(w)) {
			out = append(out, stem{term: string(t.Term), word: strings.ToLower(w)})
		}
	}
	return out
}

// bigrams joins consecutive stems ("falta de agua" → "falt agu"): stop
// words are skipped, so a keyword phrase and a statement meet whatever
// articles and prepositions sit between the content words.
func bigrams(ss []stem) []stem {
	if len(ss) < 2 {
		return nil
	}
	out := make([]stem, 0, len(ss)-1)
	for i := 1; i < len(ss); i++ {
		out = append(out, stem{term: ss[i-1].term + " " + ss[i].term, word: ss[i-1].word + " " + ss[i].word})
	}
	return out
}

// uniqueTerms returns the distinct terms of ss in first-seen order, and
// the surface word of each.
func uniqueTerms(ss []stem) ([]string, map[string]string) {
	seen := make(map[string]string, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if _, ok := seen[s.term]; !ok {
			seen[s.term] = s.word
			out = append(out, s.term)
		}
	}
	return out, seen
}

// Language detection: a short text is Spanish or English by which
// language's function words it uses more.
var (
	esMarkers = wordSet("el la los las de del que en y por para con una un sin se no es son al hay muy más mas como su sus lo este esta")
	enMarkers = wordSet("the of and to in for with a an is are no not without our their from on at by this that there have has be")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// DetectLang returns "es", "en", or "" when the text gives no clear sign.
func DetectLang(text string) string {
	es, en := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if esMarkers[w] {
			es++
		}
		if enMarkers[w] {
			en++
		}
	}
	switch {
	case es > en:
		return "es"
	case en > es:
		return "en"
	}
	return ""
}

// matchedWords turns a hit's term locations into the distinct surface
// words (or two-word phrases) of the query that produced them, sorted.
func matchedWords(locs search.FieldTermLocationMap, words map[string]string) []string {
	var out []string
	for _, tl := range locs {
		for term := range tl {
			if w, ok := words[term]; ok && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	slices.Sort(out)
	return out
}
