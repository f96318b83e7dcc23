package matcher

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFlatForestEqualsModel holds the flat forest's score to the model's,
// bit for bit, one row at a time (score64) and in blocks (scoreRows), and
// its attribution to the model's (every part and the bias), on the shipped model, on one fitted here and on trees with
// leaves at every depth, for rows whose features sit on the splits'
// thresholds, a float step either side of them, at random, and NaN.
func TestFlatForestEqualsModel(t *testing.T) {
	shipped, err := DefaultRerank()
	if err != nil || shipped == nil {
		t.Fatalf("embedded model: %v", err)
	}
	uneven := &RerankModel{Version: RerankVersion, Features: rerankFeatureNames, Lo: -1, Hi: 2,
		Trees: []rerankTree{{Nodes: []rerankNode{{Feature: 3, Threshold: 0.5, Left: 1, Right: 2}, {Feature: -1, Value: 0.25},
			{Feature: 5, Threshold: -1, Left: 3, Right: 4}, {Feature: -1, Value: -0.5}, {Feature: 1, Threshold: 2, Left: 5, Right: 6},
			{Feature: -1, Value: 1}, {Feature: 7, Threshold: 0, Left: 7, Right: 8}, {Feature: -1, Value: 0.125}, {Feature: -1, Value: 3}}},
			{Nodes: []rerankNode{{Feature: -1, Value: 0.3}}}}}
	empty := &RerankModel{Version: RerankVersion, Features: rerankFeatureNames, Lo: 0, Hi: 1}
	r := rand.New(rand.NewPCG(3, 4))
	for mi, m := range []*RerankModel{shipped.Model, testRerank(t).Model, uneven, empty} {
		ff := newFlatForest(m)
		if ff == nil {
			t.Fatalf("model %d is not flattened", mi)
		}
		nf := len(m.Features)
		cuts := make([][]float32, nf)
		for _, tr := range m.Trees {
			for _, n := range tr.Nodes {
				if n.Feature >= 0 {
					cuts[n.Feature] = append(cuts[n.Feature], n.Threshold)
				}
			}
		}
		var x row64
		var batch []row64
		var wants []float64
		for trial := range 20000 {
			for f := range nf {
				switch c := cuts[f]; {
				case trial%97 == 0 && r.IntN(4) == 0:
					x[f] = float32(math.NaN())
				case len(c) > 0 && r.IntN(3) > 0:
					v := c[r.IntN(len(c))]
					switch r.IntN(3) {
					case 1:
						v = math.Nextafter32(v, float32(math.Inf(-1)))
					case 2:
						v = math.Nextafter32(v, float32(math.Inf(1)))
					}
					x[f] = v
				default:
					x[f] = float32(r.NormFloat64() * 3)
				}
			}
			want, got := m.Score(x[:nf]), ff.score64(&x)
			if !sameFloat(want, got) {
				t.Fatalf("model %d, row %v: flat forest %v, model %v", mi, x[:nf], got, want)
			}
			wb, wp := m.rerankAttribution(x[:nf])
			gb, gp := ff.attribution(&x)
			if !sameFloat(wb, gb) || len(wp) != len(gp) {
				t.Fatalf("model %d, row %v: flat attribution's bias %v (%d parts), model's %v (%d)", mi, x[:nf], gb, len(gp), wb, len(wp))
			}
			for f := range wp {
				if !sameFloat(wp[f], gp[f]) {
					t.Fatalf("model %d, row %v: flat attribution's part %d %v, model's %v", mi, x[:nf], f, gp[f], wp[f])
				}
			}
			// The same rows scored in blocks of 11 (two blocks of four
			// and a tail of three).
			batch, wants = append(batch, x), append(wants, want)
			if len(batch) == 11 || trial == 19999 {
				out := make([]float64, len(batch))
				ff.scoreRows(batch, out)
				for i := range batch {
					if !sameFloat(wants[i], out[i]) {
						t.Fatalf("model %d, row %v of a block: flat forest %v, model %v", mi, batch[i][:nf], out[i], wants[i])
					}
				}
				batch, wants = batch[:0], wants[:0]
			}
		}
	}
	deep := &RerankModel{Trees: []rerankTree{{Nodes: []rerankNode{{Feature: 0, Left: 1, Right: 2}, {Feature: 0, Left: 3, Right: 4},
		{Feature: -1}, {Feature: 0, Left: 5, Right: 6}, {Feature: -1}, {Feature: 0, Left: 7, Right: 8}, {Feature: -1},
		{Feature: 0, Left: 9, Right: 10}, {Feature: -1}, {Feature: -1}, {Feature: -1}}}}}
	if newFlatForest(deep) != nil {
		t.Error("a tree 5 deep was flattened")
	}
}

// sameFloat is a == b bit for bit, any NaN equal to any other.
func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// BenchmarkRerankScore scores 1,024 rows with the shipped model, by its
// own nodes, by the flat forest one row at a time and four at a time.
func BenchmarkRerankScore(b *testing.B) {
	f, err := DefaultRerank()
	if err != nil || f == nil {
		b.Fatal(err)
	}
	m := f.Model
	ff := newFlatForest(m)
	nf := len(m.Features)
	r := rand.New(rand.NewPCG(1, 2))
	rows := make([]row64, 1024)
	for i := range rows {
		for j := range nf {
			rows[i][j] = float32(r.Float64())
		}
	}
	out := make([]float64, len(rows))
	for _, mode := range []struct {
		name  string
		score func(x *row64) float64
	}{
		{"model", func(x *row64) float64 { return m.Score(x[:nf]) }},
		{"flat", ff.score64},
		{"rows", nil},
	} {
		b.Run(mode.name, func(b *testing.B) {
			for b.Loop() {
				if mode.score == nil {
					ff.scoreRows(rows, out)
					continue
				}
				for i := range rows {
					out[i] = mode.score(&rows[i])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(rows)), "ns/row")
		})
	}
}
