package matcher

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hermanar/datasets"
)

// RankRow is one municipality × candidate line of a bulk ranking. Its
// columns and the Parquet, CSV and NDJSON writers live in datasets.
type RankRow = datasets.RankRow

// DefaultRankK is how many candidates a bulk ranking keeps per municipality.
const DefaultRankK = 50

// RankRequest asks for the top K candidates of many municipalities.
type RankRequest struct {
	// Municipalities lists CVEGEOs; empty means every municipality of the
	// snapshot, or of State when that is set.
	Municipalities []string
	State          string // two-digit INEGI state code, "11"; exclusive with Municipalities
	K              int    // default DefaultRankK, at most MaxK
	Filter         Filter
	Workers        int // goroutines scoring; default GOMAXPROCS
	// Progress, when set, is called after each municipality's rows were
	// emitted, from the goroutine that calls emit.
	Progress func(done, total int)

	exhaustive bool // score every candidate (tests and benchmarks compare)
}

// RankStats sums up a bulk ranking.
type RankStats struct {
	Municipalities int `json:"municipalities"`
	Candidates     int `json:"candidates"` // candidate places scored per municipality
	Rows           int `json:"rows"`
	K              int `json:"k"`
	Workers        int `json:"workers"`
	// Scored is how many municipality × candidate scores were computed:
	// Municipalities×Candidates when every candidate is scored, less when
	// the top k could be found without scoring candidates too far in size.
	Scored  int64         `json:"scored"`
	Elapsed time.Duration `json:"-"`
}

// RankTargets resolves which municipalities req ranks: sorted by CVEGEO,
// without duplicates. Bad codes are EInvalid errors naming them; codes
// that are valid but unknown are ENotFound.
func (e *Engine) RankTargets(req RankRequest) ([]string, error) {
	snap := e.in.Snap
	state := strings.TrimSpace(req.State)
	switch {
	case len(req.Municipalities) > 0 && state != "":
		return nil, &datasets.Error{Code: datasets.EInvalid, Message: "give either a state or a list of municipalities, not both",
			Fields: map[string]string{"state": "not allowed with municipalities"}}
	case len(req.Municipalities) > 0:
		out := make([]string, 0, len(req.Municipalities))
		for i, m := range req.Municipalities {
			m = strings.TrimSpace(m)
			if !datasets.ValidCVEGEO(m) {
				return nil, &datasets.Error{Code: datasets.EInvalid,
					Message: fmt.Sprintf("municipality %d: %q is not a 5-digit INEGI CVEGEO such as 11008", i+1, m),
					Fields:  map[string]string{fmt.Sprintf("municipalities[%d]", i): "not a CVEGEO: " + m}}
			}
			if _, ok := snap.Municipality(m); !ok {
				return nil, &datasets.Error{Code: datasets.ENotFound,
					Message: fmt.Sprintf("municipality %d: no municipality %s in snapshot %s", i+1, m, snap.Manifest.Version),
					Fields:  map[string]string{fmt.Sprintf("municipalities[%d]", i): "unknown CVEGEO: " + m}}
			}
			out = append(out, m)
		}
		slices.Sort(out)
		return slices.Compact(out), nil
	case state != "":
		if _, ok := datasets.INEGIStateNames[state]; !ok || len(state) != 2 {
			return nil, &datasets.Error{Code: datasets.EInvalid,
				Message: fmt.Sprintf("state must be a two-digit INEGI state code from 01 to 32 (11 = Guanajuato), got %q", req.State),
				Fields:  map[string]string{"state": "not an INEGI state code: " + req.State}}
		}
	}
	var out []string
	for i := range snap.Municipalities {
		if c := snap.Municipalities[i].CVEGEO; strings.HasPrefix(c, state) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, datasets.Errorf(datasets.ENotFound, "no municipalities for state %q in snapshot %s", state, snap.Manifest.Version)
	}
	slices.Sort(out)
	return out, nil
}

// rankResult is one municipality's rows, or why it failed.
type rankResult struct {
	i    int
	rows []RankRow
	err  error
}

