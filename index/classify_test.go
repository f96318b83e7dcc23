package index

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"hermanar/datasets"
)

type labelled struct {
	Lang     string `json:"lang"`
	Text     string `json:"text"`
	SDG      int    `json:"sdg"`
	Category string `json:"category"`
}

func loadLabelled(tb testing.TB) []labelled {
	tb.Helper()
	f, err := os.Open("testdata/problems_labelled.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			tb.Fatalf("line %d: %v", len(out)+1, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func mustClassifier(tb testing.TB) *Classifier {
	tb.Helper()
	c, err := NewClassifier(datasets.DefaultTaxonomy())
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// accuracy scores the classifier on the labelled set: SDG top-3 (the
// statement's goal is among the goals of the top three categories), and
// for diagnosis category top-1 and top-3.
type accuracy struct {
	n, sdg3, cat1, cat3 int
	misses              []labelled
}

func measure(c *Classifier, set []labelled, lang func(labelled) string) accuracy {
	var a accuracy
	for _, l := range set {
		a.n++
		got := c.Classify(l.Text, lang(l), 3)
		var goals []int
		var ids []string
		for _, g := range got {
			cat, _ := c.tax.Category(g.ID)
			goals = append(goals, cat.SDG...)
			ids = append(ids, g.ID)
		}
		if slices.Contains(goals, l.SDG) {
			a.sdg3++
		} else {
			a.misses = append(a.misses, l)
		}
		if len(ids) > 0 && ids[0] == l.Category {
			a.cat1++
		}
		if slices.Contains(ids, l.Category) {
			a.cat3++
		}
	}
	return a
}

func (a accuracy) rate(k int) float64 { return float64(k) / float64(max(a.n, 1)) }

func TestClassifierAccuracy(t *testing.T) {
	c := mustClassifier(t)
	set := loadLabelled(t)
	if len(set) < 100 {
		t.Fatalf("labelled set has %d statements, want at least 100", len(set))
	}
	given := measure(c, set, func(l labelled) string { return l.Lang })
	detected := measure(c, set, func(labelled) string { return "" })
	t.Logf("SDG top-3 accuracy %.3f (%d/%d); category top-1 %.3f, top-3 %.3f; with language detection: SDG top-3 %.3f",
		given.rate(given.sdg3), given.sdg3, given.n, given.rate(given.cat1), given.rate(given.cat3), detected.rate(detected.sdg3))
	if testing.Verbose() {
		for _, m := range given.misses {
			got := c.Classify(m.Text, m.Lang, 3)
			t.Logf("miss %s sdg %d (%s): %v", m.Category, m.SDG, m.Text, got)
		}
	}
	if r := given.rate(given.sdg3); r < 0.85 {
		t.Errorf("SDG top-3 accuracy %.3f, want ≥ 0.85", r)
	}
	if r := detected.rate(detected.sdg3); r < 0.80 {
		t.Errorf("SDG top-3 accuracy with language detection %.3f, want ≥ 0.80", r)
	}
}

func TestClassify(t *testing.T) {
	c := mustClassifier(t)
	cases := []struct {
		name, text, lang, want string
	}{
		{"spanish water", "escasez de agua en la cabecera", "es", "water-scarcity"},
		{"english water", "the town runs out of drinking water every summer", "en", "water-scarcity"},
		{"detected language", "escasez de agua en la cabecera", "", "water-scarcity"},
		{"accents folded", "ESCASEZ DE AGUA POTABLE Y TANDEO", "es", "water-scarcity"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Classify(tc.text, tc.lang, 3)
			if len(got) == 0 || got[0].ID != tc.want {
				t.Fatalf("%s: got %v, want %s first", tc.name, got, tc.want)
			}
			if got[0].Score != 1 || len(got[0].Terms) == 0 {
				t.Errorf("%s: best %+v, want score 1 and matched terms", tc.name, got[0])
			}
			for i := 1; i < len(got); i++ {
				if got[i].Score > got[i-1].Score || got[i].Score <= 0 {
					t.Errorf("%s: scores not in (0,1] descending: %v", tc.name, got)
				}
			}
		})
	}
	if got := c.Classify("zzzz qqqq", "es", 3); len(got) != 0 {
		t.Errorf("nonsense: got %v, want nothing", got)
	}
	if got := c.Classify("", "", 3); len(got) != 0 {
		t.Errorf("empty: got %v, want nothing", got)
	}
}
