package matcher

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"hermanar/datasets"
)

// A raw score is a weighted mean over the components that have data, so
// its level depends on which components those are and on the weights: a
// 0.9 on size and climate alone says less than a 0.9 that a migrant tie
// carries. The score scale turns a raw score into one number that means
// the same for every municipality: the backtest's probability that a
// city with that score is the twin the municipality really chose.
//
// It is an isotonic (monotone) regression, fitted by pool-adjacent-
// violators, of "this candidate is the hidden twin" on the candidate's
// score, over every candidate of every backtest query. The scores are
// binned first (ScaleBins equal bins over [0,1]): a backtest has about
// 400 queries × 180,000 candidates. Between the centres of the fitted
// blocks the scale is linear, so it is strictly increasing over the range
// the backtest saw and flat beyond it; a list's order never changes.
//
// A scale belongs to the weights whose scores it was fitted on: it is
// stored in the weights JSON beside them, with the weights' provenance,
// and the engine applies it only to those weights.

// ScaleBins is how many equal bins of [0,1] the fit pools scores into.
const ScaleBins = 4096

// ScaleMinTwins is how many hidden twins a basis needs in the backtest
// for a scale of its own; a basis with fewer has none.
const ScaleMinTwins = 20

// ScoreScale maps a raw score to the backtest's probability that a city
// with that score is the one chosen, per basis: a score on size and
// climate alone and a score a migrant tie carries are different numbers,
// so each basis (the components with data, joined by "+" in report
// order: "structure", "structure+network") has its own fit.
type ScoreScale struct {
	Bases map[string]*BasisScale `json:"bases"`
	// Weights is the provenance of the weights the scale was fitted for.
	Weights string `json:"weights"`
	// Provenance says how the scale was fitted: from what backtest, when.
	Provenance string `json:"provenance"`
}

// BasisScale is the fit of one basis. Scores and Values are its knots:
// block centres (raw scores, rising) and the fitted probability there.
type BasisScale struct {
	Scores     []float64 `json:"scores"`
	Values     []float64 `json:"values"`
	Queries    int       `json:"queries"`    // backtest queries (hidden twins) of this basis
	Candidates int64     `json:"candidates"` // candidate scores pooled over them
}

// BasisKey is the key of a basis in ScoreScale.Bases.
func BasisKey(basis []string) string { return strings.Join(basis, "+") }

// Apply is the calibrated value of a raw score on basis; ok is false when
// the scale has no fit for that basis.
func (s *ScoreScale) Apply(basis []string, score float64) (float64, bool) {
	b := s.Bases[BasisKey(basis)]
	if b == nil {
		return 0, false
	}
	return b.Apply(score), true
}

// Apply is the calibrated value of a raw score.
func (s *BasisScale) Apply(score float64) float64 {
	n := len(s.Scores)
	switch {
	case n == 0:
		return 0
	case score <= s.Scores[0]:
		return s.Values[0]
	case score >= s.Scores[n-1]:
		return s.Values[n-1]
	}
	i := sort.SearchFloat64s(s.Scores, score) // Scores[i-1] < score <= Scores[i]
	x0, x1 := s.Scores[i-1], s.Scores[i]
	y0, y1 := s.Values[i-1], s.Values[i]
	return y0 + (y1-y0)*(score-x0)/(x1-x0)
}

// Validate checks that every basis's knots are rising probabilities.
func (s *ScoreScale) Validate() error {
	if len(s.Bases) == 0 {
		return fmt.Errorf("score scale: no basis")
	}
	for k, b := range s.Bases {
		if err := b.validate(); err != nil {
			return fmt.Errorf("score scale %s: %w", k, err)
		}
	}
	return nil
}

