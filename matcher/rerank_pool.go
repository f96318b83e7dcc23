package matcher

import (
	"slices"
	"sync"
)

// The second stage's pool at the cost of the pool. rerankPool (rerank.go)
// draws the pool from a vector of every candidate's first-stage score;
// Match and Rank instead take the pool's head from the pruned scan (the
// same top candidates, exactly), enumerate the candidates with network
// evidence from the registry's lists (the candidates with a Mexican twin,
// the twinned candidates of each country, the sparse signals' hits), and
// score each of those with the first stage on its own. The pool, each
// member's first-stage score and the count of candidates the filters keep
// are those of the exhaustive path; TestLearnedPrunedEqualsExhaustive
// holds the two paths equal.

// poolEvidence lists, for the engine's own registry, the candidates the
// pool takes for their twinnings: those with a Mexican twin, and by
// country those with any twin, each in candidate order.
type poolEvidence struct {
	mx        []int32
	byCountry map[uint16][]int32
	// twinCountry[twinOff[c]:twinOff[c+1]] are candidate c's twins in the
	// registry's order, each as its country id (mexicanTwin for a twin
	// that is not a candidate): what rerankRow reads of them.
	twinOff     []int32
	twinCountry []uint16
	latam       []bool // by country id: latamCountries
}

// mexicanTwin marks, in poolEvidence.twinCountry, a twin that is not a
// candidate (a Mexican place).
const mexicanTwin = ^uint16(0)

// poolEvidenceOf is the engine registry's evidence lists, built once.
func (e *Engine) poolEvidenceOf() *poolEvidence {
	e.poolEvidOnce.Do(func() {
		pe := &poolEvidence{byCountry: map[uint16][]int32{}}
		for c, n := range e.reg.mx {
			if n > 0 {
				pe.mx = append(pe.mx, int32(c))
			}
		}
		for c, n := range e.reg.all {
			if n > 0 {
				cid := e.country[c]
				pe.byCountry[cid] = append(pe.byCountry[cid], int32(c))
			}
		}
		pe.twinOff = make([]int32, e.n+1)
		for c := range e.n {
			if e.reg.all[c] == 0 { // no twins: no neighbors
				pe.twinOff[c+1] = int32(len(pe.twinCountry))
				continue
			}
			for _, id := range e.reg.neighbors[e.ids[c]] {
				tc := mexicanTwin
				if oc, ok := e.candIndex[id]; ok {
					tc = e.country[oc]
				}
				pe.twinCountry = append(pe.twinCountry, tc)
			}
			pe.twinOff[c+1] = int32(len(pe.twinCountry))
		}
		pe.latam = make([]bool, len(e.countries))
		for _, cc := range latamCountries {
			if id, ok := e.countryID[cc]; ok {
				pe.latam[id] = true
			}
		}
		e.poolEvid = pe
	})
	return e.poolEvid
}

// rerankEvidence calls add for every candidate the pool takes for its
// network evidence (rerankPool's list without the head): every candidate
// with a Mexican twin, every candidate a sparse network or namesake
// signal has a value for, and every twinned candidate in a country of my
// twins. A candidate may come more than once; rejected ones are not left
// out.
func (e *Engine) rerankEvidence(qs *queryState, rc *rerankCtx, add func(c int32)) {
	var pe *poolEvidence
	if qs.reg == e.reg {
		pe = e.poolEvidenceOf()
	}
	if pe != nil {
		for _, c := range pe.mx {
			add(c)
		}
	} else {
		for c, n := range qs.reg.mx {
			if n > 0 {
				add(int32(c))
			}
		}
	}
	for i := range signalList {
		if signalList[i].term == nil && qs.sig[i].present {
			for c := range qs.sig[i].hits {
				add(c)
			}
		}
	}
	for cid := range rc.countryCount {
		if pe != nil {
			for _, c := range pe.byCountry[cid] {
				add(c)
			}
			continue
		}
		for _, c := range e.byCountry[cid] {
			if qs.reg.all[c] > 0 {
				add(c)
			}
		}
	}
}

// poolMarks are a query's marks over every candidate (which ones the pool
// building has seen, and their first-stage score), reused from query to
// query: a generation number clears them all at once.
type poolMarks struct {
	gen   uint32
	seen  []uint32 // seen[c] == gen: candidate c was considered
	first []float32
}

var poolMarksPool sync.Pool

func (e *Engine) getPoolMarks() *poolMarks {
	m, _ := poolMarksPool.Get().(*poolMarks)
	if m == nil || len(m.seen) != e.n {
		m = &poolMarks{seen: make([]uint32, e.n), first: make([]float32, e.n)}
	}
	m.gen++
	if m.gen == 0 { // wrapped: every stale mark could match again
		clear(m.seen)
		m.gen = 1
	}
	return m
}

// see marks c and reports whether it was already marked.
func (m *poolMarks) see(c int32) bool {
	if m.seen[c] == m.gen {
		return true
	}
	m.seen[c] = m.gen
	return false
}

