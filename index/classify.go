package index

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"hermanar/datasets"
)

// Classifier maps a problem statement onto the taxonomy with a small
// in-memory Bleve index: one document per category holding its labels,
// keywords, keyword phrases (as stem bigrams) and descriptions in both
// languages, each language in fields analysed by that language's
// analyzer. It is safe for concurrent use.
type Classifier struct {
	tax *datasets.Taxonomy
	idx bleve.Index
	an  *analyzers
	// phraseOnly holds the stems of phraseOnlyWords, per language.
	phraseOnly map[string]map[string]bool

	// The same problem statements are classified again and again (every
	// TextScores call, every profile vector); short texts' results are
	// remembered, and forgotten all at once when the cache fills.
	mu    sync.Mutex
	cache map[classifyKey][]datasets.CategoryScore
}

type classifyKey struct {
	text, lang string
	k          int
}

const (
	classifyCacheSize    = 4096
	classifyCacheMaxText = 1000
)

// Classifier fields, per language suffix "_es" / "_en".
const (
	cLabel  = "label"
	cKw     = "kw"
	cPhrase = "phrase" // keyword phrases as stem bigrams, keyword analyzer
	cDesc   = "desc"
)

// Field boosts: a two-word keyword phrase is the strongest evidence, a
// keyword or label word next, and a description word is weak (they are
// written as prose and share many words across categories).
var classifierBoosts = map[string]float64{cPhrase: 3.0, cKw: 2.0, cLabel: 1.0, cDesc: 0.4}

// phraseOnlyWords are words whose meaning depends on the word beside them:
// in municipal plans "rehabilitación" is as often the repair of a street,
// a school or a mine as the treatment of addicts, and "consumo" is water,
// power or local produce as often as drugs. Alone they would pull any
// statement towards the one category whose keywords hold them
// ("rehabilitación de minas" scored addictions 0.80, "rehabilitación de
// escuelas" put addictions first); they count only inside a two-word
// phrase ("centros de rehabilitación", "consumo de drogas").
var phraseOnlyWords = map[string][]string{
	"es": {"rehabilitación", "rehabilitar", "consumo"},
	"en": {"rehabilitation", "rehabilitate", "rehabilitated", "consumption"},
}

// NewClassifier indexes the categories of tax in memory (about a
// millisecond for the shipped taxonomy).
func NewClassifier(tax *datasets.Taxonomy) (*Classifier, error) {
	if tax == nil || len(tax.Categories) == 0 {
		return nil, errors.New("index: empty taxonomy")
	}
	m := bleve.NewIndexMapping()
	if err := addAnalyzers(m); err != nil {
		return nil, err
	}
	dm := bleve.NewDocumentStaticMapping()
	for _, lang := range []string{"es", "en"} {
		an := AnalyzerES
		if lang == "en" {
			an = AnalyzerEN
		}
		for _, f := range []string{cLabel, cKw, cDesc} {
			dm.AddFieldMappingsAt(f+"_"+lang, classifierField(an))
		}
		dm.AddFieldMappingsAt(cPhrase+"_"+lang, classifierField("keyword"))
	}
	m.DefaultMapping = dm
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	m.ScoringModel = "bm25"
	// A scorch index without a path lives in memory; unlike NewMemOnly
	// (upside_down) it searches with the same code as the disk indexes.
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("index: classifier: %w", err)
	}
	an, err := resolveAnalyzers(m)
	if err != nil {
		return nil, err
	}
	c := &Classifier{tax: tax, idx: idx, an: an, cache: map[classifyKey][]datasets.CategoryScore{}, phraseOnly: map[string]map[string]bool{}}
	for lang, ws := range phraseOnlyWords {
		set := map[string]bool{}
		for _, w := range ws {
			for _, st := range stems(an.langAnalyzer(lang), w) {
				set[st.term] = true
			}
		}
		c.phraseOnly[lang] = set
	}
	b := idx.NewBatch()
	for _, cat := range tax.Categories {
		if err := b.IndexAdvanced(c.categoryDoc(cat)); err != nil {
			return nil, err
		}
	}
	if err := idx.Batch(b); err != nil {
		return nil, fmt.Errorf("index: classifier: %w", err)
	}
	return c, nil
}

func classifierField(analyzer string) *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Analyzer = analyzer
	f.Store = false
	f.IncludeInAll = false
	f.DocValues = false
	f.IncludeTermVectors = true // term locations name the matched words
	return f
}

