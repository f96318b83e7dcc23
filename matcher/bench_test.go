package matcher

import (
	"context"
	"testing"

	"hermanar/datasets"
)

// BenchmarkMatch is one explained top-10 match of Manuel Doblado over every
// candidate of the embedded snapshot (~183k foreign places).
func BenchmarkMatch(b *testing.B) {
	e := mustEngine(b, Inputs{Ties: []datasets.Tie{otatesTie()}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Match(ctx, Query{Municipality: "11008", K: 10}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchCountry restricts candidates to one country.
func BenchmarkMatchCountry(b *testing.B) {
	e := mustEngine(b, Inputs{Ties: []datasets.Tie{otatesTie()}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Match(ctx, Query{Municipality: "11008", K: 10, Filter: Filter{Countries: []string{"US"}}}); err != nil {
			b.Fatal(err)
		}
	}
}
