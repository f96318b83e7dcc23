package matcher

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"time"

	"gonum.org/v1/gonum/optimize"

	"hermanar/datasets"
)

// Calibration fits what the twinnings can teach: the five structure
// sub-feature weights, the five network sub-feature weights and the split
// of the structure+network weight between the two. Problems, areas,
// diaspora and text keep their policy weights, and structure+network keep
// their policy total, so a known diaspora tie weighs what a liaison
// expects whatever the twinnings say.
//
// The model is the engine's own score, restricted to structure and
// network, with the engine's normalisations:
//
//	s(c) = (1-r)·Σᵢ aᵢ·xᵢ(c)/Σa + r·Σⱼ bⱼ·yⱼ(c)/Σ_{present} b
//
// where x are the structure and y the network sub-features (exactly the
// values the engine computes, through structureParts and networkParts,
// with the hidden pair removed from the registry). Weights are fitted in
// log-space (aᵢ = exp αᵢ, bⱼ = exp βⱼ, r = logistic ρ), so they stay
// positive without constraints or clamping; a weight the data wants at
// zero goes towards zero and is reported as a small number.
//
// Each training query is a hidden twin against negatives: the hardest
// candidates under the current weights (the head of the ranking, where
// MRR is decided) and a seeded uniform sample of the rest, each uniform
// negative standing for its share of the untouched candidates. The
// default loss is a smoothed reciprocal rank (LossMRR): soft rank
// R = 1 + Σₙ wₙ·σ(γ·(s(neg)-s(pos))), loss -1/R, with γ fixed; RankNet
// pairwise and listwise softmax losses are there too (they optimise the
// bulk of the ranking, i.e. AUC or log rank, and gave a lower MRR on the
// Wikipedia twinnings). A small L2 pull of α, β, ρ towards the starting
// weights settles directions the data says nothing about. The fit is
// L-BFGS (gonum/optimize) with an analytic gradient, run in rounds that
// re-mine the hard negatives under the weights of the previous round.

// CalibrateOptions tune a fit.
type CalibrateOptions struct {
	Seed      uint64
	Loss      string  // LossMRR (default), LossSoftmax or LossPairwise
	Negatives int     // uniform negatives per query; default 200
	Hard      int     // hardest negatives per query under the current weights; default 200
	Rounds    int     // fits, each re-mining hard negatives under the last weights; default 2
	Lambda    float64 // L2 pull towards the start weights; default 0.001
	// Sharpness fixes γ, the scale of score differences in the loss; 0
	// fits it (pairwise and softmax) or uses 300 (mrr, whose optimum
	// would otherwise run to a step function with no gradient).
	Sharpness float64
	// FitStructure also fits the structure sub-weights; by default they
	// keep the start's (the list-fit ones: size, elevation and shared
	// traits such as a border, which the lists of border municipalities
	// rest on), and only the network sub-weights and the split between
	// structure and network are fitted.
	FitStructure bool
	// KeepSplit keeps the start's split of the weight between structure
	// and network, so that only the network sub-weights are fitted.
	KeepSplit bool
	Workers   int
	Progress  io.Writer
}

// Losses.
const (
	// LossSoftmax is the listwise loss -log P(hidden twin first) over the
	// hidden twin and its negatives, uniform negatives weighted by how
	// many candidates each stands for: a smooth stand-in for log rank,
	// hence for MRR.
	LossSoftmax = "softmax"
	// LossPairwise is RankNet: mean softplus(-γ·(s(pos)-s(neg))).
	LossPairwise = "pairwise"
	// LossMRR is a smoothed reciprocal rank: -1/(1 + Σ wₙ σ(-Δₙ)), the
	// soft rank counting each negative by how surely it outscores the
	// hidden twin.
	LossMRR = "mrr"
)

func (o *CalibrateOptions) defaults() {
	if o.Loss == "" {
		o.Loss = LossMRR
	}
	if o.Negatives <= 0 {
		o.Negatives = 200
	}
	if o.Hard < 0 {
		o.Hard = 0
	} else if o.Hard == 0 {
		o.Hard = 200
	}
	if o.Rounds <= 0 {
		o.Rounds = 2
	}
	if o.Lambda <= 0 {
		o.Lambda = 0.001
	}
	if o.Workers <= 0 {
		o.Workers = 1
	}
	if o.Sharpness <= 0 && o.Loss == LossMRR {
		o.Sharpness = 300
	}
}

