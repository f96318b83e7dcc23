package datasets

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/parquet-go/parquet-go"
	"golang.org/x/sync/errgroup"
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
	alt        *altNames
}

// altNames holds the alternate names of the embedded places, decoded on
// first use: they are half the snapshot and only name search needs them,
// so start-up does not wait for them.
type altNames struct {
	once  sync.Once
	src   parquetSource // the places Parquet file
	names []string
	err   error
}

type placeAlt struct {
	AltNames string `parquet:"alt_names,zstd"`
}

// placeCore is Place without the alternate names: the row-based decoding
// that decodePlaces must reproduce (see the tests).
type placeCore struct {
	ID          int64   `parquet:"id"`
	Name        string  `parquet:"name"`
	ASCIIName   string  `parquet:"ascii_name"`
	Lat         float32 `parquet:"lat"`
	Lon         float32 `parquet:"lon"`
	FeatureCode string  `parquet:"feature_code,dict"`
	Country     string  `parquet:"country,dict"`
	Admin1      string  `parquet:"admin1,dict"`
	Admin2      string  `parquet:"admin2,dict"`
	Population  int64   `parquet:"population"`
	Elevation   int32   `parquet:"elevation"`
	Timezone    string  `parquet:"timezone,dict"`
	CoastKm     int32   `parquet:"coast_km"`
	BorderKm    int32   `parquet:"border_km"`
}

// PlaceAltNames returns the comma-separated alternate names of a place of
// this snapshot, decoding them for every place on the first call.
func (s *Snapshot) PlaceAltNames(p *Place) string {
	if p.AltNames != "" || s.alt == nil {
		return p.AltNames
	}
	s.alt.once.Do(func() {
		names := make([]string, len(s.Places))
		s.alt.err = readPlaceColumns(s.alt.src, len(names), func(pf *parquet.File) error {
			return readStringColumn(pf, "alt_names", func(i int, v string) { names[i] = v })
		})
		if s.alt.err == nil {
			s.alt.names = names
		}
	})
	i, ok := s.placeIndex[p.ID]
	if !ok || int(i) >= len(s.alt.names) {
		return ""
	}
	return s.alt.names[i]
}

// WarmAltNames decodes the alternate names now (in the background at
// start-up), so that the first search does not pay for it.
func (s *Snapshot) WarmAltNames() {
	if len(s.Places) > 0 {
		s.PlaceAltNames(&s.Places[0])
	}
}

var (
	defaultOnce sync.Once
	defaultSnap *Snapshot
	defaultErr  error
)

// decodePlaces reads every place but the alternate names column by column
// (see parquet_columns.go): row-based decoding of placeCore allocates every
// string on its own and dominated start-up. The columns are read by a few
// goroutines, each filling its own fields of the shared places; the one
// that reads the ids goes on to index them while the names still decode.
func decodePlaces(src parquetSource) ([]Place, map[int64]int32, error) {
	var (
		places []Place
		index  map[int64]int32
	)
	err := readPlaceColumns(src, -1, func(pf *parquet.File) error {
		places = make([]Place, pf.NumRows())
		str := func(name string, field func(*Place) *string) func() error {
			return func() error {
				return readStringColumn(pf, name, func(i int, v string) { *field(&places[i]) = v })
			}
		}
		// Grouped by decoding cost: the two name columns are most of it,
		// then the id index and the remaining columns.
		groups := [][]func() error{
			{str("name", func(p *Place) *string { return &p.Name })},
			{str("ascii_name", func(p *Place) *string { return &p.ASCIIName })},
			{
				func() error {
					return readFixedColumn(pf, "id", int64Values, func(i int, v int64) { places[i].ID = v })
				},
				func() error {
					index = placeIndexOf(places)
					return nil
				},
				func() error {
					return readFixedColumn(pf, "lat", floatValues, func(i int, v float32) { places[i].Lat = v })
				},
				func() error {
					return readFixedColumn(pf, "lon", floatValues, func(i int, v float32) { places[i].Lon = v })
				},
			},
			{
				func() error {
					return readFixedColumn(pf, "population", int64Values, func(i int, v int64) { places[i].Population = v })
				},
				func() error {
					return readFixedColumn(pf, "elevation", int32Values, func(i int, v int32) { places[i].Elevation = v })
				},
				func() error {
					return readFixedColumn(pf, "coast_km", int32Values, func(i int, v int32) { places[i].CoastKm = v })
				},
				func() error {
					return readFixedColumn(pf, "border_km", int32Values, func(i int, v int32) { places[i].BorderKm = v })
				},
				str("feature_code", func(p *Place) *string { return &p.FeatureCode }),
				str("country", func(p *Place) *string { return &p.Country }),
				str("admin1", func(p *Place) *string { return &p.Admin1 }),
				str("admin2", func(p *Place) *string { return &p.Admin2 }),
				str("timezone", func(p *Place) *string { return &p.Timezone }),
			},
		}
		var g errgroup.Group
		for _, fns := range groups {
			g.Go(func() error {
				for _, fn := range fns {
					if err := fn(); err != nil {
						return err
					}
				}
				return nil
			})
		}
		return g.Wait()
	})
	return places, index, err
}

