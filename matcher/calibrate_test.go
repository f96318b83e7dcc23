package matcher

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// syntheticQueries builds training queries whose hidden twins differ
// from the negatives mostly in one structure and one network feature.
func syntheticQueries(seed uint64) []calQuery {
	r := rand.New(rand.NewPCG(seed, 9))
	var out []calQuery
	for q := 0; q < 40; q++ {
		cq := calQuery{present: make([]bool, nN)}
		for j := range cq.present {
			// the corridor has data for half the queries
			cq.present[j] = NetworkFeatures[j] != FeatCorridor || q%2 == 0
		}
		size, twin := slices.Index(StructureFeatures, FeatSize), nS+slices.Index(NetworkFeatures, FeatTwinCountry)
		for n := 0; n < 30; n++ {
			for k := 0; k < nFeat; k++ {
				d := r.NormFloat64() * 0.2
				switch k {
				case size:
					d += 0.3
				case twin:
					d += 0.5
				}
				if k >= nS && !cq.present[k-nS] {
					d = 0
				}
				cq.diffs = append(cq.diffs, d)
			}
			cq.weight = append(cq.weight, 1+float64(n%3))
		}
		out = append(out, cq)
	}
	return out
}

func TestRankLossGradient(t *testing.T) {
	for _, mode := range []string{LossPairwise, LossSoftmax, LossMRR} {
		checkGradient(t, &rankLoss{data: syntheticQueries(1), x0: startParams(PolicyWeights()), lambda: 0.01, mode: mode})
	}
}

func checkGradient(t *testing.T, l *rankLoss) {
	t.Helper()
	r := rand.New(rand.NewPCG(2, 3))
	for trial := 0; trial < 3; trial++ {
		x := make([]float64, nParam)
		for i := range x {
			x[i] = l.x0[i] + r.NormFloat64()*0.5
		}
		got := make([]float64, nParam)
		l.value(x, got)
		want := fd.Gradient(nil, func(x []float64) float64 { return l.value(x, nil) }, x, &fd.Settings{Formula: fd.Central})
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-5*math.Max(1, math.Abs(want[i])) {
				t.Errorf("%s, trial %d: d/dx[%d]: analytic %v, numeric %v", l.mode, trial, i, got[i], want[i])
			}
		}
	}
}

// The fit moves weight to the features that separate twins from others
// and keeps every weight positive and the policy components unchanged.
func TestFitFindsInformativeFeatures(t *testing.T) {
	start := PolicyWeights()
	x0 := startParams(start)
	l := &rankLoss{data: syntheticQueries(4), x0: x0, lambda: 0.001, mode: LossSoftmax}
	x, before, after := fitParams(t, l, x0)
	if after >= before {
		t.Fatalf("loss did not fall: %v → %v", before, after)
	}
	w := weightsFromParams(start, x)
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	if w.Structure[FeatSize] <= start.Structure[FeatSize] {
		t.Errorf("size weight %v should grow from %v", w.Structure[FeatSize], start.Structure[FeatSize])
	}
	if w.Network[FeatTwinCountry] <= start.Network[FeatTwinCountry] {
		t.Errorf("twin_country weight %v should grow from %v", w.Network[FeatTwinCountry], start.Network[FeatTwinCountry])
	}
	for _, m := range []map[string]float64{w.Structure, w.Network, w.Components} {
		for k, v := range m {
			if v < 0 {
				t.Errorf("%s: negative weight %v", k, v)
			}
		}
	}
	for _, c := range []string{CompProblems, CompAreas, CompDiaspora, CompText} {
		if w.Components[c] != start.Components[c] {
			t.Errorf("%s: %v, want the policy's %v", c, w.Components[c], start.Components[c])
		}
	}
	sn := w.Components[CompStructure] + w.Components[CompNetwork]
	if want := start.Components[CompStructure] + start.Components[CompNetwork]; math.Abs(sn-want) > 1e-5 {
		t.Errorf("structure+network = %v, want the policy total %v", sn, want)
	}
}

func fitParams(t *testing.T, l *rankLoss, x0 []float64) ([]float64, float64, float64) {
	t.Helper()
	before := l.value(x0, nil)
	x := append([]float64(nil), x0...)
	g := make([]float64, nParam)
	// Plain gradient descent is enough to check the direction.
	for it := 0; it < 300; it++ {
		l.value(x, g)
		for i := range x {
			x[i] -= 0.5 * g[i]
		}
	}
	return x, before, l.value(x, nil)
}

// FitWeights on real (small) twinnings returns valid weights, and the
// same ones for the same seed.
func TestFitWeightsDeterministic(t *testing.T) {
	tw := mustSmallTwinnings(t)
	e := mustEngine(t, Inputs{Twinnings: tw})
	qs := BacktestQueries(e.reg)
	ctx := context.Background()
	w1, info, err := FitWeights(ctx, e, e.reg, qs, CalibrateOptions{Seed: 1, Workers: 2, Hard: 50, Negatives: 50})
	if err != nil {
		t.Fatal(err)
	}
	if err := w1.Validate(); err != nil {
		t.Fatal(err)
	}
	if info.FinalLoss > info.StartLoss || info.Pairs == 0 {
		t.Errorf("fit: %+v", info)
	}
	w2, _, err := FitWeights(ctx, e, e.reg, qs, CalibrateOptions{Seed: 1, Workers: 1, Hard: 50, Negatives: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(append([]string{}, StructureFeatures...), NetworkFeatures...) {
		a, b := w1.Structure[f]+w1.Network[f], w2.Structure[f]+w2.Network[f]
		if a != b {
			t.Errorf("%s: %v then %v with the same seed", f, a, b)
		}
	}
}
