package matcher

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"sync"

	"hermanar/datasets"
)

// Training rows from foreign sources. "Hide one twin of city S and rank
// the candidates for S" is the second stage's task for any S, and the
// registry holds thousands of foreign places with several foreign twins,
// against the ~320 Mexican queries a fold trains on. A foreign source's
// rows read every input relative to the source, so that for a Mexican
// source they are the values rerankRow gives:
//
//   - "Mexico" is the source's country: mexico_popularity, mexico_twins,
//     log_mx_twins count the candidate's twins in that country;
//     state_twins the places of the source's first-level division
//     twinned with the candidate; neighbour_twins the twinned places of
//     its country within NeighbourKm;
//   - "my twins" are the source's twins outside its country (the
//     candidates of a foreign source are the places outside its country,
//     as a municipality's are the places outside Mexico);
//   - structure (size, type, elevation, climate, proximity, traits) comes
//     from the source's own GeoNames place; namesakes by its name;
//   - there is no corridor and no CONAPO emigration (0, as a municipality
//     without CONAPO data reads).
//
// The first stage is approximated: the twinned weights' structure and
// network components only (a foreign source has no profile, ties or
// text), without the kernel's path; the pool is built as rerankPool
// builds it (the first stage's best RerankPoolHead and every candidate
// with network evidence). Rows are read from a registry without the
// source's hidden pair; the fold's caller removes the held-out
// municipalities' pairs from that registry.

// WorldOptions say which foreign-source rows the second stage's fits add
// to the Mexican ones; the zero value adds none.
type WorldOptions struct {
	// Sources is how many foreign sources (each with one hidden twin)
	// are read; 0 adds none.
	Sources int
	// Weight is a foreign query's weight against a Mexican query's 1.
	Weight float64
	// Region keeps only sources of some countries: "" every country,
	// "americas" the Americas and Spain, "latam" Latin America and Spain.
	Region string
	// MaxRows bounds the rows kept per foreign query (the hidden twin
	// and a sample of the rest, weighted back to the pool's size).
	MaxRows int
}

// describe says what foreign rows a fit read, used of them with the
// hidden twin in the pool.
func (o WorldOptions) describe(used int) string {
	where := "every country"
	if o.Region != "" {
		where = o.Region
	}
	return fmt.Sprintf("plus %d foreign sources (%s; places with %d or more twins abroad, one twin hidden each, every input read relative to the source), %d with the hidden twin in the pool, each weighing %g of a Mexican query, at most %d pool rows each", o.Sources, where, worldMinTwins, used, o.Weight, o.MaxRows)
}

// note is what eval's descriptions add about the foreign rows ("" when
// none are added).
func (o WorldOptions) note() string {
	if !o.On() {
		return ""
	}
	where := "of every country"
	if o.Region != "" {
		where = "of the region " + o.Region
	}
	return fmt.Sprintf("; besides the Mexican queries, each fit also reads up to %d foreign sources %s (places with %d or more twins abroad, one twin hidden each, every input read relative to the source, from a registry without any pair of the backtest's municipalities), each weighing %g of a Mexican query", o.Sources, where, worldMinTwins, o.Weight)
}

// On reports whether foreign rows are added.
func (o WorldOptions) On() bool { return o.Sources > 0 && o.Weight > 0 }

// worldMinTwins is the fewest twins outside its country a foreign source
// needs (one is hidden, so at least two stay: the backtest's Mexican
// municipalities have two or more).
const worldMinTwins = 3

var worldRegions = map[string][]string{
	"latam":    {"AR", "BO", "BR", "CL", "CO", "CR", "CU", "DO", "EC", "ES", "GT", "HN", "NI", "PA", "PE", "PR", "PY", "SV", "UY", "VE"},
	"americas": {"AR", "BO", "BR", "CL", "CO", "CR", "CU", "DO", "EC", "ES", "GT", "HN", "NI", "PA", "PE", "PR", "PY", "SV", "UY", "VE", "US", "CA"},
}

// worldQuery is one foreign query: source S hides its twin H (candidate
// indexes).
type worldQuery struct{ src, hidden int32 }

