package matcher

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// RerankModel is the second stage: an ensemble of small regression trees
// fitted by gradient boosting on a pairwise ranking loss (RankNet: every
// hidden twin against every other candidate of its query's pool). Its raw
// output, the margin, is a base margin (state_x_mexico_popularity times a
// fitted factor) plus one leaf value per tree; the score it
// shows is the margin mapped linearly onto [0,1] by the smallest and the
// largest margin the model can give (Lo, Hi), so each feature's part of
// the score (rerankAttribution) still adds up to the score exactly.
//
// The fit is deterministic: features are cut into at most rerankBins
// quantile bins of the training rows, every tree is grown level by level
// to rerankDepth with the exact best split over those cuts (ties go to the
// first feature and cut), and nothing is sampled.
type RerankModel struct {
	Version  int      `json:"version"`
	Features []string `json:"features"`
	// Base is the margin the trees start from: state_x_mexico_popularity
	// (log Mexican twins + log twins with my state), scaled by a fitted
	// factor, each term capped so the margin stays bounded.
	Base  []rerankBaseTerm `json:"base"`
	Trees []rerankTree     `json:"trees"`
	Lo    float64          `json:"lo"` // smallest margin the trees can give
	Hi    float64          `json:"hi"` // largest
	// Provenance says what the model was fitted on.
	Provenance string `json:"provenance"`
}

// RerankVersion changes when the inputs or the model's form change; a
// model file of another version is refused.
//
// Version 3: the same inputs as version 2; the fit also reads foreign
// sources' rows (rerank_world.go).
const RerankVersion = 3

// rerankBaseTerm is Weight × min(x[Feature], Cap).
type rerankBaseTerm struct {
	Feature int     `json:"f"`
	Weight  float64 `json:"w"`
	Cap     float32 `json:"cap"`
}

// rerankBaseFeatures are the base margin's inputs, and rerankBaseCap their
// cap (log(1 + 50)).
var (
	rerankBaseFeatures = []string{"log_mx_twins", "log_state_twins"}
	rerankBaseCap      = float32(math.Log1p(50))
)

func (m *RerankModel) base(x []float32) float64 {
	s := 0.0
	for _, b := range m.Base {
		s += b.Weight * float64(min(x[b.Feature], b.Cap))
	}
	return s
}

type rerankTree struct {
	Nodes []rerankNode `json:"nodes"`
}

// rerankNode is a split (Feature ≥ 0: rows with x < Threshold go Left) or
// a leaf (Feature -1). Value is a leaf's output, or for a split the
// expected output below it (the leaves' values weighted by their training
// hessian): the per-path attribution reads the change in Value along the
// path.
type rerankNode struct {
	Feature   int     `json:"f"`
	Threshold float32 `json:"t,omitempty"`
	Left      int32   `json:"l,omitempty"`
	Right     int32   `json:"r,omitempty"`
	Value     float64 `json:"v"`
	Cover     float64 `json:"c"`
}

// Boosting settings.
const (
	rerankBins     = 64
	rerankTrees    = 100
	rerankEta      = 0.1
	rerankLambda   = 1.0
	rerankMinChild = 1.0
	// rerankMinPos is the fewest hidden twins a leaf may hold: a tree
	// with a leaf for one twin would learn that city, not a pattern.
	rerankMinPos = 10
	rerankDepth  = 4
	// rerankQueryShare is the share of the training queries each tree is
	// fitted on (1: every query), drawn from rerankSeed.
	rerankQueryShare = 1.0
	rerankSeed       = 1
)

// rerankGroup is one training query: rows [Start, End) of the matrix,
// Pos the hidden twin's row. W weighs its pairs and PosW its hidden twin
// in the leaves' count of twins (0: 1, a Mexican query; foreign-source
// queries, rerank_world.go, weigh less).
type rerankGroup struct {
	Start, End, Pos int
	W, PosW         float64
}

func (g rerankGroup) weights() (w, pw float64) {
	w, pw = g.W, g.PosW
	if w == 0 {
		w = 1
	}
	if pw == 0 {
		pw = 1
	}
	return w, pw
}

// margin is the sum of the trees' leaves on row x.
func (m *RerankModel) margin(x []float32) float64 {
	s := m.base(x)
	for t := range m.Trees {
		s += m.Trees[t].leaf(x).Value
	}
	return s
}