func (s *BasisScale) validate() error {
	if len(s.Scores) == 0 || len(s.Scores) != len(s.Values) {
		return fmt.Errorf("%d scores for %d values", len(s.Scores), len(s.Values))
	}
	for i := range s.Scores {
		if s.Values[i] < 0 || s.Values[i] > 1 || math.IsNaN(s.Values[i]) || math.IsNaN(s.Scores[i]) {
			return fmt.Errorf("knot %d (%v, %v) out of range", i, s.Scores[i], s.Values[i])
		}
		if i > 0 && (s.Scores[i] <= s.Scores[i-1] || s.Values[i] < s.Values[i-1]) {
			return fmt.Errorf("knot %d does not rise", i)
		}
	}
	return nil
}

// ScaleSample accumulates a backtest's scores for a fit, by basis; it is
// safe for concurrent use.
type ScaleSample struct {
	mu    sync.Mutex
	bases map[string]*binSample
	// drop names components a run scores without (their weight set to 0):
	// its scores count for the basis without them.
	drop map[string]bool
}

type binSample struct {
	all     [ScaleBins]int64   // candidates per bin
	hits    [ScaleBins]int64   // hidden twins per bin
	sum     [ScaleBins]float64 // sum of scores per bin, for the block centres
	queries int
}

func scaleBin(s float64) int {
	return min(max(int(s*ScaleBins), 0), ScaleBins-1)
}

// add records one backtest query's scores (negative: rejected by a
// filter, left out) and its hidden twin. Candidates with a profile,
// whose basis may differ from the query's, are left out.
func (a *ScaleSample) add(e *Engine, qs *queryState, scores []float32, hidden int32) {
	var basis []string
	for _, c := range e.echo(qs).Coverage {
		if a.drop[c] || c == CompProblems || c == CompAreas || c == CompText {
			continue
		}
		basis = append(basis, c)
	}
	if qs.dyn.profiles[hidden] != nil && qs.pv != nil {
		return
	}
	var all [ScaleBins]int64
	var sum [ScaleBins]float64
	for c, s := range scores {
		if s < 0 || (qs.pv != nil && qs.dyn.profiles[int32(c)] != nil) {
			continue
		}
		b := scaleBin(float64(s))
		all[b]++
		sum[b] += float64(s)
	}
	key := BasisKey(basis)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bases == nil {
		a.bases = map[string]*binSample{}
	}
	bs := a.bases[key]
	if bs == nil {
		bs = &binSample{}
		a.bases[key] = bs
	}
	for b := range all {
		bs.all[b] += all[b]
		bs.sum[b] += sum[b]
	}
	if s := scores[hidden]; s >= 0 {
		bs.hits[scaleBin(float64(s))]++
	}
	bs.queries++
}

// Fit is the isotonic regression of each basis with enough hidden twins;
// nil when none has ScaleMinTwins.
func (a *ScaleSample) Fit() (*ScoreScale, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := &ScoreScale{Bases: map[string]*BasisScale{}}
	for k, bs := range a.bases {
		if s := bs.fit(); s != nil {
			out.Bases[k] = s
		}
	}
	if len(out.Bases) == 0 {
		return nil, nil
	}
	return out, out.Validate()
}

// fit pools adjacent bins by pool-adjacent-violators; nil with fewer than
// ScaleMinTwins hidden twins.
func (bs *binSample) fit() *BasisScale {
	type block struct {
		n, hits int64
		sum     float64
	}
	var st []block
	var total, hits int64
	for b := range bs.all {
		if bs.all[b] == 0 {
			continue
		}
		total += bs.all[b]
		hits += bs.hits[b]
		st = append(st, block{n: bs.all[b], hits: bs.hits[b], sum: bs.sum[b]})
		// Pool while the last block's rate is not above the one before.
		for len(st) > 1 {
			x, y := st[len(st)-2], st[len(st)-1]
			if float64(y.hits)*float64(x.n) > float64(x.hits)*float64(y.n) {
				break
			}
			st = st[:len(st)-2]
			st = append(st, block{n: x.n + y.n, hits: x.hits + y.hits, sum: x.sum + y.sum})
		}
	}
	if hits < ScaleMinTwins {
		return nil
	}
	s := &BasisScale{Queries: bs.queries, Candidates: total}
	for _, b := range st {
		s.Scores = append(s.Scores, b.sum/float64(b.n))
		s.Values = append(s.Values, float64(b.hits)/float64(b.n))
	}
	return s
}

