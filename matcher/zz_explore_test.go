package matcher

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"hermanar/datasets"
)

func exploreInputs(t *testing.T) Inputs {
	s := mustSnapshot(t)
	tw, err := importTwinnings(s, "../../shared/data/twinnings/twin_cities_raw.csv")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, _ := datasets.OpenStore(dir, time.Second)
	defer st.Close()
	for _, k := range []string{datasets.KindCONAPO, datasets.KindBanxicoUSStates} {
		if _, err := datasets.Import(st, s, k, filepath.Join("../../shared/data", datasets.Importers[k].DefaultFile)); err != nil {
			t.Fatal(err)
		}
	}
	mi, _ := datasets.LoadTable[datasets.MigrationIntensity](st, datasets.KindCONAPO)
	rs, _ := datasets.LoadTable[datasets.USStateRemittance](st, datasets.KindBanxicoUSStates)
	em := map[string]float64{}
	for _, m := range mi {
		em[m.CVEGEO] = m.EmigrantPct
	}
	rem := map[string]float64{}
	for _, r := range rs {
		if r.Year == 2024 {
			rem[r.State] = r.MillionUSD
		}
	}
	return Inputs{Snap: s, Twinnings: tw, Emigration: em, USStateRemittances: rem}
}

func TestExplore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	in := exploreInputs(t)
	e := mustEngine(t, in)
	qs := BacktestQueries(e.reg)
	type variant struct {
		name string
		f    func(x *[10]float32, mx, all int32, lp float32, c int32) float32
	}
	vs := []variant{
		{"mx", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return float32(mx) }},
		{"popMx", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return x[5] }},
		{"share", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return x[7] }},
		{"cotwin", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return x[8] }},
		{"corridor", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return x[9] }},
		{"size", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return x[0] }},
		{"prox", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return x[4] }},
		{"logpop", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return lp }},
		{"popMx+share", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return x[5] + x[7] }},
		{"popMx+.3share", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return x[5] + .3*x[7] }},
		{"popMx+.3share+.1size", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return x[5] + .3*x[7] + .1*x[0] }},
		{"popMx+.3share+.1lp", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return x[5] + .3*x[7] + .05*lp }},
		{"popMx+.2popAll+.3share+.05lp+.2co", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 {
			return x[5] + .2*x[6] + .3*x[7] + .05*lp + .2*x[8]
		}},
		{"(1+mx)(share+.1)", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return float32(1+mx) * (x[7] + .1) }},
		{"(1+mx)(share+.1)lp", func(x *[10]float32, mx, all int32, lp float32, c int32) float32 { return float32(1+mx) * (x[7] + .1) * lp }},
	}
	stats := make([][]rankStat, len(vs))
	buf := make([][]float32, len(vs))
	for i := range buf {
		buf[i] = make([]float32, e.n)
	}
	var hidFeat [][10]float32
	for _, q := range qs {
		reg := e.reg.Without(q.Municipality, q.Hidden)
		qst, err := e.prepare(Query{Municipality: q.Municipality, registry: reg, Filter: Filter{ExcludeTwinned: true}})
		if err != nil {
			t.Fatal(err)
		}
		for c := int32(0); c < int32(e.n); c++ {
			var x [10]float32
			s, n := e.structureParts(qst, c), e.networkParts(qst, c)
			copy(x[:5], s[:])
			copy(x[5:], n[:])
			for vi, v := range vs {
				buf[vi][c] = v.f(&x, reg.mx[c], reg.all[c], e.logPop[c], c)
			}
			if c == e.candIndex[q.Hidden] {
				hidFeat = append(hidFeat, x)
			}
		}
		for vi := range vs {
			for _, c := range reg.muniTwins[q.Municipality] {
				buf[vi][c] = -1
			}
			stats[vi] = append(stats[vi], rankOf(buf[vi], e.candIndex[q.Hidden]))
		}
	}
	for vi, v := range vs {
		r := summarize(stats[vi], make([][]int32, len(stats[vi])), e.n)
		fmt.Printf("%-40s R@10 %.3f R@50 %.3f MRR %.4f med %.0f\n", v.name, r.RecallAt10, r.RecallAt50, r.MRR, r.MedianRank)
	}
	// hidden feature distributions
	for k := 0; k < 10; k++ {
		vals := []float64{}
		for _, x := range hidFeat {
			vals = append(vals, float64(x[k]))
		}
		sort.Float64s(vals)
		fmt.Printf("feat %d: p10 %.3f p50 %.3f p90 %.3f mean %.3f\n", k, vals[len(vals)/10], vals[len(vals)/2], vals[9*len(vals)/10], mean(vals))
	}
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / math.Max(1, float64(len(v)))
}

func TestExploreCounts(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	in := exploreInputs(t)
	e := mustEngine(t, in)
	qs := BacktestQueries(e.reg)
	nmx, nall := 0, 0
	for c := range e.reg.mx {
		if e.reg.mx[c] > 0 {
			nmx++
		}
		if e.reg.all[c] > 0 {
			nall++
		}
	}
	withMx, withAll := 0, 0
	for _, q := range qs {
		reg := e.reg.Without(q.Municipality, q.Hidden)
		h := e.candIndex[q.Hidden]
		if reg.mx[h] > 0 {
			withMx++
		}
		if reg.all[h] > 0 {
			withAll++
		}
	}
	fmt.Printf("places with mx>0: %d, with any twin: %d; hidden with mx>0: %d/%d, with any: %d\n", nmx, nall, withMx, len(qs), withAll)
	start := time.Now()
	mustEngine(t, in)
	fmt.Println("NewEngine", time.Since(start))
}

func TestExploreQ(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	in := exploreInputs(t)
	e := mustEngine(t, in)
	qs := BacktestQueries(e.reg)
	m := map[string]int{}
	for _, q := range qs {
		m[q.Municipality]++
	}
	fmt.Println(len(in.Twinnings), len(qs), len(m), m)
}

func TestExploreCV(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	in := exploreInputs(t)
	var o EvalOptions
	o.Folds, o.Seed = 5, 1
	o.Calibration.Loss = os.Getenv("LOSS")
	fmt.Sscan(os.Getenv("HARD"), &o.Calibration.Hard)
	fmt.Sscan(os.Getenv("NEG"), &o.Calibration.Negatives)
	fmt.Sscan(os.Getenv("ROUNDS"), &o.Calibration.Rounds)
	fmt.Sscan(os.Getenv("LAMBDA"), &o.Calibration.Lambda)
	o.Calibration.Progress = os.Stdout
	rep, err := Evaluate(t.Context(), in, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range rep.Methods {
		fmt.Printf("%-28s R@10 %.3f R@50 %.3f MRR %.4f nDCG %.3f cov %.4f med %.0f\n", m.Name, m.RecallAt10, m.RecallAt50, m.MRR, m.NDCGAt10, m.Coverage, m.MedianRank)
	}
	for _, w := range rep.FoldWeights {
		fmt.Println(w.Components[CompStructure], w.Components[CompNetwork], w.Structure, w.Network)
	}
	fmt.Println(rep.Queries, rep.Municipalities, rep.Elapsed)
}
