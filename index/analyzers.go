package index

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"

	// Registered by import: Bleve looks analyzers and filters up by name,
	// and an unimported package yields "no analyzer with name ... registered".
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/token/edgengram"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// Analyzer names, as stored in the index mappings. Changing what one of
// them does requires bumping MappingVersion (places) and
// ProfileMappingVersion (profiles) so that indexes built with the old
// definition are rebuilt.
const (
	// AnalyzerES is Spanish prose: accents folded, lower-cased, Spanish
	// stop words removed, Snowball-stemmed ("aguas" and "agua" meet).
	AnalyzerES = "hermanar_es"
	// AnalyzerEN is English prose: possessives dropped, accents folded,
	// lower-cased, English stop words removed, Snowball-stemmed.
	AnalyzerEN = "hermanar_en"
	// AnalyzerName is for place names: accents folded and lower-cased, but
	// never stemmed or stop-filtered ("de", "los" and "San" are part of a
	// name, and "Ríos" must not become "rio").
	AnalyzerName = "hermanar_name"
	// AnalyzerPrefix indexes the edge n-grams of every name token
	// ("otates" → "ot", "ota", …, "otates") so that the word being typed
	// is one term lookup instead of an expansion over the term dictionary.
	// One-letter prefixes would match most of the gazetteer; see fInitial.
	AnalyzerPrefix = "hermanar_prefix"
)

const (
	edgeNgram = "hermanar_edge_ngram"
	// maxPrefix is the longest indexed prefix; longer typed words fall
	// back to a term or fuzzy match on the full token.
	maxPrefix = 12
)

// addAnalyzers registers Hermanar's analyzers on m. asciifolding is a char
// filter, so it runs on the raw text before tokenizing: the tokenizer and
// every token filter (stop words, stemmers) see folded text, and stop word
// lists match their unaccented forms ("más" → "mas").
func addAnalyzers(m *mapping.IndexMappingImpl) error {
	steps := []struct {
		name string
		kind string
		conf map[string]any
	}{
		{edgeNgram, "token", map[string]any{
			"type": edgengram.Name,
			"min":  2.0,
			"max":  float64(maxPrefix),
		}},
		{AnalyzerES, "analyzer", map[string]any{
			"type":          "custom",
			"char_filters":  []any{asciifolding.Name},
			"tokenizer":     unicode.Name,
			"token_filters": []any{lowercase.Name, es.StopName, es.LightStemmerName},
		}},
		{AnalyzerEN, "analyzer", map[string]any{
			"type":          "custom",
			"char_filters":  []any{asciifolding.Name},
			"tokenizer":     unicode.Name,
			"token_filters": []any{en.PossessiveName, lowercase.Name, en.StopName, en.SnowballStemmerName},
		}},
		{AnalyzerName, "analyzer", map[string]any{
			"type":          "custom",
			"char_filters":  []any{asciifolding.Name},
			"tokenizer":     unicode.Name,
			"token_filters": []any{lowercase.Name},
		}},
		{AnalyzerPrefix, "analyzer", map[string]any{
			"type":          "custom",
			"char_filters":  []any{asciifolding.Name},
			"tokenizer":     unicode.Name,
			"token_filters": []any{lowercase.Name, edgeNgram},
		}},
	}
	for _, s := range steps {
		var err error
		switch s.kind {
		case "token":
			err = m.AddCustomTokenFilter(s.name, s.conf)
		case "analyzer":
			err = m.AddCustomAnalyzer(s.name, s.conf)
		}
		if err != nil {
			return fmt.Errorf("analyzer %s: %w", s.name, err)
		}
	}
	return nil
}

// analyzers holds the analyzers resolved from a mapping, for building
// documents and analysing queries outside Bleve's own query parsing.
type analyzers struct {
	es, en, name, prefix, keyword analysis.Analyzer
}

func resolveAnalyzers(m mapping.IndexMapping) (*analyzers, error) {
	a := &analyzers{}
	for _, x := range []struct {
		name string
		dst  *analysis.Analyzer
	}{{AnalyzerES, &a.es}, {AnalyzerEN, &a.en}, {AnalyzerName, &a.name}, {AnalyzerPrefix, &a.prefix}, {keyword.Name, &a.keyword}} {
		*x.dst = m.AnalyzerNamed(x.name)
		if *x.dst == nil {
			return nil, fmt.Errorf("analyzer %s is not registered", x.name)
		}
	}
	return a, nil
}

// terms returns the analysed terms of s in order (duplicates kept).
func terms(a analysis.Analyzer, s string) []string {
	ts := a.Analyze([]byte(s))
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Term)
	}
	return out
}

// langAnalyzer returns the prose analyzer for lang: English for "en",
// Spanish otherwise (Hermanar's default language).
func (a *analyzers) langAnalyzer(lang string) analysis.Analyzer {
	if lang == "en" {
		return a.en
	}
	return a.es
}