func (t *rerankTree) leaf(x []float32) *rerankNode {
	n := &t.Nodes[0]
	for n.Feature >= 0 {
		if x[n.Feature] < n.Threshold {
			n = &t.Nodes[n.Left]
		} else {
			n = &t.Nodes[n.Right]
		}
	}
	return n
}

// Score is the margin on [0,1].
func (m *RerankModel) Score(x []float32) float64 {
	return m.unit(m.margin(x))
}

func (m *RerankModel) unit(margin float64) float64 {
	if m.Hi <= m.Lo {
		return 0.5
	}
	return (margin - m.Lo) / (m.Hi - m.Lo)
}

// rerankAttribution splits Score(x) by feature: bias is the part no
// feature explains (the trees' expected outputs, shifted by Lo), parts[f]
// the sum over the trees of the change in expected output at each split on
// f along x's path, all on the score's [0,1] scale. bias + Σ parts =
// Score(x) up to rounding.
func (m *RerankModel) rerankAttribution(x []float32) (bias float64, parts []float64) {
	bias, parts, span := m.baseAttribution(x)
	if span <= 0 {
		return bias, parts
	}
	for t := range m.Trees {
		nodes := m.Trees[t].Nodes
		n := &nodes[0]
		bias += n.Value / span
		for n.Feature >= 0 {
			next := &nodes[n.Right]
			if x[n.Feature] < n.Threshold {
				next = &nodes[n.Left]
			}
			parts[n.Feature] += (next.Value - n.Value) / span
			n = next
		}
	}
	return bias, parts
}

// baseAttribution starts an attribution of x: parts by feature holding
// the starting margin's terms, the bias the part no feature explains, and
// the span Hi − Lo that puts them on the score's [0,1] scale. A span of 0
// or less leaves every part 0 and the bias 0.5 (the whole attribution).
// The tree form and the flat form of the forest both start here.
func (m *RerankModel) baseAttribution(x []float32) (bias float64, parts []float64, span float64) {
	parts = make([]float64, len(m.Features))
	span = m.Hi - m.Lo
	if span <= 0 {
		return 0.5, parts, span
	}
	bias = -m.Lo / span
	for _, b := range m.Base {
		parts[b.Feature] += b.Weight * float64(min(x[b.Feature], b.Cap)) / span
	}
	return bias, parts, span
}

// Validate checks a model read from a file.
func (m *RerankModel) Validate() error {
	if m.Version != RerankVersion {
		return fmt.Errorf("rerank model: version %d, this binary reads version %d; refit it with `hermanar calibrate --model FILE` (README, The second stage)", m.Version, RerankVersion)
	}
	if !slices.Equal(m.Features, rerankFeatureNames) {
		return fmt.Errorf("rerank model: its %d features are not this binary's %d", len(m.Features), len(rerankFeatureNames))
	}
	for _, b := range m.Base {
		if b.Feature < 0 || b.Feature >= len(m.Features) || b.Weight < 0 || b.Cap <= 0 {
			return fmt.Errorf("rerank model: base term on feature %d is malformed", b.Feature)
		}
	}
	for t, tr := range m.Trees {
		if len(tr.Nodes) == 0 {
			return fmt.Errorf("rerank model: tree %d has no nodes", t)
		}
		for i, n := range tr.Nodes {
			if n.Feature >= len(m.Features) || (n.Feature >= 0 && (n.Left <= int32(i) || n.Right <= int32(i) || int(n.Left) >= len(tr.Nodes) || int(n.Right) >= len(tr.Nodes))) {
				return fmt.Errorf("rerank model: tree %d node %d is malformed", t, i)
			}
		}
	}
	return nil
}

// RerankParams are the boosting's settings. The zero value of a field
// means the shipped setting (rerankTrees, rerankEta, every query and every
// input for every tree).
type RerankParams struct {
	Trees int     // how many trees
	Eta   float64 // the learning rate
	// QueryShare, in (0,1), fits each tree on that share of the training
	// queries (groups), drawn afresh for every tree from Seed (stochastic
	// gradient boosting by query); the tree then scores every row.
	QueryShare float64
	// FeatureShare, in (0,1), lets each tree split on that share of the
	// inputs only, drawn afresh for every tree from Seed.
	FeatureShare float64
	Seed         uint64 // 0: rerankSeed
}

