package api

import (
	"context"
	"testing"

	"hermanar/matcher"
)

// BenchmarkMaps measures what the maps add to a page: the time to draw
// each map (after the first, which also projects the atlas once per
// process) and the bytes of SVG it adds ("svg-bytes").
func BenchmarkMaps(b *testing.B) {
	e := mustEnv(b)
	cases := []struct {
		name, cvegeo string
		k            int
	}{
		{"matches 11008 k=10", "11008", 10},
		{"matches 02004 k=10", "02004", 10},
		{"matches 02004 k=100", "02004", 100},
	}
	for _, tc := range cases {
		res, err := e.b.Engine.Match(context.Background(), matcher.Query{Municipality: tc.cvegeo, K: tc.k, Lang: "es"})
		if err != nil {
			b.Fatal(err)
		}
		m, _ := e.b.snap.Municipality(tc.cvegeo)
		views := matchViews(res.Matches, "es")
		b.Run(tc.name, func(b *testing.B) {
			size := 0
			b.ReportAllocs()
			for b.Loop() {
				v, err := e.b.matchesMap(m, views, "es")
				if err != nil {
					b.Fatal(err)
				}
				size = len(v.SVG)
			}
			b.ReportMetric(float64(size), "svg-bytes")
		})
	}
	con, ok := e.b.Engine.Consulate("milwaukee")
	if !ok {
		b.Fatal("no milwaukee consulate")
	}
	ops, err := e.b.Engine.Opportunities(context.Background(), con.ID, "es", 200)
	if err != nil {
		b.Fatal(err)
	}
	var ov []opportunityView
	for _, o := range ops {
		ov = append(ov, opportunityView{Opportunity: o})
	}
	ties := e.b.tiesIn(con)
	b.Run("consulate milwaukee", func(b *testing.B) {
		size := 0
		b.ReportAllocs()
		for b.Loop() {
			v, err := e.b.consulateMap(con, ties, ov, "es")
			if err != nil {
				b.Fatal(err)
			}
			size = len(v.SVG)
		}
		b.ReportMetric(float64(size), "svg-bytes")
	})
}
