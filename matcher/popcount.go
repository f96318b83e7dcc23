package matcher

import (
	"slices"
	"sort"
)

// populationPassed counts the candidates a population filter lets
// through (Result.Candidates). The pruned scan never looks at most of the
// candidates, so counting them with a pass over every one cost as much as
// a fifth of a filtered match; a sorted copy of the log populations,
// built on the first filtered query, answers with two binary searches and
// the same comparisons as popBounds.in.
func (e *Engine) populationPassed(pb popBounds) int {
	if !pb.on {
		return e.n
	}
	e.popSortedOnce.Do(func() {
		e.popSorted = slices.Clone(e.logPop)
		slices.Sort(e.popSorted)
	})
	s := e.popSorted
	lo, hi := pb.lo-1e-6, pb.hi+1e-6
	i := sort.Search(len(s), func(j int) bool { return s[j] >= lo })
	j := sort.Search(len(s), func(j int) bool { return s[j] > hi })
	return max(j-i, 0)
}