// learnedPruned is learnedTop through the pruned scan of r (r.ix set and
// qs on the engine's own registry): the top k of qs under the second
// stage, best first, with their shipped scores; passed counts the
// candidates the filters keep, scored the candidates whose first-stage
// score was computed.
func (e *Engine) learnedPruned(qs *queryState, lq *learnedQuery, r *ranker) (top []int32, scores []float32, passed, scored int) {
	f := qs.q.Filter
	k := qs.q.K
	// The pool's head: the first stage's best max(rerankHead, k)
	// without my existing twins when they go apart (learnedScores).
	head := max(e.rerankHead(), k)
	apart := 0
	if !f.IncludeTwinned {
		apart = len(qs.twinned)
	}
	before := r.scored
	qs.q.K = head + apart
	ht := r.prunedTop(qs)
	hs := r.sel.sortedScores(ht)
	qs.q.K = k
	passed = r.passed(qs)
	scored = int(r.scored - before)

	marks := e.getPoolMarks()
	defer poolMarksPool.Put(marks)
	pool := make([]int32, 0, head+len(qs.explicit)+256)
	n := 0
	for i, c := range ht {
		if apart > 0 && qs.twinned[c] {
			continue
		}
		if n == head {
			break
		}
		marks.see(c)
		marks.first[c] = hs[i]
		pool = append(pool, c)
		n++
	}

	// The evidence candidates, scored as scoreAll and filterTraits score
	// them: the dense kernel for most, scoreOne for those scored one by
	// one; the dense ones are gathered and scored in blocks.
	zf := e.zoneFilterOf(qs)
	cl := e.queryColumns(qs)
	dense := &r.kernels[2]
	r.kern.bindInto(dense, qs, &cl, false)
	var plain []int32
	consider := func(c int32) {
		if marks.see(c) {
			return
		}
		if !e.passes(&zf, c) || (!f.IncludeTwinned && qs.twinned[c]) {
			return
		}
		if qs.explicit[c] {
			scored++
			if dense.one(c) < 0 || (f.ExcludeTwinned && qs.twinned[c]) || (f.OnlyProfiled && qs.dyn.profiles[c] == nil) {
				return
			}
			if s := float32(e.scoreOne(qs, c, nil)); s >= 0 {
				marks.first[c] = s
				pool = append(pool, c)
			}
			return
		}
		if !f.OnlyProfiled {
			plain = append(plain, c)
		}
	}
	e.rerankEvidence(qs, lq.rc, consider)
	for c := range qs.explicit {
		consider(c)
	}
	// In candidate order, the kernel's reads of the columns go forward
	// instead of jumping about 180k-long arrays.
	slices.Sort(plain)
	var buf [kernelBlock]float32
	for off := 0; off < len(plain); off += kernelBlock {
		part := plain[off:min(off+kernelBlock, len(plain))]
		dense.block(0, 0, part, buf[:])
		for i, c := range part {
			if buf[i] >= 0 {
				marks.first[c] = buf[i]
				pool = append(pool, c)
			}
		}
	}
	scored += len(plain)

	slices.Sort(pool)
	first := make([]float32, len(pool))
	for i, c := range pool {
		first[i] = marks.first[c]
	}
	s := e.learnedScorePool(qs, lq, pool, first)
	// Every pool score is 2 + a shipped score and every other candidate's
	// a first-stage score below 2, and the pool holds the first stage's
	// best k: the top k is the pool's.
	var sel topSel
	sel.reset(k)
	for i, c := range pool {
		sel.offer(s[i], e.ids[c], c)
	}
	top = sel.sorted()
	scores = sel.sortedScores(top)
	for i := range scores {
		if scores[i] >= 2 {
			scores[i] -= 2
		}
	}
	return top, scores, passed, scored
}

// explainTop writes out[i], the explanation of top[i] at rank i+1, its
// components appended to comps[i*nc:i*nc:(i+1)*nc]. For a list the
// second stage ranked, the second half of the rows is explained on a
// borrowed core when one is idle (borrowCore), with its own evidence
// writer (the only part of qs an explanation writes); each row's
// explanation is the same either way.
func (e *Engine) explainTop(qs *queryState, top []int32, comps []Component, nc int, out []Match) {
	explain := func(qs *queryState, lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = e.explainInto(qs, top[i], i+1, false, comps[i*nc:i*nc:(i+1)*nc])
		}
	}
	n := len(top)
	if qs.learned == nil || n < explainSplitMin || !e.borrowCore() {
		explain(qs, 0, n)
		return
	}
	h := n / 2
	other := *qs
	other.ev = evidenceWriter{}
	var wg sync.WaitGroup
	wg.Go(func() {
		defer e.returnCore()
		explain(&other, h, n)
	})
	explain(qs, 0, h)
	wg.Wait()
}

// explainSplitMin is the fewest rows explainTop splits over two cores.
const explainSplitMin = 4
