package matcher

import (
	"math"
	"sync"
	"sync/atomic"
)

// flatForest is a RerankModel's trees laid out for scoring a pool's rows:
// each tree padded to a complete tree of depth 4 in fixed arrays (its 15
// splits' features and thresholds in level order, its 16 leaves), and the
// row padded to 64 features, so that a row walks a tree by index
// arithmetic over 208 bytes, with indexes masked to the arrays' sizes and
// so without bounds checks, instead of chasing the model's 40-byte nodes.
// A leaf shallower than 4 sits under splits that always go right (a NaN
// threshold: no comparison with NaN holds) and its value fills every leaf
// below it. The leaves are added in the trees' order to the base margin,
// as RerankModel.margin adds them, so the score is the model's to the bit
// (TestFlatForestEqualsModel). A model deeper than 4 or reading more than
// 64 features is scored by its own nodes.
type flatForest struct {
	m     *RerankModel
	trees []tree4
	paths []path4 // read by the attribution only, apart so the scan's trees stay small
}

// path4 is what the attribution reads of a tree4 beyond the walk: every
// slot's expected output (a split's Value, a leaf's value; a padded slot
// has its leaf's) and which of the 15 split slots are the model's splits
// (bit i: slot i), not padding.
type path4 struct {
	val   [31]float64
	split uint16
	// root is val[0]/span and step[j] (val[j]-val[parent of j])/span for
	// every slot j below the root, with span the model's Hi − Lo: the
	// attribution's terms, computed once as the model's attribution
	// computes them for every row.
	root float64
	step [32]float64
}

// tree4 is one tree padded to depth 4: splits 0..14 in level order (the
// children of slot i are 2i+1 and 2i+2), the 16 leaves left to right.
type tree4 struct {
	feat [16]uint8
	thr  [16]float32
	leaf [16]float64
}

// row64 is a second-stage row padded to 64 features.
type row64 = [64]float32

func treeDepth(nodes []rerankNode, i int32) int {
	n := &nodes[i]
	if n.Feature < 0 {
		return 0
	}
	return 1 + max(treeDepth(nodes, n.Left), treeDepth(nodes, n.Right))
}

// newFlatForest lays m out; nil when m is too deep or too wide for it.
func newFlatForest(m *RerankModel) *flatForest {
	if len(m.Features) > len(row64{}) {
		return nil
	}
	for t := range m.Trees {
		if len(m.Trees[t].Nodes) == 0 || treeDepth(m.Trees[t].Nodes, 0) > 4 {
			return nil
		}
	}
	ff := &flatForest{m: m, trees: make([]tree4, len(m.Trees)), paths: make([]path4, len(m.Trees))}
	nan := float32(math.NaN())
	for t := range m.Trees {
		nodes, q, p := m.Trees[t].Nodes, &ff.trees[t], &ff.paths[t]
		// fill places model node n at slot i of level d (the root is
		// slot 0 of level 0; a level's slots are numbered left to right).
		var fill func(n int32, d, i int)
		fill = func(n int32, d, i int) {
			nd := &nodes[n]
			slot := 1<<d - 1 + i
			p.val[slot] = nd.Value
			if d == 4 {
				q.leaf[i] = nd.Value
				return
			}
			if nd.Feature < 0 {
				q.feat[slot], q.thr[slot] = 0, nan
				fill(n, d+1, 2*i)
				fill(n, d+1, 2*i+1)
				return
			}
			q.feat[slot], q.thr[slot] = uint8(nd.Feature), nd.Threshold
			p.split |= 1 << slot
			fill(nd.Left, d+1, 2*i)
			fill(nd.Right, d+1, 2*i+1)
		}
		fill(0, 0, 0)
		if span := m.Hi - m.Lo; span > 0 {
			p.root = p.val[0] / span
			for j := 1; j < len(p.val); j++ {
				p.step[j] = (p.val[j] - p.val[(j-1)/2]) / span
			}
		}
	}
	return ff
}

// score64 is m.Score(x[:len(m.Features)]).
func (ff *flatForest) score64(x *row64) float64 {
	m := ff.m
	s := m.base(x[:len(m.Features)])
	for t := range ff.trees {
		q := &ff.trees[t]
		// A split at slot i sends the row to 2i+1 when x < threshold,
		// else to 2i+2 (2i+2 minus left); the fourth level's slots 15..30 are the leaves.
		// Branch-free: the direction is a 0 or 1 the processor computes
		// (a set-on-condition), not a jump it must guess, so the trees'
		// walks overlap instead of stalling on mispredictions.
		i := 2 - left(x[q.feat[0]&63], q.thr[0])
		j := 2*i + 2 - left(x[q.feat[i&15]&63], q.thr[i&15])
		i = 2*j + 2 - left(x[q.feat[j&15]&63], q.thr[j&15])
		j = 2*i + 2 - left(x[q.feat[i&15]&63], q.thr[i&15])
		s += q.leaf[(j-15)&15]
	}
	return m.unit(s)
}

