package matcher

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"hermanar/datasets"
)

// This file exports the exact inputs of the dense kernel (kernel.go) so
// that a peer implementation (matcher/peer/rank_numpy.py) can compute the
// same scores outside Go: the candidate columns the signals' terms read,
// as .npy arrays; the terms themselves (signal, op, columns), in the
// kernel's order; and per municipality the base, each term's folded
// weight and query-side values, the lookup terms' tables, and the few
// candidates scored through the general path (a diaspora tie, a twinning
// link, a sparse-signal hit, a profile) with their final scores.
//
// The dense score of candidate c, in float32, term by term in order (see
// kernel.go for the exact expression of each op): s starts at base, each
// structure term updates s, the network terms are summed into t from 0,
// and s += t. Then s = score for every explicit (candidate, score) pair.
// Top k: highest score first, equal scores by ascending GeoNames id.

// DenseFeatureVersion changes whenever the layout below does.
const DenseFeatureVersion = 3

// DenseColumn is one candidate column: a name, a NumPy dtype ("<f4",
// "<i8", "|u1", "<u2") and the values (a []float32, []int64, []uint8 or
// []uint16 of length Candidates()).
type DenseColumn struct {
	Name  string
	DType string
	Data  any
}

// DenseTerm is one term of the dense kernel.
type DenseTerm struct {
	Signal    string   `json:"signal"`
	Component string   `json:"component"` // structure terms update s, network terms t
	Op        string   `json:"op"`        // clip_diff, scaled_diff, unit_dot, column, lookup
	Columns   []string `json:"columns"`
	Inv       float64  `json:"inv,omitempty"` // clip_diff, scaled_diff: 1/span, as float32
}

// DenseQuery is everything one municipality's dense scoring reads. Floats
// are float32 values widened exactly to float64 for JSON, so a reader that
// narrows them back gets the same bits.
type DenseQuery struct {
	Municipality string  `json:"municipality"`
	Base         float64 `json:"base"`
	// K is each term's folded weight; 0 where the term does not apply.
	K []float64 `json:"k"`
	// Q is each term's query-side values (one, or three for unit_dot;
	// none for column and lookup).
	Q [][]float64 `json:"q"`
	// Tables are the lookup terms' tables by term index, sparse:
	// category id → value; absent ids are 0.
	Tables map[string]map[string]float64 `json:"tables,omitempty"`
	// Explicit are candidates scored one by one: [candidate index, score].
	Explicit [][2]float64 `json:"explicit"`
}

// DenseFeatures is the whole export: columns, terms and queries.
type DenseFeatures struct {
	Version           int               `json:"version"`
	Snapshot          string            `json:"snapshot"`
	WeightsProvenance string            `json:"weights_provenance"`
	K                 int               `json:"k"`
	Candidates        int               `json:"candidates"`
	Terms             []DenseTerm       `json:"terms"`
	Categories        map[string]int    `json:"categories"` // key column → table length for lookup terms
	Files             map[string]string `json:"files"`      // column name → file name
	Queries           []DenseQuery      `json:"queries"`
	Columns           []DenseColumn     `json:"-"`
	// Layout is the pruned scan's order of the candidates (zone_order:
	// candidate indices, int32) and the start of each of its leaves in
	// that order (zone_starts, int32; a leaf ends where the next starts),
	// so that a peer can bound the very same groups of candidates.
	LayoutFiles map[string]string `json:"layout_files"`
	Layout      []DenseColumn     `json:"-"`
}

// denseTerms are the kernel's terms in its order: structure, then network.
func denseTerms() []int {
	var out []int
	for _, comp := range []string{CompStructure, CompNetwork} {
		for _, i := range signalsOf(comp) {
			if signalList[i].term != nil {
				out = append(out, i)
			}
		}
	}
	return out
}

// DenseFeatures exports the dense-scoring inputs of every municipality req
// names. Filters are not exported: the peer ranks over all candidates.
func (e *Engine) DenseFeatures(req RankRequest) (*DenseFeatures, error) {
	if len(req.Filter.Countries) > 0 || req.Filter.MinPopulation > 0 || req.Filter.MaxPopulation > 0 ||
		req.Filter.ExcludeTwinned || req.Filter.OnlyProfiled {
		return nil, datasets.Errf(datasets.EInvalid, "las variables exportadas solo cubren clasificaciones sin filtros", "exported features cover unfiltered rankings only")
	}
	targets, err := e.RankTargets(req)
	if err != nil {
		return nil, err
	}
	k := req.K
	if k <= 0 {
		k = DefaultRankK
	}
	f := &DenseFeatures{Version: DenseFeatureVersion, Snapshot: e.in.Snap.Manifest.Version,
		WeightsProvenance: e.w.Provenance, K: k, Candidates: e.n,
		Categories: map[string]int{colCountry: len(e.countries), colUSState: len(e.usStates) + 1,
			colTraits: traitSets, colAdmin1: len(e.admin1s)},
		Files: map[string]string{}}
	seen := map[string]bool{}
	addCol := func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		var dt string
		switch e.cols.column(name).(type) {
		case []float32:
			dt = "<f4"
		case []int64:
			dt = "<i8"
		case []uint8:
			dt = "|u1"
		case []uint16:
			dt = "<u2"
		}
		f.Columns = append(f.Columns, DenseColumn{name, dt, e.cols.column(name)})
		f.Files[name] = name + ".npy"
	}
	addCol(colID)
	for _, i := range denseTerms() {
		s := &signalList[i]
		for _, c := range s.term.cols {
			addCol(c)
		}
		f.Terms = append(f.Terms, DenseTerm{Signal: s.Name, Component: s.Component, Op: string(s.term.op),
			Columns: s.term.cols, Inv: float64(s.term.inv)})
	}
	order, starts := e.matchIndex().leaves()
	f.Layout = []DenseColumn{{"zone_order", "<i4", order}, {"zone_starts", "<i4", starts}}
	f.LayoutFiles = map[string]string{"zone_order": "zone_order.npy", "zone_starts": "zone_starts.npy"}
	dyn := e.dyn.Load()
	for _, m := range targets {
		qs, err := e.prepare(Query{Municipality: m, K: k, dyn: dyn})
		if err != nil {
			return nil, err
		}
		f.Queries = append(f.Queries, e.denseQuery(qs))
	}
	return f, nil
}

