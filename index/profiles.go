package index

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"hermanar/datasets"
)

// ProfileMappingVersion identifies the profile index's mapping and
// document layout. When it changes, Open recreates profiles.bleve empty
// and ProfilesReset reports true, so the caller replays PutProfile from
// the store of record.
const ProfileMappingVersion = 1

var profileVersionKey = []byte("hermanar_profile_mapping_version")

// Profile document fields. The same text goes into a Spanish- and an
// English-analysed field, so a query in either language meets it at the
// stem level whatever language it was written in; the taxonomy fields
// carry the labels and keywords (both languages) of the categories the
// profile's problems and practices fall into, which is how "escasez de
// agua" reaches an English profile about water reuse.
const (
	pTextES = "text_es"
	pTextEN = "text_en"
	pTaxES  = "tax_es"
	pTaxEN  = "tax_en"
	pCat    = "cat" // keyword: category ids
)

// Query-side boosts: the profile's own words count most; words met only
// through category keywords, and shared category ids, add evidence.
const (
	boostText     = 1.0
	boostTax      = 0.5
	boostCat      = 2.0
	maxQueryTerms = 300 // per language, so a long narrative stays a cheap query
	// profileClassifyK categories per problem or practice without tags.
	profileClassifyK = 2
	// profileClassifyMin drops weak second categories.
	profileClassifyMin = 0.5
)

func profileMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := addAnalyzers(m); err != nil {
		return nil, err
	}
	dm := bleve.NewDocumentStaticMapping()
	for f, an := range map[string]string{pTextES: AnalyzerES, pTextEN: AnalyzerEN, pTaxES: AnalyzerES, pTaxEN: AnalyzerEN, pCat: "keyword"} {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = an
		fm.Store = false
		fm.IncludeInAll = false
		fm.DocValues = false
		fm.IncludeTermVectors = true
		dm.AddFieldMappingsAt(f, fm)
	}
	m.DefaultMapping = dm
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	m.ScoringModel = "bm25"
	return m, nil
}

// openProfiles opens or creates profiles.bleve for writing. The lock is
// exclusive: a second process waits BoltTimeout and then fails.
func openProfiles(path string, opts Options) (bleve.Index, bool, error) {
	cfg := map[string]any{"bolt_timeout": opts.boltTimeout()}
	if _, err := os.Stat(path); err == nil {
		idx, err := bleve.OpenUsing(path, cfg)
		if err != nil {
			if isLockTimeout(err) {
				return nil, false, lockedError(path, err)
			}
			return nil, false, fmt.Errorf("index: open %s: %w (delete it to rebuild it from the store)", path, err)
		}
		v, err := idx.GetInternal(profileVersionKey)
		if err == nil && string(v) == fmt.Sprint(ProfileMappingVersion) {
			return idx, false, nil
		}
		_ = idx.Close()
		if err := os.RemoveAll(path); err != nil {
			return nil, false, fmt.Errorf("index: %w", err)
		}
	}
	m, err := profileMapping()
	if err != nil {
		return nil, false, err
	}
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, cfg)
	if err != nil {
		return nil, false, fmt.Errorf("index: create %s: %w", path, err)
	}
	if err := idx.SetInternal(profileVersionKey, []byte(fmt.Sprint(ProfileMappingVersion))); err != nil {
		_ = idx.Close()
		return nil, false, err
	}
	return idx, true, nil
}

// profileText is the text of a profile that is matched: problems and
// practices first (they say most in fewest words), then the narrative.
func profileText(p datasets.Profile) string {
	var b strings.Builder
	for _, pr := range p.Problems {
		b.WriteString(pr.Text)
		b.WriteString(".\n")
	}
	for _, pr := range p.Practices {
		b.WriteString(pr.Text)
		b.WriteString(".\n")
	}
	b.WriteString(p.Narrative)
	return b.String()
}

// profileCategories returns the categories of the profile's problems and
// practices: their tags where given, else the classifier's best (and a
// close second).
func (x *Index) profileCategories(p datasets.Profile) []string {
	var ids []string
	add := func(text string, tags []string) {
		if len(tags) > 0 {
			for _, t := range tags {
				if !slices.Contains(ids, t) {
					ids = append(ids, t)
				}
			}
			return
		}
		for _, c := range x.classifier.Classify(text, p.Lang, profileClassifyK) {
			if c.Score >= profileClassifyMin && !slices.Contains(ids, c.ID) {
				ids = append(ids, c.ID)
			}
		}
	}
	for _, pr := range p.Problems {
		add(pr.Text, pr.Tags)
	}
	for _, pr := range p.Practices {
		add(pr.Text, pr.Tags)
	}
	return ids
}

