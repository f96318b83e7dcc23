package matcher

import (
	"math"
	"strconv"
)

// This file declares every scoring signal once. A component is one of the
// six parts of a score; a signal is one sub-feature of the structure or
// network component. The dense kernel (kernel.go), the pruned scan
// (prune.go), the explanations, the calibration, the feature export for
// the numpy peer, the weights and the labels all iterate these lists: a
// new sub-feature is one entry in signalList.

// Label is a text in Spanish and English.
type Label struct{ ES, EN string }

// In picks the text of lang ("en", else Spanish).
func (l Label) In(lang string) string {
	if lang == "en" {
		return l.EN
	}
	return l.ES
}

// ComponentDef declares one component.
type ComponentDef struct {
	Name   string  // weight key, JSON and column prefix (problems_value, …)
	Label  Label   // for pages
	Short  Label   // for narrow tables
	Policy float64 // hand-set weight

	// value is the component on candidate c and whether both sides have
	// data for it; reverse scores the pair from the candidate's side.
	value func(e *Engine, qs *queryState, c int32, reverse bool) (float64, bool)
}

// Component names, in the order they are reported.
const (
	CompProblems  = "problems"
	CompAreas     = "areas"
	CompDiaspora  = "diaspora"
	CompText      = "text"
	CompStructure = "structure"
	CompNetwork   = "network"
)

// ComponentDefs are the components in report order. A known diaspora tie
// or a shared problem matters most, as the SRE advises; size and network
// are context.
var ComponentDefs = []ComponentDef{
	{CompProblems, Label{"Problemas en común", "Shared problems"}, Label{"problemas", "problems"}, 0.25, problemsValue},
	{CompAreas, Label{"Áreas de cooperación", "Cooperation areas"}, Label{"áreas", "areas"}, 0.10, areasValue},
	{CompDiaspora, Label{"Migrantes del municipio", "Migrants from the municipality"}, Label{"migrantes", "migrants"}, 0.30, diasporaComponent},
	{CompText, Label{"Afinidad de los textos", "Text affinity"}, Label{"texto", "text"}, 0.10, textValue},
	{CompStructure, Label{"Tamaño, clima y altitud", "Size, climate and elevation"}, Label{"tamaño/clima", "size/climate"}, 0.15, structureValue},
	{CompNetwork, Label{"Red de hermanamientos", "Twinning network"}, Label{"red", "network"}, 0.10, networkValue},
}

// Components lists every component name in report order.
var Components = func() []string {
	out := make([]string, len(ComponentDefs))
	for i, c := range ComponentDefs {
		out[i] = c.Name
	}
	return out
}()

// ComponentLabel names a component for people; an unknown name is
// returned as it is.
func ComponentLabel(name, lang string) string {
	for _, c := range ComponentDefs {
		if c.Name == name {
			return c.Label.In(lang)
		}
	}
	switch name {
	case CompLearned:
		return learnedLabel.In(lang)
	case CompTraits:
		return traitsLabel.In(lang)
	}
	return name
}

// ComponentShort is ComponentLabel for narrow tables.
func ComponentShort(name, lang string) string {
	for _, c := range ComponentDefs {
		if c.Name == name {
			return c.Short.In(lang)
		}
	}
	switch name {
	case CompLearned:
		return learnedShort.In(lang)
	case CompTraits:
		return traitsShort.In(lang)
	}
	return name
}

// Sub-feature names.
const (
	FeatSize      = "size"      // similarity of log population
	FeatType      = "type"      // settlement type (capital, county seat, town)
	FeatElevation = "elevation" // similarity of elevation
	FeatClimate   = "climate"   // similarity of absolute latitude, a climate proxy
	FeatProximity = "proximity" // great-circle closeness

	FeatMexPopularity    = "mexico_popularity" // how many Mexican twins the place has
	FeatGlobalPopularity = "global_popularity" // how many twins in all
	FeatTwinCountry      = "twin_country"      // share of my twins in the candidate's country
	FeatCoTwin           = "co_twin"           // twinned with one of my twins
	FeatCorridor         = "corridor"          // migration corridor: origin emigration × destination state remittances
	FeatStateTwins       = "state_twins"       // municipalities of my state twinned with the candidate
)