// denseQuery folds the weights exactly as the kernel does.
func (e *Engine) denseQuery(qs *queryState) DenseQuery {
	kern := e.kernelOf(qs)
	w := func(x float32) float64 { return float64(x) }
	q := DenseQuery{Municipality: qs.muni.CVEGEO, Base: w(kern.base), Explicit: [][2]float64{}}
	folded := map[int]float32{}
	for _, t := range append(append([]weightedTerm{}, kern.str...), kern.net...) {
		folded[t.sig] = t.k
	}
	for ti, i := range denseTerms() {
		s := &signalList[i]
		q.K = append(q.K, w(folded[i]))
		var qv []float64
		if s.term.query != nil {
			for _, v := range s.term.query(qs) {
				qv = append(qv, w(v))
			}
		}
		q.Q = append(q.Q, qv)
		if s.term.op == opLookup {
			tab := map[string]float64{}
			for cid, v := range qs.sig[i].table {
				if v != 0 {
					tab[strconv.Itoa(cid)] = w(v)
				}
			}
			if len(tab) > 0 {
				if q.Tables == nil {
					q.Tables = map[string]map[string]float64{}
				}
				q.Tables[strconv.Itoa(ti)] = tab
			}
		}
	}
	cs := make([]int32, 0, len(qs.explicit))
	for c := range qs.explicit {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	for _, c := range cs {
		q.Explicit = append(q.Explicit, [2]float64{float64(c), w(float32(e.scoreOne(qs, c, nil)))})
	}
	return q
}

// WriteNPY writes one column as a NumPy .npy file (format 1.0).
func (c DenseColumn) WriteNPY(w io.Writer) error {
	var n int
	switch d := c.Data.(type) {
	case []float32:
		n = len(d)
	case []int64:
		n = len(d)
	case []int32:
		n = len(d)
	case []uint8:
		n = len(d)
	case []uint16:
		n = len(d)
	default:
		return fmt.Errorf("npy %s: unsupported type %T", c.Name, c.Data)
	}
	if err := writeNPYHeader(w, c.DType, n); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := binary.Write(bw, binary.LittleEndian, c.Data); err != nil {
		return fmt.Errorf("npy %s: %w", c.Name, err)
	}
	return bw.Flush()
}

func writeNPYHeader(w io.Writer, dtype string, shape ...int) error {
	dims := make([]string, len(shape))
	for i, s := range shape {
		dims[i] = strconv.Itoa(s)
	}
	sh := strings.Join(dims, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", dtype, sh)
	// Magic (6) + version (2) + length (2) + header, padded to 64 bytes with
	// spaces and ending in a newline.
	total := 10 + len(h) + 1
	h += strings.Repeat(" ", (64-total%64)%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(h)))
	b.WriteString(h)
	_, err := w.Write(b.Bytes())
	return err
}

// ReadNPYInt64 reads a C-ordered little-endian int64 .npy array (what the
// peer writes for its top-k ids) and returns the values and the shape.
func ReadNPYInt64(r io.Reader) ([]int64, []int, error) {
	br := bufio.NewReader(r)
	var pre [10]byte
	if _, err := io.ReadFull(br, pre[:]); err != nil {
		return nil, nil, fmt.Errorf("npy: %w", err)
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return nil, nil, errors.New("npy: not a .npy file")
	}
	var hlen int
	switch pre[6] {
	case 1:
		hlen = int(binary.LittleEndian.Uint16(pre[8:10]))
	case 2, 3:
		var more [2]byte
		if _, err := io.ReadFull(br, more[:]); err != nil {
			return nil, nil, fmt.Errorf("npy: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint32(append(pre[8:10:10], more[:]...)))
	default:
		return nil, nil, fmt.Errorf("npy: version %d not supported", pre[6])
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(br, hb); err != nil {
		return nil, nil, fmt.Errorf("npy header: %w", err)
	}
	h := string(hb)
	if !strings.Contains(h, "'descr': '<i8'") || !strings.Contains(h, "'fortran_order': False") {
		return nil, nil, fmt.Errorf("npy: want a C-ordered <i8 array, header %s", strings.TrimSpace(h))
	}
	i := strings.Index(h, "'shape': (")
	if i < 0 {
		return nil, nil, fmt.Errorf("npy: no shape in header %s", strings.TrimSpace(h))
	}
	rest := h[i+len("'shape': ("):]
	j := strings.IndexByte(rest, ')')
	if j < 0 {
		return nil, nil, fmt.Errorf("npy: bad shape in header %s", strings.TrimSpace(h))
	}
	var shape []int
	size := 1
	for _, p := range strings.Split(rest[:j], ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return nil, nil, fmt.Errorf("npy: bad shape %q", rest[:j])
		}
		shape = append(shape, v)
		size *= v
	}
	if size > math.MaxInt32 {
		return nil, nil, fmt.Errorf("npy: array of %d values is too large", size)
	}
	out := make([]int64, size)
	if err := binary.Read(br, binary.LittleEndian, out); err != nil {
		return nil, nil, fmt.Errorf("npy data: %w", err)
	}
	return out, shape, nil
}
