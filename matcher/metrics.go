package matcher

import (
	"math"
	"sort"
)

// Metrics of the backtest: where a hidden twin lands, as expected values
// over the positions of the candidates scoring the same.

// rankStat places the hidden twin among the candidates that passed: g
// score strictly higher, eq others score the same.
type rankStat struct {
	greater, equal int
	missing        bool // the hidden twin was filtered out: ranked last
}

func rankOf(scores []float32, h int32) rankStat {
	s := scores[h]
	var st rankStat
	if s < 0 {
		for _, v := range scores {
			if v >= 0 {
				st.greater++
			}
		}
		st.missing = true
		return st
	}
	for _, v := range scores {
		if v > s {
			st.greater++
		} else if v == s {
			st.equal++
		}
	}
	st.equal-- // the hidden twin itself
	return st
}

// Expected values over the positions g+1 … g+e+1, each equally likely.
func (r rankStat) meanRank() float64 { return float64(r.greater) + 1 + float64(r.equal)/2 }

func (r rankStat) recallAt(k int) float64 {
	n := float64(r.equal + 1)
	return math.Max(0, math.Min(float64(k-r.greater), n)) / n
}

func (r rankStat) reciprocal() float64 {
	return (harmonic(r.greater+r.equal+1) - harmonic(r.greater)) / float64(r.equal+1)
}

func (r rankStat) ndcgAt(k int) float64 {
	sum := 0.0
	for p := r.greater + 1; p <= min(r.greater+r.equal+1, k); p++ {
		sum += 1 / math.Log2(float64(p)+1)
	}
	return sum / float64(r.equal+1)
}

// harmonic is H(n) = 1 + 1/2 + … + 1/n, asymptotically for large n.
func harmonic(n int) float64 {
	if n <= 64 {
		s := 0.0
		for i := 1; i <= n; i++ {
			s += 1 / float64(i)
		}
		return s
	}
	x := float64(n)
	return math.Log(x) + 0.5772156649015329 + 1/(2*x) - 1/(12*x*x) + 1/(120*x*x*x*x)
}

func summarize(stats []rankStat, tops [][]int32, candidates int) MethodResult {
	var r MethodResult
	seen := map[int32]bool{}
	ranks := make([]float64, len(stats))
	for i, s := range stats {
		r.RecallAt10 += s.recallAt(10)
		r.RecallAt50 += s.recallAt(50)
		r.MRR += s.reciprocal()
		r.NDCGAt10 += s.ndcgAt(10)
		ranks[i] = s.meanRank()
		for _, c := range tops[i] {
			seen[c] = true
		}
	}
	n := float64(len(stats))
	r.RecallAt10 = round4(r.RecallAt10 / n)
	r.RecallAt50 = round4(r.RecallAt50 / n)
	r.MRR = round4(r.MRR / n)
	r.NDCGAt10 = round4(r.NDCGAt10 / n)
	r.Coverage = round4(float64(len(seen)) / float64(candidates))
	sort.Float64s(ranks)
	if len(ranks) > 0 {
		mid := len(ranks) / 2
		r.MedianRank = ranks[mid]
		if len(ranks)%2 == 0 {
			r.MedianRank = (ranks[mid-1] + ranks[mid]) / 2
		}
	}
	return r
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