// Signal declares one sub-feature: its name (the weight key under its
// component), label, hand-set weight, how a query prepares it, its value
// on a (query, candidate) pair in [0,1], its dense term (how the kernel
// and the numpy peer compute it over candidate columns), an upper bound
// for pruning and its evidence.
type Signal struct {
	Name      string
	Component string // CompStructure or CompNetwork
	Label     Label
	Policy    float64

	// prepare reads what the query needs (nil: nothing; the signal always
	// has data). It reports whether the query has data for the signal.
	prepare func(e *Engine, qs *queryState, d *sigData) bool
	// value is the signal on candidate c, the general path's number.
	value func(e *Engine, qs *queryState, d *sigData, c int32) float32
	// term is how the dense kernel computes the signal over columns; a
	// signal without one is sparse: 0 except on the candidates prepare
	// lists in d.hits, which are scored one by one through value.
	term *termSpec
	// bound is the largest value the signal can take on a candidate
	// without any twinning link (the pruned scan's plain candidates);
	// nil means 1. Sparse signals need none.
	bound func(d *sigData) float32
	// evidence says why the value is what it is (nil: nothing to say).
	// It writes its lines to w (evidence.go): a built line by w.begin,
	// strconv's Append functions and w.end, a whole one by w.add.
	evidence func(e *Engine, qs *queryState, d *sigData, c int32, lang string, w *evidenceWriter)
}

// sigData is one signal's per-query state.
type sigData struct {
	present bool
	table   []float32 // lookup terms: value by the key column's category
	tmax    float32   // the table's largest value (0 without a table)
	hits    map[int32]sigHit
	names   map[int32]string // sparse signals: a name for the evidence
}

// sigHit is a sparse signal's value on one candidate, with a number for
// its evidence (a place id, a count).
type sigHit struct {
	value float32
	n     int64
}

// Scale of each structure similarity: the difference at which it reaches 0.
const (
	sizeSpan = 1.5    // orders of magnitude of population
	elevSpan = 1200.0 // metres
	climSpan = 15.0   // degrees of absolute latitude
	typeSpan = 2.0
)

func always(*Engine, *queryState, *sigData) bool { return true }

// hasTwinnings: the registry knows some twinning.
func hasTwinnings(_ *Engine, qs *queryState, _ *sigData) bool { return !qs.reg.Empty() }

func hitValue(_ *Engine, _ *queryState, d *sigData, c int32) float32 { return d.hits[c].value }

func tableMax(d *sigData) float32 { return d.tmax }

func sizeValue(e *Engine, qs *queryState, _ *sigData, c int32) float32 {
	return 1 - min(abs32(qs.logPop-e.logPop[c])/sizeSpan, 1)
}

func zeroBound(*sigData) float32 { return 0 }

