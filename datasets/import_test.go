package datasets

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// sharedData finds ../shared/data (the real official files) by walking up
// from the test's directory, or skips the test.
func sharedData(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	d, ok := FindSharedData(dir)
	if !ok {
		tb.Skip("shared/data (the official data files) not found above the working directory; skipping tests on real data")
	}
	return d
}

func mustStore(tb testing.TB, dir string) Store {
	tb.Helper()
	st, err := OpenStore(dir, time.Second)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// The import of every real file is shared by the tests that need it.
var importAll struct {
	once    sync.Once
	dir     string
	store   Store
	results map[string]*ImportResult
	elapsed time.Duration
	err     error
}

func importedStore(t *testing.T) (Store, map[string]*ImportResult) {
	t.Helper()
	data := sharedData(t)
	snap := mustSnapshot(t)
	importAll.once.Do(func() {
		dir, err := os.MkdirTemp("", "hermanar-import-")
		if err != nil {
			importAll.err = err
			return
		}
		importAll.dir = dir
		st, err := OpenStore(dir, time.Second)
		if err != nil {
			importAll.err = err
			return
		}
		importAll.store = st
		start := time.Now()
		res, err := ImportAll(st, snap, data, nil)
		importAll.elapsed = time.Since(start)
		if err != nil {
			importAll.err = err
			return
		}
		importAll.results = map[string]*ImportResult{}
		for _, r := range res {
			importAll.results[r.Kind] = r
		}
	})
	if importAll.err != nil {
		t.Fatalf("import-all: %v", importAll.err)
	}
	return importAll.store, importAll.results
}

func TestMain(m *testing.M) {
	code := m.Run()
	if importAll.store != nil {
		importAll.store.Close()
		os.RemoveAll(importAll.dir)
	}
	os.Exit(code)
}

func TestImportAll(t *testing.T) {
	st, res := importedStore(t)
	t.Logf("import-all took %v", importAll.elapsed)
	for _, k := range ImportOrder {
		if r, ok := res[k]; ok {
			t.Logf("%-24s %6d rows, %4d report lines, %v", k, r.Rows, len(r.Report), r.Duration.Round(time.Millisecond))
		}
	}
	for _, k := range []string{KindINEGIMunicipalities, KindINEGILocalities, KindCONAPO, KindBanxicoMunicipality, KindBanxicoUSStates, KindINECC, KindCONAGUA, KindTwinnings} {
		if res[k] == nil {
			t.Errorf("kind %s was not imported", k)
		}
	}

	munis, err := LoadTable[Municipality](st, KindINEGIMunicipalities)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, m := range munis {
		sum += m.Population
		if m.PopulationEstimated || m.PopulationSource != SourceINEGICenso2020 {
			t.Errorf("%s: estimated=%v source=%q", m.CVEGEO, m.PopulationEstimated, m.PopulationSource)
			break
		}
	}
	if len(munis) != 2478 || sum != 126_014_024 {
		t.Errorf("INEGI municipalities: %d summing to %d, want 2478 summing to 126014024", len(munis), sum)
	}

	if n := res[KindCONAPO].Rows; n < 2450 {
		t.Errorf("CONAPO rows %d, want ≥ 2450", n)
	}

	bx := res[KindBanxicoMunicipality].Counts
	rate := float64(bx["names_matched"]) / float64(bx["names"])
	t.Logf("Banxico: %d of %d municipality names matched (%.1f%%)", bx["names_matched"], bx["names"], 100*rate)
	if rate < 0.95 {
		t.Errorf("Banxico match rate %.3f, want ≥ 0.95", rate)
	}

	tw := res[KindTwinnings].Counts
	mxRate := float64(tw["mexico_rows_resolved"]) / float64(tw["mexico_rows"])
	t.Logf("twinnings: %d of %d rows resolved; involving Mexico %d of %d (%.1f%%); %d distinct pairs",
		tw["rows_resolved"], tw["rows"], tw["mexico_rows_resolved"], tw["mexico_rows"], 100*mxRate, tw["pairs"])
	if tw["mexico_rows"] != 626 {
		t.Errorf("rows involving Mexico: %d, want 626", tw["mexico_rows"])
	}
	if mxRate < 0.85 {
		t.Errorf("Mexican twinning rows resolved %.3f, want ≥ 0.85", mxRate)
	}
	unresolved, same := 0, 0
	for _, e := range res[KindTwinnings].Report {
		if e.Line < 2 || e.Reason == "" {
			t.Errorf("report entry without line or reason: %+v", e)
		}
		if e.Reason != "same place" {
			unresolved++
		} else {
			same++
		}
	}
	// Every row left out is reported, with or without Mexico.
	if want := tw["rows"] - tw["rows_resolved"] - same; unresolved != want || unresolved < 4000 {
		t.Errorf("report lists %d unresolved rows, want %d (rows %d, resolved %d)", unresolved, want, tw["rows"], tw["rows_resolved"])
	}
}

func TestImportedFacts(t *testing.T) {
	st, _ := importedStore(t)
	d, err := LoadData(st, mustSnapshot(t))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := d.Snapshot.Municipality(ManuelDobladoCVE)
	if !ok || m.Population != 41240 || m.PopulationEstimated || m.SeatPlaceID == 0 {
		t.Errorf("11008 after INEGI: %+v", m)
	}
	mi := d.Migration[ManuelDobladoCVE]
	if mi.EmigrantPct != 18.31 || mi.GradeLevel != 5 || mi.Grade != "Muy Alto" || mi.Households != 9272 {
		t.Errorf("CONAPO 11008: %+v", mi)
	}
	if d.RemittanceYear != 2024 {
		t.Errorf("latest full remittance year %d, want 2024", d.RemittanceYear)
	}
	rm := d.Remittances[ManuelDobladoCVE]
	if want := 29.62 + 37.00 + 37.70 + 34.71; math.Abs(rm.MillionUSD-want) > 0.02 || rm.Quarters != 4 {
		t.Errorf("Banxico 11008 2024: %+v, want %.2f M USD over 4 quarters", rm, want)
	}
	if wi := d.USStateRemittances["WI"]; wi.Quarters != 4 || wi.MillionUSD <= 0 || wi.Year != d.USStateYear {
		t.Errorf("US state WI: %+v", wi)
	}
	if n := len(d.Vulnerability[ManuelDobladoCVE]); n != 6 {
		t.Errorf("INECC ratings for 11008: %d, want 6", n)
	}
	if len(d.Drought[ManuelDobladoCVE]) == 0 {
		t.Errorf("no drought spells for 11008")
	}
	if len(d.Localities) != 10635 {
		t.Errorf("localities %d, want 10635", len(d.Localities))
	}
	noCoords := 0
	for _, m := range d.Snapshot.Municipalities {
		if m.Lat == 0 && m.Lon == 0 {
			noCoords++
		}
	}
	t.Logf("%d of %d municipalities have no coordinates (no GeoNames place ≥ 500 nor INEGI locality ≥ 1,000)", noCoords, len(d.Snapshot.Municipalities))
	// Twinnings: Guadalajara is twinned with many places, Mexican side set.
	gdl := 0
	for _, tw := range d.Twinnings {
		if tw.Municipality == "14039" {
			gdl++
		}
		if tw.PlaceA == tw.PlaceB {
			t.Errorf("self twinning %+v", tw)
		}
	}
	if gdl < 20 {
		t.Errorf("Guadalajara (14039) has %d twinnings, want ≥ 20", gdl)
	}
	fails, err := Verify(st, mustSnapshot(t))
	if err != nil || len(fails) > 0 {
		t.Errorf("Verify: %v %v", err, fails)
	}
}

func tableCounts(t *testing.T, st Store) map[string]int {
	t.Helper()
	ts, err := st.Tables()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range ts {
		out[m.Kind] = m.Rows
	}
	return out
}

func TestImportTwiceIdentical(t *testing.T) {
	data := sharedData(t)
	st := mustStore(t, t.TempDir())
	snap := mustSnapshot(t)
	files := []struct{ kind, file string }{
		{KindINEGIMunicipalities, "inegi/municipios_completo.csv"},
		{KindCONAPO, "conapo/IIM2010_BASEMUN.csv"},
		{KindBanxicoMunicipality, "banxico/remesas_municipio_long.csv"},
	}
	var first map[string]int
	var firstRows []Remittance
	for round := 0; round < 2; round++ {
		for _, f := range files {
			if _, err := Import(st, snap, f.kind, filepath.Join(data, f.file)); err != nil {
				t.Fatalf("round %d %s: %v", round, f.kind, err)
			}
		}
		counts := tableCounts(t, st)
		rows, err := LoadTable[Remittance](st, KindBanxicoMunicipality)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			first, firstRows = counts, rows
			continue
		}
		if !reflect.DeepEqual(counts, first) {
			t.Errorf("counts after the second import %v, after the first %v", counts, first)
		}
		if !reflect.DeepEqual(rows, firstRows) {
			t.Errorf("the second import stored different remittance rows")
		}
	}
}

