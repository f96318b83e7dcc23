package index

import (
	"fmt"
	"os"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"

	"hermanar/datasets"
)

// Budgets (DESIGN §8): autocomplete ≤ 2 ms, Open with an existing index
// ≤ 1 s. Run with: go test -run '^$' -bench . ./index

func BenchmarkAutocomplete(b *testing.B) {
	x := sharedIndex(b)
	for _, q := range autocompleteQueries {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := x.SearchPlaces(q, PlaceFilter{Limit: 10}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkClassify(b *testing.B) {
	c := mustClassifier(b)
	for _, tc := range []struct{ name, text, lang string }{
		{"es", "En la cabecera municipal el agua llega por tandeo dos veces por semana y las colonias altas dependen de pipas.", "es"},
		{"detect", "Several neighbourhoods only get running water twice a week and families buy from private water trucks.", ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(c.classify(tc.text, tc.lang, 3)) == 0 {
					b.Fatal("no category")
				}
			}
		})
	}
}

// BenchmarkClassifyCached is a repeated statement, served from the cache.
func BenchmarkClassifyCached(b *testing.B) {
	c := mustClassifier(b)
	b.ReportAllocs()
	for b.Loop() {
		c.Classify("escasez de agua en la cabecera", "es", 3)
	}
}

func BenchmarkNewClassifier(b *testing.B) {
	tax := datasets.DefaultTaxonomy()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewClassifier(tax); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenExisting opens (and closes) an index whose place index is
// already built: the start-up cost of a server with a cached index.
func BenchmarkOpenExisting(b *testing.B) {
	sharedIndex(b) // make sure the shared index is built
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		b.Fatal(err)
	}
	// The shared index holds the profile lock; open a copy of its
	// directory layout that shares the place index files.
	dir := b.TempDir()
	if err := os.Symlink(sharedDir+"/"+placesDir, dir+"/"+placesDir); err != nil {
		b.Fatal(err)
	}
	opts := Options{Countries: sharedIdx.Places().Countries}
	b.ReportAllocs()
	for b.Loop() {
		x, err := Open(dir, snap, opts)
		if err != nil {
			b.Fatal(err)
		}
		if x.Places().Rebuilt {
			b.Fatal("rebuilt an existing index")
		}
		if err := x.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTextScores scores one profile against 300 indexed profiles
// made of the labelled problem statements, three per profile.
func BenchmarkTextScores(b *testing.B) {
	x := mustOpen(b, b.TempDir(), tinySnapshot("bench"), Options{})
	defer x.Close()
	set := loadLabelled(b)
	for i := 0; i < 300; i++ {
		p := datasets.Profile{Lang: set[i%len(set)].Lang}
		for j := 0; j < 3; j++ {
			p.Problems = append(p.Problems, datasets.Problem{Text: set[(i*3+j)%len(set)].Text})
		}
		if err := x.PutProfile(fmt.Sprintf("place:%d", i), p); err != nil {
			b.Fatal(err)
		}
	}
	if adv, err := x.profiles.Advanced(); err == nil {
		n, _ := segmentCount(adv.(*scorch.Scorch))
		b.Logf("profile segments: %d", n)
	}
	p := datasets.Profile{Lang: "es", Narrative: "Municipio agrícola del Bajío con alta migración a Wisconsin.",
		Problems:  []datasets.Problem{{Text: "escasez de agua en la cabecera"}, {Text: "jóvenes sin empleo emigran"}},
		Practices: []datasets.Practice{{Text: "cooperativas lecheras"}}}
	b.ReportAllocs()
	for b.Loop() {
		m, err := x.TextScores(p, "")
		if err != nil || len(m) == 0 {
			b.Fatal(len(m), err)
		}
	}
}

// autocompleteQueries are the brief's three cases; HERMANAR_BENCH_MORE
// adds broad and misspelt ones.
var autocompleteQueries = func() []string {
	qs := []string{"otat", "Whitewter", "manuel dob"}
	if os.Getenv("HERMANAR_BENCH_MORE") != "" {
		qs = append(qs, "mexico", "san jose", "guadalajara jal", "guadalajra", "ciudad de mexico", "s")
	}
	return qs
}()
