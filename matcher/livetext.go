package matcher

import (
	"math"
	"strings"
	"sync"

	"hermanar/datasets"
)

// liveText keeps the text index's answers that depend on stored data
// alone, for the matches of one version of the user data (dynamic): the
// relevance of every municipality from each profiled candidate's side
// (one index search, ~1.8 ms, that every match scoring that candidate
// used to repeat) and each municipality's own relevance against the
// profiled candidates (one search per match of a municipality with a
// stored or prefilled text). A new version of the user data starts
// empty, and so does the version made after every text-index write
// (TextIndexChanged), so nothing outlives what it was computed from.
// Failed searches are not kept.
type liveText struct {
	rev onceMap[int32, revTextEntry]
	fwd onceMap[string, fwdTextEntry]
}

type revTextEntry struct {
	once sync.Once
	// by municipality position (Engine.muniPos); NaN: the index gave no
	// score (the caller falls back as it does for a missing key)
	scores []float64
	ok     bool
}

type fwdTextEntry struct {
	once   sync.Once
	scores map[string]datasets.TextMatch // shared by every query: read only
	err    error
}

func newLiveText() *liveText { return &liveText{} }

// muniPositions maps each municipality's CVEGEO to its position in the
// snapshot, the index of a revTextEntry's scores.
func (e *Engine) muniPositions() map[string]int32 {
	e.muniPosOnce.Do(func() {
		ms := e.in.Snap.Municipalities
		e.muniPos = make(map[string]int32, len(ms))
		for i := range ms {
			e.muniPos[ms[i].CVEGEO] = int32(i)
		}
	})
	return e.muniPos
}

// reverse is the text relevance of municipality cvegeo from candidate c's
// profile cp, and whether the index gave one; computed once per version.
func (lt *liveText) reverse(e *Engine, c int32, cp datasets.Profile, cvegeo string) (float64, bool) {
	pos := e.muniPositions()
	i, ok := pos[cvegeo]
	if !ok {
		m := e.reverseTextScores(c, cp)
		v, ok := m[MunicipalityKey(cvegeo)]
		return v, ok
	}
	en := lt.rev.entry(c)
	en.once.Do(func() {
		m, err := e.in.Text.TextScores(cp, ProfileKey(e.ids[c]))
		if err != nil {
			return
		}
		s := make([]float64, len(pos))
		for j := range s {
			s[j] = math.NaN()
		}
		for k, v := range m {
			if cve, ok := strings.CutPrefix(k, MunicipalityKey("")); ok {
				if j, ok := pos[cve]; ok {
					s[j] = v.Score
				}
			}
		}
		en.scores, en.ok = s, true
	})
	if !en.ok {
		// the search failed: try again next time, as an uncached match would
		lt.rev.drop(c, en)
		return 0, false
	}
	v := en.scores[i]
	return v, !math.IsNaN(v)
}

// forward is the text relevance of municipality cvegeo's stored or
// prefilled profile p against the indexed profiles; computed once per
// version.
func (lt *liveText) forward(e *Engine, cvegeo string, p datasets.Profile) (map[string]datasets.TextMatch, error) {
	en := lt.fwd.entry(cvegeo)
	en.once.Do(func() { en.scores, en.err = e.in.Text.TextScores(p, MunicipalityKey(cvegeo)) })
	if en.err != nil {
		lt.fwd.drop(cvegeo, en)
	}
	return en.scores, en.err
}

// TextIndexChanged starts a new version of the user data after a write to
// the text index, so that no match keeps relevance computed before it.
func (e *Engine) TextIndexChanged() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dyn.Store(e.dyn.Load().clone())
}