// corruption is one way a file can be broken.
type corruption struct {
	name string
	fn   func(t *testing.T, lines []string, c corruptCase) []string
}

// corruptCase says how to break one kind's file.
type corruptCase struct {
	kind    string
	file    string // in shared/data, or "" for an inline file
	inline  string
	dropCol string // a required column
	numCol  string // a numeric (or code) column; "" if the format has none
}

func columnIndex(t *testing.T, header, col string) int {
	for i, h := range strings.Split(header, ",") {
		if strings.EqualFold(h, col) {
			return i
		}
	}
	t.Fatalf("column %s not in %s", col, header)
	return -1
}

var corruptions = []corruption{
	{"missing column", func(t *testing.T, lines []string, c corruptCase) []string {
		i := columnIndex(t, lines[0], c.dropCol)
		out := make([]string, len(lines))
		for j, l := range lines {
			f := splitCSVLine(l)
			out[j] = strings.Join(append(f[:i:i], f[i+1:]...), ",")
		}
		return out
	}},
	{"bad number", func(t *testing.T, lines []string, c corruptCase) []string {
		if c.numCol == "" {
			return nil
		}
		i := columnIndex(t, lines[0], c.numCol)
		out := append([]string(nil), lines...)
		f := splitCSVLine(out[2])
		f[i] = "12x4"
		out[2] = strings.Join(f, ",")
		return out
	}},
	{"invalid UTF-8", func(t *testing.T, lines []string, c corruptCase) []string {
		out := append([]string(nil), lines...)
		out[len(out)/2] = out[len(out)/2] + "\xff\xfe"
		return out
	}},
	{"short row", func(t *testing.T, lines []string, c corruptCase) []string {
		out := append([]string(nil), lines...)
		f := splitCSVLine(out[len(out)/3])
		out[len(out)/3] = strings.Join(f[:len(f)-1], ",")
		return out
	}},
	{"truncated last row", func(t *testing.T, lines []string, c corruptCase) []string {
		out := append([]string(nil), lines...)
		last := out[len(out)-1]
		out[len(out)-1] = last[:len(last)/2]
		return out
	}},
}

