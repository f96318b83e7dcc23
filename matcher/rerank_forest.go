package matcher

import (
	"math"
	"sync"
	"sync/atomic"
)

// flatForest is a RerankModel's trees laid out for scoring many rows:
// every tree padded to a complete tree of the model's depth, its splits'
// features and thresholds in two flat arrays and its leaves in a third,
// so that a row walks each tree by index arithmetic (no pointers, no
// branch on the node kind) over ~25 KB instead of the model's 80 KB of
// nodes. A leaf shallower than the depth sits under splits that always go
// right (a NaN threshold: no comparison with NaN holds), and its value
// fills every leaf below it. The leaves are summed in the trees' order
// from the base margin, as RerankModel.margin sums them, so the score is
// the same to the bit (TestFlatForestEqualsModel).
type flatForest struct {
	m      *RerankModel
	depth  int
	inner  int // splits per tree: 2^depth − 1
	feat   []int32
	thr    []float32
	leaves []float64 // 2^depth per tree
	// t4 is the same trees as fixed arrays when the model is at most
	// 4 deep and reads at most 64 features (the shipped one): indexes
	// masked to the arrays' sizes need no bounds checks.
	t4 []tree4
}

// tree4 is one tree padded to depth 4: splits 0..14 in level order, the
// 16 leaves left to right.
type tree4 struct {
	feat [16]uint8
	thr  [16]float32
	leaf [16]float64
}

// row64 is a row padded to 64 features, for tree4.
type row64 = [64]float32

// flatDepthMax is the deepest model flattened (2^depth leaves per tree);
// a deeper one is scored by its own nodes.
const flatDepthMax = 8

func treeDepth(nodes []rerankNode, i int32) int {
	n := &nodes[i]
	if n.Feature < 0 {
		return 0
	}
	return 1 + max(treeDepth(nodes, n.Left), treeDepth(nodes, n.Right))
}

// newFlatForest flattens m; nil when m is too deep for it.
func newFlatForest(m *RerankModel) *flatForest {
	depth := 0
	for t := range m.Trees {
		if len(m.Trees[t].Nodes) == 0 {
			return nil
		}
		depth = max(depth, treeDepth(m.Trees[t].Nodes, 0))
	}
	if depth > flatDepthMax {
		return nil
	}
	inner, nl := 1<<depth-1, 1<<depth
	ff := &flatForest{m: m, depth: depth, inner: inner,
		feat: make([]int32, inner*len(m.Trees)), thr: make([]float32, inner*len(m.Trees)),
		leaves: make([]float64, nl*len(m.Trees))}
	nan := float32(math.NaN())
	for t := range m.Trees {
		nodes := m.Trees[t].Nodes
		feat, thr := ff.feat[t*inner:(t+1)*inner], ff.thr[t*inner:(t+1)*inner]
		leaves := ff.leaves[t*nl : (t+1)*nl]
		// fill places model node n at slot i of level d (the root is slot
		// 0 of level 0); a level's slots are numbered left to right.
		var fill func(n int32, d, i int)
		fill = func(n int32, d, i int) {
			nd := &nodes[n]
			if d == depth {
				leaves[i] = nd.Value
				return
			}
			slot := 1<<d - 1 + i
			if nd.Feature < 0 {
				feat[slot], thr[slot] = 0, nan
				// Always right: the leaf's value below, on both sides
				// (only the right-most is reached).
				fill(n, d+1, 2*i)
				fill(n, d+1, 2*i+1)
				return
			}
			feat[slot], thr[slot] = int32(nd.Feature), nd.Threshold
			fill(nd.Left, d+1, 2*i)
			fill(nd.Right, d+1, 2*i+1)
		}
		fill(0, 0, 0)
	}
	if depth <= 4 && len(m.Features) <= 64 {
		ff.t4 = make([]tree4, len(m.Trees))
		for t := range m.Trees {
			// Pad the tree to depth 4: every leaf of level `depth` goes
			// under always-right splits, its value on each of its leaves.
			q := &ff.t4[t]
			for d := range 4 {
				for i := range 1 << d {
					slot := 1<<d - 1 + i
					if d < depth {
						src := 1<<d - 1 + i
						q.feat[slot], q.thr[slot] = uint8(ff.feat[t*inner+src]), ff.thr[t*inner+src]
					} else {
						q.feat[slot], q.thr[slot] = 0, nan
					}
				}
			}
			for i := range 16 {
				q.leaf[i] = ff.leaves[t*nl+i>>(4-depth)]
			}
		}
	}
	return ff
}