// decodeAdminNames reads admin.parquet column by column, like decodePlaces.
func decodeAdminNames(src parquetSource) ([]AdminName, error) {
	var admins []AdminName
	err := readPlaceColumns(src, -1, func(pf *parquet.File) error {
		admins = make([]AdminName, pf.NumRows())
		if err := readStringColumn(pf, "code", func(i int, v string) { admins[i].Code = v }); err != nil {
			return err
		}
		return readStringColumn(pf, "name", func(i int, v string) { admins[i].Name = v })
	})
	return admins, err
}

// parquetSource is a Parquet file to read from.
type parquetSource struct {
	r    io.ReaderAt
	size int64
}

func bytesParquet(b []byte) parquetSource { return parquetSource{bytes.NewReader(b), int64(len(b))} }

// embeddedParquet reads an embedded file in place: embed.FS.ReadFile would
// copy (and page in) the 10 MB of the places file for nothing.
func embeddedParquet(name string) (parquetSource, error) {
	f, err := snapshotFS.Open(name)
	if err != nil {
		return parquetSource{}, err
	}
	st, err := f.Stat()
	if err != nil {
		return parquetSource{}, err
	}
	r, ok := f.(io.ReaderAt)
	if !ok {
		return parquetSource{}, fmt.Errorf("embedded %s: not an io.ReaderAt", name)
	}
	return parquetSource{r, st.Size()}, nil
}

// readPlaceColumns opens a snapshot Parquet file for fn, checking that it
// holds want rows unless want is negative.
func readPlaceColumns(src parquetSource, want int, fn func(*parquet.File) error) error {
	pf, err := parquet.OpenFile(src.r, src.size)
	if err != nil {
		return err
	}
	if want >= 0 && pf.NumRows() != int64(want) {
		return fmt.Errorf("places: %d rows, want %d", pf.NumRows(), want)
	}
	return fn(pf)
}

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
	pb, err := embeddedParquet("snapshot/places.parquet")
	if err != nil {
		return nil, err
	}
	ab, err := embeddedParquet("snapshot/admin.parquet")
	if err != nil {
		return nil, err
	}
	var (
		s      = &Snapshot{Manifest: m}
		admins []AdminName
		g      errgroup.Group
	)
	g.Go(func() (err error) {
		if s.Places, s.placeIndex, err = decodePlaces(pb); err != nil {
			return fmt.Errorf("snapshot places: %w", err)
		}
		return nil
	})
	g.Go(func() (err error) {
		if admins, err = decodeAdminNames(ab); err != nil {
			return fmt.Errorf("snapshot admin names: %w", err)
		}
		s.admin = adminIndexOf(admins)
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	s.deriveMunicipalities(admins)
	s.alt = &altNames{src: pb}
	return s, nil
}

// NewSnapshot indexes places and admin names and derives the municipalities.
func NewSnapshot(m Manifest, places []Place, admins []AdminName) *Snapshot {
	s := &Snapshot{Manifest: m, Places: places, placeIndex: placeIndexOf(places), admin: adminIndexOf(admins)}
	s.deriveMunicipalities(admins)
	return s
}

// placeIndexOf maps each place's GeoNames id to its position.
func placeIndexOf(places []Place) map[int64]int32 {
	ix := make(map[int64]int32, len(places))
	for i := range places {
		ix[places[i].ID] = int32(i)
	}
	return ix
}

// adminIndexOf maps admin codes to their names.
func adminIndexOf(admins []AdminName) map[string]string {
	ix := make(map[string]string, len(admins))
	for _, a := range admins {
		ix[a.Code] = a.Name
	}
	return ix
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
		// Most admin codes are not Mexican: skip them before splitting.
		if !strings.HasPrefix(ad.Code, "MX.") {
			continue
		}
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