// observeScale makes opts's backtest collect method's scores into the
// returned sample, keeping any observer already set.
func observeScale(opts *EvalOptions, method string, drop ...string) *ScaleSample {
	sample := &ScaleSample{drop: map[string]bool{}}
	for _, d := range drop {
		sample.drop[d] = true
	}
	prev := opts.observe
	opts.observe = func(e *Engine, m string, qs *queryState, scores []float32, hidden int32) {
		if prev != nil {
			prev(e, m, qs, scores, hidden)
		}
		if m == method {
			sample.add(e, qs, scores, hidden)
		}
	}
	return sample
}

// FitScale runs the backtest of opts.Default (the matcher with those
// weights, without calibration, ablations or the second stage) and fits the score scale of
// those weights on its scores: once as they are, and once without the
// network component, for the lists of municipalities with no twinning
// (whose basis has no network).
func FitScale(ctx context.Context, in Inputs, opts EvalOptions) (*ScoreScale, []*EvalReport, error) {
	opts.SkipCalibration, opts.SkipAblations, opts.SkipRerank = true, true, true
	out := &ScoreScale{Bases: map[string]*BasisScale{}, Weights: opts.Default.Provenance}
	var reps []*EvalReport
	for _, drop := range [][]string{nil, {CompNetwork}} {
		o := opts
		o.Default = copyWeights(opts.Default)
		for _, d := range drop {
			o.Default.Components[d] = 0
		}
		sample := observeScale(&o, MethodMatcherPolicy, drop...)
		rep, err := Evaluate(ctx, in, o)
		if err != nil {
			return nil, nil, err
		}
		reps = append(reps, rep)
		s, err := sample.Fit()
		if err != nil {
			return nil, nil, err
		}
		if s == nil {
			continue
		}
		for k, b := range s.Bases {
			if _, ok := out.Bases[k]; !ok {
				out.Bases[k] = b
			}
		}
	}
	if len(out.Bases) == 0 {
		return nil, nil, fmt.Errorf("score scale: no basis has %d hidden twins in the backtest", ScaleMinTwins)
	}
	return out, reps, out.Validate()
}

// scaleFile is the part of a weights JSON that holds a scale.
type scaleFile struct {
	Scale *ScoreScale `json:"scale"`
}

// ReadScale reads the scale stored in a weights JSON; nil when it has
// none.
func ReadScale(b []byte) (*ScoreScale, error) {
	var f scaleFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("score scale: %w", err)
	}
	if f.Scale == nil {
		return nil, nil
	}
	if err := f.Scale.Validate(); err != nil {
		return nil, err
	}
	return f.Scale, nil
}

// LoadScale reads the scale of a weights file (nil when it has none).
func LoadScale(name string) (*ScoreScale, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	s, err := ReadScale(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// WriteScale stores s in the weights JSON file name, keeping every other
// field as it is.
func WriteScale(name string, s *ScoreScale) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	out, err := mergeKey(b, "scale", raw)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return datasets.WriteBytesSync(name, 0o644, out)
}

// mergeKey sets key to val in the JSON object b, keeping the other keys
// and their order, and indents the result as calibrate writes it.
func mergeKey(b []byte, key string, val json.RawMessage) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var keys []string
	vals := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if _, seen := vals[k]; !seen {
			keys = append(keys, k)
		}
		vals[k] = raw
	}
	if _, ok := vals[key]; !ok {
		keys = append(keys, key)
	}
	vals[key] = val
	var flat bytes.Buffer
	flat.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			flat.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		flat.Write(kb)
		flat.WriteByte(':')
		flat.Write(vals[k])
	}
	flat.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, flat.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

