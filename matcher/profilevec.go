package matcher

import (
	"sort"
	"strings"

	"gonum.org/v1/gonum/floats"

	"hermanar/datasets"
)

// profileVec is a profile turned into unit vectors over the taxonomy
// (problems and practices) and over the areas a–h.
type profileVec struct {
	// prob and prac are unit vectors in the taxonomy's soft norm; sprob
	// and sprac are the same vectors multiplied by the category
	// similarity matrix, so a soft cosine is one dot product.
	prob, prac   []float64
	sprob, sprac []float64
	areas        []float64
	probCats     []datasets.CategoryScore
	pracCats     []datasets.CategoryScore
	hasText      bool
}

// classifyTopK is how many categories one problem statement may load.
const classifyTopK = 3

// vectorize classifies every problem and practice (explicit tags count
// fully, classifier categories by their score) and normalises the sums.
func (e *Engine) vectorize(p datasets.Profile) *profileVec {
	v := &profileVec{}
	v.prob, v.probCats = e.categoryVector(problemsOf(p), p.Lang)
	v.prac, v.pracCats = e.categoryVector(practicesOf(p), p.Lang)
	v.prob, v.sprob = e.softUnit(v.prob)
	v.prac, v.sprac = e.softUnit(v.prac)
	v.areas = make([]float64, len(datasets.AreaCodes))
	explicit := false
	for i, a := range datasets.AreaCodes {
		if w, ok := p.Areas[a]; ok && w > 0 {
			v.areas[i] = w
			explicit = true
		}
	}
	if !explicit {
		// Without stated priorities, the areas of the profile's problems
		// stand in for them.
		for _, c := range v.probCats {
			cat, ok := e.tax.Category(c.ID)
			if !ok {
				continue
			}
			for _, a := range cat.Areas {
				if i := areaIndex(a); i >= 0 {
					v.areas[i] += c.Score
				}
			}
		}
	}
	v.areas = unit(v.areas)
	v.hasText = strings.TrimSpace(p.Narrative) != "" || len(p.Problems) > 0 || len(p.Practices) > 0
	return v
}

type taggedText struct {
	text string
	tags []string
}

func problemsOf(p datasets.Profile) []taggedText {
	out := make([]taggedText, len(p.Problems))
	for i, x := range p.Problems {
		out[i] = taggedText{x.Text, x.Tags}
	}
	return out
}

func practicesOf(p datasets.Profile) []taggedText {
	out := make([]taggedText, len(p.Practices))
	for i, x := range p.Practices {
		out[i] = taggedText{x.Text, x.Tags}
	}
	return out
}

func (e *Engine) categoryVector(items []taggedText, lang string) ([]float64, []datasets.CategoryScore) {
	if len(items) == 0 {
		return nil, nil
	}
	n := len(e.tax.Categories)
	vec := make([]float64, n)
	terms := map[string][]string{}
	for _, it := range items {
		for _, t := range it.tags {
			if i := e.catIndex(t); i >= 0 {
				vec[i] += 1
			}
		}
		if e.in.Classifier != nil && strings.TrimSpace(it.text) != "" {
			for _, c := range e.in.Classifier.Classify(it.text, lang, classifyTopK) {
				if i := e.catIndex(c.ID); i >= 0 {
					vec[i] += c.Score
					terms[c.ID] = appendUnique(terms[c.ID], c.Terms...)
				}
			}
		}
	}
	var cats []datasets.CategoryScore
	for i, w := range vec {
		if w > 0 {
			id := e.tax.Categories[i].ID
			cats = append(cats, datasets.CategoryScore{ID: id, Score: w, Terms: terms[id]})
		}
	}
	sort.Slice(cats, func(i, j int) bool {
		if cats[i].Score != cats[j].Score {
			return cats[i].Score > cats[j].Score
		}
		return cats[i].ID < cats[j].ID
	})
	u := unit(vec)
	if u == nil {
		return nil, nil
	}
	return u, cats
}

// unit scales v to length one, or returns nil for a zero vector.
func unit(v []float64) []float64 {
	n := floats.Norm(v, 2)
	if n == 0 {
		return nil
	}
	floats.Scale(1/n, v)
	return v
}

// cosine of two unit vectors (nil means no data), clamped to [0,1].
func cosine(a, b []float64) (float64, bool) {
	if a == nil || b == nil {
		return 0, false
	}
	return clamp01(floats.Dot(a, b)), true
}

func areaIndex(a string) int {
	for i, c := range datasets.AreaCodes {
		if c == a {
			return i
		}
	}
	return -1
}

func appendUnique(s []string, xs ...string) []string {
	for _, x := range xs {
		found := false
		for _, y := range s {
			if y == x {
				found = true
				break
			}
		}
		if !found {
			s = append(s, x)
		}
	}
	return s
}

func clamp01(x float64) float64 {
	if x < 0 {
		return 0
	}
	if x > 1 {
		return 1
	}
	return x
}

func (e *Engine) catIndex(id string) int {
	if i, ok := e.catPos[id]; ok {
		return i
	}
	return -1
}