func (p RerankParams) withDefaults() RerankParams {
	if p.Trees <= 0 {
		p.Trees = rerankTrees
	}
	if p.Eta <= 0 {
		p.Eta = rerankEta
	}
	if p.QueryShare <= 0 {
		p.QueryShare = rerankQueryShare
	}
	if p.Seed == 0 {
		p.Seed = rerankSeed
	}
	if p.QueryShare >= 1 {
		p.QueryShare = 1
	}
	if p.FeatureShare <= 0 || p.FeatureShare >= 1 {
		p.FeatureShare = 1
	}
	return p
}

// String names the settings that differ from the shipped ones.
func (p RerankParams) String() string {
	p = p.withDefaults()
	s := fmt.Sprintf("trees=%d eta=%g", p.Trees, p.Eta)
	if p.QueryShare < 1 {
		s += fmt.Sprintf(" queries=%g", p.QueryShare)
	}
	if p.FeatureShare < 1 {
		s += fmt.Sprintf(" inputs=%g", p.FeatureShare)
	}
	if p.QueryShare < 1 || p.FeatureShare < 1 {
		s += fmt.Sprintf(" seed=%d", p.Seed)
	}
	return s
}

// ParseRerankParams reads settings written as comma-separated key=value
// pairs: trees, eta, queries (QueryShare), inputs (FeatureShare), seed.
func ParseRerankParams(s string) (RerankParams, error) {
	var p RerankParams
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return p, fmt.Errorf("rerank settings %q: %q is not key=value", s, kv)
		}
		var err error
		switch k {
		case "trees":
			p.Trees, err = strconv.Atoi(v)
			if err == nil && (p.Trees < 1 || p.Trees > 1000) {
				err = fmt.Errorf("out of 1..1000")
			}
		case "eta":
			p.Eta, err = strconv.ParseFloat(v, 64)
			if err == nil && !(p.Eta > 0 && p.Eta <= 1) {
				err = fmt.Errorf("out of (0,1]")
			}
		case "queries":
			p.QueryShare, err = strconv.ParseFloat(v, 64)
			if err == nil && !(p.QueryShare > 0 && p.QueryShare <= 1) {
				err = fmt.Errorf("out of (0,1]")
			}
		case "inputs":
			p.FeatureShare, err = strconv.ParseFloat(v, 64)
			if err == nil && !(p.FeatureShare > 0 && p.FeatureShare <= 1) {
				err = fmt.Errorf("out of (0,1]")
			}
		case "seed":
			p.Seed, err = strconv.ParseUint(v, 10, 64)
		default:
			err = fmt.Errorf("unknown key (trees, eta, queries, inputs, seed)")
		}
		if err != nil {
			return p, fmt.Errorf("rerank settings %q: %s: %v", s, k, err)
		}
	}
	return p, nil
}

// FitRerank boosts trees on rows (nf values each, row-major) grouped by
// query with the shipped settings; only groups whose hidden twin is among
// their rows teach anything.
func FitRerank(rows []float32, nf int, groups []rerankGroup) *RerankModel {
	return FitRerankWith(rows, nf, groups, RerankParams{})
}

// Truncated is m with its first n trees only (n ≥ len(m.Trees): m): a
// boosted model fitted with fewer trees and the same settings is exactly
// this prefix.
func (m *RerankModel) Truncated(n int) *RerankModel {
	if n >= len(m.Trees) {
		return m
	}
	c := *m
	c.Trees = slices.Clone(m.Trees[:n])
	c.setRange()
	return &c
}

// setRange sets Lo and Hi, the smallest and largest margin the base and
// the trees can give.
func (m *RerankModel) setRange() {
	m.Lo, m.Hi = 0, 0
	for _, t := range m.Trees {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, nd := range t.Nodes {
			if nd.Feature < 0 {
				lo, hi = math.Min(lo, nd.Value), math.Max(hi, nd.Value)
			}
		}
		m.Lo += lo
		m.Hi += hi
	}
	for _, b := range m.Base {
		// Its inputs are logs of counts: from 0 up to the cap.
		m.Lo += min(0, b.Weight*float64(b.Cap))
		m.Hi += max(0, b.Weight*float64(b.Cap))
	}
}

