package matcher

import (
	"math"
	"strconv"
	"strings"

	"hermanar/datasets"
)

// Signals that fit a list to its municipality: the traits both places
// share (structure), the twins of neighbouring municipalities and the
// regions of my own twins (network). Their entries are in signalList.

// Sub-feature names of these signals.
const (
	FeatTraits         = "traits"          // shared distinctive traits (coast, border, mountain, capital)
	FeatNeighbourTwins = "neighbour_twins" // twinned with municipalities near mine
	FeatTwinRegion     = "twin_region"     // share of my twins in the candidate's first-level division
)

// traitSets is how many trait sets there are (the traits column's categories).
const traitSets = 1 << 5

// NeighbourKm is how far a municipality counts as a neighbour.
const NeighbourKm = 100.0

// traitSimilarity is the weighted Jaccard similarity of two places'
// distinctive traits, each trait weighted by how rare it is among the
// candidates (log of 1/share: sharing a border says more than sharing a
// coast); two places with none are alike (both inland, low, away from
// borders, not capitals).
func (e *Engine) traitSimilarity(q, c Trait) float32 {
	q, c = q&distinctTraits, c&distinctTraits
	var inter, union float32
	for i := range traitDefs {
		b := traitDefs[i].bit
		switch {
		case q&c&b != 0:
			inter += e.traitIDF[i]
			union += e.traitIDF[i]
		case (q|c)&b != 0:
			union += e.traitIDF[i]
		}
	}
	if union == 0 {
		return 1
	}
	return inter / union
}

// buildTraitIDF weighs each trait by log(1/share of candidates with it).
func (e *Engine) buildTraitIDF() {
	e.traitIDF = make([]float32, len(traitDefs))
	for i, d := range traitDefs {
		n := 0
		for _, t := range e.traits {
			if t&d.bit != 0 {
				n++
			}
		}
		e.traitIDF[i] = float32(math.Log(float64(e.n+1) / float64(n+1)))
	}
}

// prepareTraits tabulates the similarity of the municipality's traits to
// every trait set. The dense term is a lookup that subtracts 1 − similarity
// from the structure base, as the other structure terms subtract their
// penalties; the table holds similarity − 1.
func prepareTraits(e *Engine, qs *queryState, d *sigData) bool {
	qs.muniTraits = e.municipalityTraits(qs.muni)
	d.table = make([]float32, traitSets)
	for t := range d.table {
		d.table[t] = e.traitSimilarity(qs.muniTraits, Trait(t)) - 1
	}
	return true
}

func traitsValue(e *Engine, qs *queryState, _ *sigData, c int32) float32 {
	return e.traitSimilarity(qs.muniTraits, e.traits[c])
}

func traitsEvidence(e *Engine, qs *queryState, _ *sigData, c int32, lang string, w *evidenceWriter) {
	p := e.place(c)
	qc := SizeClass(qs.muniPopulation())
	traitEvidence(w, lang, qs.muniTraits&e.traits[c], qc, SizeClass(p.Population), ClimateBand(qs.muni.Lat), ClimateBand(p.Lat))
}

// prepareNeighbourTwins: for every municipality within NeighbourKm of mine
// (not mine), each of its foreign twins gains 1 − distance/NeighbourKm;
// the value is that sum, capped at 1.
func prepareNeighbourTwins(e *Engine, qs *queryState, d *sigData) bool {
	if qs.reg.Empty() {
		return false
	}
	me := qs.muni.CVEGEO
	sum := map[int32]float64{}
	best := map[int32]string{}
	bestW := map[int32]float64{}
	for m, twins := range qs.reg.muniTwins {
		if m == me {
			continue
		}
		mu, ok := e.in.Snap.Municipality(m)
		if !ok {
			continue
		}
		km := haversineKm(qs.muni.Lat, qs.muni.Lon, mu.Lat, mu.Lon)
		if km >= NeighbourKm {
			continue
		}
		w := 1 - km/NeighbourKm
		for _, c := range twins {
			sum[c] += w
			if w > bestW[c] || (w == bestW[c] && m < best[c]) {
				best[c], bestW[c] = m, w
			}
		}
	}
	d.hits = make(map[int32]sigHit, len(sum))
	d.names = make(map[int32]string, len(sum))
	for c, v := range sum {
		d.hits[c] = sigHit{value: float32(math.Min(1, v))}
		d.names[c] = best[c]
	}
	return true
}

func neighbourEvidence(e *Engine, qs *queryState, d *sigData, c int32, lang string, w *evidenceWriter) {
	m, ok := d.names[c]
	if !ok {
		return
	}
	mu, _ := e.in.Snap.Municipality(m)
	km := haversineKm(qs.muni.Lat, qs.muni.Lon, mu.Lat, mu.Lon)
	b := append(w.begin(), tr(lang, "ya está hermanada con ", "already twinned with ")...)
	b = append(append(append(b, mu.Name...), ", "...), mu.StateName...)
	b = append(b, tr(lang, ", a ", ", ")...)
	b = strconv.AppendFloat(b, km, 'f', 0, 64)
	b = append(b, tr(lang, " km de ", " km from ")...)
	w.end(append(b, qs.muni.Name...))
}

// prepareTwinRegion: the share of my twins in each first-level division.
func prepareTwinRegion(e *Engine, qs *queryState, d *sigData) bool {
	mine := qs.reg.muniTwins[qs.muni.CVEGEO]
	if len(mine) == 0 {
		return false
	}
	d.table = make([]float32, len(e.admin1s))
	for _, c := range mine {
		d.table[e.admin1[c]] += 1 / float32(len(mine))
	}
	return true
}

func twinRegionValue(e *Engine, _ *queryState, d *sigData, c int32) float32 {
	if d.table == nil {
		return 0
	}
	return d.table[e.admin1[c]]
}