func (c *Classifier) categoryDoc(cat datasets.Category) *document.Document {
	d := document.NewDocument(cat.ID)
	opts := textOpts | termVectorOpts
	for _, lang := range []string{"es", "en"} {
		a := c.an.langAnalyzer(lang)
		kws := cat.Keywords.In(lang)
		d.AddField(document.NewTextFieldCustom(cLabel+"_"+lang, nil, []byte(cat.Label.In(lang)), opts, a))
		d.AddField(document.NewTextFieldCustom(cKw+"_"+lang, nil, []byte(strings.Join(kws, ". ")), opts, a))
		d.AddField(document.NewTextFieldCustom(cDesc+"_"+lang, nil, []byte(cat.Description.In(lang)), opts, a))
		var phrases []string
		for _, p := range append(slices.Clone(kws), cat.Label.In(lang)) {
			for _, bg := range bigrams(stems(a, p)) {
				phrases = append(phrases, bg.term)
			}
		}
		for i, p := range phrases {
			d.AddField(document.NewTextFieldCustom(cPhrase+"_"+lang, []uint64{uint64(i)}, []byte(p), opts, c.an.keyword))
		}
	}
	return d
}

// Taxonomy returns the taxonomy the classifier was built from.
func (c *Classifier) Taxonomy() *datasets.Taxonomy { return c.tax }

// Classify returns up to k categories for text (k <= 0 means 3), best
// first, ties broken by id. lang is "es" or "en"; "" detects the language
// from its function words and searches both when unsure. A text with no
// word in common with any category yields nil. The Terms slices may be
// shared between calls: do not modify them.
func (c *Classifier) Classify(text, lang string, k int) []datasets.CategoryScore {
	if k <= 0 {
		k = 3
	}
	key := classifyKey{text, lang, k}
	if len(text) <= classifyCacheMaxText {
		c.mu.Lock()
		got, ok := c.cache[key]
		c.mu.Unlock()
		if ok {
			return slices.Clone(got)
		}
	}
	out := c.classify(text, lang, k)
	if len(text) <= classifyCacheMaxText {
		c.mu.Lock()
		if len(c.cache) >= classifyCacheSize {
			clear(c.cache)
		}
		c.cache[key] = out
		c.mu.Unlock()
	}
	return slices.Clone(out)
}

func (c *Classifier) classify(text, lang string, k int) []datasets.CategoryScore {
	if len(text) > datasets.MaxNarrative {
		text = text[:datasets.MaxNarrative]
	}
	langs := []string{lang}
	if lang != "es" && lang != "en" {
		if d := DetectLang(text); d != "" {
			langs = []string{d}
		} else {
			langs = []string{"es", "en"}
		}
	}
	q, words := c.query(text, langs)
	if q == nil {
		return nil
	}
	req := bleve.NewSearchRequestOptions(q, k, 0, false)
	req.IncludeLocations = true
	res, err := c.idx.Search(req)
	if err != nil || len(res.Hits) == 0 {
		return nil
	}
	out := make([]datasets.CategoryScore, 0, len(res.Hits))
	best := res.Hits[0].Score
	for _, h := range res.Hits {
		best = max(best, h.Score)
	}
	for _, h := range res.Hits {
		out = append(out, datasets.CategoryScore{ID: h.ID, Score: h.Score / best, Terms: matchedWords(h.Locations, words)})
	}
	slices.SortFunc(out, func(a, b datasets.CategoryScore) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// query builds the disjunction of the text's terms over the category
// fields of each language, and returns the surface word of every term.
func (c *Classifier) query(text string, langs []string) (query.Query, map[string]string) {
	var qs []query.Query
	words := map[string]string{}
	for _, lang := range langs {
		ss := stems(c.an.langAnalyzer(lang), text)
		uni, w1 := uniqueTerms(ss)
		bi, w2 := uniqueTerms(bigrams(ss))
		for t, w := range w1 {
			words[t] = w
		}
		for t, w := range w2 {
			words[t] = w
		}
		for _, t := range uni {
			if c.phraseOnly[lang][t] {
				continue
			}
			for _, f := range []string{cLabel, cKw, cDesc} {
				qs = append(qs, termQuery(f+"_"+lang, t, classifierBoosts[f]))
			}
		}
		for _, t := range bi {
			qs = append(qs, termQuery(cPhrase+"_"+lang, t, classifierBoosts[cPhrase]))
		}
	}
	if len(qs) == 0 {
		return nil, nil
	}
	return query.NewDisjunctionQuery(qs), words
}

func termQuery(field, term string, boost float64) *query.TermQuery {
	q := query.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}
