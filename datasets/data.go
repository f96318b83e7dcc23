package datasets

import (
	"encoding/json"
	"fmt"
	"sort"

	"golang.org/x/sync/errgroup"
)

// Data is everything the matcher needs, merged from the embedded
// snapshot and curated facts, the imported tables and the records users
// entered. It is read-only once loaded.
type Data struct {
	// Snapshot has INEGI municipalities applied when they were imported.
	Snapshot   *Snapshot
	Localities []Locality
	// Ties are curated, imported and user-entered, in that order; a later
	// tie with the same ID replaces an earlier one.
	Ties       []Tie
	Twinnings  []Twinning
	Consulates []Consulate // curated, then imported (same id replaces)

	Migration map[string]MigrationIntensity // by CVEGEO
	// Remittances holds each municipality's total for RemittanceYear, the
	// latest year with four quarters.
	Remittances    map[string]Remittance
	RemittanceYear int
	// USStateRemittances holds each US state's total for USStateYear, the
	// latest year with four quarters.
	USStateRemittances map[string]USStateRemittance
	USStateYear        int
	Vulnerability      map[string][]Vulnerability // by CVEGEO
	Drought            map[string][]Drought       // by CVEGEO

	Tables []TableMeta // the imported tables
}

// Consulate returns the consulate with the id.
func (d *Data) Consulate(id string) (Consulate, bool) {
	for _, c := range d.Consulates {
		if c.ID == id {
			return c, true
		}
	}
	return Consulate{}, false
}