// signalList is every sub-feature, structure first, in report order.
var signalList = []Signal{
	{
		Name: FeatSize, Component: CompStructure, Policy: 0.4,
		Label: Label{"Tamaño de la población", "Population size"},
		value: sizeValue,
		term:  &termSpec{op: opClipDiff, cols: []string{colLogPop}, inv: 1 / sizeSpan, query: func(qs *queryState) []float32 { return []float32{qs.logPop} }},
		evidence: func(e *Engine, qs *queryState, d *sigData, c int32, lang string, w *evidenceWriter) {
			v := sizeValue(e, qs, d, c)
			b := append(w.begin(), tr(lang, "población ", "population ")...)
			b = appendThousands(b, e.place(c).Population)
			b = append(b, tr(lang, " frente a ", " vs ")...)
			b = appendThousands(b, qs.muni.Population)
			b = append(b, tr(lang, " (similitud ", " (similarity ")...)
			b = strconv.AppendFloat(b, float64(v), 'f', 2, 32)
			w.end(append(b, ')'))
		},
	},
	{
		Name: FeatType, Component: CompStructure, Policy: 0.1,
		Label: Label{"Tipo de localidad", "Settlement type"},
		value: func(e *Engine, qs *queryState, _ *sigData, c int32) float32 {
			return 1 - abs32(float32(qs.ptype)-float32(e.ptype[c]))/typeSpan
		},
		term: &termSpec{op: opScaledDiff, cols: []string{colPType}, inv: 1 / typeSpan, query: func(qs *queryState) []float32 { return []float32{float32(qs.ptype)} }},
	},
	{
		Name: FeatElevation, Component: CompStructure, Policy: 0.15,
		Label: Label{"Altitud", "Elevation"},
		value: func(e *Engine, qs *queryState, _ *sigData, c int32) float32 {
			return 1 - min(abs32(qs.elev-e.elev[c])/elevSpan, 1)
		},
		term: &termSpec{op: opClipDiff, cols: []string{colElev}, inv: 1 / elevSpan, query: func(qs *queryState) []float32 { return []float32{qs.elev} }},
		evidence: func(e *Engine, qs *queryState, _ *sigData, c int32, lang string, w *evidenceWriter) {
			b := append(w.begin(), tr(lang, "altitud ", "elevation ")...)
			b = strconv.AppendInt(b, int64(e.place(c).Elevation), 10)
			b = append(b, tr(lang, " m frente a ", " m vs ")...)
			b = strconv.AppendInt(b, int64(int(qs.elev)), 10)
			w.end(append(b, " m"...))
		},
	},
	{
		Name: FeatClimate, Component: CompStructure, Policy: 0.2,
		Label: Label{"Clima (latitud)", "Climate (latitude)"},
		value: func(e *Engine, qs *queryState, _ *sigData, c int32) float32 {
			return 1 - min(abs32(qs.absLat-e.absLat[c])/climSpan, 1)
		},
		term: &termSpec{op: opClipDiff, cols: []string{colAbsLat}, inv: 1 / climSpan, query: func(qs *queryState) []float32 { return []float32{qs.absLat} }},
		evidence: func(e *Engine, qs *queryState, _ *sigData, c int32, lang string, w *evidenceWriter) {
			b := append(w.begin(), tr(lang, "latitud ", "latitude ")...)
			b = strconv.AppendFloat(b, math.Abs(float64(e.place(c).Lat)), 'f', 1, 64)
			b = append(b, tr(lang, "° frente a ", "° vs ")...)
			b = strconv.AppendFloat(b, float64(qs.absLat), 'f', 1, 32)
			w.end(append(b, "°"...))
		},
	},
	{
		Name: FeatProximity, Component: CompStructure, Policy: 0.15,
		Label: Label{"Cercanía", "Proximity"},
		value: func(e *Engine, qs *queryState, _ *sigData, c int32) float32 {
			return (1 + qs.ux*e.ux[c] + qs.uy*e.uy[c] + qs.uz*e.uz[c]) / 2
		},
		term: &termSpec{op: opUnitDot, cols: []string{colUX, colUY, colUZ}, query: func(qs *queryState) []float32 { return []float32{qs.ux, qs.uy, qs.uz} }},
		evidence: func(e *Engine, qs *queryState, _ *sigData, c int32, lang string, w *evidenceWriter) {
			b := append(w.begin(), tr(lang, "distancia ≈ ", "distance ≈ ")...)
			b = appendThousands(b, int64(greatCircleKm(qs, e, c)))
			w.end(append(b, " km"...))
		},
	},

	{
		Name: FeatTraits, Component: CompStructure, Policy: 0.15,
		Label:    Label{"Rasgos en común", "Shared traits"},
		prepare:  prepareTraits,
		value:    traitsValue,
		term:     &termSpec{op: opLookup, cols: []string{colTraits}},
		evidence: traitsEvidence,
	},
	{
		Name: FeatNamesake, Component: CompStructure, Policy: 0.05,
		Label:    Label{"Mismo nombre", "Same name"},
		prepare:  prepareNamesake,
		value:    hitValue,
		evidence: namesakeEvidence,
	},
	{
		Name: FeatMexPopularity, Component: CompNetwork, Policy: 0.35,
		Label:   Label{"Hermanamientos con México", "Twinnings with Mexico"},
		prepare: hasTwinnings,
		value:   func(_ *Engine, qs *queryState, _ *sigData, c int32) float32 { return qs.reg.popMx[c] },
		term:    &termSpec{op: opColumn, cols: []string{colPopMx}},
		bound:   zeroBound, // plain candidates have no twinning
		evidence: func(e *Engine, qs *queryState, _ *sigData, c int32, lang string, w *evidenceWriter) {
			mx, all := qs.reg.mx[c], qs.reg.all[c]
			b := strconv.AppendInt(w.begin(), int64(mx), 10)
			b = append(append(b, ' '), plural(lang, int(mx), "hermanamiento", "hermanamientos", "twinning", "twinnings")...)
			b = append(b, tr(lang, " con ciudades mexicanas, ", " with Mexican cities, ")...)
			b = strconv.AppendInt(b, int64(all), 10)
			w.end(append(b, tr(lang, " en total", " in all")...))
		},
	},
	{
		Name: FeatGlobalPopularity, Component: CompNetwork, Policy: 0.1,
		Label:   Label{"Hermanamientos en total", "Twinnings in all"},
		prepare: hasTwinnings,
		value:   func(_ *Engine, qs *queryState, _ *sigData, c int32) float32 { return qs.reg.popAll[c] },
		term:    &termSpec{op: opColumn, cols: []string{colPopAll}},
		bound:   zeroBound,
	},
	{
		Name: FeatTwinCountry, Component: CompNetwork, Policy: 0.25,
		Label: Label{"País de mis hermanas", "Country of my twins"},
		prepare: func(e *Engine, qs *queryState, d *sigData) bool {
			mine := qs.reg.muniTwins[qs.muni.CVEGEO]
			if len(mine) == 0 {
				return false
			}
			d.table = make([]float32, len(e.countries))
			for _, c := range mine {
				d.table[e.country[c]] += 1 / float32(len(mine))
			}
			return true
		},
		value: func(e *Engine, _ *queryState, d *sigData, c int32) float32 {
			if d.table == nil {
				return 0
			}
			return d.table[e.country[c]]
		},
		term:  &termSpec{op: opLookup, cols: []string{colCountry}},
		bound: tableMax,
		evidence: func(e *Engine, _ *queryState, d *sigData, c int32, lang string, w *evidenceWriter) {
			if d.table == nil || d.table[e.country[c]] == 0 {
				return
			}
			b := strconv.AppendFloat(w.begin(), float64(d.table[e.country[c]]*100), 'f', 0, 32)
			b = append(b, tr(lang, "% de sus hermanamientos actuales son en ", "% of your current twinnings are in ")...)
			w.end(append(b, e.place(c).Country...))
		},
	},
	{
		Name: FeatCoTwin, Component: CompNetwork, Policy: 0.15,
		Label: Label{"Hermana de mis hermanas", "Twin of my twins"},
		prepare: func(e *Engine, qs *queryState, d *sigData) bool {
			mine := qs.reg.muniTwins[qs.muni.CVEGEO]
			if len(mine) == 0 {
				return false
			}
			d.hits = map[int32]sigHit{}
			for _, c := range mine {
				for _, nb := range qs.reg.neighbors[e.ids[c]] {
					if nc, ok := e.candIndex[nb]; ok && nc != c {
						if _, dup := d.hits[nc]; !dup {
							d.hits[nc] = sigHit{value: 1, n: e.ids[c]}
						}
					}
				}
			}
			return true
		},
		value: hitValue,
		evidence: func(e *Engine, _ *queryState, d *sigData, c int32, lang string, w *evidenceWriter) {
			h, ok := d.hits[c]
			if !ok {
				return
			}
			if vp, ok := e.in.Snap.Place(h.n); ok {
				b := append(w.begin(), tr(lang, "hermanada con ", "twinned with ")...)
				b = append(b, vp.Name...)
				w.end(append(b, tr(lang, ", que ya es su ciudad hermana", ", already your twin")...))
			}
		},
	},
	{
		Name: FeatCountryPopularity, Component: CompNetwork, Policy: 0.1,
		Label:    Label{"Popular con México en el país de mis hermanas", "Popular with Mexico in my twins' country"},
		prepare:  prepareCountryPopularity,
		value:    hitValue,
		evidence: countryPopularityEvidence,
	},
	{
		Name: FeatNeighbourTwins, Component: CompNetwork, Policy: 0.15,
		Label:    Label{"Hermanas de municipios vecinos", "Twins of neighbouring municipalities"},
		prepare:  prepareNeighbourTwins,
		value:    hitValue,
		evidence: neighbourEvidence,
	},
	{
		Name: FeatTwinRegion, Component: CompNetwork, Policy: 0.1,
		Label:    Label{"Región de mis hermanas", "Region of my twins"},
		prepare:  prepareTwinRegion,
		value:    twinRegionValue,
		term:     &termSpec{op: opLookup, cols: []string{colAdmin1}},
		bound:    tableMax,
		evidence: twinRegionEvidence,
	},
	{
		Name: FeatMexicoTwins, Component: CompNetwork, Policy: 0.1,
		Label:    Label{"Hermanamientos con México, sin tope", "Twinnings with Mexico, uncapped"},
		prepare:  prepareMexicoTwins,
		value:    hitValue,
		evidence: mexicoTwinsEvidence,
	},
	{
		Name: FeatCorridor, Component: CompNetwork, Policy: 0.15,
		Label: Label{"Corredor migratorio", "Migration corridor"},
		prepare: func(e *Engine, qs *queryState, d *sigData) bool {
			if !e.corridor.ok {
				return false
			}
			em, ok := e.in.Emigration[qs.muni.CVEGEO]
			if !ok {
				return false
			}
			share := em / e.corridor.maxEmigration
			d.table = make([]float32, len(e.corridor.stateShare))
			for s, v := range e.corridor.stateShare {
				d.table[s] = float32(share) * v
			}
			return true
		},
		value: func(e *Engine, _ *queryState, d *sigData, c int32) float32 {
			if d.table == nil {
				return 0
			}
			return d.table[e.usState[c]]
		},
		term:  &termSpec{op: opLookup, cols: []string{colUSState}},
		bound: tableMax,
		evidence: func(e *Engine, qs *queryState, d *sigData, c int32, lang string, w *evidenceWriter) {
			if d.table == nil || e.usState[c] == 0 {
				return
			}
			b := append(w.begin(), tr(lang, "corredor migratorio: ", "migration corridor: ")...)
			b = strconv.AppendFloat(b, e.in.Emigration[qs.muni.CVEGEO], 'f', 0, 64)
			b = append(b, tr(lang, "% de hogares con emigrantes (CONAPO 2010) × remesas desde ", "% households with emigrants (CONAPO 2010) × remittances from ")...)
			b = append(b, e.in.Snap.Admin1Name(e.place(c))...)
			w.end(append(b, " (Banxico)"...))
		},
	},
	{
		// Twinnings cluster by state: a state government's sister-city
		// programme, neighbours following each other. The value is
		// log(1 + municipalities of my state, other than mine, twinned
		// with the place), scaled by the place most twinned with my state.
		Name: FeatStateTwins, Component: CompNetwork, Policy: 0.2,
		Label: Label{"Hermanamientos de mi estado", "Twinnings of my state"},
		prepare: func(e *Engine, qs *queryState, d *sigData) bool {
			me := qs.muni.CVEGEO
			counts := map[int32]int64{}
			top := int64(0)
			for m, twins := range qs.reg.muniTwins {
				if m == me || len(m) != len(me) || m[:2] != me[:2] {
					continue
				}
				for _, c := range twins {
					counts[c]++
					top = max(top, counts[c])
				}
			}
			if top == 0 {
				return false
			}
			d.hits = make(map[int32]sigHit, len(counts))
			scale := math.Log1p(float64(top))
			for c, n := range counts {
				d.hits[c] = sigHit{value: float32(math.Log1p(float64(n)) / scale), n: n}
			}
			return true
		},
		value: hitValue,
		evidence: func(_ *Engine, qs *queryState, d *sigData, c int32, lang string, w *evidenceWriter) {
			h, ok := d.hits[c]
			if !ok {
				return
			}
			b := w.begin()
			if h.n == 1 {
				b = append(b, tr(lang, "otro municipio de ", "another municipality of ")...)
				b = append(b, qs.muni.StateName...)
				w.end(append(b, tr(lang, " está hermanado con esta ciudad", " is twinned with this city")...))
				return
			}
			b = strconv.AppendInt(b, h.n, 10)
			b = append(b, tr(lang, " municipios de ", " municipalities of ")...)
			b = append(b, qs.muni.StateName...)
			w.end(append(b, tr(lang, " están hermanados con esta ciudad", " are twinned with this city")...))
		},
	},
}

