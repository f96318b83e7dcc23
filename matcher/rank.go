package matcher

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
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

	// Exhaustive scores every candidate instead of the pruned scan: the
	// same rows, for benchmarks and peers that compare the two.
	Exhaustive bool `json:"-"`
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
		return nil, &datasets.Error{Code: datasets.EInvalid,
			Msg:    datasets.Text{ES: "indique un estado o una lista de municipios, no ambos", EN: "give either a state or a list of municipalities, not both"},
			Fields: map[string]datasets.Text{"state": {ES: "no se admite junto con municipios", EN: "not allowed with municipalities"}}}
	case len(req.Municipalities) > 0:
		out := make([]string, 0, len(req.Municipalities))
		for i, m := range req.Municipalities {
			m = strings.TrimSpace(m)
			if !datasets.ValidCVEGEO(m) {
				return nil, &datasets.Error{Code: datasets.EInvalid,
					Msg: datasets.Textf("municipio %d: %q no es una clave CVEGEO del INEGI de 5 dígitos, como 11008",
						"municipality %d: %q is not a 5-digit INEGI CVEGEO such as 11008", i+1, m),
					Fields: map[string]datasets.Text{fmt.Sprintf("municipalities[%d]", i): datasets.Textf("no es una clave CVEGEO: %s", "not a CVEGEO: %s", m)}}
			}
			if _, ok := snap.Municipality(m); !ok {
				return nil, &datasets.Error{Code: datasets.ENotFound,
					Msg: datasets.Textf("municipio %d: no existe el municipio %s en la instantánea %s",
						"municipality %d: no municipality %s in snapshot %s", i+1, m, snap.Manifest.Version),
					Fields: map[string]datasets.Text{fmt.Sprintf("municipalities[%d]", i): datasets.Textf("clave CVEGEO desconocida: %s", "unknown CVEGEO: %s", m)}}
			}
			out = append(out, m)
		}
		slices.Sort(out)
		return slices.Compact(out), nil
	case state != "":
		if _, ok := datasets.INEGIStateNames[state]; !ok || len(state) != 2 {
			return nil, &datasets.Error{Code: datasets.EInvalid,
				Msg: datasets.Textf("el estado debe ser una clave de estado del INEGI de dos dígitos, de 01 a 32 (11 = Guanajuato); se recibió %q",
					"state must be a two-digit INEGI state code from 01 to 32 (11 = Guanajuato), got %q", req.State),
				Fields: map[string]datasets.Text{"state": datasets.Textf("no es una clave de estado del INEGI: %s", "not an INEGI state code: %s", req.State)}}
		}
	}
	var out []string
	for i := range snap.Municipalities {
		if c := snap.Municipalities[i].CVEGEO; strings.HasPrefix(c, state) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, datasets.Errf(datasets.ENotFound, "no hay municipios del estado %q en la instantánea %s", "no municipalities for state %q in snapshot %s", state, snap.Manifest.Version)
	}
	slices.Sort(out)
	return out, nil
}

