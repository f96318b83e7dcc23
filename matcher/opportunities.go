package matcher

import (
	"context"
	"fmt"
	"net/url"
	"sort"

	"hermanar/datasets"
)

// Opportunity is a diaspora-driven pairing a consulate can promote: people
// from a Mexican municipality live in a place of its jurisdiction, and the
// two are not twinned yet.
type Opportunity struct {
	Rank             int               `json:"rank"`
	Municipality     string            `json:"municipality"`
	MunicipalityName string            `json:"municipality_name"`
	State            string            `json:"state"`
	Place            datasets.PlaceRef `json:"place"`
	TieSize          int64             `json:"tie_size"`
	Estimated        bool              `json:"estimated"`
	Interest         bool              `json:"interest"` // the foreign city stated an interest
	Strength         float64           `json:"strength"` // diaspora component value
	Score            float64           `json:"score"`    // the pair's match score
	Evidence         []string          `json:"evidence"`
	Sources          []string          `json:"sources"`
	MatchURL         string            `json:"match_url"`
}

// Consulates returns the consulates the engine knows, by id.
func (e *Engine) Consulates() []datasets.Consulate { return e.in.Consulates }

// Consulate returns one consulate.
func (e *Engine) Consulate(id string) (datasets.Consulate, bool) {
	for _, c := range e.in.Consulates {
		if c.ID == id {
			return c, true
		}
	}
	return datasets.Consulate{}, false
}

// Opportunities lists, for a consulate, every municipality → place pair
// with a diaspora tie to a place in its jurisdiction and no twinning yet,
// strongest tie first (a stated interest counts), then by match score.
func (e *Engine) Opportunities(ctx context.Context, consulateID, lang string, limit int) ([]Opportunity, error) {
	con, ok := e.Consulate(consulateID)
	if !ok {
		return nil, datasets.Errf(datasets.ENotFound, "No existe el consulado %q.", "no consulate %q", consulateID)
	}
	d := e.dyn.Load()
	ties := e.allTies(d)
	munis := make([]string, 0, len(ties))
	for m := range ties {
		munis = append(munis, m)
	}
	sort.Strings(munis)
	var out []Opportunity
	for _, cve := range munis {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		served := map[int32]bool{}
		for _, t := range ties[cve] {
			c := e.candIndex[t.Place]
			if con.Serves(e.in.Snap.Places[e.placeIdx[c]]) && !e.reg.Twinned(cve, t.Place) {
				served[c] = true
			}
		}
		if len(served) == 0 {
			continue
		}
		qs, err := e.prepare(Query{Municipality: cve, K: 1, Lang: lang, dyn: d})
		if err != nil {
			continue // a tie whose origin is not a known municipality
		}
		for c := range served {
			a := qs.diaspora[c]
			if a == nil {
				continue
			}
			var parts pairParts
			score := e.scoreOne(qs, c, &parts)
			var dias partScore
			for _, p := range parts.fwd() {
				if p.name == CompDiaspora {
					dias = p
				}
			}
			ev, src := e.evidence(qs, c, dias)
			o := Opportunity{Municipality: cve, MunicipalityName: qs.muni.Name, State: qs.muni.StateName,
				Place: e.placeRef(c), TieSize: a.size, Estimated: a.estimated, Interest: a.interest,
				Strength: round6(diasporaValue(a)), Score: round6(score), Evidence: ev,
				MatchURL: fmt.Sprintf("/api/v1/municipalities/%s/matches?k=10&country=%s&lang=%s", cve,
					url.QueryEscape(e.ids2country(c)), url.QueryEscape(qs.lang))}
			if src != "" {
				o.Sources = []string{src}
			}
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Strength != b.Strength {
			return a.Strength > b.Strength
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Municipality != b.Municipality {
			return a.Municipality < b.Municipality
		}
		return a.Place.ID < b.Place.ID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	for i := range out {
		out[i].Rank = i + 1
	}
	return out, nil
}

func (e *Engine) ids2country(c int32) string { return e.countries[e.country[c]] }
