package matcher

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"hermanar/datasets"
)

// worldFixture is the small twinnings plus foreign–foreign pairs: one US
// source twinned with four places abroad, another US place twinned with
// two of the same candidates, and a pair inside the US (not a candidate
// of a US source).
func worldFixture(t *testing.T) (*Engine, []datasets.Twinning, int32, []int32) {
	t.Helper()
	tw := mustSmallTwinnings(t)
	e := mustEngine(t, Inputs{Twinnings: tw})
	var us, abroad []int32
	seen := map[int32]bool{}
	for _, p := range tw {
		for _, id := range []int64{p.PlaceA, p.PlaceB} {
			c, ok := e.candIndex[id]
			if !ok || seen[c] {
				continue
			}
			seen[c] = true
			if e.countries[e.country[c]] == "US" {
				us = append(us, c)
			} else {
				abroad = append(abroad, c)
			}
		}
	}
	if len(us) < 4 || len(abroad) < 4 {
		t.Fatalf("fixture: %d US and %d other foreign places in the small twinnings", len(us), len(abroad))
	}
	// The source: a US place whose twins in the small list are all
	// Mexican (so its twins abroad are the four below).
	src := int32(-1)
	for _, c := range us {
		if len(e.worldTwins(e.reg, c, -1)) == 0 {
			src = c
			break
		}
	}
	if src < 0 {
		t.Fatal("fixture: no US place without foreign twins")
	}
	var others []int32
	for _, c := range us {
		if c != src {
			others = append(others, c)
		}
	}
	us = others
	pair := func(a, b int32) datasets.Twinning {
		return datasets.Twinning{PlaceA: e.ids[a], PlaceB: e.ids[b], Source: "test"}
	}
	all := slices.Clone(tw)
	for _, c := range abroad[:4] {
		all = append(all, pair(src, c))
	}
	all = append(all, pair(us[0], abroad[0]), pair(us[0], abroad[1]), pair(us[1], abroad[1]), pair(src, us[0]))
	e = mustEngine(t, Inputs{Twinnings: all})
	return e, all, src, abroad[:4]
}

// A foreign query's rows never count its hidden pair: read from the
// registry with the pair, they equal those read from one where it was
// never recorded; its candidates are the places outside its country; and
// its "Mexican" counts are counts of twins in its own country.
func TestWorldRowsNeverCountTheHiddenPair(t *testing.T) {
	e, all, src, twins := worldFixture(t)
	w := e.w.For(true)
	o := WorldOptions{Sources: 10, Weight: 1}
	nf := len(rerankFeatureNames)
	mx := slices.Index(rerankFeatureNames, "log_mx_twins")
	mine := slices.Index(rerankFeatureNames, "log_my_twins")
	inPool := 0
	for _, h := range twins {
		q := worldQuery{src: src, hidden: h}
		reg := NewRegistry(all, e)
		var rest []datasets.Twinning
		for _, p := range all {
			if (p.PlaceA == e.ids[src] && p.PlaceB == e.ids[h]) || (p.PlaceB == e.ids[src] && p.PlaceA == e.ids[h]) {
				continue
			}
			rest = append(rest, p)
		}
		if len(rest) != len(all)-1 {
			t.Fatalf("the pair %d–%d is not in the fixture once", e.ids[src], e.ids[h])
		}
		regNo := NewRegistry(rest, e)
		r1, p1, _, pool := e.worldQueryRows(reg, w, e.worldCountryOf(reg, e.country[src]), q, o, newWorldBuf(e))
		r2, p2, _, _ := e.worldQueryRows(regNo, w, e.worldCountryOf(regNo, e.country[src]), q, o, newWorldBuf(e))
		if p1 != p2 || !slices.Equal(r1, r2) {
			t.Errorf("hidden %d: the rows depend on the hidden pair (%s)", e.ids[h], firstRowDiff(r1, r2, p1, p2))
		}
		if p1 < 0 {
			continue // no evidence for it once its pair is hidden
		}
		inPool++
		if got, want := r1[p1*nf+mine], float32(math.Log1p(3)); got != want {
			t.Errorf("hidden %d: log_my_twins %v, want %v (three twins abroad stay)", e.ids[h], got, want)
		}
		for _, c := range pool {
			if e.country[c] == e.country[src] {
				t.Errorf("hidden %d: place %d of the source's country in the pool", e.ids[h], e.ids[c])
			}
		}
		// twins[0] has one other US twin, twins[1] two; the hidden one
		// counts the source's pair nowhere.
		want := map[int32]float32{twins[0]: float32(math.Log1p(1)), twins[1]: float32(math.Log1p(2)), h: 0}
		if h == twins[0] || h == twins[1] {
			// The hidden twin's other US twins still count.
			want = map[int32]float32{twins[0]: float32(math.Log1p(1)), twins[1]: float32(math.Log1p(2))}
		}
		for c, v := range want {
			k := slices.Index(pool, c)
			if k < 0 {
				if c == h || !slices.Contains(twins, c) {
					t.Errorf("hidden %d: candidate %d not in the pool", e.ids[h], e.ids[c])
				}
				continue
			}
			if got := r1[k*nf+mx]; got != v {
				t.Errorf("hidden %d, candidate %d: log_mx_twins %v, want %v (its twins in the source's country)", e.ids[h], e.ids[c], got, v)
			}
		}
	}
}

// The fold's foreign rows come from a registry without any pair of the
// fold's municipalities: a fit with them never reads those pairs, so
// dropping the pairs beforehand gives the same rows.
func TestWorldFoldRowsWithoutTheFoldsPairs(t *testing.T) {
	e, all, _, _ := worldFixture(t)
	queries := BacktestQueries(e.reg)
	folds := AssignFolds(queries, 3, 1)
	drop := func(m string) bool { f, ok := folds[m]; return ok && f == 0 }
	kept := rerankDropMunicipalities(e, Inputs{Twinnings: all}, drop)
	if len(kept) == len(all) {
		t.Fatal("fold 0 has no pair to drop")
	}
	for _, p := range kept {
		if m, ok := twinningMunicipality(e.in.Snap, p); ok && drop(m) {
			t.Fatalf("pair %d–%d of fold 0's municipality %s kept", p.PlaceA, p.PlaceB, m)
		}
	}
	o := WorldOptions{Sources: 10, Weight: 0.5, MaxRows: 50}
	wq := e.worldQueries(e.reg, o, 1)
	if len(wq) == 0 {
		t.Fatal("no foreign source with three twins abroad")
	}
	rows, groups, err := e.worldRowsOf(context.Background(), NewRegistry(kept, e), e.w.For(true), wq, o, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) == 0 || len(rows) != groups[len(groups)-1].End*len(rerankFeatureNames) {
		t.Fatalf("%d groups, %d values", len(groups), len(rows))
	}
	for _, g := range groups {
		if g.End-g.Start > o.MaxRows || g.PosW != 0.5 || g.W < 0.5 {
			t.Errorf("group %+v: more rows than %d or weights not the option's", g, o.MaxRows)
		}
	}
}

// firstRowDiff names the first input where two pools' rows differ.
func firstRowDiff(a, b []float32, pa, pb int) string {
	nf := len(rerankFeatureNames)
	if pa != pb || len(a) != len(b) {
		return fmt.Sprintf("hidden row %d vs %d, %d vs %d rows", pa, pb, len(a)/nf, len(b)/nf)
	}
	for i := range a {
		if a[i] != b[i] {
			return fmt.Sprintf("row %d, %s: %v vs %v", i/nf, rerankFeatureNames[i%nf], a[i], b[i])
		}
	}
	return "equal"
}