// rankWindow is how many municipalities a ranking holds between being
// taken by a worker and emitted: enough that a heavy one (a municipality
// with twins takes the second stage, some ten times the work) does not
// leave the other workers waiting for its turn, little memory (a
// municipality's rows are some 15 KB).
func rankWindow(workers int) int { return max(64, 16*workers) }

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
// Work runs on req.Workers goroutines, each with its own scratch space;
// finished municipalities wait in a reorder buffer of at most rankWindow
// entries until their turn, so memory stays bounded however many
// municipalities are ranked. emit is called from the calling
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
		return RankStats{}, &datasets.Error{Code: datasets.EInvalid, Msg: datasets.Text{ES: "k es demasiado grande", EN: "k is too large"},
			Fields: map[string]datasets.Text{"k": datasets.Textf("debe estar entre 1 y %d", "must be between 1 and %d", MaxK)}}
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
	if !req.Exhaustive {
		ix = e.matchIndex()
	}

	revText := newTextCache()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	window := rankWindow(workers)
	results := make(chan rankResult, window)
	slots := make(chan struct{}, window) // one per municipality taken and not yet emitted
	// Row slices come back here once emitted and are filled again: emit
	// takes each row by value, so a slice is free after its rows went out.
	spare := make(chan []RankRow, window+workers)

	// Each worker takes the next municipality itself (an atomic counter,
	// no dispatching goroutine to wake per municipality) once it holds a
	// slot of the window. The lowest municipality not yet emitted is
	// always taken or free to take (a slot is free while it is not), so
	// the window cannot jam; results never wait to be sent (the channel
	// holds the whole window).
	var taken atomic.Int64
	var wg sync.WaitGroup
	var scored atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.holdCore()
			defer e.releaseCore()
			r := e.newRanker(k, filter, dyn, ix)
			r.revText = revText
			defer func() { scored.Add(r.scored) }()
			for {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return
				}
				i := int(taken.Add(1) - 1)
				if i >= len(targets) {
					<-slots // the slot taken for nothing
					return
				}
				if ctx.Err() != nil {
					results <- rankResult{i: i, err: ctx.Err()}
					continue
				}
				var buf []RankRow
				select {
				case buf = <-spare:
				default:
				}
				rows, err := r.rank(targets[i], buf)
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
			if p.err == nil && ctx.Err() != nil {
				// The caller cancelled: rows already ranked are not
				// emitted (with a wide window every municipality may be
				// ranked before the cancel is seen).
				p.err = ctx.Err()
			}
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
			select {
			case spare <- p.rows[:0]:
			default:
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
	// revText is shared by the run's workers: each profiled candidate's
	// text relevance to the municipalities, computed once.
	revText *textCache
	scores  []float32 // scoreAll's output (exhaustive path only)
	sel     topSel
	heap    zoneHeap       // the pruned scan's nodes, reused
	terms   [2]zoneBounds  // the pruned scan's bound terms, reused
	kern    kernel         // the query's kernel, reused
	kernels [3]boundKernel // the pruned scan's kernels (linked, plain, one by one), reused
	buf     [kernelBlock]float32
	comps   []Component // a row's explained components, reused
	scored  int64
	bounds  int64       // nodes the pruned scan bounded
	helper  *scanHelper // the second goroutine of a split scan (prune.go)
	// explicitIn and explicitOK count the candidates scored one by one
	// that pass the filter, and those of them that are kept (score ≥ 0).
	explicitIn, explicitOK int
	skipBits               uint64 // prunedTop: qs.explicit's candidates mod 64, as bits
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
// candidate. The rows are appended to dst[:0] (nil: a new slice).
func (r *ranker) rank(cvegeo string, dst []RankRow) ([]RankRow, error) {
	e := r.e
	f := r.filter
	f.Countries = slices.Clone(f.Countries) // prepare normalises them in place
	qs, err := e.prepare(Query{Municipality: cvegeo, K: r.k, Filter: f, dyn: r.dyn, revText: r.revText})
	if err != nil {
		return nil, err
	}
	var top []int32
	k := qs.q.K
	if usesPool(f) {
		qs.q.K = poolSize(k) // the list rules draw k from a larger pool
	}
	var poolScore []float32
	qs.learned = e.learnedFor(qs, e.rerank)
	defer qs.learned.release() // the pool's rows, read by the explanations
	if qs.learned != nil && r.ix != nil {
		// The second stage's pool from the pruned scan (rerank_pool.go).
		before := r.scored
		var n int
		top, poolScore, _, n = e.learnedPruned(qs, qs.learned, r)
		r.scored = before + int64(n)
	} else if qs.learned != nil {
		if r.scores == nil {
			r.scores = make([]float32, e.n)
		}
		var n int
		top, poolScore, _, n = e.learnedTop(qs, qs.learned, r.scores)
		r.scored += int64(e.n + n)
	} else if r.ix != nil {
		top = r.prunedTop(qs)
		poolScore = r.sel.sortedScores(top)
	} else {
		e.scoreAll(qs, r.scores)
		e.filterTraits(qs, r.scores)
		top, _ = topK(r.scores, e.ids, qs.q.K)
		r.scored += int64(e.n)
		poolScore = scoresOf(r.scores, top)
	}
	if qs.q.K != k {
		qs.q.K = k
		top = e.fitList(qs, top, k, poolScore)
	}
	rows := slices.Grow(dst[:0], len(top))
	for i, c := range top {
		m := e.explainInto(qs, c, i+1, true, r.comps[:0])
		r.comps = m.Components
		rows = append(rows, rankRowOf(qs.muni, &m))
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