// worldHash orders sources and picks hidden twins reproducibly.
func worldHash(a, b int64) uint64 {
	h := fnv.New64a()
	var buf [16]byte
	for i := range 8 {
		buf[i] = byte(a >> (8 * i))
		buf[8+i] = byte(b >> (8 * i))
	}
	h.Write(buf[:])
	return h.Sum64()
}

// worldTwins lists candidate s's twins outside its country in reg,
// candidate indexes in candidate order, without skip (-1: none).
func (e *Engine) worldTwins(reg *Registry, s, skip int32) []int32 {
	var out []int32
	for _, id := range reg.neighbors[e.ids[s]] {
		c, ok := e.candIndex[id]
		if !ok || c == skip || e.country[c] == e.country[s] || slices.Contains(out, c) {
			continue
		}
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// worldQueries picks o.Sources foreign sources with worldMinTwins twins
// outside their country in reg (e's whole registry: the twins counted are
// foreign, so no Mexican pair decides who is picked), in a reproducible
// shuffled order, each with one hidden twin.
func (e *Engine) worldQueries(reg *Registry, o WorldOptions, seed uint64) []worldQuery {
	keep := map[string]bool{}
	for _, cc := range worldRegions[o.Region] {
		keep[cc] = true
	}
	type cand struct {
		s int32
		h uint64
	}
	var cs []cand
	for c := range e.n {
		s := int32(c)
		if reg.all[s] < worldMinTwins {
			continue
		}
		if len(keep) > 0 && !keep[e.countries[e.country[s]]] {
			continue
		}
		if len(e.worldTwins(reg, s, -1)) < worldMinTwins {
			continue
		}
		cs = append(cs, cand{s, worldHash(e.ids[s], int64(seed))})
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].h < cs[j].h || cs[i].h == cs[j].h && cs[i].s < cs[j].s })
	if len(cs) > o.Sources {
		cs = cs[:o.Sources]
	}
	out := make([]worldQuery, 0, len(cs))
	for _, c := range cs {
		twins := e.worldTwins(reg, c.s, -1)
		out = append(out, worldQuery{src: c.s, hidden: twins[c.h%uint64(len(twins))]})
	}
	return out
}

// worldCountry is what a registry says about one source country X.
type worldCountry struct {
	cnt     []int32 // per candidate outside X: its twins in X
	withX   []int32 // candidates outside X with a twin in X
	twinned []int32 // places of X with a twin outside X
}

func (e *Engine) worldCountryOf(reg *Registry, x uint16) *worldCountry {
	wc := &worldCountry{cnt: make([]int32, e.n)}
	for _, p := range e.byCountry[x] {
		has := false
		for _, id := range reg.neighbors[e.ids[p]] {
			c, ok := e.candIndex[id]
			if !ok || e.country[c] == x {
				continue
			}
			has = true
			if wc.cnt[c] == 0 {
				wc.withX = append(wc.withX, c)
			}
			wc.cnt[c]++
		}
		if has {
			wc.twinned = append(wc.twinned, p)
		}
	}
	return wc
}

// worldRowsOf builds the training rows of foreign queries qs from reg
// (which must not hold the held-out municipalities' pairs), the first
// stage read with weights w (the twinned set).
func (e *Engine) worldRowsOf(ctx context.Context, reg *Registry, w *Weights, qs []worldQuery, o WorldOptions, workers int) ([]float32, []rerankGroup, error) {
	nf := e.rerankWidth()
	// Each source country's tables, made once by the first query that
	// needs them.
	type countryEntry struct {
		once sync.Once
		wc   *worldCountry
	}
	var countries onceMap[uint16, countryEntry]
	countryOf := func(x uint16) *worldCountry {
		en := countries.entry(x)
		en.once.Do(func() { en.wc = e.worldCountryOf(reg, x) })
		return en.wc
	}
	type res struct {
		rows   []float32
		pos    int
		weight float64
	}
	out := make([]res, len(qs))
	err := parallel(ctx, len(qs), workers, func() func(i int) error {
		wb := newWorldBuf(e)
		return func(i int) error {
			q := qs[i]
			rows, pos, imp, _ := e.worldQueryRows(reg, w, countryOf(e.country[q.src]), q, o, wb)
			out[i] = res{rows, pos, imp}
			return nil
		}
	})
	if err != nil {
		return nil, nil, err
	}
	var rows []float32
	var groups []rerankGroup
	for _, r := range out {
		if r.pos < 0 {
			continue
		}
		var g rerankGroup
		rows, g = appendRerankGroup(rows, r.rows, r.pos, nf)
		g.W, g.PosW = o.Weight*r.weight, o.Weight
		groups = append(groups, g)
	}
	return rows, groups, nil
}