// Rank scores every requested municipality against every candidate and
// hands the top K of each to emit, in a fixed order (CVEGEO ascending,
// then rank) whatever the number of workers. Each row carries exactly the
// numbers Match returns for the same municipality, K and filter.
//
// Work runs on req.Workers goroutines, each with one score slice of
// Candidates() floats; finished municipalities wait in a reorder buffer of
// at most 4×Workers entries until their turn, so memory stays bounded
// however many municipalities are ranked. emit is called from the calling
// goroutine; an error from emit, or ctx ending, stops the ranking and is
// returned. The user data (profiles, ties) is read once, so a ranking is
// consistent even while profiles change.
func (e *Engine) Rank(ctx context.Context, req RankRequest, emit func(RankRow) error) (RankStats, error) {
	start := time.Now()
	targets, err := e.RankTargets(req)
	if err != nil {
		return RankStats{}, err
	}
	k := req.K
	if k <= 0 {
		k = DefaultRankK
	}
	if k > MaxK {
		return RankStats{}, &datasets.Error{Code: datasets.EInvalid, Message: "k is too large",
			Fields: map[string]string{"k": fmt.Sprintf("must be between 1 and %d", MaxK)}}
	}
	workers := req.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(targets)))
	st := RankStats{Municipalities: len(targets), Candidates: e.n, K: k, Workers: workers}
	filter := req.Filter
	filter.Countries = make([]string, len(req.Filter.Countries))
	for i, c := range req.Filter.Countries {
		filter.Countries[i] = strings.ToUpper(strings.TrimSpace(c))
	}
	if _, err := ParseTraits("traits", filter.Traits); err != nil {
		return RankStats{}, err
	}
	dyn := e.dyn.Load()
	var ix *rankIndex
	if prunable(filter) && !req.exhaustive && len(targets) >= pruneMinTargets {
		ix = e.newRankIndex()
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	window := 4 * workers
	jobs := make(chan int)
	results := make(chan rankResult, window)
	slots := make(chan struct{}, window) // one per municipality not yet emitted

	go func() {
		defer close(jobs)
		for i := range targets {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	var scored atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.newRanker(k, filter, dyn, ix)
			defer func() { scored.Add(r.scored) }()
			for i := range jobs {
				if ctx.Err() != nil {
					results <- rankResult{i: i, err: ctx.Err()}
					continue
				}
				rows, err := r.rank(targets[i])
				results <- rankResult{i: i, rows: rows, err: err}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	pending := make(map[int]rankResult, window)
	next := 0
	var firstErr error
	for res := range results {
		if firstErr != nil {
			continue // drain until the workers stop
		}
		pending[res.i] = res
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if p.err != nil {
				firstErr = p.err
				if !errors.Is(p.err, context.Canceled) && !errors.Is(p.err, context.DeadlineExceeded) {
					firstErr = fmt.Errorf("rank %s: %w", targets[next], p.err)
				}
				cancel()
				break
			}
			for _, row := range p.rows {
				if err := emit(row); err != nil {
					firstErr = err
					cancel()
					break
				}
				st.Rows++
			}
			if firstErr != nil {
				break
			}
			next++
			<-slots
			if req.Progress != nil {
				req.Progress(next, len(targets))
			}
		}
	}
	st.Elapsed = time.Since(start)
	st.Scored = scored.Load()
	if firstErr == nil && next < len(targets) {
		firstErr = ctx.Err()
	}
	return st, firstErr
}

// ranker is one worker's state: its scratch space and the request.
type ranker struct {
	e      *Engine
	k      int
	filter Filter
	dyn    *dynamic
	ix     *rankIndex // nil: score every candidate with scoreAll
	scores []float32  // scoreAll's output (exhaustive path only)
	sel    topSel
	scored int64
}

func (e *Engine) newRanker(k int, f Filter, dyn *dynamic, ix *rankIndex) *ranker {
	r := &ranker{e: e, k: k, filter: f, dyn: dyn, ix: ix}
	if ix == nil {
		r.scores = make([]float32, e.n)
	}
	return r
}

// rank produces one municipality's rows through the same steps as Match:
// prepare, score, select the top k, then a brief explanation of each kept
// candidate.
func (r *ranker) rank(cvegeo string) ([]RankRow, error) {
	e := r.e
	f := r.filter
	f.Countries = slices.Clone(f.Countries) // prepare normalises them in place
	qs, err := e.prepare(Query{Municipality: cvegeo, K: r.k, Filter: f, dyn: r.dyn})
	if err != nil {
		return nil, err
	}
	var top []int32
	k := qs.q.K
	if usesPool(f) {
		qs.q.K = poolSize(k) // the list rules draw k from a larger pool
	}
	if r.ix != nil {
		top = r.prunedTop(qs)
	} else {
		e.scoreAll(qs, r.scores)
		e.filterTraits(qs, r.scores)
		top, _ = topK(r.scores, e.ids, qs.q.K)
		r.scored += int64(e.n)
	}
	if qs.q.K != k {
		qs.q.K = k
		top = e.fitList(qs, top, k)
	}
	rows := make([]RankRow, len(top))
	for i, c := range top {
		m := e.explainDetail(qs, c, i+1, true)
		rows[i] = rankRowOf(qs.muni, &m)
	}
	return rows, nil
}

// rankRowOf flattens an explained match into a row.
func rankRowOf(mu *datasets.Municipality, m *Match) RankRow {
	row := RankRow{
		Municipality: mu.CVEGEO, MunicipalityName: mu.Name, State: mu.State, StateName: mu.StateName,
		Rank: int32(m.Rank), PlaceID: m.Place.ID, PlaceName: m.Place.Name, Country: m.Place.Country,
		Admin1: m.Place.Admin1, Population: m.Place.Population, Score: m.Score,
		Coverage: m.Coverage, Twinned: m.Twinned, Code: m.Code,
	}
	for _, c := range m.Components {
		if v, ct, ok, known := row.RankComponent(c.Name); known {
			*v, *ct, *ok = c.Value, c.Contribution, true
		}
	}
	return row
}

// Pruned top-k. A dense candidate's score is a fixed base minus five
// penalties (size, type, elevation, climate, distance), plus a network
// term. The size penalty depends only on |log population| difference, so
// with candidates sorted by log population, a query scans outwards from
// its own size and stops on each side once even a candidate with no other
// penalty and the largest possible network term could not beat the k-th
// score kept so far. The candidates that do get scored go through the very
// expression scoreAll uses, and the order (score, then GeoNames id) is a
// total one, so the top k is exactly Match's; the tests compare both paths.

// pruneMinTargets is the fewest municipalities for which building the
// sorted layout (~20 ms) pays off.
const pruneMinTargets = 4

// pruneMargin absorbs float32 rounding (a few ulps of values ≤ 1) when
// comparing an upper bound with a kept score.
const pruneMargin = 1e-5

// pruneBlock is how many candidates are scored between two bound checks.
const pruneBlock = 256

// prunable reports whether a filter leaves every candidate in play, which
// the pruned path assumes.
func prunable(f Filter) bool {
	return len(f.Countries) == 0 && !f.ExcludeTwinned && !f.OnlyProfiled && len(f.Traits) == 0
}

// popBounds are a population filter in log10 space, as scoreAll applies it.
type popBounds struct {
	on     bool
	lo, hi float32
}

func popBoundsOf(f Filter) popBounds {
	if f.MinPopulation <= 0 && f.MaxPopulation <= 0 {
		return popBounds{}
	}
	b := popBounds{on: true, lo: float32(math.Log10(float64(f.MinPopulation) + 1)), hi: float32(math.Inf(1))}
	if f.MaxPopulation > 0 {
		b.hi = float32(math.Log10(float64(f.MaxPopulation) + 1))
	}
	return b
}

// in reports whether a candidate of log population lp passes, with
// scoreAll's tolerance.
func (b popBounds) in(lp float32) bool {
	return !b.on || (lp >= b.lo-1e-6 && lp <= b.hi+1e-6)
}

// folded is a query's weights folded as scoreAll folds them.
type folded struct {
	k0, k1, k2, k3, k4, base float32
	n0, n1, n2, n4           float32
	net                      bool
	twin, corr               bool // some twin share, some corridor value is not 0
}

func (e *Engine) fold(qs *queryState) folded {
	wS := float32(e.w.Components[CompStructure])
	wN := float32(0)
	if qs.netOK {
		wN = float32(e.w.Components[CompNetwork])
	}
	wD := float32(0)
	if qs.diasOK {
		wD = float32(e.w.Components[CompDiaspora])
	}
	inv := 1 / (wS + wN + wD)
	aS, aN := wS*inv, wN*inv
	sw, nw := qs.sw, qs.nw
	var f folded
	f.k0, f.k1, f.k2, f.k3, f.k4 = aS*sw[0], aS*sw[1], aS*sw[2], aS*sw[3], aS*sw[4]*0.5
	f.base = f.k0 + f.k1 + f.k2 + f.k3 + 2*f.k4
	f.n0, f.n1, f.n2, f.n4 = aN*nw[0], aN*nw[1], aN*nw[2], aN*nw[4]
	f.net = wN > 0
	return f
}

// rankLayout is a set of candidates with their columns copied in one
// order, so a scan reads memory sequentially.
type rankLayout struct {
	cand                 []int32 // engine candidate index
	ids                  []int64
	logPop, elev, absLat []float32
	ux, uy, uz           []float32
	popMx, popAll        []float32
	ptype, usState       []uint8
	country              []uint16
}

func (e *Engine) layout(cands []int32) rankLayout {
	n := len(cands)
	l := rankLayout{cand: cands, ids: make([]int64, n), logPop: make([]float32, n), elev: make([]float32, n),
		absLat: make([]float32, n), ux: make([]float32, n), uy: make([]float32, n), uz: make([]float32, n),
		popMx: make([]float32, n), popAll: make([]float32, n), ptype: make([]uint8, n), usState: make([]uint8, n),
		country: make([]uint16, n)}
	for i, c := range cands {
		l.ids[i], l.logPop[i], l.elev[i], l.absLat[i] = e.ids[c], e.logPop[c], e.elev[c], e.absLat[c]
		l.ux[i], l.uy[i], l.uz[i] = e.ux[c], e.uy[c], e.uz[c]
		l.popMx[i], l.popAll[i] = e.reg.popMx[c], e.reg.popAll[c]
		l.ptype[i], l.usState[i], l.country[i] = e.ptype[c], e.usState[c], e.country[c]
	}
	return l
}

// rankIndex splits the candidates: linked ones (any twinning, so a
// popularity signal) are always scored; plain ones are sorted by log
// population for the outward scan.
type rankIndex struct {
	linked, plain rankLayout
}

func (e *Engine) newRankIndex() *rankIndex {
	var linked, plain []int32
	for c := range int32(e.n) {
		if e.reg.popMx[c] != 0 || e.reg.popAll[c] != 0 {
			linked = append(linked, c)
		} else {
			plain = append(plain, c)
		}
	}
	slices.SortStableFunc(plain, func(a, b int32) int {
		switch {
		case e.logPop[a] < e.logPop[b]:
			return -1
		case e.logPop[a] > e.logPop[b]:
			return 1
		}
		return 0
	})
	return &rankIndex{linked: e.layout(linked), plain: e.layout(plain)}
}

// prunedTop returns the top k candidates of qs, best first, as topK over
// scoreAll would. The filter is empty (prunable).
func (r *ranker) prunedTop(qs *queryState) []int32 {
	e, ix := r.e, r.ix
	f := e.fold(qs)
	twinShare, stateVal := qs.twinShare, qs.stateVal
	if twinShare == nil {
		twinShare = make([]float32, len(e.countries))
	}
	if stateVal == nil {
		stateVal = make([]float32, len(e.usStates)+1)
	}
	r.sel.reset(qs.q.K)
	f.twin = slices.ContainsFunc(twinShare, func(x float32) bool { return x != 0 })
	f.corr = slices.ContainsFunc(stateVal, func(x float32) bool { return x != 0 })

	// Candidates scored one by one are left out of the scans; as in
	// scoreAll, a negative dense score still rejects them.
	pb := popBoundsOf(qs.q.Filter)
	skip := make(map[int32]bool, len(qs.explicit))
	for c := range qs.explicit {
		skip[c] = true
		if dense := e.denseScore(qs, &f, twinShare, stateVal, c); dense >= 0 && pb.in(e.logPop[c]) {
			if s := float32(e.scoreOne(qs, c, nil)); s >= 0 {
				r.sel.offer(s, e.ids[c], c)
			}
		}
	}
	scan := func(l *rankLayout, lo, hi int) {
		r.scored += int64(hi - lo)
		scoreLayout(qs, &f, twinShare, stateVal, l, lo, hi, l == &ix.plain, skip, pb, &r.sel)
	}
	scan(&ix.linked, 0, len(ix.linked.cand))

	// The most a plain candidate can gain from the network term: it has no
	// popularity, only its country's share of my twins and its state's
	// corridor value.
	nmax := 0.0
	if f.net {
		nmax = float64(f.n2)*float64(slices.Max(twinShare)) + float64(f.n4)*float64(slices.Max(stateVal))
	}
	k0, base := float64(f.k0), float64(f.base)
	beaten := func(d float64) bool { // no plain candidate this far in size can enter
		if !r.sel.full() {
			return false
		}
		return base-k0*min(d*(1/sizeSpan), 1)+nmax+pruneMargin < float64(r.sel.worst())
	}
	pl := &ix.plain
	// Plain candidates are sorted by log population, so a population
	// filter is a window [first, n) of them.
	first, n := 0, len(pl.cand)
	if pb.on {
		first = sort.Search(n, func(i int) bool { return pl.logPop[i] >= pb.lo-1e-6 })
		n = sort.Search(n, func(i int) bool { return pl.logPop[i] > pb.hi+1e-6 })
		n = max(n, first)
	}
	lp := qs.logPop
	hi, _ := slices.BinarySearch(pl.logPop, lp)
	hi = min(max(hi, first), n)
	lo := hi
	inf := math.Inf(1)
	for lo > first || hi < n {
		dLo, dHi := inf, inf
		if lo > first {
			if dLo = float64(lp) - float64(pl.logPop[lo-1]); beaten(dLo) {
				lo, dLo = first, inf
			}
		}
		if hi < n {
			if dHi = float64(pl.logPop[hi]) - float64(lp); beaten(dHi) {
				hi, dHi = n, inf
			}
		}
		switch {
		case dLo == inf && dHi == inf:
		case dLo <= dHi:
			a := max(first, lo-pruneBlock)
			scan(pl, a, lo)
			lo = a
		default:
			b := min(n, hi+pruneBlock)
			scan(pl, hi, b)
			hi = b
		}
	}
	return r.sel.sorted()
}

// denseScore is scoreAll's column-loop score of one candidate.
func (e *Engine) denseScore(qs *queryState, f *folded, twinShare, stateVal []float32, c int32) float32 {
	lp, el, al, typ := qs.logPop, qs.elev, qs.absLat, float32(qs.ptype)
	s := f.base - f.k0*min1(abs32(lp-e.logPop[c])*(1/sizeSpan)) -
		f.k1*abs32(typ-float32(e.ptype[c]))*(1/typeSpan) -
		f.k2*min1(abs32(el-e.elev[c])*(1/elevSpan)) -
		f.k3*min1(abs32(al-e.absLat[c])*(1/climSpan)) +
		f.k4*(qs.ux*e.ux[c]+qs.uy*e.uy[c]+qs.uz*e.uz[c]-1)
	if f.net {
		s += f.n0*e.reg.popMx[c] + f.n1*e.reg.popAll[c] + f.n2*twinShare[e.country[c]] + f.n4*stateVal[e.usState[c]]
	}
	return s
}

// scoreLayout scores candidates lo..hi-1 of l with scoreAll's expression
// and offers them to sel. plain says the layout holds only candidates
// without popularity (pop_mx = pop_all = 0): their network term reduces
// exactly to n2*twin_share + n4*state_val, and to nothing when both are
// zero for this query.
func scoreLayout(qs *queryState, f *folded, twinShare, stateVal []float32, l *rankLayout, lo, hi int, plain bool, skip map[int32]bool, pb popBounds, sel *topSel) {
	lp, el, al, typ := qs.logPop, qs.elev, qs.absLat, float32(qs.ptype)
	ux, uy, uz := qs.ux, qs.uy, qs.uz
	k0, k1, k2, k3, k4, base := f.k0, f.k1, f.k2, f.k3, f.k4, f.base
	n0, n1, n2, n4 := f.n0, f.n1, f.n2, f.n4
	net, twin, corr := f.net, f.twin, f.corr
	if plain {
		net = net && (twin || corr)
	}
	var buf [pruneBlock]float32
	for off := lo; off < hi; off += pruneBlock {
		end := min(off+pruneBlock, hi)
		logPop, elev, absLat, ptype := l.logPop[off:end], l.elev[off:end], l.absLat[off:end], l.ptype[off:end]
		eux, euy, euz := l.ux[off:end], l.uy[off:end], l.uz[off:end]
		out := buf[:len(logPop)]
		elev, absLat, ptype, eux, euy, euz = elev[:len(out)], absLat[:len(out)], ptype[:len(out)], eux[:len(out)], euy[:len(out)], euz[:len(out)]
		for c := range out {
			out[c] = base - k0*min1(abs32(lp-logPop[c])*(1/sizeSpan)) -
				k1*abs32(typ-float32(ptype[c]))*(1/typeSpan) -
				k2*min1(abs32(el-elev[c])*(1/elevSpan)) -
				k3*min1(abs32(al-absLat[c])*(1/climSpan)) +
				k4*(ux*eux[c]+uy*euy[c]+uz*euz[c]-1)
		}
		if net {
			country, usState := l.country[off:end], l.usState[off:end]
			country, usState = country[:len(out)], usState[:len(out)]
			switch {
			case !plain:
				popMx, popAll := l.popMx[off:end], l.popAll[off:end]
				popMx, popAll = popMx[:len(out)], popAll[:len(out)]
				for c := range out {
					out[c] += n0*popMx[c] + n1*popAll[c] + n2*twinShare[country[c]] + n4*stateVal[usState[c]]
				}
			case twin && corr:
				for c := range out {
					out[c] += n2*twinShare[country[c]] + n4*stateVal[usState[c]]
				}
			case twin:
				for c := range out {
					out[c] += n2 * twinShare[country[c]]
				}
			default:
				for c := range out {
					out[c] += n4 * stateVal[usState[c]]
				}
			}
		}
		thr := max(sel.threshold(), 0)
		for i, s := range out {
			if s < thr {
				continue
			}
			c := off + i
			if len(skip) > 0 && skip[l.cand[c]] {
				continue
			}
			if !pb.in(l.logPop[c]) {
				continue
			}
			sel.offer(s, l.ids[c], l.cand[c])
			thr = max(sel.threshold(), 0)
		}
	}
}

// topSel keeps the k best candidates seen, by score and then smaller
// GeoNames id, as topK does: a min-heap with the worst kept at its root.
type topSel struct {
	k    int
	s    []float32
	id   []int64
	cand []int32
}

func (t *topSel) reset(k int) {
	t.k = k
	t.s, t.id, t.cand = t.s[:0], t.id[:0], t.cand[:0]
}

func (t *topSel) full() bool { return len(t.s) == t.k }

// worst is the k-th score kept; call only when full.
func (t *topSel) worst() float32 { return t.s[0] }

// threshold is the score below which an offer cannot be kept.
func (t *topSel) threshold() float32 {
	if len(t.s) < t.k {
		return float32(math.Inf(-1))
	}
	return t.s[0]
}

// less orders the heap: a before b when a is worse.
func (t *topSel) less(i, j int) bool {
	if t.s[i] != t.s[j] {
		return t.s[i] < t.s[j]
	}
	return t.id[i] > t.id[j]
}

func (t *topSel) swap(i, j int) {
	t.s[i], t.s[j] = t.s[j], t.s[i]
	t.id[i], t.id[j] = t.id[j], t.id[i]
	t.cand[i], t.cand[j] = t.cand[j], t.cand[i]
}

func (t *topSel) offer(s float32, id int64, c int32) {
	if t.k <= 0 {
		return
	}
	if len(t.s) < t.k {
		t.s, t.id, t.cand = append(t.s, s), append(t.id, id), append(t.cand, c)
		for i := len(t.s) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.less(i, p) {
				break
			}
			t.swap(i, p)
			i = p
		}
		return
	}
	if s < t.s[0] || (s == t.s[0] && id > t.id[0]) {
		return
	}
	t.s[0], t.id[0], t.cand[0] = s, id, c
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(t.s) {
			break
		}
		m := l
		if r := l + 1; r < len(t.s) && t.less(r, l) {
			m = r
		}
		if !t.less(m, i) {
			break
		}
		t.swap(i, m)
		i = m
	}
}

// sorted returns the kept candidates best first.
func (t *topSel) sorted() []int32 {
	idx := make([]int, len(t.s))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case t.s[a] != t.s[b]:
			if t.s[a] > t.s[b] {
				return -1
			}
			return 1
		case t.id[a] < t.id[b]:
			return -1
		case t.id[a] > t.id[b]:
			return 1
		}
		return 0
	})
	out := make([]int32, len(idx))
	for i, j := range idx {
		out[i] = t.cand[j]
	}
	return out
}
