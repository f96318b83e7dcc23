package matcher

import (
	"math"
	"strings"
	"sync"

	"hermanar/datasets"
)

const rejected = -1.0 // score of a candidate a filter removed

// scoreAll writes every candidate's score into out (len Candidates());
// candidates a filter rejects get a negative score. The common case, a
// candidate without a profile, a tie or a sparse-signal hit, goes through
// the dense kernel; the few others go through scoreOne, which the kernel
// reproduces exactly for the common case.
func (e *Engine) scoreAll(qs *queryState, out []float32) {
	k := e.kernelOf(qs)
	cl := e.queryColumns(qs)
	bk := k.bind(qs, &cl, false)
	logPop := e.logPop
	f := qs.q.Filter
	popFilter := f.MinPopulation > 0 || f.MaxPopulation > 0
	var lo, hi float32
	if popFilter {
		lo = float32(math.Log10(float64(f.MinPopulation) + 1))
		hi = float32(math.Inf(1))
		if f.MaxPopulation > 0 {
			hi = float32(math.Log10(float64(f.MaxPopulation) + 1))
		}
	}
	if len(f.Countries) > 0 {
		for i := range out {
			out[i] = rejected
		}
		for _, cc := range f.Countries {
			if cid, ok := e.countryID[cc]; ok {
				bk.scoreIndexes(e.byCountry[cid], out)
			}
		}
	} else {
		bk.scoreRange(0, e.n, out)
	}
	if popFilter {
		for c := range out {
			if out[c] >= 0 && (logPop[c] < lo-1e-6 || logPop[c] > hi+1e-6) {
				out[c] = rejected
			}
		}
	}
	for c := range qs.explicit {
		if out[c] < 0 {
			continue
		}
		if (f.ExcludeTwinned && qs.twinned[c]) || (f.OnlyProfiled && qs.dyn.profiles[c] == nil) {
			out[c] = rejected
			continue
		}
		out[c] = float32(e.scoreOne(qs, c, nil))
	}
	if f.OnlyProfiled {
		for c := range out {
			if qs.dyn.profiles[int32(c)] == nil {
				out[c] = rejected
			}
		}
	}
}

// partScore is one component's value and whether it has data.
type partScore struct {
	name  string
	value float64
	ok    bool
}

// pairParts receives what scorePair computed: the components from the
// municipality's side and, when both sides have profiles, from the
// candidate's side, with each side's weighted sum.
type pairParts struct {
	fwdBuf, revBuf [maxComponents]partScore
	nf, nr         int
	f, r           float64
	both           bool
}

// fwd and rev are the components from each side (rev empty unless both).
// The parts hold them in arrays, not slices into themselves, so that a
// pairParts can live on its caller's stack.
func (p *pairParts) fwd() []partScore { return p.fwdBuf[:p.nf] }
func (p *pairParts) rev() []partScore { return p.revBuf[:p.nr] }

// maxComponents bounds ComponentDefs, for the parts' fixed space.
const maxComponents = 8

// scorePair scores candidate c through the general path and, when parts is
// not nil, records every component.
func (e *Engine) scorePair(qs *queryState, c int32, parts *pairParts) float64 {
	if parts != nil {
		return e.scorePairParts(qs, c, parts)
	}
	// The components on the stack: nothing keeps them.
	var fb, rb [maxComponents]partScore
	fwd := weighted(&qs.compW, e.components(qs, c, false, fb[:0]))
	if !bothProfiles(qs, c) {
		return fwd
	}
	return harmonicMean(fwd, weighted(&qs.compW, e.components(qs, c, true, rb[:0])))
}

// scorePairParts is scorePair recording the components in parts.
func (e *Engine) scorePairParts(qs *queryState, c int32, parts *pairParts) float64 {
	comps := e.components(qs, c, false, parts.fwdBuf[:0])
	fwd := weighted(&qs.compW, comps)
	parts.nf, parts.nr, parts.f, parts.r, parts.both = len(comps), 0, fwd, 0, false
	if !bothProfiles(qs, c) {
		return fwd
	}
	revComps := e.components(qs, c, true, parts.revBuf[:0])
	rev := weighted(&qs.compW, revComps)
	parts.nr, parts.r, parts.both = len(revComps), rev, true
	return harmonicMean(fwd, rev)
}

// bothProfiles: the municipality and candidate c have profiles, so the
// pair is scored from the candidate's side too and the two combine with
// a harmonic mean, so that a match must suit both.
func bothProfiles(qs *queryState, c int32) bool { return qs.pv != nil && qs.dyn.profiles[c] != nil }

// harmonicMean is the harmonic mean of the two directions' sums (0 when both are).
func harmonicMean(fwd, rev float64) float64 {
	if fwd+rev == 0 {
		return 0
	}
	return 2 * fwd * rev / (fwd + rev)
}

