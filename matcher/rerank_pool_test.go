package matcher

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// poolFilters are the filters the learned-path tests draw from: the list
// rules on and off, countries, population, traits, twins in or out, only
// profiled cities, unmet wishes shown.
var poolFilters = []Filter{{}, {MinPopulation: 10_000}, {MaxPopulation: 50_000}, {MinPopulation: 14_692, MaxPopulation: 200_000},
	{Countries: []string{"US"}}, {Countries: []string{"es", "GT", "XX"}, MinPopulation: 5_000},
	{Traits: []string{"coastal"}}, {Traits: []string{"mountain", "seat"}, Countries: []string{"US", "CO"}},
	{ExcludeTwinned: true}, {OnlyProfiled: true}, {IncludeTwinned: true}, {NoDiversity: true, IgnoreWishes: true},
	rawOrder(Filter{}), rawOrder(Filter{Countries: []string{"US", "JP"}}), rawOrder(Filter{ExcludeTwinned: true, Traits: []string{"border"}})}

// learnedBoth runs one query's second stage both ways: the pool from the
// pruned scan and the evidence lists (learnedPruned), and from every
// candidate's score (learnedTop over scoreAll). It fails the test where
// the pool, its first-stage scores, the scale's inputs, the top k, their
// scores or the count of candidates kept differ in a single bit.
func learnedBoth(t *testing.T, e *Engine, q Query, name string) (scored int) {
	t.Helper()
	prep := func() *queryState {
		g := q
		g.Filter.Countries = slices.Clone(q.Filter.Countries)
		qs, err := e.prepare(g)
		if err != nil {
			t.Fatal(err)
		}
		if qs.learned = e.learnedFor(qs, e.rerank); qs.learned == nil {
			t.Fatalf("%s: no second stage", name)
		}
		return qs
	}
	a, b := prep(), prep()
	r := e.matchRanker()
	topA, sA, passedA, scoredA := e.learnedPruned(a, a.learned, r)
	e.rankers.Put(r)
	buf := make([]float32, e.n)
	topB, sB, passedB, _ := e.learnedTop(b, b.learned, buf)
	la, lb := a.learned, b.learned
	if !slices.Equal(la.pool, lb.pool) {
		t.Fatalf("%s: pools differ: pruned %d candidates, exhaustive %d", name, len(la.pool), len(lb.pool))
	}
	bits := func(what string, x, y []float32) {
		t.Helper()
		if len(x) != len(y) {
			t.Fatalf("%s: %s: %d values, exhaustive %d", name, what, len(x), len(y))
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				t.Fatalf("%s: %s %d: pruned %v, exhaustive %v", name, what, i, x[i], y[i])
			}
		}
	}
	if !reflect.DeepEqual(la.best, lb.best) {
		t.Fatalf("%s: the trait reservation's picks differ: pruned %v, exhaustive %v", name, la.best, lb.best)
	}
	bits("first-stage score", la.first, lb.first)
	bits("scale input", la.norm, lb.norm)
	if !slices.Equal(topA, topB) {
		t.Fatalf("%s: top %d differs:\npruned     %v\nexhaustive %v", name, q.K, topA, topB)
	}
	bits("top score", sA, sB)
	if passedA != passedB {
		t.Fatalf("%s: pruned counts %d candidates kept, exhaustive %d", name, passedA, passedB)
	}
	return scoredA
}

