package matcher

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"hermanar/datasets"
)

// Classifier maps a problem statement onto taxonomy categories.
type Classifier interface {
	// Classify returns up to k categories with scores in [0,1], best first.
	Classify(text, lang string, k int) []datasets.CategoryScore
}

// TextScorer gives the text relevance of a profile against the indexed
// profiles of candidates, keyed by ProfileKey.
type TextScorer interface {
	TextScores(p datasets.Profile, excludeKey string) (map[string]datasets.TextMatch, error)
}

// PlaceResolver turns a free-text place ("Whitewater, Wisconsin") into a
// GeoNames id, used for diaspora destinations typed into a profile.
type PlaceResolver interface {
	ResolvePlace(name string) (int64, bool)
}

// ProfileKey is the key of a place's profile in the text index.
func ProfileKey(placeID int64) string { return fmt.Sprintf("place:%d", placeID) }

// MunicipalityKey is the key of a municipality's profile in the text index.
func MunicipalityKey(cvegeo string) string { return "mun:" + cvegeo }

// Inputs is everything an Engine is built from. Only Snap is required.
type Inputs struct {
	Snap                 *datasets.Snapshot
	Taxonomy             *datasets.Taxonomy
	Ties                 []datasets.Tie
	Twinnings            []datasets.Twinning
	MunicipalityProfiles map[string]datasets.Profile
	PlaceProfiles        map[int64]datasets.Profile
	// PlaceRecords are foreign cities' full records (curated, imported,
	// entered): their profile, wishes, contact, interests and provenance.
	// A record's profile stands in where PlaceProfiles has none.
	PlaceRecords map[int64]datasets.PlaceProfile
	// Emigration is CONAPO's share of households with emigrants (percent)
	// by CVEGEO; USStateRemittances are yearly remittances (million USD)
	// sent to Mexico from each US state. Both feed the corridor feature.
	Emigration         map[string]float64
	USStateRemittances map[string]float64
	// Derived problems from official data (INECC, CONAGUA), by CVEGEO,
	// used to prefill a municipality's profile.
	DataProblems map[string][]datasets.Problem
	Consulates   []datasets.Consulate
	Classifier   Classifier
	Text         TextScorer
	Resolver     PlaceResolver
	Weights      Weights
	// Scale is the score scale of Weights (scale.go); nil: the one shipped
	// beside the default weights, applied only if it was fitted for them.
	Scale *ScoreScale
	// Rerank is the second stage (rerank_ship.go); nil: the one embedded
	// beside the default weights, applied only if its first stage is
	// Weights. NoRerank turns the second stage off.
	Rerank   *RerankFile
	NoRerank bool
}

// Engine scores candidates. It is immutable after NewEngine and safe for
// concurrent use; each Match allocates only its own scratch space.
type Engine struct {
	in    Inputs
	w     Weights
	scale *ScoreScale // nil: no calibrated scale for w
	// rerank is the second stage for municipalities with twins of their
	// own; nil: none (rerank_ship.go).
	rerank *RerankFile
	// poolHead, when set, replaces RerankPoolHead in the second stage's
	// pools (an experiment of eval --pool-head; rerankHead).
	poolHead int
	// relInputs adds the pool-relative inputs (rerankRelNames) to the
	// second stage's rows (an experiment of eval --relative-inputs).
	relInputs bool
	tax       *datasets.Taxonomy

	// Candidates are every non-Mexican place of the snapshot, in snapshot
	// order, stored as columns for a tight scoring loop.
	n          int
	placeIdx   []int32
	ids        []int64
	logPop     []float32
	sizeClass  []uint8 // SizeClass of the population, for the list rules
	elev       []float32
	absLat     []float32
	ux, uy, uz []float32
	ptype      []uint8
	traits     []Trait
	traitCol   []uint8   // traits as a kernel column
	traitIDF   []float32 // weight of each trait (traitDefs order) in the traits signal
	admin1     []uint16  // first-level division id, into admin1s
	admin1s    []string  // "US.TX"
	country    []uint16
	usState    []uint8 // 1-based index into usStates, 0 outside the US
	countries  []string
	countryID  map[string]uint16
	usStates   []string
	candIndex  map[int64]int32
	byCountry  map[uint16][]int32
	cols       columns // the columns above, for the kernel

	catPos   map[string]int
	catSim   *mat.SymDense
	reg      *Registry
	corridor corridorData

	// User-entered profiles and ties change while the engine serves; each
	// query reads one consistent version.
	mu  sync.Mutex
	dyn atomic.Pointer[dynamic]

	rankIxOnce sync.Once
	rankIx     *rankIndex
	rankers    sync.Pool // *ranker for Match's pruned scan

	// cores is the idle-core gate (parallel.go): how many cores matches
	// and bulk workers hold now.
	cores coreGate

	poolEvidOnce sync.Once
	poolEvid     *poolEvidence // the second stage's evidence lists (rerank_pool.go)

	popSortedOnce sync.Once
	popSorted     []float32 // logPop sorted, for populationPassed
	byNameOnce    sync.Once
	byName        map[string][]int32 // folded name -> candidates (the namesake signal)
	muniPosOnce   sync.Once
	muniPos       map[string]int32 // CVEGEO -> position in the snapshot (livetext.go)
}

