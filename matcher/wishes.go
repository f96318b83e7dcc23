package matcher

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"hermanar/datasets"
)

// A foreign city's stated wishes and interests adjust the pair's score
// after the components are combined (the components stay what they
// measure; the explanation says what changed and why):
//   - a wish the municipality does not meet on country, region or
//     language keeps the city out of the list unless the query asks to
//     see such cities (Filter.IgnoreWishes), and then halves its score;
//   - a size wish it does not meet multiplies the score by sizeWishFactor;
//   - an interest the city stated in this very municipality closes half
//     the distance to 1, one in its state a quarter.
const (
	unmetWishFactor   = 0.5
	sizeWishFactor    = 0.8
	interestMuniBoost = 0.5
	interestStateGain = 0.25
	similarSizeRatio  = 3.0 // "a similar-sized community": within this factor
)

// wishCheck is how a municipality fares against a city's stated wishes.
type wishCheck struct {
	unmet    []string // country, region or language wishes not met
	soft     []string // size wishes not met
	met      []string
	traits   []string
	interest *datasets.Interest
	muniHit  bool // the interest names this municipality
	// nUnmet and nSoft count the unmet and soft wishes; the texts above
	// are written only when asked for (checkWishes), the counts always.
	nUnmet, nSoft int
}

// checkWishes compares the municipality of qs with rec's wishes and
// interests, with texts in qs.lang.
func (e *Engine) checkWishes(qs *queryState, rec *datasets.PlaceProfile) wishCheck {
	return e.wishes(qs, rec, true)
}

// wishVerdict is checkWishes without the texts: what scoring needs of
// every candidate with a record (the texts are for the few explained).
func (e *Engine) wishVerdict(qs *queryState, rec *datasets.PlaceProfile) wishCheck {
	return e.wishes(qs, rec, false)
}

func (e *Engine) wishes(qs *queryState, rec *datasets.PlaceProfile, texts bool) wishCheck {
	var w wishCheck
	lang := qs.lang
	var name string
	if texts {
		name = e.placeName(rec.PlaceID)
	}
	met := func(f func() string) {
		if texts {
			w.met = append(w.met, f())
		}
	}
	unmet := func(f func() string) {
		w.nUnmet++
		if texts {
			w.unmet = append(w.unmet, f())
		}
	}
	soft := func(f func() string) {
		w.nSoft++
		if texts {
			w.soft = append(w.soft, f())
		}
	}
	for i := range rec.Interests {
		in := &rec.Interests[i]
		if in.Municipality == qs.muni.CVEGEO {
			w.interest, w.muniHit = in, true
			break
		}
		if w.interest == nil && in.Municipality == "" && in.State == qs.muni.CVEGEO[:2] {
			w.interest = in
		}
	}
	ws := rec.Wishes
	if len(ws.Countries) > 0 || len(ws.Regions) > 0 {
		ok := slices.Contains(ws.Countries, "MX")
		for _, r := range ws.Regions {
			ok = ok || datasets.RegionContains(r, "MX")
		}
		list := func() string {
			var names []string
			for _, c := range ws.Countries {
				names = append(names, countryName(c, lang))
			}
			for _, r := range ws.Regions {
				names = append(names, datasets.RegionName(r, lang))
			}
			return strings.Join(names, ", ")
		}
		if len(ws.Countries) == 1 && ws.Countries[0] == "MX" && len(ws.Regions) == 0 {
			met(func() string {
				return fmt.Sprintf(tr(lang, "%s busca socios en México", "%s seeks partners in Mexico"), name)
			})
		} else if ok {
			met(func() string {
				return fmt.Sprintf(tr(lang, "%s busca socios en %s, que incluye a México",
					"%s seeks partners in %s, which includes Mexico"), name, list())
			})
		} else {
			unmet(func() string {
				return fmt.Sprintf(tr(lang, "%s busca socios en %s; México no figura entre ellos",
					"%s seeks partners in %s; Mexico is not among them"), name, list())
			})
		}
	}
	if len(ws.Languages) > 0 {
		list := func() string {
			var names []string
			for _, l := range ws.Languages {
				names = append(names, languageName(l, lang))
			}
			return strings.Join(names, tr(lang, " o ", " or "))
		}
		if slices.Contains(ws.Languages, "es") {
			met(func() string {
				return fmt.Sprintf(tr(lang, "%s busca socios de habla %s, como México",
					"%s seeks partners speaking %s, as Mexico does"), name, list())
			})
		} else {
			unmet(func() string {
				return fmt.Sprintf(tr(lang, "%s busca socios de habla %s; en México se habla español",
					"%s seeks partners speaking %s; Mexico speaks Spanish"), name, list())
			})
		}
	}
	pop := qs.muni.Population
	if ws.MinPopulation > 0 || ws.MaxPopulation > 0 {
		line := func() string {
			rng := Thousands(ws.MinPopulation) + "–" + Thousands(ws.MaxPopulation)
			if ws.MaxPopulation == 0 {
				rng = tr(lang, "más de ", "over ") + Thousands(ws.MinPopulation)
			}
			return fmt.Sprintf(tr(lang, "%s busca socios de %s habitantes; %s tiene %s",
				"%s seeks partners of %s inhabitants; %s has %s"), name, rng, qs.muni.Name, Thousands(pop))
		}
		if pop >= ws.MinPopulation && (ws.MaxPopulation == 0 || pop <= ws.MaxPopulation) {
			met(line)
		} else {
			soft(line)
		}
	}
	if ws.SimilarSize {
		own := e.placePopulation(rec.PlaceID)
		line := func() string {
			return fmt.Sprintf(tr(lang, "%s busca un socio de tamaño parecido (%s habitantes); %s tiene %s",
				"%s seeks a partner of similar size (%s inhabitants); %s has %s"), name, Thousands(own), qs.muni.Name, Thousands(pop))
		}
		if own > 0 && pop > 0 && math.Abs(math.Log(float64(own)/float64(pop))) <= math.Log(similarSizeRatio) {
			met(line)
		} else {
			soft(line)
		}
	}
	if texts {
		for _, t := range ws.Traits {
			w.traits = append(w.traits, fmt.Sprintf(tr(lang, "%s desea además: %s", "%s also wishes for: %s"), name, t))
		}
	}
	return w
}

