package matcher

import (
	"math/rand/v2"
	"testing"

	"hermanar/datasets"
)

// TestWishVerdictAsCheckWishes: scoring reads the verdict without the
// texts (wishVerdict); it must decide exactly as the explained check
// does, for wishes of every kind met and unmet, and interests in the
// municipality, its state or elsewhere.
func TestWishVerdictAsCheckWishes(t *testing.T) {
	e := mustEngine(t, Inputs{})
	r := rand.New(rand.NewPCG(7, 11))
	pick := func(from []string) []string {
		var out []string
		for _, v := range from {
			if r.IntN(3) == 0 {
				out = append(out, v)
			}
		}
		return out
	}
	munis := []string{"11008", "02004", "14039", "20001", "09015"}
	places := []int64{whitewater, 5263045, 4013705, 3117735, 2643743}
	for i := range 3000 {
		cve := munis[i%len(munis)]
		qs, err := e.prepare(Query{Municipality: cve, Lang: []string{"es", "en"}[i%2]})
		if err != nil {
			t.Fatal(err)
		}
		rec := &datasets.PlaceProfile{PlaceID: places[r.IntN(len(places))], Wishes: datasets.Wishes{
			Countries:   pick([]string{"MX", "US", "ES"}),
			Regions:     pick([]string{"419", "150", "021"}),
			Languages:   pick([]string{"es", "en", "fr"}),
			SimilarSize: r.IntN(2) == 0,
			Traits:      pick([]string{"coastal", "a university town"}),
		}}
		switch r.IntN(4) {
		case 0:
			rec.Wishes.MinPopulation = int64(r.IntN(200000))
		case 1:
			rec.Wishes.MinPopulation, rec.Wishes.MaxPopulation = int64(r.IntN(20000)), int64(20000+r.IntN(2000000))
		}
		for range r.IntN(3) {
			in := datasets.Interest{State: cve[:2]}
			switch r.IntN(3) {
			case 0:
				in.Municipality = cve
			case 1:
				in.State = "31"
			}
			rec.Interests = append(rec.Interests, in)
		}
		full, verdict := e.checkWishes(qs, rec), e.wishVerdict(qs, rec)
		if verdict.muniHit != full.muniHit || verdict.interest != full.interest ||
			(verdict.nUnmet > 0) != (len(full.unmet) > 0) || (verdict.nSoft > 0) != (len(full.soft) > 0) ||
			verdict.nUnmet != len(full.unmet) || verdict.nSoft != len(full.soft) {
			t.Fatalf("%s, %+v: verdict %+v, checkWishes %+v", cve, rec.Wishes, verdict, full)
		}
		if verdict.unmet != nil || verdict.soft != nil || verdict.met != nil || verdict.traits != nil {
			t.Fatalf("verdict wrote texts: %+v", verdict)
		}
	}
}
