package matcher

import (
	"maps"
	"math"
	"slices"

	"hermanar/datasets"
)

// Registry holds the existing twinnings as the network signals need them:
// how popular each candidate is (with Mexican cities and overall), which
// foreign places each municipality is already twinned with, and who is
// twinned with whom.
type Registry struct {
	list      []datasets.Twinning
	e         *Engine
	mx, all   []int32 // per candidate
	popMx     []float32
	popAll    []float32
	muniTwins map[string][]int32 // CVEGEO -> candidate indexes
	neighbors map[int64][]int64  // place -> places twinned with it
}

// NewRegistry indexes twinnings against the engine's candidates.
func NewRegistry(list []datasets.Twinning, e *Engine) *Registry {
	r := &Registry{list: list, e: e, mx: make([]int32, e.n), all: make([]int32, e.n),
		popMx: make([]float32, e.n), popAll: make([]float32, e.n),
		muniTwins: map[string][]int32{}, neighbors: map[int64][]int64{}}
	snap := e.in.Snap
	isMX := func(id int64) bool {
		p, ok := snap.Place(id)
		return ok && p.Country == "MX"
	}
	for _, t := range list {
		r.neighbors[t.PlaceA] = append(r.neighbors[t.PlaceA], t.PlaceB)
		r.neighbors[t.PlaceB] = append(r.neighbors[t.PlaceB], t.PlaceA)
		for _, side := range [2][2]int64{{t.PlaceA, t.PlaceB}, {t.PlaceB, t.PlaceA}} {
			c, ok := e.candIndex[side[0]]
			if !ok {
				continue
			}
			r.all[c]++
			if isMX(side[1]) {
				r.mx[c]++
				muni := t.Municipality
				if muni == "" {
					if p, ok := snap.Place(side[1]); ok {
						muni, _ = datasets.MunicipalityOf(p)
					}
				}
				if muni != "" && !containsInt32(r.muniTwins[muni], c) {
					r.muniTwins[muni] = append(r.muniTwins[muni], c)
				}
			}
		}
	}
	var maxMx, maxAll int32
	for c := range r.mx {
		maxMx, maxAll = max(maxMx, r.mx[c]), max(maxAll, r.all[c])
	}
	lm, la := math.Log1p(float64(maxMx)), math.Log1p(float64(maxAll))
	for c := range r.mx {
		if lm > 0 {
			r.popMx[c] = float32(math.Log1p(float64(r.mx[c])) / lm)
		}
		if la > 0 {
			r.popAll[c] = float32(math.Log1p(float64(r.all[c])) / la)
		}
	}
	return r
}

// Empty reports whether no twinnings are known.
func (r *Registry) Empty() bool { return len(r.list) == 0 }

// Len is the number of twinnings.
func (r *Registry) Len() int { return len(r.list) }

// Twins returns the foreign places a municipality is twinned with.
func (r *Registry) Twins(cvegeo string) []int64 {
	out := make([]int64, 0, len(r.muniTwins[cvegeo]))
	for _, c := range r.muniTwins[cvegeo] {
		out = append(out, r.e.ids[c])
	}
	return out
}

// MexicanTwins is how many Mexican places a foreign place is twinned with.
func (r *Registry) MexicanTwins(place int64) int {
	if c, ok := r.e.candIndex[place]; ok {
		return int(r.mx[c])
	}
	return 0
}

// AllTwins is how many places a foreign place is twinned with.
func (r *Registry) AllTwins(place int64) int {
	if c, ok := r.e.candIndex[place]; ok {
		return int(r.all[c])
	}
	return 0
}

// Twinned reports whether municipality and place are already twinned.
func (r *Registry) Twinned(cvegeo string, place int64) bool {
	c, ok := r.e.candIndex[place]
	return ok && containsInt32(r.muniTwins[cvegeo], c)
}

// Without returns a registry with every twinning between the municipality
// and the place removed, so that a backtest query cannot see the pair it
// hides, nor any count derived from it.
func (r *Registry) Without(cvegeo string, place int64) *Registry {
	snap := r.e.in.Snap
	keep := make([]datasets.Twinning, 0, len(r.list))
	for _, t := range r.list {
		if r.involves(snap, t, cvegeo, place) {
			continue
		}
		keep = append(keep, t)
	}
	return NewRegistry(keep, r.e)
}