// signalsOf lists the positions in signalList of one component's signals
// (the scoring paths call it per candidate: the two lists are built once).
func signalsOf(comp string) []int {
	switch comp {
	case CompStructure:
		return structureSignals
	case CompNetwork:
		return networkSignals
	}
	return scanSignals(comp)
}

var structureSignals, networkSignals = scanSignals(CompStructure), scanSignals(CompNetwork)

func scanSignals(comp string) []int {
	var out []int
	for i, s := range signalList {
		if s.Component == comp {
			out = append(out, i)
		}
	}
	return out
}

func signalNames(comp string) []string {
	var out []string
	for _, i := range signalsOf(comp) {
		out = append(out, signalList[i].Name)
	}
	return out
}

// StructureFeatures and NetworkFeatures list the sub-feature names of the
// two components, in order.
var (
	StructureFeatures = signalNames(CompStructure)
	NetworkFeatures   = signalNames(CompNetwork)
)

// SignalLabel names a sub-feature for people; an unknown name is returned
// as it is.
func SignalLabel(name, lang string) string {
	for _, s := range signalList {
		if s.Name == name {
			return s.Label.In(lang)
		}
	}
	return name
}

// subWeight is a signal's weight in w.
func (w Weights) subWeight(s *Signal) float64 {
	if s.Component == CompStructure {
		return w.Structure[s.Name]
	}
	return w.Network[s.Name]
}