// taxonomyText is the labels and keywords of categories in one language.
func (x *Index) taxonomyText(ids []string, lang string) string {
	var b strings.Builder
	for _, id := range ids {
		c, ok := x.classifier.tax.Category(id)
		if !ok {
			continue
		}
		b.WriteString(c.Label.In(lang))
		for _, k := range c.Keywords.In(lang) {
			b.WriteString(". ")
			b.WriteString(k)
		}
		b.WriteString(".\n")
	}
	return b.String()
}

// PutProfile indexes (or re-indexes) the profile under key, e.g.
// "mun:11008" or "place:5278931". It is incremental: one small batch.
func (x *Index) PutProfile(key string, p datasets.Profile) error {
	if key == "" {
		return datasets.Errf(datasets.EInvalid, "índice: clave de perfil vacía", "index: empty profile key")
	}
	if p.Empty() {
		return x.DeleteProfile(key)
	}
	d := document.NewDocument(key)
	opts := textOpts | termVectorOpts
	text := []byte(profileText(p))
	d.AddField(document.NewTextFieldCustom(pTextES, nil, text, opts, x.an.es))
	d.AddField(document.NewTextFieldCustom(pTextEN, nil, text, opts, x.an.en))
	cats := x.profileCategories(p)
	if len(cats) > 0 {
		d.AddField(document.NewTextFieldCustom(pTaxES, nil, []byte(x.taxonomyText(cats, "es")), opts, x.an.es))
		d.AddField(document.NewTextFieldCustom(pTaxEN, nil, []byte(x.taxonomyText(cats, "en")), opts, x.an.en))
		for i, c := range cats {
			d.AddField(document.NewTextFieldCustom(pCat, []uint64{uint64(i)}, []byte(c), opts, x.an.keyword))
		}
	}
	b := x.profiles.NewBatch()
	if err := b.IndexAdvanced(d); err != nil {
		return err
	}
	if err := x.profiles.Batch(b); err != nil {
		return fmt.Errorf("index: put profile %s: %w", key, err)
	}
	return nil
}

// DeleteProfile removes the profile under key; a missing key is no error.
func (x *Index) DeleteProfile(key string) error {
	if err := x.profiles.Delete(key); err != nil {
		return fmt.Errorf("index: delete profile %s: %w", key, err)
	}
	return nil
}

// ProfileCount is the number of indexed profiles.
func (x *Index) ProfileCount() (int, error) {
	n, err := x.profiles.DocCount()
	return int(n), err
}

// TextScores scores p's problems, practices and narrative against every
// indexed profile (except excludeKey, usually p's own key) and returns a
// datasets.TextMatch per profile that shares anything with p. p's words are
// analysed in Spanish and in English and looked up in both languages'
// text fields and in the other profiles' category keywords, and p's
// categories are matched against theirs, so relevance crosses languages.
func (x *Index) TextScores(p datasets.Profile, excludeKey string) (map[string]datasets.TextMatch, error) {
	n, err := x.profiles.DocCount()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return map[string]datasets.TextMatch{}, nil
	}
	cats := x.profileCategories(p)
	words := map[string]string{} // term → surface word, both analyzers
	var qs []query.Query
	text := profileText(p)
	for _, lang := range []string{"es", "en"} {
		a := x.an.langAnalyzer(lang)
		ts, w := uniqueTerms(stems(a, text))
		if len(ts) > maxQueryTerms {
			ts = ts[:maxQueryTerms]
		}
		textField, taxField := pTextES, pTaxES
		if lang == "en" {
			textField, taxField = pTextEN, pTaxEN
		}
		for _, t := range ts {
			words[t] = w[t]
			qs = append(qs, termQuery(textField, t, boostText), termQuery(taxField, t, boostTax))
		}
	}
	for _, c := range cats {
		qs = append(qs, termQuery(pCat, c, boostCat))
	}
	if len(qs) == 0 {
		return map[string]datasets.TextMatch{}, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(qs), int(n), 0, false)
	req.IncludeLocations = true
	res, err := x.profiles.Search(req)
	if err != nil {
		return nil, fmt.Errorf("index: text scores: %w", err)
	}
	var self, best float64
	out := make(map[string]datasets.TextMatch, len(res.Hits))
	for _, h := range res.Hits {
		if h.ID == excludeKey {
			self = h.Score
			continue
		}
		best = max(best, h.Score)
		tm := datasets.TextMatch{Score: h.Score}
		for field, tl := range h.Locations {
			for term := range tl {
				switch field {
				case pCat:
					tm.Categories = append(tm.Categories, term)
				default:
					if w, ok := words[term]; ok && !slices.Contains(tm.Terms, w) {
						tm.Terms = append(tm.Terms, w)
					}
				}
			}
		}
		slices.Sort(tm.Terms)
		slices.Sort(tm.Categories)
		out[h.ID] = tm
	}
	norm := max(self, best)
	if norm <= 0 {
		return out, nil
	}
	for k, tm := range out {
		tm.Score = min(1, tm.Score/norm)
		out[k] = tm
	}
	return out, nil
}
