package matcher

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"hermanar/datasets"
)

// explain builds the full, explained match for candidate c.
func (e *Engine) explain(qs *queryState, c int32, rank int) Match {
	return e.explainDetail(qs, c, rank, false)
}

// explainDetail builds the match for candidate c; brief skips the evidence
// strings, shared categories, terms and admin names (bulk ranking), but
// every number comes from the same code as a full explanation.
func (e *Engine) explainDetail(qs *queryState, c int32, rank int, brief bool) Match {
	return e.explainInto(qs, c, rank, brief, nil)
}

// explainInto is explainDetail with the components appended to comps
// (length 0), so that a bulk ranking reuses one buffer for every row. A
// brief match also leaves out the two directions of a pair with profiles
// on both sides (Directions, Forward, Reverse): a ranking row has no
// column for them, and the shown values are the same without them.
func (e *Engine) explainInto(qs *queryState, c int32, rank int, brief bool, comps []Component) Match {
	var pp pairParts
	score := e.scoreOne(qs, c, &pp)
	parts, rev := pp.fwd(), pp.rev()
	m := Match{Rank: rank, Score: score, Twinned: qs.twinned[c]}
	if brief {
		p := &e.in.Snap.Places[e.placeIdx[c]]
		m.Place = p.Ref()
	} else {
		m.Place = e.placeRef(c)
	}
	den, total := 0.0, 0.0
	for i, p := range parts {
		total += qs.compW[i]
		if p.ok {
			den += qs.compW[i]
		}
	}
	// pair is the score before the city's wishes and interest; with both
	// profiles it is the harmonic mean H = 2fr/(f+r) of the two sides'
	// weighted sums. H = Σ wᵢ·(s·fᵢ + (1−s)·rᵢ) with s = r/(f+r), so each
	// component's shown value is that blend of its two directions and
	// value × weight = contribution holds line by line.
	pair, share := pp.f, 1.0
	if pp.both {
		pair, share = 0, 0.5
		if pp.f+pp.r > 0 {
			pair, share = 2*pp.f*pp.r/(pp.f+pp.r), pp.r/(pp.f+pp.r)
		}
		if !brief {
			m.Directions = &Directions{Forward: round6(pp.f), Reverse: round6(pp.r), Combined: round6(pair), ForwardShare: round6(share)}
		}
	}
	// The city's stated wishes and interest scale the pair score; the
	// factor is shown so that value × weight × adjustment = contribution.
	adj := 1.0
	if pair > 0 {
		adj = score / pair
	}
	if math.Abs(adj-1) > 1e-9 {
		m.Adjustment = round6(adj)
	}
	if comps == nil {
		comps = make([]Component, 0, len(parts))
	}
	m.Components = comps
	var basis, code uint8 // components with data, and those the code names (bit i: ComponentDefs[i])
	for i, p := range parts {
		if !p.ok {
			continue
		}
		w := qs.compW[i] / den
		v := p.value
		if pp.both {
			v = share*p.value + (1-share)*rev[i].value
		}
		comp := Component{Name: p.name, Value: round6(v), Weight: round6(w), Contribution: w * v * adj}
		if pp.both && !brief {
			f, r := round6(p.value), round6(rev[i].value)
			comp.Forward, comp.Reverse = &f, &r
		}
		if !brief && !e.learnedReplaces(qs, c, p.name) {
			comp.Evidence, comp.Source = e.evidence(qs, c, p)
		}
		m.Components = append(m.Components, comp)
		basis |= 1 << i
		if v >= 0.5 && w*v >= 0.05 {
			code |= 1 << i
		}
	}
	m.Basis = basisNames[basis]
	// The second stage replaces structure and network (rerank_ship.go).
	ls, learned := e.learnedComponents(qs, c, &m, brief, score, &pp)
	if learned {
		score, m.Basis = ls, learnedBasis(&m)
	}
	var model, rounding float64
	m.Score, model, rounding = roundContributions(score, m.Components)
	if learned {
		roundParts(&m.Components[len(m.Components)-1])
		if !brief {
			e.calibrateLearned(qs, &m)
		}
	} else if !brief { // a bulk row carries no calibrated value
		e.calibrate(&m, basis)
	}
	if remainderHook != nil {
		remainderHook(model, rounding, len(m.Components))
	}
	if total > 0 {
		m.Coverage = round6(den / total)
	}
	if cp := qs.dyn.profiles[c]; cp != nil && qs.pv != nil && !brief {
		m.Categories = e.sharedCategories(qs, cp)
	}
	if qs.text != nil && !brief {
		m.Terms = qs.text[ProfileKey(e.ids[c])].Terms
	}
	m.Code = codeNames[code]
	if learned {
		m.Code = learnedCode(&m)
	}
	if !brief {
		m.Partner = e.partnerNotes(qs, c)
	}
	return m
}

