package matcher

// The baselines of the backtest: simple rankers that any matcher must
// beat to be worth a liaison's time. They see exactly what the matcher
// sees — the registry without the hidden pair — and leave the
// municipality's other twins out of the ranking, like the matcher.

// baselineMethods are the simple rankers every matcher must beat. Each
// reads counts from the registry without the hidden pair and leaves the
// municipality's other twins out.
func baselineMethods(e *Engine) []evalMethod {
	exclude := func(qc *queryCtx, out []float32) {
		for _, c := range qc.reg.muniTwins[qc.q.Municipality] {
			out[c] = rejected
		}
	}
	return []evalMethod{
		{MethodRandom, KindBaseline, "uniformly random scores (seeded per query)", func(qc *queryCtx, out []float32) error {
			r := newRand(qc.seed, uint64(qc.i)+1)
			for c := range out {
				out[c] = r.Float32()
			}
			exclude(qc, out)
			return nil
		}},
		{MethodGlobalPopularity, KindBaseline, "how many twins the place has, with any city", func(qc *queryCtx, out []float32) error {
			for c, v := range qc.reg.all {
				out[c] = float32(v)
			}
			exclude(qc, out)
			return nil
		}},
		{MethodMexicoPopularity, KindBaseline, "how many Mexican twins the place has", func(qc *queryCtx, out []float32) error {
			for c, v := range qc.reg.mx {
				out[c] = float32(v)
			}
			exclude(qc, out)
			return nil
		}},
		{MethodCountryPopularity, KindBaseline, "(twins of the municipality in the place's country + 0.1) × (1 + Mexican twins of the place)", func(qc *queryCtx, out []float32) error {
			perCountry := make([]float32, len(e.countries))
			for _, c := range qc.reg.muniTwins[qc.q.Municipality] {
				perCountry[e.country[c]]++
			}
			for c, v := range qc.reg.mx {
				out[c] = (perCountry[e.country[c]] + 0.1) * float32(1+v)
			}
			exclude(qc, out)
			return nil
		}},
		{MethodPopulation, KindBaseline, "closeness of log population to the municipality's", func(qc *queryCtx, out []float32) error {
			lp := qc.qs.logPop
			for c := range out {
				out[c] = 10 - abs32(lp-e.logPop[c])
			}
			exclude(qc, out)
			return nil
		}},
	}
}