// FitRerankWith is FitRerank with settings p.
func FitRerankWith(rows []float32, nf int, groups []rerankGroup, p RerankParams) *RerankModel {
	p = p.withDefaults()
	n := len(rows) / nf
	m := &RerankModel{Version: RerankVersion, Features: slices.Clone(rerankFeatureNames)}
	// Quantile cuts per feature and the binned matrix.
	cuts := make([][]float32, nf)
	vals := make([]float32, n)
	for f := range nf {
		for i := range n {
			vals[i] = rows[i*nf+f]
		}
		s := slices.Clone(vals)
		slices.Sort(s)
		var c []float32
		for b := 1; b < rerankBins; b++ {
			v := s[b*(n-1)/rerankBins]
			if v > s[0] && (len(c) == 0 || v > c[len(c)-1]) {
				c = append(c, v)
			}
		}
		cuts[f] = c
	}
	bins := make([]uint8, n*nf)
	for i := range n {
		for f := range nf {
			c := cuts[f]
			x := rows[i*nf+f]
			bins[i*nf+f] = uint8(sort.Search(len(c), func(j int) bool { return c[j] > x }))
		}
	}
	score := make([]float64, n)
	// The base margin: state_x_mexico_popularity scaled by the factor of
	// a small grid with the lowest pairwise loss.
	var feats []int
	for _, name := range rerankBaseFeatures {
		feats = append(feats, slices.Index(rerankFeatureNames, name))
	}
	raw := make([]float64, n)
	for i := range n {
		for _, f := range feats {
			raw[i] += float64(min(rows[i*nf+f], rerankBaseCap))
		}
	}
	bestW, bestLoss := 0.0, math.Inf(1)
	for _, w := range []float64{0, 0.5, 1, 2, 4, 8} {
		loss := 0.0
		for _, g := range groups {
			gw, _ := g.weights()
			for i := g.Start; i < g.End; i++ {
				if i != g.Pos {
					loss += gw * softplus(-w*(raw[g.Pos]-raw[i]))
				}
			}
		}
		if loss < bestLoss {
			bestW, bestLoss = w, loss
		}
	}
	for _, f := range feats {
		m.Base = append(m.Base, rerankBaseTerm{Feature: f, Weight: bestW, Cap: rerankBaseCap})
	}
	for i := range n {
		score[i] = bestW * raw[i]
	}
	grad := make([]float64, n)
	hess := make([]float64, n)
	all := make([]int32, 0, n)
	isPos := make([]float64, n) // the hidden twins' weights
	for _, g := range groups {
		_, isPos[g.Pos] = g.weights()
		for i := g.Start; i < g.End; i++ {
			all = append(all, int32(i))
		}
	}
	rnd := newRand(p.Seed, 0x5eed7ee5)
	sub := all[:0:0]
	allowed := make([]bool, nf)
	for f := range allowed {
		allowed[f] = true
	}
	for range p.Trees {
		clear(grad)
		clear(hess)
		idx := all
		var use []rerankGroup = groups
		if p.QueryShare < 1 {
			// Each group is kept with probability QueryShare (at least
			// one), and only its rows grow this tree.
			use = use[:0:0]
			sub = sub[:0]
			for _, g := range groups {
				if rnd.Float64() < p.QueryShare {
					use = append(use, g)
				}
			}
			if len(use) == 0 {
				use = append(use, groups[rnd.IntN(len(groups))])
			}
			for _, g := range use {
				for i := g.Start; i < g.End; i++ {
					sub = append(sub, int32(i))
				}
			}
			idx = sub
		}
		if p.FeatureShare < 1 {
			k := max(1, int(math.Round(p.FeatureShare*float64(nf))))
			for f := range allowed {
				allowed[f] = false
			}
			for _, f := range rnd.Perm(nf)[:k] {
				allowed[f] = true
			}
		}
		for _, g := range use {
			sp := score[g.Pos]
			gw, _ := g.weights()
			for i := g.Start; i < g.End; i++ {
				if i == g.Pos {
					continue
				}
				rho := sigmoid(score[i] - sp) // σ(-(s_pos - s_neg))
				h := math.Max(rho*(1-rho), 1e-16)
				if gw != 1 {
					rho, h = gw*rho, gw*h
				}
				grad[g.Pos] -= rho
				grad[i] += rho
				hess[g.Pos] += h
				hess[i] += h
			}
		}
		tree := growTree(bins, nf, cuts, grad, hess, isPos, idx, p.Eta, allowed)
		for _, i := range all {
			score[i] += tree.leaf(rows[int(i)*nf : int(i+1)*nf]).Value
		}
		m.Trees = append(m.Trees, tree)
	}
	m.setRange()
	return m
}