// CalibrationInfo says how a fit went.
type CalibrationInfo struct {
	Loss           string  `json:"loss"`
	Queries        int     `json:"queries"`
	Municipalities int     `json:"municipalities"`
	Pairs          int     `json:"pairs"` // negatives over all queries, last round
	Rounds         int     `json:"rounds"`
	StartLoss      float64 `json:"start_loss"`
	FinalLoss      float64 `json:"final_loss"`
	Iterations     int     `json:"iterations"`
	Status         string  `json:"status"`
	Sharpness      float64 `json:"sharpness"` // fitted γ
}

// The parameters: one log-weight per structure signal, one per network
// signal (in signalList order within each), then ρ and log γ.
var (
	calS   = signalsOf(CompStructure)
	calN   = signalsOf(CompNetwork)
	nS     = len(calS)
	nN     = len(calN)
	nFeat  = nS + nN
	pNet   = nFeat     // index of ρ
	pGamma = nFeat + 1 // index of log γ
	nParam = nFeat + 2
)

// calQuery is one training query: feature differences pos - neg per
// negative, with the number of candidates each negative stands for, and
// which network features the query has.
type calQuery struct {
	present []bool    // per network signal
	diffs   []float64 // nFeat per negative
	weight  []float64 // per negative
}

// FitWeights fits the twinned weights (Weights.Twinned: those of a
// municipality with twins of its own, as every backtest query's is) to
// queries, reading network features from reg without each query's hidden
// pair, starting from TwinnedStart of the engine's weights. It returns the
// engine's weights with the fitted Twinned.
func FitWeights(ctx context.Context, e *Engine, reg *Registry, queries []EvalQuery, opts CalibrateOptions) (Weights, CalibrationInfo, error) {
	opts.defaults()
	base := copyWeights(e.w)
	base.Twinned = nil
	start := TwinnedStart(base)
	info := CalibrationInfo{Loss: opts.Loss}
	if len(queries) == 0 {
		return Weights{}, info, datasets.Errf(datasets.EInvalid, "la calibración necesita al menos una consulta", "calibration needs at least one query")
	}
	munis := map[string]bool{}
	for _, q := range queries {
		munis[q.Municipality] = true
	}
	info.Queries, info.Municipalities = len(queries), len(munis)
	x0 := startParams(start)
	if opts.Sharpness > 0 {
		x0[pGamma] = math.Log(opts.Sharpness)
	}
	x := append([]float64(nil), x0...)
	// Hard negatives are mined under the start weights, then under each
	// round's fit: never under weights fitted elsewhere (e's own Twinned
	// may come from a fit on every query).
	in := e.in
	in.Weights = withTwinned(base, start)
	miner, err := NewEngine(in)
	if err != nil {
		return Weights{}, info, err
	}
	for round := range opts.Rounds {
		data := make([]calQuery, len(queries))
		err := parallel(ctx, len(queries), opts.Workers, func() func(i int) error {
			buf := make([]float32, e.n)
			return func(i int) error {
				cq, err := miner.trainingQuery(queries[i], reg, opts, buf)
				data[i] = cq
				return err
			}
		})
		if err != nil {
			return Weights{}, info, err
		}
		info.Pairs = 0
		for _, d := range data {
			info.Pairs += len(d.weight)
		}
		obj := &rankLoss{data: data, x0: x0, lambda: opts.Lambda, mode: opts.Loss, fixedGamma: opts.Sharpness > 0, fixedStructure: !opts.FitStructure, fixedSplit: opts.KeepSplit}
		before := obj.value(x, nil)
		if round == 0 {
			info.StartLoss = before
		}
		p := optimize.Problem{
			Func: func(x []float64) float64 { return obj.value(x, nil) },
			Grad: func(g, x []float64) { obj.value(x, g) },
		}
		res, err := optimize.Minimize(p, x, &optimize.Settings{GradientThreshold: 1e-6, MajorIterations: 500}, &optimize.LBFGS{})
		if res != nil && res.F <= before {
			x = res.X
			info.FinalLoss, info.Status = res.F, res.Status.String()
			info.Iterations += res.Stats.MajorIterations
		} else if err != nil {
			return Weights{}, info, fmt.Errorf("calibrate: %w", err)
		} else {
			info.FinalLoss, info.Status = before, "no improvement"
		}
		info.Rounds = round + 1
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "  round %d: %d queries, %d negatives, loss %.4f → %.4f (%s)\n",
				round+1, len(queries), info.Pairs, before, info.FinalLoss, info.Status)
		}
		if round+1 < opts.Rounds {
			// Mine the next round's hard negatives under the weights found.
			in.Weights = withTwinned(base, weightsFromParams(start, x))
			if miner, err = NewEngine(in); err != nil {
				return Weights{}, info, err
			}
		}
	}
	info.Sharpness = math.Exp(x[pGamma])
	return withTwinned(base, weightsFromParams(start, x)), info, nil
}