// attribution is m.rerankAttribution(x[:len(m.Features)]), bit for bit:
// the same terms added in the same order (the base terms, then tree by
// tree the root's expected output and the change at each of the model's
// splits along x's path; padded splits add nothing, as the model's walk
// has stopped at their leaf).
func (ff *flatForest) attribution(x *row64) (bias float64, parts []float64) {
	bias, parts, span := ff.m.baseAttribution(x[:len(ff.m.Features)])
	if span <= 0 {
		return bias, parts
	}
	for t := range ff.trees {
		q, p := &ff.trees[t], &ff.paths[t]
		bias += p.root
		// The four levels written out: slot i's child j, and j's step
		// added when i is one of the model's splits.
		j := 2 - left(x[q.feat[0]&63], q.thr[0])
		if p.split&1 != 0 {
			parts[q.feat[0]] += p.step[j&31]
		}
		i := j & 15
		j = 2*i + 2 - left(x[q.feat[i]&63], q.thr[i])
		if p.split&(1<<i) != 0 {
			parts[q.feat[i]] += p.step[j&31]
		}
		i = j & 15
		j = 2*i + 2 - left(x[q.feat[i]&63], q.thr[i])
		if p.split&(1<<i) != 0 {
			parts[q.feat[i]] += p.step[j&31]
		}
		i = j & 15
		j = 2*i + 2 - left(x[q.feat[i]&63], q.thr[i])
		if p.split&(1<<i) != 0 {
			parts[q.feat[i]] += p.step[j&31]
		}
	}
	return bias, parts
}

// scoreRows sets out[r] to score64(&rows[r]) for every row, bit for bit:
// each row's leaves are added in the trees' order to its base margin, as
// score64 adds them. It walks each tree for four rows at once: a row's
// walk is a chain of four dependent loads and compares, and four rows'
// chains side by side keep the processor busy where one row's would make
// it wait on every load (about 3x faster per row than score64 alone).
func (ff *flatForest) scoreRows(rows []row64, out []float64) {
	m := ff.m
	out = out[:len(rows)]
	r := 0
	for ; r+4 <= len(rows); r += 4 {
		x0, x1, x2, x3 := &rows[r], &rows[r+1], &rows[r+2], &rows[r+3]
		s0, s1, s2, s3 := m.base(x0[:len(m.Features)]), m.base(x1[:len(m.Features)]), m.base(x2[:len(m.Features)]), m.base(x3[:len(m.Features)])
		for t := range ff.trees {
			q := &ff.trees[t]
			f, t0 := q.feat[0]&63, q.thr[0]
			i0 := 2 - left(x0[f], t0)
			i1 := 2 - left(x1[f], t0)
			i2 := 2 - left(x2[f], t0)
			i3 := 2 - left(x3[f], t0)
			i0 = 2*i0 + 2 - left(x0[q.feat[i0&15]&63], q.thr[i0&15])
			i1 = 2*i1 + 2 - left(x1[q.feat[i1&15]&63], q.thr[i1&15])
			i2 = 2*i2 + 2 - left(x2[q.feat[i2&15]&63], q.thr[i2&15])
			i3 = 2*i3 + 2 - left(x3[q.feat[i3&15]&63], q.thr[i3&15])
			i0 = 2*i0 + 2 - left(x0[q.feat[i0&15]&63], q.thr[i0&15])
			i1 = 2*i1 + 2 - left(x1[q.feat[i1&15]&63], q.thr[i1&15])
			i2 = 2*i2 + 2 - left(x2[q.feat[i2&15]&63], q.thr[i2&15])
			i3 = 2*i3 + 2 - left(x3[q.feat[i3&15]&63], q.thr[i3&15])
			i0 = 2*i0 + 2 - left(x0[q.feat[i0&15]&63], q.thr[i0&15])
			i1 = 2*i1 + 2 - left(x1[q.feat[i1&15]&63], q.thr[i1&15])
			i2 = 2*i2 + 2 - left(x2[q.feat[i2&15]&63], q.thr[i2&15])
			i3 = 2*i3 + 2 - left(x3[q.feat[i3&15]&63], q.thr[i3&15])
			s0 += q.leaf[(i0-15)&15]
			s1 += q.leaf[(i1-15)&15]
			s2 += q.leaf[(i2-15)&15]
			s3 += q.leaf[(i3-15)&15]
		}
		out[r], out[r+1], out[r+2], out[r+3] = m.unit(s0), m.unit(s1), m.unit(s2), m.unit(s3)
	}
	for ; r < len(rows); r++ {
		out[r] = ff.score64(&rows[r])
	}
}

// left is 1 when a row with value v goes left at a split of threshold t
// (v < t: never when either is NaN), else 0.
func left(v, t float32) int {
	l := 0
	if v < t {
		l = 1
	}
	return l
}

// forests caches each model's flat form (a model is not changed once
// fitted or read). A process holds few models: the shipped one, or a
// calibration's folds; past forestCacheMax the cache stops growing.
var (
	forests     sync.Map // *RerankModel -> *flatForest (nil: not flattened)
	forestCount atomic.Int64
)

const forestCacheMax = 256

// forestOf is m's flat forest, nil when m cannot be flattened.
func forestOf(m *RerankModel) *flatForest {
	if v, ok := forests.Load(m); ok {
		return v.(*flatForest)
	}
	ff := newFlatForest(m)
	if forestCount.Load() < forestCacheMax {
		if _, loaded := forests.LoadOrStore(m, ff); !loaded {
			forestCount.Add(1)
		}
	}
	return ff
}