// prepareSignals fills qs.sig and the normalised sub-weights: within each
// component, over the signals the query has data for.
func (e *Engine) prepareSignals(qs *queryState) {
	qs.sig = make([]sigData, len(signalList))
	qs.subW = make([]float32, len(signalList))
	// Each signal's weight, looked up once (a string-keyed map).
	var wBuf [32]float64
	sw := wBuf[:0]
	for i := range signalList {
		sw = append(sw, qs.w.subWeight(&signalList[i]))
	}
	for i := range signalList {
		s := &signalList[i]
		if sw[i] == 0 {
			continue // a signal without weight is not read, nor explained
		}
		p := always
		if s.prepare != nil {
			p = s.prepare
		}
		qs.sig[i].present = p(e, qs, &qs.sig[i])
		if len(qs.sig[i].table) > 0 {
			qs.sig[i].tmax = maxFinite(qs.sig[i].table)
		}
		for c := range qs.sig[i].hits {
			qs.explicit[c] = true
		}
	}
	for _, comp := range []string{CompStructure, CompNetwork} {
		idx := signalsOf(comp)
		total := 0.0
		for _, i := range idx {
			if qs.sig[i].present {
				total += sw[i]
			}
		}
		if total <= 0 {
			continue
		}
		for _, i := range idx {
			if qs.sig[i].present {
				qs.subW[i] = float32(sw[i] / total)
			}
		}
		if comp == CompNetwork {
			qs.netOK = true
		}
	}
}