// scoreRows64 is scoreRows for rows padded to 64 features, on the
// fixed-size trees: out[r] is m.Score(rows[r][:nf]).
func (ff *flatForest) scoreRows64(rows []row64, out []float64) {
	m := ff.m
	n := min(len(out), len(rows))
	nf := len(m.Features)
	for r := range n {
		out[r] = m.base(rows[r][:nf])
	}
	for t := range ff.t4 {
		q := &ff.t4[t]
		r := 0
		for ; r+4 <= n; r += 4 {
			x0, x1, x2, x3 := &rows[r], &rows[r+1], &rows[r+2], &rows[r+3]
			i0, i1, i2, i3 := 0, 0, 0, 0
			for range 4 {
				b0, b1, b2, b3 := 1, 1, 1, 1
				if x0[q.feat[i0&15]&63] < q.thr[i0&15] {
					b0 = 0
				}
				if x1[q.feat[i1&15]&63] < q.thr[i1&15] {
					b1 = 0
				}
				if x2[q.feat[i2&15]&63] < q.thr[i2&15] {
					b2 = 0
				}
				if x3[q.feat[i3&15]&63] < q.thr[i3&15] {
					b3 = 0
				}
				i0, i1, i2, i3 = 2*i0+1+b0, 2*i1+1+b1, 2*i2+1+b2, 2*i3+1+b3
			}
			out[r] += q.leaf[(i0-15)&15]
			out[r+1] += q.leaf[(i1-15)&15]
			out[r+2] += q.leaf[(i2-15)&15]
			out[r+3] += q.leaf[(i3-15)&15]
		}
		for ; r < n; r++ {
			x := &rows[r]
			i := 0
			for range 4 {
				b := 1
				if x[q.feat[i&15]&63] < q.thr[i&15] {
					b = 0
				}
				i = 2*i + 1 + b
			}
			out[r] += q.leaf[(i-15)&15]
		}
	}
	for r := range n {
		out[r] = m.unit(out[r])
	}
}

// score is m.Score(x).
func (ff *flatForest) score(x []float32) float64 {
	m := ff.m
	s := m.base(x)
	inner, depth := ff.inner, ff.depth
	nl := inner + 1
	feat, thr, leaves := ff.feat, ff.thr, ff.leaves
	for t := range len(m.Trees) {
		f, th := feat[t*inner:(t+1)*inner], thr[t*inner:(t+1)*inner]
		i := 0
		for range depth {
			right := 1
			if x[f[i]] < th[i] {
				right = 0
			}
			i = 2*i + 1 + right
		}
		s += leaves[t*nl+i-inner]
	}
	return m.unit(s)
}

// scoreRows writes m.Score of each row of rows (nf values each) into
// out. The trees are walked for four rows at a time: the four paths do
// not depend on one another, so the processor follows them together
// instead of waiting on each split's load in turn. Each row's margin sums
// the same values in the same order as score.
func (ff *flatForest) scoreRows(rows []float32, nf int, out []float64) {
	m := ff.m
	n := len(out)
	for r := range n {
		out[r] = m.base(rows[r*nf : (r+1)*nf])
	}
	inner, depth := ff.inner, ff.depth
	nl := inner + 1
	for t := range len(m.Trees) {
		f, th := ff.feat[t*inner:(t+1)*inner], ff.thr[t*inner:(t+1)*inner]
		lv := ff.leaves[t*nl : (t+1)*nl]
		r := 0
		for ; r+4 <= n; r += 4 {
			x0, x1 := rows[r*nf:(r+1)*nf], rows[(r+1)*nf:(r+2)*nf]
			x2, x3 := rows[(r+2)*nf:(r+3)*nf], rows[(r+3)*nf:(r+4)*nf]
			i0, i1, i2, i3 := 0, 0, 0, 0
			for range depth {
				b0, b1, b2, b3 := 1, 1, 1, 1
				if x0[f[i0]] < th[i0] {
					b0 = 0
				}
				if x1[f[i1]] < th[i1] {
					b1 = 0
				}
				if x2[f[i2]] < th[i2] {
					b2 = 0
				}
				if x3[f[i3]] < th[i3] {
					b3 = 0
				}
				i0, i1, i2, i3 = 2*i0+1+b0, 2*i1+1+b1, 2*i2+1+b2, 2*i3+1+b3
			}
			out[r] += lv[i0-inner]
			out[r+1] += lv[i1-inner]
			out[r+2] += lv[i2-inner]
			out[r+3] += lv[i3-inner]
		}
		for ; r < n; r++ {
			x := rows[r*nf : (r+1)*nf]
			i := 0
			for range depth {
				b := 1
				if x[f[i]] < th[i] {
					b = 0
				}
				i = 2*i + 1 + b
			}
			out[r] += lv[i-inner]
		}
	}
	for r := range n {
		out[r] = m.unit(out[r])
	}
}

// forests caches each model's flat form (a model is not changed once
// fitted or read). A process holds few models: the shipped one, or a
// calibration's folds; past forestCacheMax the cache stops growing.
var (
	forests     sync.Map // *RerankModel -> *flatForest (nil: too deep)
	forestCount atomic.Int64
)

const forestCacheMax = 256

// rerankScorer is m's scorer of rows: its flat forest, or m itself.
func rerankScorer(m *RerankModel) func(x []float32) float64 {
	if v, ok := forests.Load(m); ok {
		if ff := v.(*flatForest); ff != nil {
			return ff.score
		}
		return m.Score
	}
	ff := newFlatForest(m)
	if forestCount.Load() < forestCacheMax {
		if _, loaded := forests.LoadOrStore(m, ff); !loaded {
			forestCount.Add(1)
		}
	}
	if ff == nil {
		return m.Score
	}
	return ff.score
}