// LoadData merges the snapshot, curated facts, imported tables and
// user-entered ties. store may be nil (no imports, no user data).
func LoadData(store Store, snap *Snapshot) (*Data, error) {
	s, err := applyImportedMunicipalities(store, snap)
	if err != nil {
		return nil, err
	}
	d := &Data{Snapshot: s}
	curTies, err := CuratedTies(s)
	if err != nil {
		return nil, fmt.Errorf("curated ties: %w", err)
	}
	curCons, err := CuratedConsulates(s)
	if err != nil {
		return nil, fmt.Errorf("curated consulates: %w", err)
	}
	if store == nil {
		d.Ties, d.Consulates = curTies, curCons
		d.Migration, d.Remittances, d.USStateRemittances = map[string]MigrationIntensity{}, map[string]Remittance{}, map[string]USStateRemittance{}
		d.Vulnerability, d.Drought = map[string][]Vulnerability{}, map[string][]Drought{}
		return d, nil
	}
	if d.Tables, err = store.Tables(); err != nil {
		return nil, err
	}
	var (
		impTies   []Tie
		impCons   []Consulate
		userTies  []Tie
		migration []MigrationIntensity
		remit     []Remittance
		usRemit   []USStateRemittance
		vulner    []Vulnerability
		drought   []Drought
		g         errgroup.Group
	)
	load := g.Go
	load(func() error { return loadInto(store, KindINEGILocalities, &d.Localities) })
	load(func() error { return loadInto(store, KindTwinnings, &d.Twinnings) })
	load(func() error { return loadInto(store, tiesImporter.Table, &impTies) })
	load(func() error { return loadInto(store, consulatesImporter.Table, &impCons) })
	load(func() error { return loadInto(store, KindCONAPO, &migration) })
	load(func() error { return loadInto(store, KindBanxicoMunicipality, &remit) })
	load(func() error { return loadInto(store, KindBanxicoUSStates, &usRemit) })
	load(func() error { return loadInto(store, KindINECC, &vulner) })
	load(func() error { return loadInto(store, KindCONAGUA, &drought) })
	load(func() error {
		return store.List(BucketTies, func(key string, v []byte) error {
			var t Tie
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("user tie %s: %w", key, err)
			}
			if t.ID == "" {
				t.ID = key
			}
			userTies = append(userTies, t)
			return nil
		})
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	d.Ties = mergeByID(curTies, impTies, userTies, func(t Tie) string { return t.ID })
	d.Consulates = mergeByID(curCons, impCons, nil, func(c Consulate) string { return c.ID })

	d.Migration = make(map[string]MigrationIntensity, len(migration))
	for _, m := range migration {
		d.Migration[m.CVEGEO] = m
	}
	d.RemittanceYear = latestFullYear(remit, func(r Remittance) (int, int) { return r.Year, r.Quarters })
	d.Remittances = map[string]Remittance{}
	for _, r := range remit {
		if r.Year == d.RemittanceYear {
			d.Remittances[r.CVEGEO] = r
		}
	}
	d.USStateYear = latestFullYear(usRemit, func(r USStateRemittance) (int, int) { return r.Year, r.Quarters })
	d.USStateRemittances = map[string]USStateRemittance{}
	for _, r := range usRemit {
		if r.Year == d.USStateYear {
			d.USStateRemittances[r.State] = r
		}
	}
	d.Vulnerability = map[string][]Vulnerability{}
	for _, v := range vulner {
		d.Vulnerability[v.CVEGEO] = append(d.Vulnerability[v.CVEGEO], v)
	}
	d.Drought = map[string][]Drought{}
	for _, v := range drought {
		d.Drought[v.CVEGEO] = append(d.Drought[v.CVEGEO], v)
	}
	fillMunicipalityCoordinates(d)
	return d, nil
}

func loadInto[T any](store Store, kind string, dst *[]T) error {
	rows, err := LoadTable[T](store, kind)
	*dst = rows
	return err
}

// mergeByID concatenates the lists, a later record replacing an earlier
// one with the same id in place.
func mergeByID[T any](a, b, c []T, id func(T) string) []T {
	out := make([]T, 0, len(a)+len(b)+len(c))
	pos := map[string]int{}
	for _, list := range [][]T{a, b, c} {
		for _, v := range list {
			if i, ok := pos[id(v)]; ok {
				out[i] = v
				continue
			}
			pos[id(v)] = len(out)
			out = append(out, v)
		}
	}
	return out
}

// latestFullYear is the latest year with four quarters in some row.
func latestFullYear[T any](rows []T, f func(T) (year, quarters int)) int {
	best := 0
	for _, r := range rows {
		if y, q := f(r); q == 4 && y > best {
			best = y
		}
	}
	return best
}

// fillMunicipalityCoordinates gives municipalities GeoNames does not know
// (so without a derived seat) the coordinates of their INEGI locality
// 0001, usually the seat.
func fillMunicipalityCoordinates(d *Data) {
	if len(d.Localities) == 0 {
		return
	}
	var missing []int
	for i, m := range d.Snapshot.Municipalities {
		if m.Lat == 0 && m.Lon == 0 {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return
	}
	loc := make(map[string]Locality, len(d.Localities))
	for _, l := range d.Localities {
		loc[l.CVEGEO] = l
	}
	var fixed []Municipality
	for _, i := range missing {
		m := d.Snapshot.Municipalities[i]
		if l, ok := loc[m.CVEGEO+"0001"]; ok {
			m.Lat, m.Lon = l.Lat, l.Lon
			fixed = append(fixed, m)
		}
	}
	if len(fixed) > 0 {
		d.Snapshot = d.Snapshot.ApplyMunicipalities(fixed)
	}
}

// TableStat is one line of `hermanar datasets stats`.
type TableStat struct {
	Name     string `json:"-"`
	Rows     int    `json:"rows"`
	Source   string `json:"source"`
	Licence  string `json:"licence"`
	Embedded bool   `json:"embedded,omitempty"`
	Kind     string `json:"kind,omitempty"` // the import kind that fills the table
}

// Stats lists the embedded tables (places, municipalities, admin_names,
// ties, consulates), every imported table and the user-entered ties.
func Stats(store Store, snap *Snapshot) ([]TableStat, error) {
	geo := fmt.Sprintf("%s; %s", snap.Manifest.Sources[0], GeoNamesCredit)
	if len(snap.Manifest.Sources) > 1 {
		geo = fmt.Sprintf("%s + %s; %s", snap.Manifest.Sources[0], snap.Manifest.Sources[1], GeoNamesCredit)
	}
	admins := 0
	snap.AdminCodes(func(string, string) { admins++ })
	ties, err := CuratedTies(snap)
	if err != nil {
		return nil, err
	}
	cons, err := CuratedConsulates(snap)
	if err != nil {
		return nil, err
	}
	out := []TableStat{
		{Name: "places", Rows: len(snap.Places), Source: geo, Licence: snap.Manifest.Licence, Embedded: true},
		{Name: "municipalities", Rows: len(snap.Municipalities), Source: "derived from GeoNames admin2 divisions of Mexico (INEGI codes); " + GeoNamesCredit, Licence: snap.Manifest.Licence, Embedded: true},
		{Name: "admin_names", Rows: admins, Source: geo, Licence: snap.Manifest.Licence, Embedded: true},
		{Name: "ties", Rows: len(ties), Source: "curated (datasets/curated/ties.csv); each row cites its source", Licence: "project data; facts as cited", Embedded: true},
		{Name: "consulates", Rows: len(cons), Source: "curated (datasets/curated/consulates.csv); SRE consular directory", Licence: "project data; facts as cited", Embedded: true},
	}
	if store == nil {
		return out, nil
	}
	kindOf := map[string]string{}
	for k, imp := range Importers {
		kindOf[imp.Table] = k
	}
	tables, err := store.Tables()
	if err != nil {
		return nil, err
	}
	for _, m := range tables {
		out = append(out, TableStat{Name: m.Kind, Rows: m.Rows, Source: m.Source, Licence: m.Licence, Kind: kindOf[m.Kind]})
		if m.Kind == KindINEGIMunicipalities && m.Rows > 0 {
			// What the engine uses once INEGI is imported: its municipalities
			// over the derived ones, plus those GeoNames lacks.
			ms, err := LoadTable[Municipality](store, KindINEGIMunicipalities)
			if err != nil {
				return nil, err
			}
			out[1].Rows = len(snap.ApplyMunicipalities(ms).Municipalities)
			out[1].Source = "INEGI (imported: " + m.Source + ") over GeoNames admin2 divisions of Mexico; " + GeoNamesCredit
			out[1].Licence = m.Licence + "; " + snap.Manifest.Licence
		}
	}
	n := 0
	if err := store.List(BucketTies, func(string, []byte) error { n++; return nil }); err != nil {
		return nil, err
	}
	if n > 0 {
		out = append(out, TableStat{Name: "ties-user", Rows: n, Source: "entered by consulates and liaison officers", Licence: "project data"})
	}
	sort.SliceStable(out[5:], func(i, j int) bool { return out[5+i].Name < out[5+j].Name })
	return out, nil
}