// splitCSVLine splits a line of the test files, keeping quoted fields whole.
func splitCSVLine(l string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range l {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ',' && !quoted:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, cur.String())
}

const validTies = `municipality,locality,place,place_name,size,estimated,year,source,evidence
11008,San José de Otates,5278931,,500,true,2022,SRE letter,Whitewater wants to twin with Otates
11008,,,"Milwaukee, Wisconsin",120,yes,2023,a survey,some families
14039,,,"Chicago, Illinois, USA",50000,no,,Census,
`

const validConsulates = `id,name,place,country,admin1,admin2,source
milwaukee,Consulado de México en Milwaukee,5263045,US,WI,,SRE
chicago,Consulado General de México en Chicago,4887398,US,IL,,SRE
chicago,,,US,Indiana,,
chicago,,,United States,Wisconsin,Kenosha County,
`

func TestImportCorruptRejected(t *testing.T) {
	data := sharedData(t)
	st, _ := importedStore(t)
	snap := mustSnapshot(t)
	// Make sure the own-format tables exist too, so that "unchanged" covers them.
	dir := t.TempDir()
	for kind, body := range map[string]string{KindTies: validTies, KindConsulates: validConsulates} {
		f := filepath.Join(dir, kind+".csv")
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Import(st, snap, kind, f); err != nil {
			t.Fatalf("valid %s file: %v", kind, err)
		}
	}
	cases := []corruptCase{
		{kind: KindINEGIMunicipalities, file: "inegi/municipios_completo.csv", dropCol: "poblacion_total", numCol: "poblacion_total"},
		{kind: KindINEGILocalities, file: "inegi/localidades_1000plus.csv", dropCol: "cvegeo", numCol: "latitud"},
		{kind: KindCONAPO, file: "conapo/IIM2010_BASEMUN.csv", dropCol: "VIV_EMIG", numCol: "VIV_EMIG"},
		{kind: KindBanxicoMunicipality, file: "banxico/remesas_municipio_long.csv", dropCol: "municipio", numCol: "remesas_millones_usd"},
		{kind: KindBanxicoUSStates, file: "banxico/remesas_usa_state.csv", dropCol: "VALOR_USD", numCol: "VALOR_USD"},
		{kind: KindINECC, file: "inecc/mun_vulnerables_anvcc.csv", dropCol: "tipo_vul", numCol: "cve_geo"},
		{kind: KindCONAGUA, file: "conagua/max_rachas_sequia_municipios.csv", dropCol: "racha_dias", numCol: "racha_dias"},
		{kind: KindTwinnings, file: "twinnings/twin_cities_raw.csv", dropCol: "country2"}, // no numbers in this format
		{kind: KindTies, inline: validTies, dropCol: "source", numCol: "size"},
		{kind: KindConsulates, inline: validConsulates, dropCol: "country", numCol: "place"},
	}
	before, err := Stats(st, snap)
	if err != nil {
		t.Fatal(err)
	}
	lineRE := regexp.MustCompile(` line [0-9]+: `)
	for _, c := range cases {
		body := c.inline
		if c.file != "" {
			b, err := os.ReadFile(filepath.Join(data, c.file))
			if err != nil {
				t.Fatal(err)
			}
			body = string(b)
		}
		lines := strings.Split(strings.TrimRight(strings.ReplaceAll(body, "\r\n", "\n"), "\n"), "\n")
		if len(lines) > 300 {
			lines = lines[:300] // enough rows to break, quick to check
		}
		for _, cr := range corruptions {
			t.Run(c.kind+"/"+cr.name, func(t *testing.T) {
				broken := cr.fn(t, lines, c)
				if broken == nil {
					t.Skipf("%s has no numeric column", c.kind)
				}
				text := strings.Join(broken, "\n")
				if cr.name != "truncated last row" {
					text += "\n"
				}
				f := filepath.Join(t.TempDir(), c.kind+".csv")
				if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				_, err := Import(st, snap, c.kind, f)
				if err == nil {
					t.Fatalf("%s: corrupted file (%s) accepted", c.kind, cr.name)
				}
				var de *Error
				if !errors.As(err, &de) || de.Code != EInvalid {
					t.Errorf("%s: error %v is not an EInvalid *Error", c.kind, err)
				}
				if !lineRE.MatchString(err.Error()) || !strings.HasPrefix(err.Error(), f) {
					t.Errorf("%s: error %q does not start with the file and name a line", c.kind, err)
				}
				t.Logf("%s", err)
			})
		}
	}
	after, err := Stats(st, snap)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("stats changed by rejected imports:\nbefore %v\nafter  %v", before, after)
	}
}