// TwinnedStart is where a fit of the twinned weights starts: the weights
// for municipalities without twins, with every signal they leave at 0
// given its policy weight, so that the fit can weigh it (a weight at 0
// would stay there in log-space, and its signal would not be read).
func TwinnedStart(base Weights) Weights {
	t := copyWeights(base)
	t.Twinned = nil
	for _, s := range signalList {
		m := t.Network
		if s.Component == CompStructure {
			m = t.Structure
		}
		if m[s.Name] <= 0 {
			m[s.Name] = s.Policy
		}
	}
	t.Provenance = "start of the twinned fit: " + base.Provenance
	return t
}

// withTwinned is base with twinned as its Twinned weights.
func withTwinned(base, twinned Weights) Weights {
	w := copyWeights(base)
	t := copyWeights(twinned)
	t.Twinned = nil
	w.Twinned = &t
	return w
}

// trainingQuery extracts the features of the hidden twin and of the
// negatives of one query: the hardest under the engine's weights, and a
// seeded uniform sample of the rest.
func (e *Engine) trainingQuery(q EvalQuery, reg *Registry, opts CalibrateOptions, buf []float32) (calQuery, error) {
	var cq calQuery
	qreg := reg.hide(q.Municipality, q.Hidden)
	qs, err := e.prepare(Query{Municipality: q.Municipality, K: 10, Filter: Filter{ExcludeTwinned: true}, registry: qreg})
	if err != nil {
		return cq, err
	}
	h, ok := e.candIndex[q.Hidden]
	if !ok {
		return cq, fmt.Errorf("calibrate: place %d is not a candidate", q.Hidden)
	}
	cq.present = make([]bool, nN)
	for j, i := range calN {
		cq.present[j] = qs.sig[i].present
	}
	pos := e.features(qs, h)
	taken := map[int32]bool{h: true}
	for c := range qs.twinned {
		taken[c] = true
	}
	var hard, uniform []int32
	if opts.Hard > 0 {
		e.scoreAll(qs, buf)
		top, _ := topK(buf, e.ids, opts.Hard+1)
		for _, c := range top {
			if !taken[c] && len(hard) < opts.Hard {
				taken[c] = true
				hard = append(hard, c)
			}
		}
	}
	rest := e.n - len(taken)
	r := newRand(opts.Seed, queryStream(q))
	for tries := 0; len(uniform) < opts.Negatives && tries < 10*opts.Negatives; tries++ {
		c := int32(r.IntN(e.n))
		if !taken[c] {
			taken[c] = true
			uniform = append(uniform, c)
		}
	}
	cq.diffs = make([]float64, 0, nFeat*(len(hard)+len(uniform)))
	add := func(c int32, w float64) {
		f := e.features(qs, c)
		for k := range f {
			cq.diffs = append(cq.diffs, pos[k]-f[k])
		}
		cq.weight = append(cq.weight, w)
	}
	for _, c := range hard {
		add(c, 1)
	}
	for _, c := range uniform {
		add(c, float64(rest)/float64(len(uniform)))
	}
	return cq, nil
}

