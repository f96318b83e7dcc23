package matcher

import (
	"context"
	"sync"
	"testing"

	"hermanar/datasets"
	"hermanar/index"
)

var (
	clsOnce sync.Once
	cls     *index.Classifier
	clsErr  error
)

func mustClassifier(tb testing.TB) Classifier {
	tb.Helper()
	clsOnce.Do(func() { cls, clsErr = index.NewClassifier(datasets.DefaultTaxonomy()) })
	if clsErr != nil {
		tb.Fatal(clsErr)
	}
	return cls
}

var (
	spanishNeeds = datasets.Profile{Lang: "es", Problems: []datasets.Problem{
		{Text: "escasez de agua"}, {Text: "inundaciones en temporada de lluvias"}, {Text: "empleo para jóvenes"}}}
	englishNeeds = datasets.Profile{Lang: "en", Problems: []datasets.Problem{
		{Text: "water shortages"}, {Text: "flooding in the rainy season"}, {Text: "jobs for young people"}}}
	englishWater = datasets.Profile{Lang: "en", Narrative: "A river town that rebuilt its water system.",
		Practices: []datasets.Practice{{Text: "treated wastewater reuse for parks and industry"},
			{Text: "flood management with retention basins and early warning"}}}
	spanishWater = datasets.Profile{Lang: "es", Narrative: "Ciudad ribereña que renovó su sistema de agua.",
		Practices: []datasets.Practice{{Text: "reúso de aguas residuales tratadas para parques e industria"},
			{Text: "manejo de inundaciones con vasos reguladores y alerta temprana"}}}
	englishOther = datasets.Profile{Lang: "en", Narrative: "A heritage town known for its music festival.",
		Practices: []datasets.Practice{{Text: "summer music festival and heritage walking tours"}}}
	spanishOther = datasets.Profile{Lang: "es", Narrative: "Pueblo con patrimonio y festival de música.",
		Practices: []datasets.Practice{{Text: "festival de música de verano y recorridos por el centro histórico"}}}
)

// A municipality's needs in one language must find the candidate whose
// profile, in the other language, offers solutions to them.
func TestCrossLanguageSolutions(t *testing.T) {
	const water, other = 5263045, 5278931 // two Wisconsin cities
	cases := []struct {
		name         string
		query        datasets.Profile
		waterProfile datasets.Profile
		otherProfile datasets.Profile
	}{
		{"spanish needs, english offers", spanishNeeds, englishWater, englishOther},
		{"english needs, spanish offers", englishNeeds, spanishWater, spanishOther},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			score := func(waterP, otherP datasets.Profile) (map[int64]float64, []int64) {
				e := mustEngine(t, Inputs{Classifier: mustClassifier(t),
					PlaceProfiles: map[int64]datasets.Profile{water: waterP, other: otherP}})
				q := tc.query
				res, err := e.Match(context.Background(), Query{Municipality: "11008", K: 2, Profile: &q,
					Filter: Filter{OnlyProfiled: true}})
				if err != nil {
					t.Fatal(err)
				}
				checkInvariants(t, tc.name, res)
				s := map[int64]float64{}
				var order []int64
				for _, m := range res.Matches {
					s[m.Place.ID] = m.Score
					order = append(order, m.Place.ID)
				}
				return s, order
			}
			// Same two places, profiles swapped: the one with the water
			// and flood solutions must come first either way.
			s1, o1 := score(tc.waterProfile, tc.otherProfile)
			if o1[0] != water {
				t.Errorf("water profile on %d: order %v, scores %v", water, o1, s1)
			}
			s2, o2 := score(tc.otherProfile, tc.waterProfile)
			if o2[0] != other {
				t.Errorf("water profile on %d: order %v, scores %v", other, o2, s2)
			}
		})
	}
}