func TestImportOwnFormats(t *testing.T) {
	snap := mustSnapshot(t)
	st := mustStore(t, t.TempDir())
	dir := t.TempDir()
	tf := filepath.Join(dir, "ties.csv")
	cf := filepath.Join(dir, "consulates.csv")
	os.WriteFile(tf, []byte(validTies), 0o644)
	os.WriteFile(cf, []byte(validConsulates), 0o644)
	res, err := Import(st, snap, KindTies, tf)
	if err != nil {
		t.Fatal(err)
	}
	ties, _ := LoadTable[Tie](st, res.Table)
	if len(ties) != 3 {
		t.Fatalf("%d ties, want 3", len(ties))
	}
	want := []struct {
		place, locality int64
		size            int64
		estimated       bool
	}{{WhitewaterID, OtatesID, 500, true}, {5263045, 0, 120, true}, {4887398, 0, 50000, false}}
	for i, w := range want {
		got := ties[i]
		if got.Place != w.place || got.LocalityPlace != w.locality || got.Size != w.size || got.Estimated != w.estimated || got.RecordedBy != "import" || got.ID == "" {
			t.Errorf("tie %d: %+v, want place %d locality %d size %d estimated %v", i, got, w.place, w.locality, w.size, w.estimated)
		}
	}
	res, err = Import(st, snap, KindConsulates, cf)
	if err != nil {
		t.Fatal(err)
	}
	cons, _ := LoadTable[Consulate](st, res.Table)
	if len(cons) != 2 {
		t.Fatalf("%d consulates, want 2", len(cons))
	}
	chi := cons[1]
	wantJ := []Jurisdiction{{Country: "US", Admin1: []string{"IL", "IN"}, Admin2: []string{"US.WI.059"}}}
	if chi.ID != "chicago" || !reflect.DeepEqual(chi.Jurisdiction, wantJ) {
		t.Errorf("chicago: %+v, want jurisdiction %+v", chi, wantJ)
	}
	if ww, _ := snap.Place(WhitewaterID); chi.Serves(*ww) || !cons[0].Serves(*ww) {
		t.Errorf("Whitewater should be served by milwaukee only")
	}

	for _, bad := range []struct{ name, body, want string }{
		{"Mexican destination", "municipality,locality,place,place_name,size,estimated,year,source,evidence\n11008,,4024473,,1,false,,x,\n", "line 2: place 4024473"},
		{"unknown municipality", "municipality,locality,place,place_name,size,estimated,year,source,evidence\n11999,,5278931,,1,false,,x,\n", "line 2: municipality 11999"},
		{"no destination", "municipality,locality,place,place_name,size,estimated,year,source,evidence\n11008,,,,1,false,,x,\n", "line 2: give place"},
		{"unknown destination", "municipality,locality,place,place_name,size,estimated,year,source,evidence\n11008,,,Xyzzyqwv,1,false,,x,\n", "line 2: place_name"},
		{"bad boolean", "municipality,locality,place,place_name,size,estimated,year,source,evidence\n11008,,5278931,,1,perhaps,,x,\n", "line 2: column estimated"},
		{"duplicate", "municipality,locality,place,place_name,size,estimated,year,source,evidence\n11008,,5278931,,1,false,,x,\n11008,,5278931,,2,false,,x,\n", "line 3: the same tie"},
	} {
		f := filepath.Join(dir, "bad.csv")
		os.WriteFile(f, []byte(bad.body), 0o644)
		_, err := Import(st, snap, KindTies, f)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want one containing %q", bad.name, err, bad.want)
		}
	}
	for _, bad := range []struct{ name, body, want string }{
		{"conflicting name", "id,name,place,country,admin1,admin2,source\nx,A,5263045,US,WI,,s\nx,B,,US,IL,,\n", "line 3: consulate \"x\" is named"},
		{"unknown state", "id,name,place,country,admin1,admin2,source\nx,A,5263045,US,Narnia,,s\n", "line 2: admin1"},
		{"bad slug", "id,name,place,country,admin1,admin2,source\nMil Waukee,A,5263045,US,WI,,s\n", "line 2: id"},
	} {
		f := filepath.Join(dir, "bad.csv")
		os.WriteFile(f, []byte(bad.body), 0o644)
		_, err := Import(st, snap, KindConsulates, f)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want one containing %q", bad.name, err, bad.want)
		}
	}
}