// features are the ten sub-feature values of candidate c.
func (e *Engine) features(qs *queryState, c int32) []float64 {
	f := make([]float64, 0, nFeat)
	for _, idx := range [2][]int{calS, calN} {
		for _, i := range idx {
			f = append(f, float64(signalList[i].value(e, qs, &qs.sig[i], c)))
		}
	}
	return f
}

// queryStream seeds a query's negatives independently of its position in
// any list, so a fold sees the same negatives as the full fit.
func queryStream(q EvalQuery) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", q.Municipality, q.Hidden)
	return h.Sum64()
}

func startParams(w Weights) []float64 {
	x := make([]float64, nParam)
	for i, f := range StructureFeatures {
		x[i] = math.Log(math.Max(w.Structure[f], 1e-4))
	}
	for i, f := range NetworkFeatures {
		x[nS+i] = math.Log(math.Max(w.Network[f], 1e-4))
	}
	s, n := w.Components[CompStructure], w.Components[CompNetwork]
	r := math.Min(math.Max(n/math.Max(s+n, 1e-12), 0.01), 0.99)
	x[pNet] = math.Log(r / (1 - r))
	x[pGamma] = math.Log(20)
	return x
}

// weightsFromParams turns fitted parameters into weights: sub-weights
// normalised to sum to one, and the start's structure+network total split
// by the fitted share.
func weightsFromParams(start Weights, x []float64) Weights {
	w := Weights{Components: map[string]float64{}, Structure: map[string]float64{}, Network: map[string]float64{}}
	for k, v := range start.Components {
		w.Components[k] = v
	}
	norm := func(xs []float64, names []string, out map[string]float64) {
		total := 0.0
		for _, v := range xs {
			total += math.Exp(v)
		}
		for i, n := range names {
			out[n] = round6(math.Exp(xs[i]) / total)
		}
	}
	norm(x[0:nS], StructureFeatures, w.Structure)
	norm(x[nS:nFeat], NetworkFeatures, w.Network)
	r := 1 / (1 + math.Exp(-x[pNet]))
	total := start.Components[CompStructure] + start.Components[CompNetwork]
	w.Components[CompStructure] = round6(total * (1 - r))
	w.Components[CompNetwork] = round6(total * r)
	w.Provenance = "calibrated"
	return w
}

