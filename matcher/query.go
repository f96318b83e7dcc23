package matcher

import (
	"math"
	"strings"

	"hermanar/datasets"
)

// Query asks for the best partners of one municipality.
type Query struct {
	Municipality string            // CVEGEO; required
	Profile      *datasets.Profile // overrides the stored or prefilled profile
	K            int               // default 10, at most MaxK
	Lang         string            // "es" (default) or "en", for explanations
	Filter       Filter

	// Exhaustive scores every candidate instead of the pruned scan (the
	// same list; benchmarks compare the two).
	Exhaustive bool

	registry *Registry  // a backtest's registry without the hidden pair
	dyn      *dynamic   // a bulk ranking's one version of the user data
	revText  *textCache // a bulk ranking's text relevance from each profiled candidate's side
}

// MaxK bounds one result list.
const MaxK = 500

// Filter narrows the candidates.
type Filter struct {
	Countries      []string `json:"countries,omitempty"`
	MinPopulation  int64    `json:"min_population,omitempty"`
	MaxPopulation  int64    `json:"max_population,omitempty"`
	ExcludeTwinned bool     `json:"exclude_twinned,omitempty"`
	OnlyProfiled   bool     `json:"only_profiled,omitempty"`
	// IgnoreWishes also lists cities whose stated wishes (countries,
	// regions, language) the municipality does not meet, at half their
	// score, with the explanation saying so.
	IgnoreWishes bool `json:"ignore_wishes,omitempty"`
	// Traits keeps only candidates with every named trait (TraitNames).
	Traits []string `json:"traits,omitempty"`
	// The list rules (fit.go): existing twins are listed apart unless
	// IncludeTwinned; NoSizeRule and NoDiversity turn the other two off.
	IncludeTwinned bool `json:"include_twinned,omitempty"`
	NoSizeRule     bool `json:"no_size_rule,omitempty"`
	NoDiversity    bool `json:"no_diversity,omitempty"`
}

// queryState is everything about one query that the scoring loop reads.
type queryState struct {
	q    Query
	dyn  *dynamic
	muni *datasets.Municipality
	prof datasets.Profile
	pv   *profileVec
	reg  *Registry
	lang string
	// w are the weights of this municipality (Weights.For): the twinned
	// set when it has twins of its own.
	w *Weights
	// compW are w's component weights by position in ComponentDefs (the
	// scoring of a pair reads them for every candidate it explains).
	compW [maxComponents]float64

	logPop, elev, absLat float32
	ux, uy, uz           float32
	ptype                uint8

	diaspora map[int32]*tieAgg
	twinned  map[int32]bool // my current twins

	// Per signal of signalList: its data and its sub-weight, normalised
	// within its component over the signals with data.
	sig      []sigData
	subW     []float32
	netOK    bool
	diasOK   bool
	text     map[string]datasets.TextMatch
	textErr  error
	explicit map[int32]bool // candidates scored one by one

	traitFilter Trait // candidates must have every one of these traits
	// learned is the second stage of a municipality with twins of its own
	// (rerank_ship.go), nil otherwise.
	learned    *learnedQuery
	muniTraits Trait // the municipality's traits (the traits signal)
	// ev collects one component's evidence lines as rows are explained.
	ev evidenceWriter
}

// tieAgg is the diaspora evidence for one destination: ties from the
// municipality or its localities, rolled up.
type tieAgg struct {
	size      int64
	estimated bool
	interest  bool
	ties      []datasets.Tie
}