var (
	defaultScaleOnce sync.Once
	defaultScaleVal  *ScoreScale
)

// DefaultScale is the scale stored beside the shipped weights, nil when
// weights_default.json has none.
func DefaultScale() *ScoreScale {
	defaultScaleOnce.Do(func() {
		s, err := ReadScale(weightsDefaultJSON)
		if err == nil {
			defaultScaleVal = s
		}
	})
	return defaultScaleVal
}

// scaleFor is the scale the engine applies to weights w: in's when set,
// else the shipped one; none when it was fitted for other weights.
func scaleFor(in *ScoreScale, w Weights) *ScoreScale {
	s := in
	if s == nil {
		s = DefaultScale()
	}
	if s == nil || s.Weights != w.Provenance {
		return nil
	}
	return s
}

// calibrate sets m.Calibrated from m's score and components. The
// backtest has no migrant ties and no profiles, so a basis with those
// components has no fit of its own; but where they are 0 for the pair
// (a municipality with a tie elsewhere, a candidate it has no tie with)
// the score is the score on the remaining basis R scaled by W_R/W (W the
// weights of the components in the basis), and the value is R's at the
// score on R. A pair that a tie or a profile lifts has no calibrated
// value: nothing in the backtest says what such a score is worth.
func (e *Engine) calibrate(m *Match, set uint8) {
	if e.scale == nil {
		return
	}
	// set is m.Basis as bits of ComponentDefs; kept drops the components
	// that carry no evidence for this pair.
	var kept uint8
	wAll, wKept := 0.0, 0.0
	for _, c := range m.Components {
		i := compOrder(c.Name)
		w := e.w.Components[c.Name]
		wAll += w
		if c.Value != 0 || (c.Name != CompDiaspora && c.Name != CompProblems && c.Name != CompAreas && c.Name != CompText) {
			kept |= 1 << i
			wKept += w
		}
	}
	b := e.scale.Bases[basisKeys[set]]
	score, on := m.Score, basisKeys[set]
	if b == nil && wKept > 0 {
		b, score, on = e.scale.Bases[basisKeys[kept]], m.Score*wAll/wKept, basisKeys[kept]
	}
	if b == nil {
		return
	}
	v := round6(b.Apply(score))
	m.Calibrated, m.CalibratedBasis = &v, on
}

// Scale is the engine's score scale, nil when its weights have none.
func (e *Engine) Scale() *ScoreScale { return e.scale }

// FormatProbability writes a calibrated value as a percentage with two
// significant digits ("20%", "1.1%", "0.0052%"), the way pages and the CLI
// show it.
func FormatProbability(p float64) string {
	pc := p * 100
	if pc <= 0 {
		return "0%"
	}
	digits := 0
	if pc < 10 {
		digits = int(math.Ceil(-math.Log10(pc))) + 1
	}
	return strconv.FormatFloat(pc, 'f', digits, 64) + "%"
}

// ScaleNote says in words what the calibrated value is.
func ScaleNote(lang string) string {
	return tr(lang,
		"Probabilidad calibrada: en la prueba con hermanamientos reales, de las ciudades que obtuvieron ese puntaje, la proporción que era la hermana que el municipio eligió. La escala es la misma para todos los municipios; el puntaje, la suma de los aportes, ordena la lista y se explica abajo. «—»: un vínculo migratorio o un perfil eleva el puntaje más allá de lo que esa prueba, que no tiene vínculos ni perfiles, puede calibrar.",
		"Calibrated probability: in the test on real twinnings, the share of the cities with that score that were the twin the municipality chose. The scale is the same for every municipality; the score, the sum of the contributions, orders the list and is explained below. \"—\": a migrant tie or a profile lifts the score beyond what that test, which has neither, can calibrate.")
}
