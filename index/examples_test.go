package index_test

import (
	"fmt"
	"log"
	"os"

	"hermanar/datasets"
	"hermanar/index"
)

// Open builds the place index on first use (about half a minute for the
// whole gazetteer, reporting its progress to Options.Progress when set) and
// reuses it afterwards; SearchPlaces then serves autocomplete.
func ExampleOpen() {
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "hermanar-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// Only US places, to keep the example quick; leave Countries empty to
	// index the whole gazetteer.
	x, err := index.Open(dir, snap, index.Options{Countries: []string{"US"}})
	if err != nil {
		log.Fatal(err)
	}
	defer x.Close()

	hits, err := x.SearchPlaces("Whitewter", index.PlaceFilter{Country: "US", Limit: 2})
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range hits {
		fmt.Println(h.ID, h.Name, h.Admin1, h.Population)
	}
	hits, _ = x.SearchPlaces("manuel dob", index.PlaceFilter{Kind: index.KindMunicipality, Limit: 1})
	fmt.Println(hits[0].ID, hits[0].Name, hits[0].Admin1)
	// Output:
	// 5278931 Whitewater Wisconsin 14692
	// 4281710 Whitewater Kansas 710
	// mun:11008 Manuel Doblado Guanajuato
}

func ExampleClassifier_Classify() {
	c, err := index.NewClassifier(datasets.DefaultTaxonomy())
	if err != nil {
		log.Fatal(err)
	}
	for _, cs := range c.Classify("escasez de agua en la cabecera", "es", 1) {
		fmt.Println(cs.ID, cs.Score, cs.Terms)
	}
	// Output:
	// water-scarcity 1 [agua escasez escasez agua]
}