type corridorData struct {
	maxEmigration float64
	stateShare    []float32 // by usState id, normalised to [0,1]
	ok            bool
}

// NewEngine builds the candidate columns and indexes.
func NewEngine(in Inputs) (*Engine, error) {
	if in.Snap == nil {
		return nil, fmt.Errorf("matcher: no snapshot")
	}
	if in.Weights.Components == nil {
		in.Weights = PolicyWeights()
	}
	if err := in.Weights.Validate(); err != nil {
		return nil, err
	}
	if in.Taxonomy == nil {
		in.Taxonomy = datasets.DefaultTaxonomy()
	}
	// The candidate count is known up front: sizing every column, the
	// candidate index and the per-country lists exactly avoids regrowing
	// (and page-faulting in) each of them several times at start-up.
	places := in.Snap.Places
	n := 0
	for i := range places {
		if isCandidate(&places[i]) {
			n++
		}
	}
	e := &Engine{in: in, w: in.Weights, scale: scaleFor(in.Scale, in.Weights), tax: in.Taxonomy, n: n,
		countryID: map[string]uint16{}, candIndex: make(map[int64]int32, n)}
	var err error
	if e.rerank, err = rerankFor(in); err != nil {
		return nil, err
	}
	e.catSim = categorySimilarity(e.tax)
	e.catPos = make(map[string]int, len(e.tax.Categories))
	for i, c := range e.tax.Categories {
		e.catPos[c.ID] = i
	}
	e.placeIdx = make([]int32, n)
	e.ids = make([]int64, n)
	e.logPop = make([]float32, n)
	e.sizeClass = make([]uint8, n)
	e.elev = make([]float32, n)
	e.absLat = make([]float32, n)
	e.ux, e.uy, e.uz = make([]float32, n), make([]float32, n), make([]float32, n)
	e.ptype = make([]uint8, n)
	e.country = make([]uint16, n)
	e.usState = make([]uint8, n)
	// The id index (~180k map entries) costs as much as the columns: the
	// other core fills it meanwhile, numbering candidates the same way.
	var indexed sync.WaitGroup
	indexed.Go(func() {
		c := int32(0)
		for i := range places {
			if isCandidate(&places[i]) {
				e.candIndex[places[i].ID] = c
				c++
			}
		}
	})
	usID := map[string]uint8{}
	var perCountry []int32 // candidates by country id
	c := int32(0)
	for i := range places {
		p := &places[i]
		if !isCandidate(p) {
			continue
		}
		if p.ID < 0 || p.ID > math.MaxUint32 {
			// The top-k selector orders ties by the id in 32 bits
			// (selKey); GeoNames ids are far below.
			indexed.Wait()
			return nil, fmt.Errorf("matcher: place id %d is outside 0..%d", p.ID, uint32(math.MaxUint32))
		}
		e.placeIdx[c] = int32(i)
		e.ids[c] = p.ID
		e.logPop[c] = float32(math.Log10(float64(p.Population) + 1))
		e.sizeClass[c] = SizeClass(p.Population)
		e.elev[c] = float32(p.Elevation)
		e.absLat[c] = float32(math.Abs(float64(p.Lat)))
		e.ux[c], e.uy[c], e.uz[c] = unitVector(p.Lat, p.Lon)
		e.ptype[c] = placeType(p.FeatureCode)
		cid, ok := e.countryID[p.Country]
		if !ok {
			cid = uint16(len(e.countries))
			e.countries = append(e.countries, p.Country)
			e.countryID[p.Country] = cid
			perCountry = append(perCountry, 0)
		}
		e.country[c] = cid
		perCountry[cid]++
		var sid uint8
		if p.Country == "US" && p.Admin1 != "" {
			if sid, ok = usID[p.Admin1]; !ok {
				e.usStates = append(e.usStates, p.Admin1)
				sid = uint8(len(e.usStates))
				usID[p.Admin1] = sid
			}
		}
		e.usState[c] = sid
		c++
	}
	// byCountry lists are carved out of one backing array, in candidate
	// order as before.
	e.byCountry = make(map[uint16][]int32, len(perCountry))
	backing := make([]int32, n)
	off := int32(0)
	for cid, k := range perCountry {
		e.byCountry[uint16(cid)] = backing[off : off : off+k]
		off += k
	}
	for c := range n {
		cid := e.country[c]
		e.byCountry[cid] = append(e.byCountry[cid], int32(c))
	}
	e.buildTraits()
	indexed.Wait()
	e.reg = NewRegistry(in.Twinnings, e)
	e.cols = columns{ids: e.ids, logPop: e.logPop, elev: e.elev, absLat: e.absLat, ux: e.ux, uy: e.uy, uz: e.uz,
		popMx: e.reg.popMx, popAll: e.reg.popAll, ptype: e.ptype, usState: e.usState, country: e.country,
		traits: e.traitCol, admin1: e.admin1}
	d := &dynamic{ties: map[string][]datasets.Tie{}, profiles: map[int32]*profileVec{}, vecs: new(sync.Map),
		muniProfiles: map[string]datasets.Profile{}, placeProfiles: map[int64]datasets.Profile{}, text: newLiveText()}
	for _, t := range in.Ties {
		if _, ok := e.candIndex[t.Place]; ok {
			d.ties[t.Municipality] = append(d.ties[t.Municipality], t)
		}
	}
	for k, p := range in.MunicipalityProfiles {
		d.muniProfiles[k] = p
	}
	ids := slices.Sorted(maps.Keys(in.PlaceProfiles))
	for _, id := range ids {
		c, ok := e.candIndex[id]
		if !ok {
			continue
		}
		d.placeProfiles[id] = in.PlaceProfiles[id]
		d.profiles[c] = e.vectorize(in.PlaceProfiles[id])
	}
	e.loadPlaceRecords(d)
	e.dyn.Store(d)
	e.corridor = buildCorridor(in, e.usStates)
	return e, nil
}