// rankLoss is the objective and its gradient.
type rankLoss struct {
	data   []calQuery
	x0     []float64
	lambda float64
	mode   string // LossSoftmax, LossPairwise or LossMRR
	// fixedGamma keeps γ where x0 puts it (its gradient is zero).
	fixedGamma bool
	// fixedStructure keeps the structure sub-weights where x0 puts them.
	fixedStructure bool
	// fixedSplit keeps the structure/network split where x0 puts it.
	fixedSplit bool
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// value returns the loss at x and, when g is not nil, writes its gradient.
// Both losses are functions of Δₙ = γ·s(dₙ), the margin of the hidden twin
// over negative n; their gradients are Σₙ cₙ·∂Δₙ/∂x.
func (l *rankLoss) value(x, g []float64) float64 {
	a, b := make([]float64, nS), make([]float64, nN)
	mode := l.mode
	for i := range a {
		a[i] = math.Exp(x[i])
	}
	for j := range b {
		b[j] = math.Exp(x[nS+j])
	}
	A := 0.0
	for _, v := range a {
		A += v
	}
	r := 1 / (1 + math.Exp(-x[pNet]))
	gamma := math.Exp(x[pGamma])
	if g != nil {
		clear(g)
	}
	loss := 0.0
	nq := 0
	var deltas, coef, uA, vB []float64
	for _, q := range l.data {
		n := len(q.weight)
		if n == 0 {
			continue
		}
		nq++
		B := 0.0
		for j, ok := range q.present {
			if ok {
				B += b[j]
			}
		}
		deltas, coef = resize(deltas, n), resize(coef, n)
		uA, vB = resize(uA, n), resize(vB, n)
		for p := 0; p < n; p++ {
			d := q.diffs[p*nFeat : (p+1)*nFeat]
			u, v := 0.0, 0.0
			for i := range a {
				u += a[i] * d[i]
			}
			if B > 0 {
				for j, ok := range q.present {
					if ok {
						v += b[j] * d[nS+j]
					}
				}
				v /= B
			}
			uA[p], vB[p] = u/A, v
			deltas[p] = gamma * ((1-r)*uA[p] + r*vB[p])
		}
		switch mode {
		case LossMRR:
			R := 1.0
			for p := range deltas {
				coef[p] = q.weight[p] * sigmoid(-deltas[p])
				R += coef[p]
			}
			loss -= 1 / R
			for p := range coef {
				// d(-1/R)/dΔ = (1/R²)·dR/dΔ, dR/dΔ = -w·σ(-Δ)·σ(Δ).
				coef[p] = -coef[p] * sigmoid(deltas[p]) / (R * R)
			}
		case LossSoftmax:
			// L = log(1 + Σ wₙ exp(-Δₙ)), computed stably.
			m := 0.0
			for p := range deltas {
				m = max(m, -deltas[p]+math.Log(q.weight[p]))
			}
			z := math.Exp(-m)
			for p := range deltas {
				coef[p] = math.Exp(-deltas[p] + math.Log(q.weight[p]) - m)
				z += coef[p]
			}
			loss += m + math.Log(z)
			for p := range coef {
				coef[p] = -coef[p] / z
			}
		default:
			wq := 1 / float64(n)
			for p := range deltas {
				loss += wq * softplus(-deltas[p])
				coef[p] = -wq / (1 + math.Exp(deltas[p]))
			}
		}
		if g == nil {
			continue
		}
		for p := 0; p < n; p++ {
			d := q.diffs[p*nFeat : (p+1)*nFeat]
			c := coef[p]
			for i := range a {
				g[i] += c * gamma * (1 - r) * a[i] * (d[i] - uA[p]) / A
			}
			if B > 0 {
				for j, ok := range q.present {
					if ok {
						g[nS+j] += c * gamma * r * b[j] * (d[nS+j] - vB[p]) / B
					}
				}
				g[pNet] += c * gamma * r * (1 - r) * (vB[p] - uA[p])
			}
			g[pGamma] += c * deltas[p]
		}
	}
	if nq == 0 {
		return 0
	}
	if g != nil && l.fixedGamma {
		g[pGamma] = 0
	}
	if g != nil && l.fixedStructure {
		clear(g[:nS])
	}
	if g != nil && l.fixedSplit {
		g[pNet] = 0
	}
	loss /= float64(nq)
	for i := range g {
		g[i] /= float64(nq)
	}
	for i := 0; i < pGamma; i++ {
		d := x[i] - l.x0[i]
		loss += l.lambda / 2 * d * d
		if g != nil {
			g[i] += l.lambda * d
		}
	}
	return loss
}

func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func softplus(z float64) float64 {
	if z > 30 {
		return z
	}
	return math.Log1p(math.Exp(z))
}

// foldEngines fits one set of weights per fold, each without any
// twinning of that fold's municipalities (neither as queries nor in the
// popularity and co-twinning counts its training features read), and
// builds an engine on each.
func foldEngines(ctx context.Context, e *Engine, in Inputs, queries []EvalQuery, folds map[string]int, k int, opts EvalOptions) ([]*Engine, []Weights, error) {
	engines := make([]*Engine, k)
	weights := make([]Weights, k)
	snap := e.in.Snap
	for f := range k {
		var train []EvalQuery
		for _, q := range queries {
			if folds[q.Municipality] != f {
				train = append(train, q)
			}
		}
		keep := make([]datasets.Twinning, 0, len(in.Twinnings))
		for _, t := range in.Twinnings {
			if m, ok := twinningMunicipality(snap, t); ok {
				if fm, held := folds[m]; held && fm == f {
					continue
				}
			}
			keep = append(keep, t)
		}
		start := time.Now()
		w, info, err := FitWeights(ctx, e, NewRegistry(keep, e), train, opts.Calibration)
		if err != nil {
			return nil, nil, fmt.Errorf("fold %d: %w", f+1, err)
		}
		w.Provenance = fmt.Sprintf("fold %d of %d: fitted on %d queries of %d municipalities, %s loss %.4f → %.4f",
			f+1, k, info.Queries, info.Municipalities, info.Loss, info.StartLoss, info.FinalLoss)
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "calibrate fold %d/%d: %d queries, %s loss %.4f → %.4f (%d iterations, %.1fs)\n",
				f+1, k, info.Queries, info.Loss, info.StartLoss, info.FinalLoss, info.Iterations, time.Since(start).Seconds())
		}
		fin := in
		fin.Weights = w
		fe, err := NewEngine(fin)
		if err != nil {
			return nil, nil, fmt.Errorf("fold %d: %w", f+1, err)
		}
		engines[f], weights[f] = fe, w
	}
	return engines, weights, nil
}