// TestLearnedPrunedEqualsExhaustive holds the second stage's pruned path
// (Match and Rank without a backtest registry) to the exhaustive one, on
// every backtest municipality of the small twinnings with random filters
// and k, and on the bench fixture (ties, profiles, the shipped model):
// the same pool, scores, lists, explanations and candidate counts.
func TestLearnedPrunedEqualsExhaustive(t *testing.T) {
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(16, 200))
	small := mustEngine(t, Inputs{Twinnings: mustSmallTwinnings(t), Rerank: testRerank(t)})
	fixture := rankFixtureWith(t, DefaultWeights())
	if fixture.Rerank() == nil {
		t.Fatal("the fixture does not apply the shipped second stage")
	}
	type target struct {
		e     *Engine
		munis []string
	}
	var munis []string
	for _, q := range BacktestQueries(small.reg) {
		if len(munis) == 0 || munis[len(munis)-1] != q.Municipality {
			munis = append(munis, q.Municipality)
		}
	}
	if len(munis) < 3 {
		t.Fatalf("only %d backtest municipalities", len(munis))
	}
	scored, total, queries := 0, 0, 0
	for _, tg := range []target{{small, munis}, {fixture, []string{"11008"}}} {
		for _, m := range tg.munis {
			for fi, f := range poolFilters {
				k := 1 + rnd.IntN(60)
				switch {
				case fi == 0 && m == tg.munis[0]:
					k = 300 // a head beyond RerankPoolHead
				case fi == 1 && m == tg.munis[0]:
					k = 500
				}
				lang := "es"
				if rnd.IntN(2) == 0 {
					lang = "en"
				}
				q := Query{Municipality: m, K: k, Lang: lang, Filter: f}
				name := fmt.Sprintf("%s %+v k=%d %s", m, f, k, lang)
				kq := q
				if usesPool(f) {
					kq.K = poolSize(k)
				}
				scored += learnedBoth(t, tg.e, kq, name)
				total += tg.e.n
				queries++

				// Through Match: lists, scores, explanations, counts.
				g := q
				g.Filter.Countries = slices.Clone(f.Countries)
				got, err := tg.e.Match(ctx, g)
				if err != nil {
					t.Fatal(err)
				}
				g.Filter.Countries = slices.Clone(f.Countries)
				g.Exhaustive = true
				want, err := tg.e.Match(ctx, g)
				if err != nil {
					t.Fatal(err)
				}
				if got.reranked != want.reranked {
					t.Fatalf("%s: pruned re-scored %d, exhaustive %d", name, got.reranked, want.reranked)
				}
				got.scored, want.scored = 0, 0
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: Match differs between the pruned and the exhaustive second stage", name)
				}
				if len(got.Matches) > 0 && got.Model == "" {
					t.Fatalf("%s: the list was not ranked by the second stage", name)
				}
			}
		}
		// Bulk rows, with and without filters.
		for _, f := range []Filter{{}, {Countries: []string{"US"}}, {Traits: []string{"coastal"}, IncludeTwinned: true}, rawOrder(Filter{MinPopulation: 20_000})} {
			req := RankRequest{Municipalities: tg.munis, K: 1 + rnd.IntN(60), Filter: f}
			pruned := mustRank(t, tg.e, req)
			req.Exhaustive = true
			all := mustRank(t, tg.e, req)
			if !reflect.DeepEqual(pruned, all) {
				t.Fatalf("rank %+v: pruned and exhaustive rows differ", f)
			}
		}
	}
	t.Logf("%d queries: the pruned second stage scored %.2f%% of the candidates with the first stage", queries, 100*float64(scored)/float64(total))
}

// TestBorrowedCoreMatchesOneCore holds a match that splits its second
// stage and its explanations over a borrowed core equal, field by field
// (every list, score, part and evidence line), to the same match on one
// core, in both languages and with the pool's filters.
func TestBorrowedCoreMatchesOneCore(t *testing.T) {
	e := rankFixtureWith(t, DefaultWeights())
	ctx := context.Background()
	defer e.cores.limit.Store(0)
	for _, lang := range []string{"es", "en"} {
		for fi, f := range poolFilters {
			for _, k := range []int{10, 50} {
				q := Query{Municipality: "11008", K: k, Filter: f, Lang: lang}
				run := func(limit int32) *Result {
					e.cores.limit.Store(limit) // 2: a second core to borrow; 1: none
					q.Filter.Countries = slices.Clone(f.Countries)
					res, err := e.Match(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					return res
				}
				split, one := run(2), run(1)
				// The head scan split over two cores may score a different
				// number of candidates (its shared k-th score), never a
				// different list: the count is left out.
				split.scored, one.scored = 0, 0
				if split.Model == "" {
					t.Fatalf("filter %d: the second stage did not run", fi)
				}
				if !reflect.DeepEqual(split, one) {
					t.Errorf("%s, filter %d, k %d: the match on a borrowed core differs from the match on one core", lang, fi, k)
				}
			}
		}
	}
}

// The rows a match serves read the engine's own registry through the
// pool's per-candidate twin lists (rerankRow's fast path); the rows the
// fits and the backtest read come from other registries, through the
// registry's maps. The model is fitted on the one and scores the other,
// so for every municipality with twins both must give the same pool and
// the same rows, to the bit.
func TestRerankRowsSameOnEngineAndCopiedRegistry(t *testing.T) {
	tw := mustSmallTwinnings(t)
	e := mustEngine(t, Inputs{Twinnings: tw})
	copied := NewRegistry(tw, e)
	nf := len(rerankFeatureNames)
	rows := func(reg *Registry, muni string) ([]int32, []float32) {
		return poolRows(t, e, Query{Municipality: muni, K: 10, registry: reg})
	}
	checked, twinned := 0, 0
	for muni, twins := range e.reg.muniTwins {
		if len(twins) == 0 {
			continue
		}
		p1, r1 := rows(nil, muni)
		p2, r2 := rows(copied, muni)
		if !slices.Equal(p1, p2) {
			t.Errorf("%s: the pool differs between the engine's registry and a copy", muni)
			continue
		}
		for k := range p1 {
			for j := range nf {
				a, b := r1[k*nf+j], r2[k*nf+j]
				if math.Float32bits(a) != math.Float32bits(b) {
					t.Errorf("%s, candidate %d, %s: %v on the engine's registry, %v on a copy", muni, e.ids[p1[k]], rerankFeatureNames[j], a, b)
				}
			}
			if e.reg.all[p1[k]] > 0 {
				twinned++
			}
		}
		checked++
	}
	if checked == 0 || twinned == 0 {
		t.Fatalf("%d municipalities and %d pool rows with twins checked: the test reads nothing", checked, twinned)
	}
}
