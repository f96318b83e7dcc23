package matcher

import "math"

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
		{MethodStatePopularity, KindBaseline, "log(1 + Mexican twins of the place) + log(1 + municipalities of my state twinned with it)", func(qc *queryCtx, out []float32) error {
			state := qc.q.Municipality[:2]
			inState := make([]float32, len(out))
			for m, twins := range qc.reg.muniTwins {
				if m != qc.q.Municipality && m[:2] == state {
					for _, c := range twins {
						inState[c]++
					}
				}
			}
			for c, v := range qc.reg.mx {
				out[c] = float32(math.Log1p(float64(v)) + math.Log1p(float64(inState[c])))
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

// MethodStatePopularity is Mexico popularity plus how many municipalities
// of the querying municipality's state are twinned with the place, on a
// log scale: the engine's state_twins signal on its own with Mexico
// popularity, the baseline it must beat.
const MethodStatePopularity = "state_x_mexico_popularity"

// proposalMethods are signals the engine lacks, measured like baselines
// before anyone builds them; none at present (state_x_mexico_popularity
// was one until state_twins joined the signal list).
func proposalMethods(*Engine) []evalMethod { return nil }
