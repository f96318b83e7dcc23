package matcher

import (
	"math"
	"slices"
	"sort"
)

// The second stage. For a municipality with twins of its own, the first
// stage (the linear score of the signal list) ranks every candidate; the
// second stage re-scores a pool of candidates with a model that can read
// interactions the linear score cannot ("popular with Mexico AND in the
// country my twins are in"). The pool is the head of the first stage plus
// every candidate the twinning network says anything about, so the
// candidates with network evidence are all read, not only those the linear
// score happened to put first.

// RerankPoolHead is how many of the first stage's best candidates the pool
// always holds.
const RerankPoolHead = 200

// rerankFeatureNames are the second stage's inputs, in order: the value of
// every signal of the declared list (0 where the query has no data for
// it), then raw context the signals summarise away.
var rerankFeatureNames = func() []string {
	var out []string
	for _, s := range signalList {
		out = append(out, "sig_"+s.Name)
	}
	return append(out,
		"first_stage",       // the first stage's score
		"log_mx_twins",      // log(1 + the candidate's Mexican twins), uncapped
		"log_all_twins",     // log(1 + the candidate's twins in all)
		"log_my_twins",      // log(1 + my twins)
		"country_share",     // share of my twins in the candidate's country
		"country_count",     // my twins in the candidate's country
		"region_share",      // share of my twins in the candidate's first-level division
		"co_twins",          // my twins twinned with the candidate
		"log_country_mx",    // log(1 + Mexican twinnings of the candidate's country)
		"log_region_mx",     // log(1 + Mexican twinnings of its first-level division)
		"mx_share_country",  // the candidate's share of its country's Mexican twinnings
		"log_pop",           // candidate's log10 population
		"log_pop_me",        // mine
		"dlog_pop",          // candidate − me
		"dlog_pop_twins",    // candidate − the median of my twins
		"log_km",            // log10(1 + great-circle km)
		"ptype",             // settlement type code
		"is_us",             // 1 in the United States
		"delev_km",          // candidate − my elevation, km
		"abs_lat",           // candidate's absolute latitude
		"emigration",        // CONAPO share of households with emigrants, percent
		"state_twins_count", // municipalities of my state twinned with the candidate
	)
}()

// rerankCtx is what the second stage reads about one query beyond qs.
type rerankCtx struct {
	myTwins       []int32
	countryCount  map[uint16]int
	regionCount   map[uint16]int
	coTwins       map[int32]int
	countryMx     map[uint16]int
	regionMx      map[uint16]int
	twinsMedPop   float32
	emigration    float32
	stateTwinsIdx int
}

func (e *Engine) newRerankCtx(qs *queryState) *rerankCtx {
	rc := &rerankCtx{countryCount: map[uint16]int{}, regionCount: map[uint16]int{},
		coTwins: map[int32]int{}, countryMx: map[uint16]int{}, regionMx: map[uint16]int{}, stateTwinsIdx: -1}
	rc.myTwins = qs.reg.muniTwins[qs.muni.CVEGEO]
	pops := make([]float32, 0, len(rc.myTwins))
	for _, c := range rc.myTwins {
		rc.countryCount[e.country[c]]++
		rc.regionCount[e.admin1[c]]++
		pops = append(pops, e.logPop[c])
		seen := map[int32]bool{}
		for _, nb := range qs.reg.neighbors[e.ids[c]] {
			if nc, ok := e.candIndex[nb]; ok && nc != c && !seen[nc] {
				seen[nc] = true
				rc.coTwins[nc]++
			}
		}
	}
	if len(pops) > 0 {
		slices.Sort(pops)
		rc.twinsMedPop = pops[len(pops)/2]
	} else {
		rc.twinsMedPop = qs.logPop
	}
	for c, n := range qs.reg.mx {
		if n > 0 {
			rc.countryMx[e.country[c]] += int(n)
			rc.regionMx[e.admin1[c]] += int(n)
		}
	}
	rc.emigration = float32(e.in.Emigration[qs.muni.CVEGEO])
	for i := range signalList {
		if signalList[i].Name == FeatStateTwins {
			rc.stateTwinsIdx = i
		}
	}
	return rc
}

// rerankRow writes candidate c's second-stage inputs into row (length
// len(rerankFeatureNames)); first is its first-stage score.
func (e *Engine) rerankRow(qs *queryState, rc *rerankCtx, c int32, first float32, row []float32) {
	k := 0
	for i := range signalList {
		v := float32(0)
		if qs.sig[i].present {
			v = signalList[i].value(e, qs, &qs.sig[i], c)
		}
		row[k] = v
		k++
	}
	nt := float32(len(rc.myTwins))
	share := func(n int) float32 {
		if nt == 0 {
			return 0
		}
		return float32(n) / nt
	}
	cm := rc.countryMx[e.country[c]]
	mxShare := float32(0)
	if cm > 0 {
		mxShare = float32(qs.reg.mx[c]) / float32(cm)
	}
	stateN := float32(0)
	if rc.stateTwinsIdx >= 0 {
		stateN = float32(qs.sig[rc.stateTwinsIdx].hits[c].n)
	}
	isUS := float32(0)
	if e.usState[c] != 0 {
		isUS = 1
	}
	vals := []float32{
		first,
		float32(math.Log1p(float64(qs.reg.mx[c]))),
		float32(math.Log1p(float64(qs.reg.all[c]))),
		float32(math.Log1p(float64(nt))),
		share(rc.countryCount[e.country[c]]),
		float32(rc.countryCount[e.country[c]]),
		share(rc.regionCount[e.admin1[c]]),
		float32(rc.coTwins[c]),
		float32(math.Log1p(float64(cm))),
		float32(math.Log1p(float64(rc.regionMx[e.admin1[c]]))),
		mxShare,
		e.logPop[c],
		qs.logPop,
		e.logPop[c] - qs.logPop,
		e.logPop[c] - rc.twinsMedPop,
		float32(math.Log10(1 + greatCircleKm(qs, e, c))),
		float32(e.ptype[c]),
		isUS,
		(e.elev[c] - qs.elev) / 1000,
		e.absLat[c],
		rc.emigration,
		stateN,
	}
	copy(row[k:], vals)
}

// rerankPool lists the candidates the second stage re-scores, in
// candidate order: the RerankPoolHead best under the first stage (scores,
// negative for rejected), every candidate with a Mexican twin, every
// candidate a sparse network or namesake signal has a value for, and every
// twinned candidate in a country of my twins. Rejected candidates are left
// out.
func (e *Engine) rerankPool(qs *queryState, rc *rerankCtx, scores []float32) []int32 {
	in := map[int32]bool{}
	top, _ := topK(scores, e.ids, RerankPoolHead)
	for _, c := range top {
		in[c] = true
	}
	for c, n := range qs.reg.mx {
		if n > 0 {
			in[int32(c)] = true
		}
	}
	for i := range signalList {
		if signalList[i].term == nil && qs.sig[i].present {
			for c := range qs.sig[i].hits {
				in[c] = true
			}
		}
	}
	if len(rc.countryCount) > 0 {
		for cid := range rc.countryCount {
			for _, c := range e.byCountry[cid] {
				if qs.reg.all[c] > 0 {
					in[c] = true
				}
			}
		}
	}
	out := make([]int32, 0, len(in))
	for c := range in {
		if scores[c] >= 0 {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