// componentValue is the weighted mean of a component's signals on c.
func (e *Engine) componentValue(qs *queryState, comp string, c int32) float32 {
	v := float32(0)
	for _, i := range signalsOf(comp) {
		if qs.subW[i] != 0 {
			v += qs.subW[i] * signalList[i].value(e, qs, &qs.sig[i], c)
		}
	}
	return v
}

// signalEvidence is what the signals of comp say about candidate c: one
// slice and one string for all its built lines (evidence.go).
func (e *Engine) signalEvidence(qs *queryState, comp string, c int32) []string {
	w := &qs.ev
	w.reset()
	for _, i := range signalsOf(comp) {
		s := &signalList[i]
		if qs.sig[i].present && s.evidence != nil {
			s.evidence(e, qs, &qs.sig[i], c, qs.lang, w)
		}
	}
	return w.appendTo(w.slice(len(w.lines) + 1)) // room for a line the caller adds
}

// appendSignalEvidence appends what signal i says about candidate c to out.
func (e *Engine) appendSignalEvidence(qs *queryState, i int, c int32, out []string) []string {
	w := &qs.ev
	w.reset()
	if s := &signalList[i]; s.evidence != nil {
		s.evidence(e, qs, &qs.sig[i], c, qs.lang, w)
	}
	return w.appendTo(out)
}

// plural picks the singular or plural noun in lang for n.
func plural(lang string, n int, es1, esN, en1, enN string) string {
	if n == 1 {
		return tr(lang, es1, en1)
	}
	return tr(lang, esN, enN)
}