// growTree grows one tree level by level over rows idx.
// Only the inputs allowed says yes to are split on; eta scales the leaves.
func growTree(bins []uint8, nf int, cuts [][]float32, grad, hess []float64, isPos []float64, idx []int32, eta float64, allowed []bool) rerankTree {
	type pending struct {
		node int
		rows []int32
	}
	var t rerankTree
	t.Nodes = append(t.Nodes, rerankNode{Feature: -1})
	level := []pending{{0, idx}}
	gh := make([]float64, nf*rerankBins*3)
	for depth := 0; depth <= rerankDepth; depth++ {
		var next []pending
		for _, p := range level {
			G, H, P := 0.0, 0.0, 0.0
			for _, i := range p.rows {
				G += grad[i]
				H += hess[i]
				P += isPos[i]
			}
			nd := &t.Nodes[p.node]
			nd.Cover = H
			nd.Value = -eta * G / (H + rerankLambda)
			if depth == rerankDepth || H < 2*rerankMinChild || P < 2*rerankMinPos {
				continue
			}
			clear(gh)
			for _, i := range p.rows {
				b := bins[int(i)*nf : int(i+1)*nf]
				gi, hi, pi := grad[i], hess[i], isPos[i]
				for f, v := range b {
					k := (f*rerankBins + int(v)) * 3
					gh[k] += gi
					gh[k+1] += hi
					gh[k+2] += pi
				}
			}
			parent := G * G / (H + rerankLambda)
			bestGain, bestF, bestJ := 1e-12, -1, -1
			for f := range nf {
				if !allowed[f] {
					continue
				}
				gl, hl, pl := 0.0, 0.0, 0.0
				for j := range cuts[f] {
					k := (f*rerankBins + j) * 3
					gl += gh[k]
					hl += gh[k+1]
					pl += gh[k+2]
					gr, hr := G-gl, H-hl
					if hl < rerankMinChild || hr < rerankMinChild || pl < rerankMinPos || P-pl < rerankMinPos {
						continue
					}
					gain := gl*gl/(hl+rerankLambda) + gr*gr/(hr+rerankLambda) - parent
					if gain > bestGain {
						bestGain, bestF, bestJ = gain, f, j
					}
				}
			}
			if bestF < 0 {
				continue
			}
			var left, right []int32
			for _, i := range p.rows {
				if int(bins[int(i)*nf+bestF]) <= bestJ {
					left = append(left, i)
				} else {
					right = append(right, i)
				}
			}
			l, r := int32(len(t.Nodes)), int32(len(t.Nodes)+1)
			t.Nodes = append(t.Nodes, rerankNode{Feature: -1}, rerankNode{Feature: -1})
			nd = &t.Nodes[p.node]
			nd.Feature, nd.Threshold, nd.Left, nd.Right = bestF, cuts[bestF][bestJ], l, r
			next = append(next, pending{int(l), left}, pending{int(r), right})
		}
		level = next
	}
	// Expected value of each split: its children's, weighted by cover,
	// from the bottom up (children always come after their parent).
	for i := len(t.Nodes) - 1; i >= 0; i-- {
		nd := &t.Nodes[i]
		if nd.Feature < 0 {
			continue
		}
		l, r := t.Nodes[nd.Left], t.Nodes[nd.Right]
		if c := l.Cover + r.Cover; c > 0 {
			nd.Value = (l.Cover*l.Value + r.Cover*r.Value) / c
		} else {
			nd.Value = (l.Value + r.Value) / 2
		}
	}
	return t
}

// fitRerankVariants fits one model per settings of ps on the same rows;
// settings that differ only in their number of trees share one fit (the
// longest), the others being its prefixes.
func fitRerankVariants(rows []float32, nf int, groups []rerankGroup, ps []RerankParams) []*RerankModel {
	out := make([]*RerankModel, len(ps))
	type key struct {
		eta, qs, fs float64
		seed        uint64
	}
	most := map[key]int{}
	for _, p := range ps {
		p = p.withDefaults()
		k := key{p.Eta, p.QueryShare, p.FeatureShare, p.Seed}
		most[k] = max(most[k], p.Trees)
	}
	fits := map[key]*RerankModel{}
	for i, p := range ps {
		p = p.withDefaults()
		k := key{p.Eta, p.QueryShare, p.FeatureShare, p.Seed}
		m, ok := fits[k]
		if !ok {
			q := p
			q.Trees = most[k]
			m = FitRerankWith(rows, nf, groups, q)
			fits[k] = m
		}
		out[i] = m.Truncated(p.Trees)
	}
	return out
}
