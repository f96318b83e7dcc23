package datasets

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:embed snapshot/places.parquet snapshot/admin.parquet snapshot/manifest.json
var snapshotFS embed.FS

// Snapshot is the gazetteer: every place of the default data with its admin
// names and the Mexican municipalities derived from it. It is read-only
// once loaded and safe for concurrent use.
type Snapshot struct {
	Manifest       Manifest
	Places         []Place
	Municipalities []Municipality

	placeIndex map[int64]int32
	muniIndex  map[string]int32
	admin      map[string]string
}

var (
	defaultOnce sync.Once
	defaultSnap *Snapshot
	defaultErr  error
)

// DefaultSnapshot loads the embedded snapshot once per process.
func DefaultSnapshot() (*Snapshot, error) {
	defaultOnce.Do(func() { defaultSnap, defaultErr = LoadEmbeddedSnapshot() })
	return defaultSnap, defaultErr
}

// LoadEmbeddedSnapshot decodes the snapshot compiled into the binary.
func LoadEmbeddedSnapshot() (*Snapshot, error) {
	mb, err := snapshotFS.ReadFile("snapshot/manifest.json")
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return nil, fmt.Errorf("snapshot manifest: %w", err)
	}
	pb, _ := snapshotFS.ReadFile("snapshot/places.parquet")
	ab, _ := snapshotFS.ReadFile("snapshot/admin.parquet")
	var (
		places []Place
		admins []AdminName
		perr   error
		wg     sync.WaitGroup
	)
	wg.Add(1)
	go func() { defer wg.Done(); places, perr = ReadParquetBytes[Place](pb) }()
	admins, err = ReadParquetBytes[AdminName](ab)
	wg.Wait()
	if perr != nil {
		return nil, fmt.Errorf("snapshot places: %w", perr)
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot admin names: %w", err)
	}
	return NewSnapshot(m, places, admins), nil
}

// NewSnapshot indexes places and admin names and derives the municipalities.
func NewSnapshot(m Manifest, places []Place, admins []AdminName) *Snapshot {
	s := &Snapshot{Manifest: m, Places: places,
		placeIndex: make(map[int64]int32, len(places)),
		admin:      make(map[string]string, len(admins))}
	for i := range places {
		s.placeIndex[places[i].ID] = int32(i)
	}
	for _, a := range admins {
		s.admin[a.Code] = a.Name
	}
	s.deriveMunicipalities(admins)
	return s
}

// deriveMunicipalities turns GeoNames' Mexican admin2 divisions into
// municipalities with INEGI codes. The seat is the place GeoNames marks as
// the seat of the second-order division (PPLA2, or a state capital), else
// the most populous place; population is the sum of the places, flagged as
// an estimate until INEGI figures are imported.
func (s *Snapshot) deriveMunicipalities(admins []AdminName) {
	type agg struct {
		pop  int64
		seat int32
		rank int
	}
	aggs := map[string]*agg{}
	for i := range s.Places {
		p := &s.Places[i]
		cve, ok := MunicipalityOf(p)
		if !ok {
			continue
		}
		a := aggs[cve]
		if a == nil {
			a = &agg{seat: -1}
			aggs[cve] = a
		}
		a.pop += p.Population
		r := seatRank(p.FeatureCode)
		if a.seat < 0 || r > a.rank || (r == a.rank && p.Population > s.Places[a.seat].Population) {
			a.seat, a.rank = int32(i), r
		}
	}
	for _, ad := range admins {
		parts := strings.Split(ad.Code, ".")
		if len(parts) != 3 || parts[0] != "MX" {
			continue
		}
		st := INEGIState(parts[1])
		m := Municipality{CVEGEO: st + parts[2], State: st, StateName: INEGIStateNames[st],
			Name: ad.Name, PopulationEstimated: true, PopulationSource: "sum of GeoNames places ≥500"}
		if a := aggs[m.CVEGEO]; a != nil {
			seat := &s.Places[a.seat]
			m.SeatName, m.SeatPlaceID, m.Lat, m.Lon = seat.Name, seat.ID, seat.Lat, seat.Lon
			m.Population = a.pop
		}
		s.Municipalities = append(s.Municipalities, m)
	}
	sort.Slice(s.Municipalities, func(i, j int) bool { return s.Municipalities[i].CVEGEO < s.Municipalities[j].CVEGEO })
	s.reindexMunicipalities()
}

func (s *Snapshot) reindexMunicipalities() {
	s.muniIndex = make(map[string]int32, len(s.Municipalities))
	for i, m := range s.Municipalities {
		s.muniIndex[m.CVEGEO] = int32(i)
	}
}

func seatRank(code string) int {
	switch code {
	case "PPLC", "PPLA":
		return 3
	case "PPLA2":
		return 2
	}
	return 0
}

// Place returns the place with the GeoNames id.
func (s *Snapshot) Place(id int64) (*Place, bool) {
	i, ok := s.placeIndex[id]
	if !ok {
		return nil, false
	}
	return &s.Places[i], true
}

// PlaceIndex returns the position of a place in Places.
func (s *Snapshot) PlaceIndex(id int64) (int, bool) {
	i, ok := s.placeIndex[id]
	return int(i), ok
}

// Municipality returns the municipality with the CVEGEO.
func (s *Snapshot) Municipality(cvegeo string) (*Municipality, bool) {
	i, ok := s.muniIndex[cvegeo]
	if !ok {
		return nil, false
	}
	return &s.Municipalities[i], true
}

// AdminName returns the name of an admin code such as "US.WI" or "US.WI.127".
func (s *Snapshot) AdminName(code string) string { return s.admin[code] }

// Admin1Name and Admin2Name name a place's divisions.
func (s *Snapshot) Admin1Name(p *Place) string { return s.admin[p.Country+"."+p.Admin1] }

func (s *Snapshot) Admin2Name(p *Place) string {
	if p.Admin2 == "" {
		return ""
	}
	return s.admin[p.Country+"."+p.Admin1+"."+p.Admin2]
}

// AdminCodes calls fn for every admin code and name, in no fixed order.
func (s *Snapshot) AdminCodes(fn func(code, name string)) {
	for c, n := range s.admin {
		fn(c, n)
	}
}

// ApplyMunicipalities replaces derived municipal figures with imported
// INEGI ones (names, population, seat), keeping derived coordinates where
// the import has none, and adding municipalities GeoNames lacks. It returns
// a new Snapshot sharing places with s.
func (s *Snapshot) ApplyMunicipalities(inegi []Municipality) *Snapshot {
	n := *s
	n.Municipalities = append([]Municipality(nil), s.Municipalities...)
	n.reindexMunicipalities()
	for _, m := range inegi {
		if i, ok := n.muniIndex[m.CVEGEO]; ok {
			old := n.Municipalities[i]
			if m.Lat == 0 && m.Lon == 0 {
				m.Lat, m.Lon = old.Lat, old.Lon
			}
			if m.SeatPlaceID == 0 {
				m.SeatPlaceID = old.SeatPlaceID
			}
			n.Municipalities[i] = m
		} else {
			n.Municipalities = append(n.Municipalities, m)
		}
	}
	sort.Slice(n.Municipalities, func(i, j int) bool { return n.Municipalities[i].CVEGEO < n.Municipalities[j].CVEGEO })
	n.reindexMunicipalities()
	return &n
}