func (e *Engine) prepare(q Query) (*queryState, error) {
	if !datasets.ValidCVEGEO(q.Municipality) {
		return nil, &datasets.Error{Code: datasets.EInvalid,
			Msg: datasets.Text{ES: "El municipio debe ser una clave CVEGEO del INEGI de 5 dígitos, como 11008.",
				EN: "municipality must be a 5-digit INEGI CVEGEO such as 11008"},
			Fields: map[string]datasets.Text{"municipality": datasets.Textf("no es una clave CVEGEO: %s", "not a CVEGEO: %s", q.Municipality)}}
	}
	m, ok := e.in.Snap.Municipality(q.Municipality)
	if !ok {
		return nil, datasets.Errf(datasets.ENotFound, "No existe el municipio %s.", "no municipality %s", q.Municipality)
	}
	if q.K <= 0 {
		q.K = 10
	}
	if q.K > MaxK {
		return nil, &datasets.Error{Code: datasets.EInvalid, Msg: datasets.Text{ES: "k es demasiado grande", EN: "k is too large"},
			Fields: map[string]datasets.Text{"k": {ES: "debe estar entre 1 y 500", EN: "must be between 1 and 500"}}}
	}
	for i, c := range q.Filter.Countries {
		q.Filter.Countries[i] = strings.ToUpper(strings.TrimSpace(c))
	}
	traits, err := ParseTraits("traits", q.Filter.Traits)
	if err != nil {
		return nil, err
	}
	qs := &queryState{q: q, muni: m, lang: q.Lang, reg: e.reg, dyn: e.dyn.Load(), traitFilter: traits}
	if qs.lang != "en" {
		qs.lang = "es"
	}
	if q.registry != nil {
		qs.reg = q.registry
	}
	if q.dyn != nil {
		qs.dyn = q.dyn
	}
	if q.Profile != nil {
		qs.prof = *q.Profile
		if !qs.prof.Empty() {
			qs.pv = e.vectorize(qs.prof)
		}
	} else {
		qs.prof = e.profileFrom(qs.dyn, m.CVEGEO)
		qs.pv = e.muniVector(qs.dyn, m.CVEGEO, qs.prof)
	}

	pop := m.Population
	var seat *datasets.Place
	if m.SeatPlaceID != 0 {
		seat, _ = e.in.Snap.Place(m.SeatPlaceID)
	}
	if pop == 0 && seat != nil {
		pop = seat.Population
	}
	qs.logPop = float32(math.Log10(float64(pop) + 1))
	if seat != nil {
		qs.elev = float32(seat.Elevation)
		qs.ptype = placeType(seat.FeatureCode)
	}
	qs.absLat = float32(math.Abs(float64(m.Lat)))
	qs.ux, qs.uy, qs.uz = unitVector(m.Lat, m.Lon)

	e.prepareDiaspora(qs)
	if e.in.Text != nil && qs.pv != nil && qs.pv.hasText && len(qs.dyn.profiles) > 0 {
		if q.Profile == nil && qs.dyn.text != nil {
			qs.text, qs.textErr = qs.dyn.text.forward(e, m.CVEGEO, qs.prof)
		} else {
			qs.text, qs.textErr = e.in.Text.TextScores(qs.prof, MunicipalityKey(m.CVEGEO))
		}
	}
	qs.explicit = map[int32]bool{}
	for c := range qs.diaspora {
		qs.explicit[c] = true
	}
	qs.twinned = map[int32]bool{}
	for _, c := range qs.reg.muniTwins[m.CVEGEO] {
		qs.twinned[c] = true
		qs.explicit[c] = true
	}
	for c := range qs.dyn.profiles {
		qs.explicit[c] = true
	}
	qs.w = e.w.For(len(qs.twinned) > 0)
	for i, d := range ComponentDefs {
		qs.compW[i] = qs.w.Components[d.Name]
	}
	e.prepareSignals(qs)
	return qs, nil
}

// muniVector is the vector of p, the stored or prefilled profile of
// cvegeo in d: classified once per version of the user data (a
// classifier call costs a few tenths of a millisecond), not per query.
func (e *Engine) muniVector(d *dynamic, cvegeo string, p datasets.Profile) *profileVec {
	if d.vecs != nil {
		if v, ok := d.vecs.Load(cvegeo); ok {
			return v.(*profileVec)
		}
	}
	var pv *profileVec
	if !p.Empty() {
		pv = e.vectorize(p)
	}
	if d.vecs != nil {
		d.vecs.Store(cvegeo, pv)
	}
	return pv
}

// Profile returns the stored profile of a municipality, or one prefilled
// from official data (problems from climate and drought records, diaspora
// destinations from ties) when none is stored.
func (e *Engine) Profile(cvegeo string) datasets.Profile { return e.profileFrom(e.dyn.Load(), cvegeo) }

// ProfileIsStored reports whether a liaison stored a profile for cvegeo.
func (e *Engine) ProfileIsStored(cvegeo string) bool {
	_, ok := e.dyn.Load().muniProfiles[cvegeo]
	return ok
}

func (e *Engine) profileFrom(d *dynamic, cvegeo string) datasets.Profile {
	if p, ok := d.muniProfiles[cvegeo]; ok {
		return p
	}
	p := datasets.Profile{Lang: "es", Problems: e.in.DataProblems[cvegeo]}
	for _, t := range d.ties[cvegeo] {
		if pl, ok := e.in.Snap.Place(t.Place); ok {
			p.Diaspora = append(p.Diaspora, datasets.DiasporaLink{Place: pl.Name + ", " + e.in.Snap.Admin1Name(pl),
				PlaceID: pl.ID, Size: t.Size, Source: t.Source, SourceEN: t.SourceEN})
		}
	}
	return p
}

func (e *Engine) prepareDiaspora(qs *queryState) {
	qs.diaspora = map[int32]*tieAgg{}
	add := func(c int32, t datasets.Tie) {
		a := qs.diaspora[c]
		if a == nil {
			a = &tieAgg{}
			qs.diaspora[c] = a
		}
		a.size += t.Size
		a.estimated = a.estimated || t.Estimated || t.Size == 0
		a.interest = a.interest || t.Interest
		a.ties = append(a.ties, t)
	}
	for _, t := range qs.dyn.ties[qs.muni.CVEGEO] {
		add(e.candIndex[t.Place], t)
	}
	// Destinations typed into the profile count as ties of their own
	// (recorded by the liaison), unless they only echo a recorded tie.
	// Entries not resolved at write time are resolved here when a
	// resolver is wired.
	prof := qs.prof
	if e.in.Resolver != nil {
		prof.Diaspora = append([]datasets.DiasporaLink(nil), prof.Diaspora...)
		for i, d := range prof.Diaspora {
			if d.PlaceID == 0 {
				prof.Diaspora[i].PlaceID, _ = e.in.Resolver.ResolvePlace(d.Place)
			}
		}
	}
	data := qs.dyn.ties[qs.muni.CVEGEO]
	for _, t := range mergeProfileTies(data, qs.muni.CVEGEO, prof)[len(data):] {
		if c, ok := e.candIndex[t.Place]; ok {
			add(c, t)
		}
	}
	qs.diasOK = len(qs.diaspora) > 0
}
