package matcher

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFlatForestEqualsModel holds the flat forest's score to the model's,
// bit for bit, on the shipped model and on one fitted here, for rows
// whose features sit on the splits' thresholds, a float step either side
// of them, at random, and NaN.
func TestFlatForestEqualsModel(t *testing.T) {
	shipped, err := DefaultRerank()
	if err != nil || shipped == nil {
		t.Fatalf("embedded model: %v", err)
	}
	// A model whose trees have leaves at several depths, and one without
	// trees.
	uneven := &RerankModel{Version: RerankVersion, Features: rerankFeatureNames, Lo: -1, Hi: 2,
		Trees: []rerankTree{{Nodes: []rerankNode{{Feature: 3, Threshold: 0.5, Left: 1, Right: 2}, {Feature: -1, Value: 0.25},
			{Feature: 5, Threshold: -1, Left: 3, Right: 4}, {Feature: -1, Value: -0.5}, {Feature: 1, Threshold: 2, Left: 5, Right: 6},
			{Feature: -1, Value: 1}, {Feature: -1, Value: 0.125}}}, {Nodes: []rerankNode{{Feature: -1, Value: 0.3}}}}}
	empty := &RerankModel{Version: RerankVersion, Features: rerankFeatureNames, Lo: 0, Hi: 1}
	r := rand.New(rand.NewPCG(3, 4))
	for _, m := range []*RerankModel{shipped.Model, testRerank(t).Model, uneven, empty} {
		ff := newFlatForest(m)
		if ff == nil {
			t.Fatal("the model is not flattened")
		}
		nf := len(m.Features)
		var cuts [][]float32 = make([][]float32, nf)
		for _, tr := range m.Trees {
			for _, n := range tr.Nodes {
				if n.Feature >= 0 {
					cuts[n.Feature] = append(cuts[n.Feature], n.Threshold)
				}
			}
		}
		row := make([]float32, nf)
		// Seven rows at a time through the batch scorers (four at once,
		// then the rest one by one).
		batch, flat := make([]row64, 7), make([]float32, 7*nf)
		wants, outs := make([]float64, 7), make([]float64, 7)
		if m == shipped.Model && ff.t4 == nil {
			t.Fatal("the shipped model has no fixed-size trees")
		}
		for trial := range 20000 {
			for f := range row {
				switch c := cuts[f]; {
				case trial%97 == 0 && r.IntN(4) == 0:
					row[f] = float32(math.NaN())
				case len(c) > 0 && r.IntN(3) > 0:
					v := c[r.IntN(len(c))]
					switch r.IntN(3) {
					case 1:
						v = math.Nextafter32(v, float32(math.Inf(-1)))
					case 2:
						v = math.Nextafter32(v, float32(math.Inf(1)))
					}
					row[f] = v
				default:
					row[f] = float32(r.NormFloat64() * 3)
				}
			}
			want, got := m.Score(row), ff.score(row)
			if math.Float64bits(want) != math.Float64bits(got) && !(math.IsNaN(want) && math.IsNaN(got)) {
				t.Fatalf("row %v: flat forest %v, model %v", row, got, want)
			}
			k := trial % 7
			copy(batch[k][:], row)
			copy(flat[k*nf:], row)
			wants[k] = want
			if k == 6 {
				ff.scoreRows(flat, nf, outs)
				for j := range outs {
					if math.Float64bits(wants[j]) != math.Float64bits(outs[j]) && !(math.IsNaN(wants[j]) && math.IsNaN(outs[j])) {
						t.Fatalf("scoreRows row %d: %v, model %v", j, outs[j], wants[j])
					}
				}
				if ff.t4 != nil {
					ff.scoreRows64(batch, outs)
					for j := range outs {
						if math.Float64bits(wants[j]) != math.Float64bits(outs[j]) && !(math.IsNaN(wants[j]) && math.IsNaN(outs[j])) {
							t.Fatalf("scoreRows64 row %d: %v, model %v", j, outs[j], wants[j])
						}
					}
				}
			}
		}
	}
}

// BenchmarkRerankScore scores one pool of rows with the shipped model:
// its own nodes, the flat forest row by row, and four rows at a time.
func BenchmarkRerankScore(b *testing.B) {
	f, err := DefaultRerank()
	if err != nil || f == nil {
		b.Fatal(err)
	}
	m := f.Model
	ff := newFlatForest(m)
	nf := len(m.Features)
	r := rand.New(rand.NewPCG(1, 2))
	const n = 1024
	rows := make([]float32, n*nf)
	for i := range rows {
		rows[i] = float32(r.Float64())
	}
	out := make([]float64, n)
	rows64 := make([]row64, n)
	for i := range rows64 {
		copy(rows64[i][:], rows[i*nf:(i+1)*nf])
	}
	for _, mode := range []struct {
		name string
		run  func()
	}{
		{"model", func() {
			for i := range n {
				out[i] = m.Score(rows[i*nf : (i+1)*nf])
			}
		}},
		{"flat", func() {
			for i := range n {
				out[i] = ff.score(rows[i*nf : (i+1)*nf])
			}
		}},
		{"flat_rows", func() { ff.scoreRows(rows, nf, out) }},
		{"flat_rows64", func() { ff.scoreRows64(rows64, out) }},
	} {
		b.Run(mode.name, func(b *testing.B) {
			for b.Loop() {
				mode.run()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
		})
	}
}