func TestCurated(t *testing.T) {
	snap := mustSnapshot(t)
	ties, err := CuratedTies(snap)
	if err != nil {
		t.Fatal(err)
	}
	if len(ties) != 1 {
		t.Fatalf("%d curated ties, want 1", len(ties))
	}
	tie := ties[0]
	if tie.Municipality != ManuelDobladoCVE || tie.LocalityPlace != OtatesID || tie.Place != WhitewaterID ||
		tie.Size != 500 || !tie.Estimated || tie.Year != 2022 || !tie.Interest || tie.RecordedBy != "curated" ||
		!strings.Contains(tie.Source, "DEP-0121/22") {
		t.Errorf("curated tie: %+v", tie)
	}
	cons, err := CuratedConsulates(snap)
	if err != nil || len(cons) != 1 {
		t.Fatalf("curated consulates: %v %v", cons, err)
	}
	mil := cons[0]
	if mil.ID != "milwaukee" || mil.Place != 5263045 || !reflect.DeepEqual(mil.Jurisdiction, []Jurisdiction{{Country: "US", Admin1: []string{"WI"}}}) {
		t.Errorf("curated consulate: %+v", mil)
	}
	d, err := LoadData(nil, snap)
	if err != nil || len(d.Ties) != 1 || len(d.Consulates) != 1 {
		t.Fatalf("LoadData(nil): %v, %d ties, %d consulates", err, len(d.Ties), len(d.Consulates))
	}
	fails, err := Verify(nil, snap)
	if err != nil || len(fails) > 0 {
		t.Errorf("Verify(nil): %v %v", err, fails)
	}
}