// scoreOne scores candidate c (scorePair) and applies the city's stated
// wishes and interests; a negative score means the city stays out.
func (e *Engine) scoreOne(qs *queryState, c int32, parts *pairParts) float64 {
	s := e.scorePair(qs, c, parts)
	rec := qs.dyn.placeRecs[e.ids[c]]
	if rec == nil {
		return s
	}
	return e.adjustForWishes(qs, rec, s)
}

func (e *Engine) adjustForWishes(qs *queryState, rec *datasets.PlaceProfile, s float64) float64 {
	if len(rec.Interests) == 0 && rec.Wishes.Empty() {
		return s
	}
	w := e.wishVerdict(qs, rec)
	if w.muniHit {
		// The city named this municipality: its wishes are met by definition.
		return s + (1-s)*interestMuniBoost
	}
	if w.nUnmet > 0 {
		if !qs.q.Filter.IgnoreWishes {
			return rejected
		}
		s *= unmetWishFactor
	}
	if w.nSoft > 0 {
		s *= sizeWishFactor
	}
	if w.interest != nil && w.nUnmet == 0 {
		s += (1 - s) * interestStateGain
	}
	return s
}

func (e *Engine) placeName(id int64) string {
	if p, ok := e.in.Snap.Place(id); ok {
		return p.Name
	}
	return fmt.Sprint(id)
}

func (e *Engine) placePopulation(id int64) int64 {
	if p, ok := e.in.Snap.Place(id); ok {
		return p.Population
	}
	return 0
}

// WishesHidden counts the cities with a record that a query leaves out
// because the municipality does not meet their stated wishes.
func (e *Engine) wishesHidden(qs *queryState) int {
	if qs.q.Filter.IgnoreWishes {
		return 0
	}
	n := 0
	for _, rec := range qs.dyn.placeRecs {
		if rec.Wishes.Empty() {
			continue
		}
		if w := e.wishVerdict(qs, rec); !w.muniHit && w.nUnmet > 0 {
			n++
		}
	}
	return n
}