// Candidates is the number of candidate places.
func (e *Engine) Candidates() int { return e.n }

// Weights returns the weights in use.
func (e *Engine) Weights() Weights { return e.w }

// Snapshot returns the gazetteer the engine was built on.
func (e *Engine) Snapshot() *datasets.Snapshot { return e.in.Snap }

// Registry returns the twinning registry.
func (e *Engine) Registry() *Registry { return e.reg }

// Ties returns the diaspora ties of a municipality, those of its stored
// profile included.
func (e *Engine) Ties(cvegeo string) []datasets.Tie { return e.allTies(e.dyn.Load())[cvegeo] }

// AllTies returns every tie the engine knows, by origin, those of stored
// municipal profiles included.
func (e *Engine) AllTies() map[string][]datasets.Tie { return e.allTies(e.dyn.Load()) }

func buildCorridor(in Inputs, states []string) corridorData {
	var cd corridorData
	if len(in.Emigration) == 0 || len(in.USStateRemittances) == 0 {
		return cd
	}
	for _, v := range in.Emigration {
		cd.maxEmigration = max(cd.maxEmigration, v)
	}
	maxR := 0.0
	for _, v := range in.USStateRemittances {
		maxR = max(maxR, v)
	}
	if cd.maxEmigration <= 0 || maxR <= 0 {
		return cd
	}
	cd.stateShare = make([]float32, len(states)+1)
	for i, s := range states {
		// Square root keeps mid-sized destination states visible next to
		// California and Texas.
		cd.stateShare[i+1] = float32(math.Sqrt(in.USStateRemittances[s] / maxR))
	}
	cd.ok = true
	return cd
}

// isCandidate reports whether a place can be matched: every non-Mexican
// place with a country.
func isCandidate(p *datasets.Place) bool { return p.Country != "MX" && p.Country != "" }

func unitVector(lat, lon float32) (float32, float32, float32) {
	la, lo := float64(lat)*math.Pi/180, float64(lon)*math.Pi/180
	return float32(math.Cos(la) * math.Cos(lo)), float32(math.Cos(la) * math.Sin(lo)), float32(math.Sin(la))
}

// placeType ranks settlements: 2 national or first-order capital, 1 seat
// of a second-order division, 0 other.
func placeType(code string) uint8 {
	switch code {
	case "PPLC", "PPLA", "PPLG":
		return 2
	case "PPLA2", "PPLA3":
		return 1
	}
	return 0
}