func TestLoadDataMergesUserTies(t *testing.T) {
	snap := mustSnapshot(t)
	st := mustStore(t, t.TempDir())
	user := Tie{ID: "u1", Municipality: "11008", Place: 5263045, Size: 10, Source: "consulate", RecordedBy: "milwaukee"}
	b, _ := json.Marshal(user)
	if err := st.Put(BucketTies, user.ID, b); err != nil {
		t.Fatal(err)
	}
	d, err := LoadData(st, snap)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Ties) != 2 || d.Ties[1].ID != "u1" {
		t.Errorf("ties %+v, want the curated one then u1", d.Ties)
	}
}

func TestImportUnknownKindAndFile(t *testing.T) {
	st := mustStore(t, t.TempDir())
	snap := mustSnapshot(t)
	if _, err := Import(st, snap, "nope", "x.csv"); ErrorCode(err) != EInvalid {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := Import(st, snap, KindCONAPO, filepath.Join(t.TempDir(), "missing.csv")); ErrorCode(err) != ENotFound {
		t.Errorf("missing file: %v", err)
	}
	empty := t.TempDir()
	skipped := map[string]string{}
	if _, err := ImportAll(st, snap, empty, func(kind, file string) { skipped[kind] = file }); ErrorCode(err) != EInvalid {
		t.Errorf("empty dir: %v", err)
	}
	// Every file looked for is reported as skipped, with the path it was
	// looked for under.
	for kind, imp := range Importers {
		if imp.DefaultFile == "" {
			continue
		}
		if want := filepath.Join(empty, filepath.FromSlash(imp.DefaultFile)); skipped[kind] != want {
			t.Errorf("empty dir: %s reported skipped as %q, want %q", kind, skipped[kind], want)
		}
	}
}
