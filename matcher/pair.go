package matcher

import (
	"context"

	"hermanar/datasets"
)

// PairMatch is the explained match of one chosen candidate, with where
// it ranks among every candidate for the same query and how far it is.
type PairMatch struct {
	Match
	DistanceKm float64 `json:"distance_km"`
}

// Explain explains the given candidates for q (a shortlist, a comparison,
// a dossier) with the same scoring as Match; Rank is each one's position
// among all candidates. Ids that are not candidates are an error.
func (e *Engine) Explain(ctx context.Context, q Query, ids []int64) ([]PairMatch, error) {
	q.Filter = Filter{}
	qs, err := e.prepare(q)
	if err != nil {
		return nil, err
	}
	cs := make([]int32, len(ids))
	for i, id := range ids {
		c, ok := e.candIndex[id]
		if !ok {
			return nil, datasets.Errf(datasets.EInvalid, "El lugar %d no es una ciudad extranjera candidata.", "place %d is not a foreign candidate", id)
		}
		cs[i] = c
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	scores := e.scratch()
	defer e.release(scores)
	e.scoreAll(qs, scores)
	out := make([]PairMatch, len(cs))
	for i, c := range cs {
		rank := 1
		for j, s := range scores {
			if s > scores[c] || (s == scores[c] && e.ids[j] < e.ids[c]) {
				rank++
			}
		}
		out[i] = PairMatch{Match: e.explain(qs, c, rank), DistanceKm: round6(greatCircleKm(qs, e, c))}
	}
	return out, nil
}

// Emigration is CONAPO's share of the municipality's households with
// emigrants (percent), when it was imported.
func (e *Engine) Emigration(cvegeo string) (float64, bool) {
	v, ok := e.in.Emigration[cvegeo]
	return v, ok
}