// twinningMunicipality is the municipality on the Mexican side of t.
func twinningMunicipality(snap *datasets.Snapshot, t datasets.Twinning) (string, bool) {
	if t.Municipality != "" {
		return t.Municipality, true
	}
	for _, id := range [2]int64{t.PlaceA, t.PlaceB} {
		if p, ok := snap.Place(id); ok && p.Country == "MX" {
			if m, ok := datasets.MunicipalityOf(p); ok {
				return m, true
			}
		}
	}
	return "", false
}

// Calibration is a full calibration run: the cross-validated backtest
// that vouches for the method, and the weights fitted on every query for
// shipping.
type Calibration struct {
	Weights Weights         `json:"-"`
	Info    CalibrationInfo `json:"fit"`
	CV      *EvalReport     `json:"-"`
	// Scale is fitted on the cross-validated scores (scale.go); its
	// Weights are set by whoever names the weights' provenance.
	Scale *ScoreScale `json:"-"`
}

// Calibrate runs the cross-validated backtest, then fits the weights on
// all the data.
func Calibrate(ctx context.Context, in Inputs, opts EvalOptions) (*Calibration, error) {
	scale := observeScale(&opts, MethodMatcherCalibrated)
	// The second stage is not what calibrate fits or ships: eval measures it.
	opts.SkipRerank = true
	rep, err := Evaluate(ctx, in, opts)
	if err != nil {
		return nil, err
	}
	opts.defaults()
	in.Weights = opts.Default
	e, err := NewEngine(in)
	if err != nil {
		return nil, err
	}
	w, info, err := FitWeights(ctx, e, e.reg, BacktestQueries(e.reg), opts.Calibration)
	if err != nil {
		return nil, err
	}
	sc, err := scale.Fit()
	if err != nil {
		return nil, err
	}
	return &Calibration{Weights: w, Info: info, CV: rep, Scale: sc}, nil
}

// CalibrationProvenance records where shipped weights come from.
type CalibrationProvenance struct {
	Date           string             `json:"date"`
	Command        string             `json:"command"`
	File           string             `json:"file"`
	SHA256         string             `json:"sha256"`
	DataVersion    string             `json:"data_version"` // the store's datasets.DataVersion
	Snapshot       string             `json:"snapshot"`
	Twinnings      int                `json:"twinnings"`
	Queries        int                `json:"queries"`
	Municipalities int                `json:"municipalities"`
	Folds          int                `json:"folds"`
	Seed           uint64             `json:"seed"`
	Corridor       bool               `json:"corridor"`
	Fit            CalibrationInfo    `json:"fit"`
	CV             map[string]float64 `json:"cv_mrr"` // held-out MRR by method
	CVRecallAt10   map[string]float64 `json:"cv_recall_at_10"`
}

// CalibratedWeights is the weights JSON a calibration writes: the weights
// LoadWeights reads, plus the provenance in full.
type CalibratedWeights struct {
	Weights
	Calibration *CalibrationProvenance `json:"calibration,omitempty"`
	Scale       *ScoreScale            `json:"scale,omitempty"`
}

// Save writes the weights and their provenance as indented JSON.
func (c CalibratedWeights) Save(name string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return datasets.WriteBytesSync(name, 0o644, append(b, '\n'))
}