func twinRegionEvidence(e *Engine, _ *queryState, d *sigData, c int32, lang string, w *evidenceWriter) {
	if d.table == nil || d.table[e.admin1[c]] == 0 {
		return
	}
	p := e.place(c)
	region := e.in.Snap.Admin1Name(p)
	if region == "" {
		region = strings.TrimPrefix(e.admin1s[e.admin1[c]], p.Country+".")
	}
	b := strconv.AppendFloat(w.begin(), float64(d.table[e.admin1[c]]*100), 'f', 0, 32)
	b = append(b, tr(lang, "% de sus hermanamientos actuales son en ", "% of your current twinnings are in ")...)
	b = append(append(append(b, region...), " ("...), p.Country...)
	w.end(append(b, ')'))
}

func haversineKm(lat1, lon1, lat2, lon2 float32) float64 {
	const r = 6371.0
	la1, la2 := float64(lat1)*math.Pi/180, float64(lat2)*math.Pi/180
	dla, dlo := la2-la1, float64(lon2-lon1)*math.Pi/180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// FeatCountryPopularity: a city popular with Mexico in a country where my
// twins are (the share of my twins in its country × its damped Mexico
// popularity): the cross a linear sum of twin_country and
// mexico_popularity cannot express.
const FeatCountryPopularity = "twin_country_popularity"

func prepareCountryPopularity(e *Engine, qs *queryState, d *sigData) bool {
	mine := qs.reg.muniTwins[qs.muni.CVEGEO]
	if len(mine) == 0 {
		return false
	}
	share := map[uint16]float32{}
	for _, c := range mine {
		share[e.country[c]] += 1 / float32(len(mine))
	}
	d.hits = map[int32]sigHit{}
	for _, twins := range qs.reg.muniTwins {
		for _, c := range twins {
			if s := share[e.country[c]]; s > 0 && qs.reg.mx[c] > 0 && !qs.twinned[c] {
				d.hits[c] = sigHit{value: s * qs.reg.popMx[c], n: int64(qs.reg.mx[c])}
			}
		}
	}
	return true
}

func countryPopularityEvidence(e *Engine, _ *queryState, d *sigData, c int32, lang string, w *evidenceWriter) {
	h, ok := d.hits[c]
	if !ok {
		return
	}
	b := append(w.begin(), tr(lang, "hermanada con ", "twinned with ")...)
	b = strconv.AppendInt(b, h.n, 10)
	b = append(b, tr(lang, " ciudades mexicanas, en ", " Mexican cities, in ")...)
	b = append(b, e.place(c).Country...)
	w.end(append(b, tr(lang, ", país de sus hermanas", ", a country of your twins")...))
}

// Two signals for a municipality with twins of its own (Weights.Twinned
// weighs them; the weights for the others leave them at 0):
//
//   - namesake: the candidate bears the municipality's name or its seat's
//     (Mérida and Mérida, León and León): namesakes twin often, and the
//     backtest finds them.
//   - mexico_twins: the candidate's Mexican twins in full, log(1 + n) over
//     log(1 + the most any place has), without the hub cap of
//     mexico_popularity. A municipality that twins already is the kind
//     that signs with the cities Mexico twins with most; for the others
//     the cap keeps hubs out of every list.
const (
	FeatNamesake    = "namesake"
	FeatMexicoTwins = "mexico_twins"
)

// candidatesNamed lists the candidates whose folded name is name.
func (e *Engine) candidatesNamed(name string) []int32 {
	e.byNameOnce.Do(func() {
		e.byName = make(map[string][]int32, e.n)
		for c := range e.n {
			k := datasets.Fold(e.place(int32(c)).Name)
			e.byName[k] = append(e.byName[k], int32(c))
		}
	})
	return e.byName[name]
}

func prepareNamesake(e *Engine, qs *queryState, d *sigData) bool {
	names := []string{datasets.Fold(qs.muni.Name)}
	if seat, ok := e.in.Snap.Place(qs.muni.SeatPlaceID); ok {
		if k := datasets.Fold(seat.Name); k != names[0] {
			names = append(names, k)
		}
	}
	d.hits = map[int32]sigHit{}
	for _, n := range names {
		for _, c := range e.candidatesNamed(n) {
			d.hits[c] = sigHit{value: 1}
		}
	}
	return true
}

func namesakeEvidence(e *Engine, _ *queryState, d *sigData, c int32, lang string, w *evidenceWriter) {
	if _, ok := d.hits[c]; !ok {
		return
	}
	b := append(w.begin(), tr(lang, "lleva el mismo nombre: ", "bears the same name: ")...)
	w.end(append(b, e.place(c).Name...))
}

func prepareMexicoTwins(_ *Engine, qs *queryState, d *sigData) bool {
	if qs.reg.Empty() || qs.reg.maxMx <= 0 {
		return false
	}
	d.hits = map[int32]sigHit{}
	for c, n := range qs.reg.mx {
		if n > 0 {
			d.hits[int32(c)] = sigHit{value: float32(qs.reg.hubness(int32(c))), n: int64(n)}
		}
	}
	return true
}

// mexicoTwinsEvidence gives the count, unless mexico_popularity's evidence
// already does.
func mexicoTwinsEvidence(_ *Engine, qs *queryState, d *sigData, c int32, lang string, w *evidenceWriter) {
	h, ok := d.hits[c]
	if !ok || qs.w.Network[FeatMexPopularity] > 0 {
		return
	}
	b := strconv.AppendInt(w.begin(), h.n, 10)
	b = append(append(b, ' '), plural(lang, int(h.n), "hermanamiento", "hermanamientos", "twinning", "twinnings")...)
	w.end(append(b, tr(lang, " con ciudades mexicanas", " with Mexican cities")...))
}