// weighted is the weighted mean of comps (one per ComponentDefs entry,
// in order) over those with data.
func weighted(compW *[maxComponents]float64, comps []partScore) float64 {
	num, den := 0.0, 0.0
	for i, p := range comps {
		if !p.ok {
			continue
		}
		wt := compW[i]
		num += wt * p.value
		den += wt
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// components appends every component for candidate c to out, in the
// order of ComponentDefs. reverse swaps the roles for the asymmetric text
// relevance.
func (e *Engine) components(qs *queryState, c int32, reverse bool, out []partScore) []partScore {
	for i := range ComponentDefs {
		d := &ComponentDefs[i]
		v, ok := d.value(e, qs, c, reverse)
		out = append(out, partScore{name: d.Name, value: v, ok: ok})
	}
	return out
}

// The component values; each reports whether both sides have data.

func problemsValue(_ *Engine, qs *queryState, c int32, _ bool) (float64, bool) {
	if cp := qs.dyn.profiles[c]; qs.pv != nil && cp != nil {
		return problemScore(qs.pv, cp)
	}
	return 0, false
}

func areasValue(_ *Engine, qs *queryState, c int32, _ bool) (float64, bool) {
	if cp := qs.dyn.profiles[c]; qs.pv != nil && cp != nil {
		return cosine(qs.pv.areas, cp.areas)
	}
	return 0, false
}

func diasporaComponent(_ *Engine, qs *queryState, c int32, _ bool) (float64, bool) {
	if !qs.diasOK {
		return 0, false
	}
	return diasporaValue(qs.diaspora[c]), true
}

func textValue(e *Engine, qs *queryState, c int32, reverse bool) (float64, bool) {
	cp := qs.dyn.profiles[c]
	if qs.pv == nil || cp == nil || !qs.pv.hasText || !cp.hasText || e.in.Text == nil {
		return 0, false
	}
	if reverse {
		return e.reverseText(qs, c), true
	}
	if qs.text != nil {
		return qs.text[ProfileKey(e.ids[c])].Score, true
	}
	return 0, false
}

func structureValue(e *Engine, qs *queryState, c int32, _ bool) (float64, bool) {
	return float64(e.componentValue(qs, CompStructure, c)), true
}

func networkValue(e *Engine, qs *queryState, c int32, _ bool) (float64, bool) {
	if !qs.netOK {
		return 0, false
	}
	return float64(e.componentValue(qs, CompNetwork, c)), true
}

func (e *Engine) reverseText(qs *queryState, c int32) float64 {
	cp, ok := qs.dyn.placeProfiles[e.ids[c]]
	if !ok || e.in.Text == nil {
		return 0
	}
	var v float64
	switch {
	case qs.q.revText != nil:
		v, ok = qs.q.revText.get(e, c, cp)[MunicipalityKey(qs.muni.CVEGEO)]
	case qs.dyn.text != nil:
		v, ok = qs.dyn.text.reverse(e, c, cp, qs.muni.CVEGEO)
	default:
		v, ok = e.reverseTextScores(c, cp)[MunicipalityKey(qs.muni.CVEGEO)]
	}
	if ok {
		return v
	}
	// The query profile is not in the text index (an ad-hoc profile):
	// relevance is taken as symmetric.
	if qs.text != nil {
		return qs.text[ProfileKey(e.ids[c])].Score
	}
	return 0
}

// problemScore: the same problems (soft cosine of taxonomy vectors), and
// solutions both ways: their practices against my problems and mine
// against theirs. Solutions can raise the value above the shared-problem
// similarity but never pull it below, so sharing every problem scores 1
// and a profile is never closer to another than to itself.
func problemScore(me, them *profileVec) (float64, bool) {
	same, okSame := cosine(me.sprob, them.prob)
	sol, n := 0.0, 0
	if v, ok := cosine(them.sprac, me.prob); ok {
		sol, n = sol+v, n+1
	}
	if v, ok := cosine(me.sprac, them.prob); ok {
		sol, n = sol+v, n+1
	}
	switch {
	case okSame && n > 0:
		return math.Max(same, (same+sol/float64(n))/2), true
	case okSame:
		return same, true
	case n > 0:
		return sol / float64(n), true
	}
	return 0, false
}

// diasporaValue maps a tie to [0,1]: any tie counts for half, and its size
// adds the rest on a log scale that saturates at 100,000 people; a
// recorded interest of the foreign city adds a bonus.
func diasporaValue(a *tieAgg) float64 {
	if a == nil {
		return 0
	}
	v := 0.5 + 0.5*math.Min(1, math.Log1p(float64(a.size))/math.Log1p(100_000))
	if a.interest {
		v += 0.2
	}
	return math.Min(v, 1)
}

// abs32 clears the sign bit; branch-free, so the scoring loop stays tight.
func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// reverseTextScores is the text relevance of every indexed municipality
// from candidate c's profile: one call to the text index (~1.8 ms), which
// depends on the candidate alone.
func (e *Engine) reverseTextScores(c int32, cp datasets.Profile) map[string]float64 {
	m, err := e.in.Text.TextScores(cp, ProfileKey(e.ids[c]))
	if err != nil {
		return nil
	}
	out := make(map[string]float64, len(m))
	for k, v := range m {
		if strings.HasPrefix(k, MunicipalityKey("")) {
			out[k] = v.Score
		}
	}
	return out
}

// textCache keeps reverseTextScores for one bulk ranking, so that each
// profiled candidate is scored against the municipalities once per run,
// not once per municipality.
type textCache struct{ m onceMap[int32, textEntry] }

type textEntry struct {
	once   sync.Once
	scores map[string]float64
}

func newTextCache() *textCache { return &textCache{} }

func (tc *textCache) get(e *Engine, c int32, cp datasets.Profile) map[string]float64 {
	en := tc.m.entry(c)
	en.once.Do(func() { en.scores = e.reverseTextScores(c, cp) })
	return en.scores
}

func init() {
	if len(ComponentDefs) > maxComponents {
		panic("matcher: more components than maxComponents")
	}
}