// worldKinds are the signals a foreign query reads, by position (the
// value switch's cases); any other signal reads 0.
var worldKinds = []string{FeatSize, FeatType, FeatElevation, FeatClimate, FeatProximity, FeatTraits, FeatNamesake, FeatMexPopularity, FeatGlobalPopularity, FeatTwinCountry, FeatCoTwin, FeatCountryPopularity, FeatNeighbourTwins, FeatTwinRegion, FeatMexicoTwins, FeatStateTwins}

// worldSparse are the signals a foreign query scores only on the
// candidates that may have a value (the others read 0).
var worldSparse = map[string]bool{FeatNamesake: true, FeatMexPopularity: true, FeatGlobalPopularity: true, FeatCoTwin: true,
	FeatCountryPopularity: true, FeatNeighbourTwins: true, FeatMexicoTwins: true, FeatStateTwins: true}

// worldBuf is one worker's per-candidate scratch.
type worldBuf struct {
	score []float32
	net   []float32
}

func newWorldBuf(e *Engine) *worldBuf {
	return &worldBuf{score: make([]float32, e.n), net: make([]float32, e.n)}
}

// worldQueryRows is one foreign query's pool rows (pool: the candidates,
// in row order); pos is the hidden twin's row (-1: not in the pool, no
// rows), imp the factor that weighs a sampled pool back to its size.
func (e *Engine) worldQueryRows(reg *Registry, w *Weights, wc *worldCountry, q worldQuery, o WorldOptions, wb *worldBuf) (rows []float32, pos int, imp float64, pool []int32) {
	s, h := q.src, q.hidden
	x := e.country[s]
	sp := e.place(s)
	mine := e.worldTwins(reg, s, h)
	if len(mine) == 0 {
		return nil, -1, 0, nil
	}
	// Counts without the hidden pair S–H (S is in X), recorded k times
	// (0 when reg never held it).
	k := int32(0)
	for _, id := range reg.neighbors[e.ids[s]] {
		if id == e.ids[h] {
			k++
		}
	}
	cnt := func(c int32) int32 {
		n := wc.cnt[c]
		if c == h {
			n -= k
		}
		return n
	}
	all := func(c int32) int32 {
		n := reg.all[c]
		if c == h || c == s {
			n -= k
		}
		return n
	}
	// The scales' largest counts, without the hidden pair too.
	maxCnt := int32(0)
	for _, c := range wc.withX {
		maxCnt = max(maxCnt, cnt(c))
	}
	maxAll := int32(0)
	for c := range reg.all {
		maxAll = max(maxAll, all(int32(c)))
	}
	la := math.Log1p(float64(maxAll))
	popAll := func(c int32) float32 {
		if la <= 0 {
			return 0
		}
		return float32(math.Log1p(float64(all(c))) / la)
	}
	// nbrs is c's twins without the hidden pair.
	nbrs := func(c int32) []int64 {
		ns := reg.neighbors[e.ids[c]]
		if k == 0 || (c != h && c != s) {
			return ns
		}
		other := e.ids[s]
		if c == s {
			other = e.ids[h]
		}
		out := make([]int64, 0, len(ns))
		for _, id := range ns {
			if id != other {
				out = append(out, id)
			}
		}
		return out
	}

	twinned := map[int32]bool{}
	countryCount := map[uint16]int{}
	regionCount := map[uint16]int{}
	coTwins := map[int32]int{}
	pops := make([]float32, 0, len(mine))
	for _, c := range mine {
		twinned[c] = true
		countryCount[e.country[c]]++
		regionCount[e.admin1[c]]++
		pops = append(pops, e.logPop[c])
		seen := map[int32]bool{}
		for _, nb := range nbrs(c) {
			if nc, ok := e.candIndex[nb]; ok && nc != c && e.country[nc] != x && !seen[nc] {
				seen[nc] = true
				coTwins[nc]++
			}
		}
	}
	slices.Sort(pops)
	medPop := pops[len(pops)/2]
	nt := float32(len(mine))

	// Sparse signals' hits.
	namesake := map[int32]float32{}
	for _, c := range e.candidatesNamed(datasets.Fold(sp.Name)) {
		if e.country[c] != x {
			namesake[c] = 1
		}
	}
	countryPop := map[int32]float32{}
	mexTwins := map[int32]float32{}
	for _, c := range wc.withX {
		n := cnt(c)
		if n <= 0 {
			continue
		}
		if maxCnt > 0 {
			mexTwins[c] = float32(math.Log1p(float64(n)) / math.Log1p(float64(maxCnt)))
		}
		if share := float32(countryCount[e.country[c]]) / nt; share > 0 && !twinned[c] {
			countryPop[c] = share * mexicoPopularity(n)
		}
	}
	neighbour := map[int32]float32{}
	stateN := map[int32]int64{}
	topState := int64(0)
	for _, p := range wc.twinned {
		if p == s {
			continue
		}
		pp := e.place(p)
		km := haversineKm(sp.Lat, sp.Lon, pp.Lat, pp.Lon)
		sameState := e.admin1[p] == e.admin1[s]
		if km >= NeighbourKm && !sameState {
			continue
		}
		seen := map[int32]bool{}
		for _, id := range reg.neighbors[e.ids[p]] {
			c, ok := e.candIndex[id]
			if !ok || e.country[c] == x || seen[c] {
				continue
			}
			seen[c] = true
			if km < NeighbourKm {
				neighbour[c] += float32(1 - km/NeighbourKm)
			}
			if sameState {
				stateN[c]++
				topState = max(topState, stateN[c])
			}
		}
	}
	for c, v := range neighbour {
		neighbour[c] = min(v, 1)
	}
	stateTwins := map[int32]float32{}
	if topState > 0 {
		sc := math.Log1p(float64(topState))
		for c, n := range stateN {
			stateTwins[c] = float32(math.Log1p(float64(n)) / sc)
		}
	}

	// Which signals have data, and their normalised sub-weights.
	present := make([]bool, len(signalList))
	subW := make([]float32, len(signalList))
	netOK := false
	for i := range signalList {
		sg := &signalList[i]
		if w.subWeight(sg) == 0 {
			continue
		}
		switch sg.Name {
		case FeatCorridor:
		case FeatMexicoTwins:
			present[i] = maxCnt > 0
		case FeatStateTwins:
			present[i] = topState > 0
		case FeatSize, FeatType, FeatElevation, FeatClimate, FeatProximity, FeatTraits, FeatNamesake,
			FeatMexPopularity, FeatGlobalPopularity, FeatNeighbourTwins,
			FeatTwinCountry, FeatCoTwin, FeatCountryPopularity, FeatTwinRegion:
			present[i] = true
		}
	}
	for _, comp := range []string{CompStructure, CompNetwork} {
		total := 0.0
		for _, i := range signalsOf(comp) {
			if present[i] {
				total += w.subWeight(&signalList[i])
			}
		}
		if total <= 0 {
			continue
		}
		for _, i := range signalsOf(comp) {
			if present[i] {
				subW[i] = float32(w.subWeight(&signalList[i]) / total)
			}
		}
		if comp == CompNetwork {
			netOK = true
		}
	}
	sux, suy, suz := e.ux[s], e.uy[s], e.uz[s]
	var traitTab [traitSets]float32
	for t := range traitTab {
		traitTab[t] = e.traitSimilarity(e.traits[s], Trait(t))
	}
	kind := make([]int, len(signalList))
	isSparse := make([]bool, len(signalList))
	for i := range signalList {
		kind[i] = slices.Index(worldKinds, signalList[i].Name)
		isSparse[i] = worldSparse[signalList[i].Name]
	}
	value := func(i int, c int32) float32 {
		if !present[i] {
			return 0
		}
		switch kind[i] {
		case 0: // FeatSize
			return 1 - min(abs32(e.logPop[s]-e.logPop[c])/sizeSpan, 1)
		case 1: // FeatType
			return 1 - abs32(float32(e.ptype[s])-float32(e.ptype[c]))/typeSpan
		case 2: // FeatElevation
			return 1 - min(abs32(e.elev[s]-e.elev[c])/elevSpan, 1)
		case 3: // FeatClimate
			return 1 - min(abs32(e.absLat[s]-e.absLat[c])/climSpan, 1)
		case 4: // FeatProximity
			return (1 + sux*e.ux[c] + suy*e.uy[c] + suz*e.uz[c]) / 2
		case 5: // FeatTraits
			return traitTab[e.traitCol[c]]
		case 6: // FeatNamesake
			return namesake[c]
		case 7: // FeatMexPopularity
			return mexicoPopularity(max(cnt(c), 0))
		case 8: // FeatGlobalPopularity
			return popAll(c)
		case 9: // FeatTwinCountry
			return float32(countryCount[e.country[c]]) / nt
		case 10: // FeatCoTwin
			if coTwins[c] > 0 {
				return 1
			}
			return 0
		case 11: // FeatCountryPopularity
			return countryPop[c]
		case 12: // FeatNeighbourTwins
			return neighbour[c]
		case 13: // FeatTwinRegion
			return float32(regionCount[e.admin1[c]]) / nt
		case 14: // FeatMexicoTwins
			return mexTwins[c]
		case 15: // FeatStateTwins
			return stateTwins[c]
		}
		return 0
	}
	compW := func(name string) float32 { return float32(w.Components[name]) }
	ws, wn := compW(CompStructure), compW(CompNetwork)
	if !netOK {
		wn = 0
	}
	den := ws + wn

	// The first stage over every candidate outside X: structure in full,
	// the network's dense tables for all, its sparse parts where they are.
	structIdx, netIdx := signalsOf(CompStructure), signalsOf(CompNetwork)
	score, net := wb.score, wb.net
	for c := range e.n {
		ci := int32(c)
		if e.country[ci] == x || twinned[ci] || den == 0 {
			score[c] = rejected
			continue
		}
		st := float32(0)
		for _, i := range structIdx {
			if subW[i] != 0 && !isSparse[i] {
				st += subW[i] * value(i, ci)
			}
		}
		nv := float32(0)
		if wn > 0 {
			for _, i := range netIdx {
				if subW[i] != 0 && !isSparse[i] {
					nv += subW[i] * value(i, ci)
				}
			}
		}
		score[c] = st // the structure part, the network's in net
		net[c] = nv
	}
	// The sparse parts: every candidate that may have one.
	ev := map[int32]bool{}
	for _, c := range wc.withX {
		if cnt(c) > 0 {
			ev[c] = true
		}
	}
	for _, m := range []map[int32]float32{namesake, countryPop, neighbour, stateTwins, mexTwins} {
		for c := range m {
			ev[c] = true
		}
	}
	for c := range coTwins {
		ev[c] = true
	}
	for cid := range countryCount {
		for _, c := range e.byCountry[cid] {
			if all(c) > 0 {
				ev[c] = true
			}
		}
	}
	withAll := make([]int32, 0, 1024)
	for c, n := range reg.all {
		if n > 0 {
			withAll = append(withAll, int32(c))
		}
	}
	addSparse := func(c int32) {
		for _, i := range structIdx {
			if subW[i] != 0 && isSparse[i] {
				score[c] += subW[i] * value(i, c)
			}
		}
		if wn > 0 {
			for _, i := range netIdx {
				if subW[i] != 0 && isSparse[i] {
					net[c] += subW[i] * value(i, c)
				}
			}
		}
	}
	done := map[int32]bool{}
	for c := range ev {
		if score[c] >= 0 && !done[c] {
			done[c] = true
			addSparse(c)
		}
	}
	for _, c := range withAll { // global popularity
		if score[c] >= 0 && !done[c] {
			done[c] = true
			addSparse(c)
		}
	}
	for c := range e.n {
		if score[c] >= 0 {
			score[c] = (ws*score[c] + wn*net[c]) / den
		}
	}

	// The pool: the head and the evidence, rejected ones left out.
	top, _ := topK(score, e.ids, e.rerankHead())
	in := map[int32]bool{}
	for _, c := range top {
		in[c] = true
	}
	for c := range ev {
		in[c] = true
	}
	pool = make([]int32, 0, len(in))
	for c := range in {
		if score[c] >= 0 {
			pool = append(pool, c)
		}
	}
	slices.Sort(pool)
	if !slices.Contains(pool, h) {
		return nil, -1, 0, nil
	}
	imp = 1
	if o.MaxRows > 1 && len(pool) > o.MaxRows {
		// The hidden twin and a reproducible sample of the others.
		type hc struct {
			c int32
			k uint64
		}
		var rest []hc
		for _, c := range pool {
			if c != h {
				rest = append(rest, hc{c, worldHash(e.ids[c], e.ids[s])})
			}
		}
		sort.Slice(rest, func(i, j int) bool { return rest[i].k < rest[j].k })
		keep := []int32{h}
		for _, r := range rest[:o.MaxRows-1] {
			keep = append(keep, r.c)
		}
		slices.Sort(keep)
		imp = float64(len(pool)-1) / float64(o.MaxRows-1)
		pool = keep
	}

	// The rows, as rerankRow writes a Mexican query's.
	nf := e.rerankWidth()
	rows = make([]float32, len(pool)*nf)
	latam := map[uint16]bool{}
	for _, cc := range append(slices.Clone(latamCountries), "MX") {
		if id, ok := e.countryID[cc]; ok && id != x {
			latam[id] = true
		}
	}
	// Mexican places are not candidates: a twin that is not one is
	// Mexican.
	mxID, mxOK := e.countryID["MX"]
	slp := e.logPop[s]
	for k, c := range pool {
		row := rows[k*nf : (k+1)*nf]
		j := 0
		for i := range signalList {
			row[j] = value(i, c)
			j++
		}
		isUS := float32(0)
		if e.usState[c] != 0 {
			isUS = 1
		}
		var lat, mineN, abroad, nb int
		for _, id := range nbrs(c) {
			nb++
			oc, ok := e.candIndex[id]
			if !ok {
				abroad++
				if mxOK && latam[mxID] {
					lat++
				}
				continue
			}
			cc := e.country[oc]
			if cc != e.country[c] {
				abroad++
			}
			if latam[cc] {
				lat++
			}
			if countryCount[cc] > 0 {
				mineN++
			}
		}
		frac := func(n int) float32 {
			if nb == 0 {
				return 0
			}
			return float32(n) / float32(nb)
		}
		km := 6371 * math.Acos(math.Max(-1, math.Min(1, float64(sux*e.ux[c]+suy*e.uy[c]+suz*e.uz[c]))))
		copy(row[j:], []float32{
			score[c],
			float32(math.Log1p(float64(max(cnt(c), 0)))),
			float32(math.Log1p(float64(max(all(c), 0)))),
			float32(math.Log1p(float64(nt))),
			float32(countryCount[e.country[c]]) / nt,
			float32(countryCount[e.country[c]]),
			float32(regionCount[e.admin1[c]]) / nt,
			float32(coTwins[c]),
			slp,
			e.logPop[c] - slp,
			e.logPop[c] - medPop,
			float32(math.Log10(1 + km)),
			float32(e.ptype[c]),
			isUS,
			(e.elev[c] - e.elev[s]) / 1000,
			0, // no CONAPO emigration abroad
			float32(math.Log1p(float64(stateN[c]))),
			frac(lat), float32(math.Log1p(float64(mineN))), frac(abroad),
		})
	}
	if e.relInputs {
		// Over the kept sample (the hidden twin and a share of the
		// rest): the percentiles estimate the whole pool's.
		rerankRelative(rows, nf)
	}
	return rows, slices.Index(pool, h), imp, pool
}