// basisNames and codeNames are, for every set of components (bit i:
// ComponentDefs[i]), its names in order and its explanation code ("D+S",
// the initials joined by +; "S" for none): built once, not per match.
// basisNames' slices are full (len = cap), so an append copies.
var basisNames, codeNames, basisKeys = func() (names [][]string, codes, keys []string) {
	n := 1 << len(ComponentDefs)
	names, codes, keys = make([][]string, n), make([]string, n), make([]string, n)
	for set := range n {
		var ns, cs []string
		for i, d := range ComponentDefs {
			if set&(1<<i) != 0 {
				ns = append(ns, d.Name)
				cs = append(cs, strings.ToUpper(d.Name[:1]))
			}
		}
		names[set] = ns[:len(ns):len(ns)]
		keys[set] = BasisKey(ns)
		if len(cs) == 0 {
			cs = []string{"S"}
		}
		codes[set] = strings.Join(cs, "+")
	}
	return names, codes, keys
}()

// remainderHook, when set (tests only), sees every explanation's model
// and rounding remainders and its number of contributions.
var remainderHook func(model, rounding float64, n int)

// roundContributions rounds the score and the contributions to 6
// decimals and lets the last contribution absorb what rounding leaves, so
// the shown contributions add up to the shown score. It returns the
// rounded score, the model remainder (score minus the unrounded
// contributions: 0 up to float error when the contributions decompose the
// score) and the rounding remainder the last contribution absorbed (at
// most half a unit of the 6th decimal per contribution); the tests hold
// both small, so the absorption can never hide a wrong decomposition.
func roundContributions(score float64, comps []Component) (rounded, model, rounding float64) {
	model = score
	sum := 0.0
	for i := range comps {
		model -= comps[i].Contribution
		comps[i].Contribution = round6(comps[i].Contribution)
		sum += comps[i].Contribution
	}
	rounded = round6(score)
	if n := len(comps); n > 0 {
		rounding = rounded - sum
		comps[n-1].Contribution = round6(comps[n-1].Contribution + rounding)
	}
	return rounded, model, rounding
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// tr picks the Spanish or English text.
func tr(lang, es, en string) string {
	if lang == "en" {
		return en
	}
	return es
}

func (e *Engine) evidence(qs *queryState, c int32, p partScore) ([]string, string) {
	lang := qs.lang
	pl := e.place(c)
	switch p.name {
	case CompDiaspora:
		a := qs.diaspora[c]
		if a == nil {
			return tr2(lang, noTieES, noTieEN), ""
		}
		var src []string
		w := &qs.ev
		w.reset()
		for _, t := range a.ties {
			b := append(w.begin(), tr(lang, "Migrantes de ", "Migrants from ")...)
			if t.Locality != "" {
				b = append(append(b, t.Locality...), " ("...)
				b = append(append(b, qs.muni.Name...), ')')
			} else {
				b = append(b, qs.muni.Name...)
			}
			b = append(b, tr(lang, " viven en ", " live in ")...)
			b = append(append(b, pl.Name...), ": "...)
			switch {
			case t.Size <= 0:
				b = append(b, tr(lang, "tamaño desconocido", "size unknown")...)
			case t.Estimated:
				b = appendThousands(append(b, "≈"...), t.Size)
				b = append(b, tr(lang, " personas (estimado)", " people (estimate)")...)
			default:
				b = appendThousands(b, t.Size)
				b = append(b, tr(lang, " personas", " people")...)
			}
			if t.Year > 0 {
				b = strconv.AppendInt(append(b, ", "...), int64(t.Year), 10)
			}
			b = append(b, tr(lang, ". Fuente: ", ". Source: ")...)
			w.end(append(b, tieSource(lang, t)...))
			if ev1 := t.EvidenceIn(lang); ev1 != "" {
				w.add(ev1)
			}
			if t.Interest {
				b := append(w.begin(), pl.Name...)
				b = append(b, tr(lang, " manifestó interés en hermanarse (registrado por ", " stated an interest in twinning (recorded by ")...)
				w.end(append(append(b, recorder(lang, t.RecordedBy)...), ')'))
			}
			src = appendUnique(src, tieSource(lang, t))
		}
		var ev []string
		if len(w.lines) > 0 {
			ev = w.appendTo(w.slice(len(w.lines)))
		}
		return ev, strings.Join(src, "; ")
	case CompStructure:
		src := "GeoNames (CC BY 4.0)"
		if !qs.muni.PopulationEstimated && qs.muni.PopulationSource != "" {
			// The municipality's size is INEGI's once imported; the
			// candidate's stays GeoNames'.
			src = tr(lang, "INEGI, Censo 2020 (población del municipio); GeoNames (CC BY 4.0)",
				"INEGI, 2020 Census (the municipality's population); GeoNames (CC BY 4.0)")
		}
		return e.signalEvidence(qs, CompStructure, c), src
	case CompNetwork:
		ev := e.signalEvidence(qs, CompNetwork, c)
		if qs.twinned[c] {
			ev = append(ev, tr(lang, "ya existe un hermanamiento con esta ciudad", "already twinned with this city"))
		}
		return ev, tr(lang, "registro de hermanamientos; CONAPO; Banxico", "twinning registry; CONAPO; Banxico")
	case CompProblems:
		ev := e.exchangeLines(qs, c)
		for _, cat := range e.sharedCategories(qs, qs.dyn.profiles[c]) {
			ev = append(ev, cat.Label)
		}
		return ev, tr(lang, "perfiles y taxonomía de Hermanar", "profiles and Hermanar taxonomy")
	case CompAreas:
		var ev []string
		for i, a := range datasets.AreaCodes {
			if qs.pv.areas != nil && qs.dyn.profiles[c].areas != nil && qs.pv.areas[i] > 0 && qs.dyn.profiles[c].areas[i] > 0 {
				ev = append(ev, a+") "+datasets.AreaLabel(a, lang))
			}
		}
		return ev, tr(lang, "áreas del convenio modelo de la SRE", "areas of the SRE model agreement")
	case CompText:
		if qs.text != nil {
			return qs.text[ProfileKey(e.ids[c])].Terms, "Bleve"
		}
	}
	return nil, ""
}

// noTieES and noTieEN are the diaspora evidence of a pair without a tie,
// shared by every such row (full slices: an append copies).
var noTieES, noTieEN = []string{"sin vínculo migratorio registrado"}[:1:1], []string{"no recorded migrant tie"}[:1:1]

// tr2 is tr for two slices.
func tr2(lang string, es, en []string) []string {
	if lang == "en" {
		return en
	}
	return es
}

// sharedCategories lists categories present on both sides (problems or
// practices), strongest first.
func (e *Engine) sharedCategories(qs *queryState, cp *profileVec) []CategoryRef {
	mine := map[string]float64{}
	for _, c := range append(append([]datasets.CategoryScore{}, qs.pv.probCats...), qs.pv.pracCats...) {
		mine[c.ID] += c.Score
	}
	var out []CategoryRef
	seen := map[string]bool{}
	for _, c := range append(append([]datasets.CategoryScore{}, cp.probCats...), cp.pracCats...) {
		if m, ok := mine[c.ID]; ok && !seen[c.ID] {
			seen[c.ID] = true
			cat, _ := e.tax.Category(c.ID)
			out = append(out, CategoryRef{ID: c.ID, Label: cat.Label.In(qs.lang), Score: round6(math.Min(m, c.Score)), SDG: cat.SDG})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func greatCircleKm(qs *queryState, e *Engine, c int32) float64 {
	d := float64(qs.ux*e.ux[c] + qs.uy*e.uy[c] + qs.uz*e.uz[c])
	return 6371 * math.Acos(math.Max(-1, math.Min(1, d)))
}

// Thousands writes n with comma thousands separators (14,692), as the
// explanations, pages and tables show populations.
func Thousands(n int64) string {
	var buf [32]byte
	return string(appendThousands(buf[:0], n))
}

// recorder names who recorded a tie, in words a reader understands.
func recorder(lang, by string) string {
	switch by {
	case "", "curated":
		return tr(lang, "los datos curados de Hermanar, con su fuente", "Hermanar's curated data, with its source")
	case "import":
		return tr(lang, "un archivo importado", "an imported file")
	}
	if strings.HasPrefix(by, "liaison ") {
		return tr(lang, "el enlace del municipio ", "the liaison of municipality ") + strings.TrimPrefix(by, "liaison ")
	}
	return tr(lang, "el consulado ", "the consulate ") + by
}

// DirectionsNote says in words how a match with profiles on both sides
// was scored, and how the city's wishes scaled it; "" when neither
// applies. Pages and the CLI print it above the component lines.
func DirectionsNote(m *Match, lang string) string {
	var parts []string
	if d := m.Directions; d != nil {
		parts = append(parts, fmt.Sprintf(tr(lang,
			"Los dos lados tienen perfil: visto desde el municipio (municipio → ciudad) la pareja suma %.3f; visto desde la ciudad (ciudad → municipio), %.3f. Se combinan con la media armónica, %.3f, que exige que convenga a ambos: cada valor mostrado mezcla los dos sentidos, %.0f%% el del municipio y %.0f%% el de la ciudad.",
			"Both sides have profiles: seen from the municipality (municipality → city) the pair scores %.3f; seen from the city (city → municipality), %.3f. They combine by their harmonic mean, %.3f, so that the match must suit both: each value shown blends the two directions, %.0f%% the municipality's and %.0f%% the city's."),
			d.Forward, d.Reverse, d.Combined, d.ForwardShare*100, (1-d.ForwardShare)*100))
	}
	if m.Adjustment != 0 {
		parts = append(parts, fmt.Sprintf(tr(lang,
			"Los deseos e interés declarados por la ciudad multiplican el resultado por %.3f; cada aporte es valor × peso × %.3f.",
			"The city's stated wishes and interest multiply the result by %.3f; each contribution is value × weight × %.3f."),
			m.Adjustment, m.Adjustment))
	}
	return strings.Join(parts, " ")
}