func (r *Registry) involves(snap *datasets.Snapshot, t datasets.Twinning, cvegeo string, place int64) bool {
	var other int64
	switch place {
	case t.PlaceA:
		other = t.PlaceB
	case t.PlaceB:
		other = t.PlaceA
	default:
		return false
	}
	if t.Municipality == cvegeo {
		return true
	}
	if p, ok := snap.Place(other); ok {
		m, _ := datasets.MunicipalityOf(p)
		return m == cvegeo
	}
	return false
}

func containsInt32(s []int32, x int32) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// hide is Registry.Without done incrementally: it copies the counts and
// undoes only the rows linking the municipality and the place, instead of
// re-indexing every twinning. A backtest calls it once per query (and
// calibration once per training query and round), where the full rebuild
// dominated the run time. TestHideEqualsWithout holds it to Without.
func (r *Registry) hide(cvegeo string, place int64) *Registry {
	snap := r.e.in.Snap
	var gone []datasets.Twinning
	keep := make([]datasets.Twinning, 0, len(r.list))
	for _, t := range r.list {
		if (t.PlaceA == place || t.PlaceB == place) && r.involves(snap, t, cvegeo, place) {
			gone = append(gone, t)
			continue
		}
		keep = append(keep, t)
	}
	if len(gone) == 0 {
		return r
	}
	n := &Registry{list: keep, e: r.e, mx: slices.Clone(r.mx), all: slices.Clone(r.all),
		muniTwins: maps.Clone(r.muniTwins), neighbors: maps.Clone(r.neighbors)}
	isMX := func(id int64) bool {
		p, ok := snap.Place(id)
		return ok && p.Country == "MX"
	}
	rowMuni := func(t datasets.Twinning, mexican int64) string {
		if t.Municipality != "" {
			return t.Municipality
		}
		if p, ok := snap.Place(mexican); ok {
			m, _ := datasets.MunicipalityOf(p)
			return m
		}
		return ""
	}
	removeOnce := func(m map[int64][]int64, k, v int64) {
		s := m[k]
		if i := slices.Index(s, v); i >= 0 {
			s = slices.Delete(slices.Clone(s), i, i+1)
		}
		if len(s) == 0 {
			delete(m, k)
		} else {
			m[k] = s
		}
	}
	type muniCand struct {
		muni string
		c    int32
	}
	touched := map[muniCand]bool{}
	changed := map[int32]bool{}
	for _, t := range gone {
		removeOnce(n.neighbors, t.PlaceA, t.PlaceB)
		removeOnce(n.neighbors, t.PlaceB, t.PlaceA)
		for _, side := range [2][2]int64{{t.PlaceA, t.PlaceB}, {t.PlaceB, t.PlaceA}} {
			c, ok := r.e.candIndex[side[0]]
			if !ok {
				continue
			}
			n.all[c]--
			changed[c] = true
			if isMX(side[1]) {
				n.mx[c]--
				if m := rowMuni(t, side[1]); m != "" {
					touched[muniCand{m, c}] = true
				}
			}
		}
	}
	for k := range touched {
		id, still := r.e.ids[k.c], false
		for _, t := range keep {
			var other int64
			switch id {
			case t.PlaceA:
				other = t.PlaceB
			case t.PlaceB:
				other = t.PlaceA
			default:
				continue
			}
			if isMX(other) && rowMuni(t, other) == k.muni {
				still = true
				break
			}
		}
		if !still {
			s := slices.DeleteFunc(slices.Clone(n.muniTwins[k.muni]), func(x int32) bool { return x == k.c })
			if len(s) == 0 {
				delete(n.muniTwins, k.muni)
			} else {
				n.muniTwins[k.muni] = s
			}
		}
	}
	maxOf := func(s []int32) int32 {
		m := int32(0)
		for _, v := range s {
			m = max(m, v)
		}
		return m
	}
	oldMx, oldAll, maxMx, maxAll := maxOf(r.mx), maxOf(r.all), maxOf(n.mx), maxOf(n.all)
	lm, la := math.Log1p(float64(maxMx)), math.Log1p(float64(maxAll))
	pop := func(old []float32, counts []int32, same bool, l float64) []float32 {
		out := make([]float32, len(counts))
		if same {
			copy(out, old)
		}
		for c := range counts {
			if same && !changed[int32(c)] {
				continue
			}
			if l > 0 {
				out[c] = float32(math.Log1p(float64(counts[c])) / l)
			} else {
				out[c] = 0
			}
		}
		return out
	}
	n.popMx = pop(r.popMx, n.mx, oldMx == maxMx, lm)
	n.popAll = pop(r.popAll, n.all, oldAll == maxAll, la)
	return n
}
