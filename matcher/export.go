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

// This file exports the exact inputs of the dense scoring loop (scoreAll)
// so that a peer implementation (matcher/peer/rank_numpy.py) can compute
// the same scores outside Go: the candidate columns as .npy arrays, and
// per municipality the query's features, its folded sub-weights and the
// few candidates scored through the general path (a diaspora tie, a
// twinning link, a profile), with their final scores.
//
// The dense score of candidate c for query q, in float32, evaluated left
// to right exactly as scoreAll does:
//
//	s = base - k0*min(|lp-log_pop[c]|*inv_size, 1)
//	         - k1*|typ-ptype[c]|*inv_type
//	         - k2*min(|el-elev[c]|*inv_elev, 1)
//	         - k3*min(|al-abs_lat[c]|*inv_clim, 1)
//	         + k4*(ux*ux[c] + uy*uy[c] + uz*uz[c] - 1)
//	if net: s += n0*pop_mx[c] + n1*pop_all[c] + n2*twin_share[country[c]] + n4*state_val[us_state[c]]
//
// then s = score for every explicit (candidate, score) pair of the query.
// Top k: highest score first, equal scores by ascending GeoNames id.

// DenseFeatureVersion changes whenever the layout below does.
const DenseFeatureVersion = 1

// DenseColumn is one candidate column: a name, a NumPy dtype ("<f4",
// "<i8", "|u1", "<u2") and the values (a []float32, []int64, []uint8 or
// []uint16 of length Candidates()).
type DenseColumn struct {
	Name  string
	DType string
	Data  any
}

// DenseQuery is everything one municipality's dense scoring reads. Floats
// are float32 values widened exactly to float64 for JSON, so a reader that
// narrows them back gets the same bits.
type DenseQuery struct {
	Municipality string     `json:"municipality"`
	LP           float64    `json:"lp"`  // log10(population+1)
	El           float64    `json:"el"`  // elevation of the seat, metres
	Al           float64    `json:"al"`  // |latitude|
	Typ          float64    `json:"typ"` // settlement type of the seat, 0–2
	UX           float64    `json:"ux"`  // unit vector of the centroid
	UY           float64    `json:"uy"`
	UZ           float64    `json:"uz"`
	K            [5]float64 `json:"k"`    // structure weights folded with the component weight; k4 already halved
	Base         float64    `json:"base"` // k0+k1+k2+k3+2*k4
	Net          bool       `json:"net"`  // the network term applies
	N            [4]float64 `json:"n"`    // network weights n0, n1, n2, n4 (co-twin goes through explicit)
	// TwinShare is the share of the municipality's twins by country id,
	// sparse: country id → share; absent ids are 0.
	TwinShare map[string]float64 `json:"twin_share,omitempty"`
	// StateVal is the corridor value by US state id (0 = outside the US),
	// or nil when the municipality has no corridor data (all 0).
	StateVal []float64 `json:"state_val"`
	// Explicit are candidates scored one by one: [candidate index, score].
	Explicit [][2]float64 `json:"explicit"`
}

// DenseFeatures is the whole export: columns, constants and queries.
type DenseFeatures struct {
	Version           int                `json:"version"`
	Snapshot          string             `json:"snapshot"`
	WeightsProvenance string             `json:"weights_provenance"`
	K                 int                `json:"k"`
	Candidates        int                `json:"candidates"`
	Countries         int                `json:"countries"`
	USStates          int                `json:"us_states"` // length of state_val, including 0
	Constants         map[string]float64 `json:"constants"`
	Files             map[string]string  `json:"files"` // column name → file name
	Queries           []DenseQuery       `json:"queries"`
	Columns           []DenseColumn      `json:"-"`
}

// DenseFeatures exports the dense-scoring inputs of every municipality req
// names. Filters are not exported: the peer ranks over all candidates.
func (e *Engine) DenseFeatures(req RankRequest) (*DenseFeatures, error) {
	if len(req.Filter.Countries) > 0 || req.Filter.MinPopulation > 0 || req.Filter.MaxPopulation > 0 ||
		req.Filter.ExcludeTwinned || req.Filter.OnlyProfiled {
		return nil, datasets.Errorf(datasets.EInvalid, "exported features cover unfiltered rankings only")
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
		Countries: len(e.countries), USStates: len(e.usStates) + 1,
		Constants: map[string]float64{
			"inv_size": float64(float32(1 / sizeSpan)), "inv_type": float64(float32(1 / typeSpan)),
			"inv_elev": float64(float32(1 / elevSpan)), "inv_clim": float64(float32(1 / climSpan)),
		},
		Files: map[string]string{}}
	f.Columns = []DenseColumn{
		{"id", "<i8", e.ids}, {"log_pop", "<f4", e.logPop}, {"elev", "<f4", e.elev}, {"abs_lat", "<f4", e.absLat},
		{"ptype", "|u1", e.ptype}, {"ux", "<f4", e.ux}, {"uy", "<f4", e.uy}, {"uz", "<f4", e.uz},
		{"pop_mx", "<f4", e.reg.popMx}, {"pop_all", "<f4", e.reg.popAll},
		{"country", "<u2", e.country}, {"us_state", "|u1", e.usState},
	}
	for _, c := range f.Columns {
		f.Files[c.Name] = c.Name + ".npy"
	}
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

// denseQuery folds the weights exactly as scoreAll does.
func (e *Engine) denseQuery(qs *queryState) DenseQuery {
	f := e.fold(qs)
	k0, k1, k2, k3, k4, base := f.k0, f.k1, f.k2, f.k3, f.k4, f.base
	n0, n1, n2, n4 := f.n0, f.n1, f.n2, f.n4
	w := func(x float32) float64 { return float64(x) }
	q := DenseQuery{Municipality: qs.muni.CVEGEO, LP: w(qs.logPop), El: w(qs.elev), Al: w(qs.absLat), Typ: w(float32(qs.ptype)),
		UX: w(qs.ux), UY: w(qs.uy), UZ: w(qs.uz),
		K: [5]float64{w(k0), w(k1), w(k2), w(k3), w(k4)}, Base: w(base),
		Net: f.net, N: [4]float64{w(n0), w(n1), w(n2), w(n4)}, Explicit: [][2]float64{}}
	for cid, s := range qs.twinShare {
		if s != 0 {
			if q.TwinShare == nil {
				q.TwinShare = map[string]float64{}
			}
			q.TwinShare[strconv.Itoa(cid)] = w(s)
		}
	}
	if qs.stateVal != nil {
		q.StateVal = make([]float64, len(qs.stateVal))
		for i, v := range qs.stateVal {
			q.StateVal[i] = w(v)
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
