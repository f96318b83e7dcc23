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
	fmt.Sscan(os.Getenv("GAMMA"), &o.Calibration.Sharpness)
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

func TestExploreInSample(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	in := exploreInputs(t)
	e := mustEngine(t, in)
	qs := BacktestQueries(e.reg)
	var o CalibrateOptions
	o.Loss = os.Getenv("LOSS")
	fmt.Sscan(os.Getenv("HARD"), &o.Hard)
	fmt.Sscan(os.Getenv("NEG"), &o.Negatives)
	fmt.Sscan(os.Getenv("ROUNDS"), &o.Rounds)
	fmt.Sscan(os.Getenv("LAMBDA"), &o.Lambda)
	fmt.Sscan(os.Getenv("GAMMA"), &o.Sharpness)
	o.Progress = os.Stdout
	o.Workers = 2
	w, info, err := FitWeights(t.Context(), e, e.reg, qs, o)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%+v\n%v %v %v %v\n", info, w.Components[CompStructure], w.Components[CompNetwork], w.Structure, w.Network)
	rep, err := Evaluate(t.Context(), in, EvalOptions{Default: w, SkipCalibration: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := rep.Method(MethodMatcherPolicy)
	fmt.Printf("IN-SAMPLE R@10 %.3f R@50 %.3f MRR %.4f med %.0f\n", m.RecallAt10, m.RecallAt50, m.MRR, m.MedianRank)
}

type fx struct {
	f                        [10]float32
	mx, all                  float32
	lp, share, stateCo, cPri float32
	cf                       float32
}

func TestExploreFeatures(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	in := exploreInputs(t)
	e := mustEngine(t, in)
	qs := BacktestQueries(e.reg)
	type variant struct {
		name string
		f    func(x *fx) float32
	}
	l := func(v float32) float32 { return float32(math.Log1p(float64(v))) }
	lg := func(v, eps float32) float32 { return float32(math.Log(float64(v + eps))) }
	_ = lg
	vs := []variant{
		{"mx", func(x *fx) float32 { return x.mx }},
		{"stateCo", func(x *fx) float32 { return x.stateCo }},
		{"mx+stateCo", func(x *fx) float32 { return l(x.mx) + l(x.stateCo) }},
		{"mx+2stateCo", func(x *fx) float32 { return l(x.mx) + 2*l(x.stateCo) }},
		{"mx+stateCo+.3all", func(x *fx) float32 { return l(x.mx) + l(x.stateCo) + .3*l(x.all) }},
		{"mx+stateCo+.3all+.2share", func(x *fx) float32 { return l(x.mx) + l(x.stateCo) + .3*l(x.all) + .2*x.share }},
		{"mx+stateCo+.3all+.2share+.2prox", func(x *fx) float32 { return l(x.mx) + l(x.stateCo) + .3*l(x.all) + .2*x.share + .2*x.f[4] }},
		{"mx+stateCo+.3all+.5share+.5prox+.3size", func(x *fx) float32 { return l(x.mx) + l(x.stateCo) + .3*l(x.all) + .5*x.share + .5*x.f[4] + .3*x.f[0] }},
		{"mx+stateCo+.3all+.5share+.5co", func(x *fx) float32 { return l(x.mx) + l(x.stateCo) + .3*l(x.all) + .5*x.share + .5*x.f[8] }},
		{"mx+stateCo+cf+.3all+.5share+.5co", func(x *fx) float32 { return l(x.mx) + l(x.stateCo) + l(x.cf) + .3*l(x.all) + .5*x.share + .5*x.f[8] }},
		{"engine-ish: .46popMx+.13co+.18share+.09all+stateCo", func(x *fx) float32 { return .46*x.f[5] + .13*x.f[8] + .18*x.f[7] + .09*x.f[6] + .3*l(x.stateCo)/3 }},
	}
	stats := make([][]rankStat, len(vs))
	buf := make([][]float32, len(vs))
	for i := range buf {
		buf[i] = make([]float32, e.n)
	}
	snap := e.in.Snap
	for _, q := range qs {
		reg := e.reg.Without(q.Municipality, q.Hidden)
		qst, err := e.prepare(Query{Municipality: q.Municipality, registry: reg, Filter: Filter{ExcludeTwinned: true}})
		if err != nil {
			t.Fatal(err)
		}
		// state co-twinning: twins of other municipalities of my state
		stateCo := make([]float32, e.n)
		cPri := make([]float32, len(e.countries))
		cf := make([]float32, e.n)
		mine := map[int32]bool{}
		for _, c := range reg.muniTwins[q.Municipality] {
			mine[c] = true
		}
		totalMx := float32(0)
		for m, tw := range reg.muniTwins {
			if m == q.Municipality {
				continue
			}
			overlap := 0
			for _, c := range tw {
				cPri[e.country[c]]++
				totalMx++
				if mine[c] {
					overlap++
				}
				if m[:2] == q.Municipality[:2] {
					stateCo[c]++
				}
			}
			if overlap > 0 {
				for _, c := range tw {
					cf[c] += float32(overlap) / float32(len(tw))
				}
			}
		}
		for i := range cPri {
			cPri[i] /= totalMx
		}
		_ = snap
		for c := int32(0); c < int32(e.n); c++ {
			var x fx
			s, n := e.structureParts(qst, c), e.networkParts(qst, c)
			copy(x.f[:5], s[:])
			copy(x.f[5:], n[:])
			x.mx, x.all, x.lp, x.share = float32(reg.mx[c]), float32(reg.all[c]), e.logPop[c], x.f[7]
			x.stateCo, x.cPri, x.cf = stateCo[c], cPri[e.country[c]], cf[c]
			for vi, v := range vs {
				buf[vi][c] = v.f(&x)
			}
		}
		for vi := range vs {
			for _, c := range reg.muniTwins[q.Municipality] {
				buf[vi][c] = -1e9
			}
			stats[vi] = append(stats[vi], rankOfAny(buf[vi], e.candIndex[q.Hidden]))
		}
	}
	for vi, v := range vs {
		r := summarize(stats[vi], make([][]int32, len(stats[vi])), e.n)
		fmt.Printf("%-40s R@10 %.3f R@50 %.3f MRR %.4f med %.0f\n", v.name, r.RecallAt10, r.RecallAt50, r.MRR, r.MedianRank)
	}
}

func rankOfAny(scores []float32, h int32) rankStat {
	s := scores[h]
	var st rankStat
	for _, v := range scores {
		if v == -1e9 {
			continue
		}
		if v > s {
			st.greater++
		} else if v == s {
			st.equal++
		}
	}
	st.equal--
	return st
}
