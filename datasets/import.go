package datasets

import (
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Importer reads one official (or project-defined) file format into a
// table of the store. Every import is all-or-nothing: the whole file is
// parsed and validated first, and only a file without a single error
// replaces the table, in one transaction.
type Importer struct {
	Kind        string   // what `hermanar datasets import KIND FILE` calls it
	Table       string   // the store table it replaces
	Description string   // one line for people
	DefaultFile string   // path inside a ../shared/data-layout directory; "" if none
	Source      string   // provenance recorded with the table
	Licence     string   // terms of the source
	Columns     []string // required columns, by name

	parse func(s *importSession, t *csvTable) (*parsed, error)
	// parseFile, when set, reads the file itself (formats other than one
	// CSV table: JSON Lines, or a CSV whose header chooses the mapping).
	parseFile func(s *importSession, file string, data []byte) (*parsed, error)
}

// parsed is a validated file, ready to save.
type parsed struct {
	rows   int
	save   func(Store, TableMeta) error
	report []ReportEntry
	notes  []string
	counts map[string]int
}

func tableOf[T any](rows []T) (int, func(Store, TableMeta) error) {
	return len(rows), func(s Store, m TableMeta) error { return SaveTable(s, m, rows) }
}

// ReportEntry is one name an import could not match, or matched with
// doubt; the full list is written as import-report-KIND.csv.
type ReportEntry struct {
	Line   int    `json:"line"`
	Input  string `json:"input"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// ImportResult describes one finished import.
type ImportResult struct {
	Kind     string         `json:"kind"`
	Table    string         `json:"table"`
	File     string         `json:"file"`
	Rows     int            `json:"rows"`
	Meta     TableMeta      `json:"meta"`
	Report   []ReportEntry  `json:"report,omitempty"`
	Counts   map[string]int `json:"counts,omitempty"` // kind-specific tallies: names matched, Mexican rows resolved, ...
	Duration time.Duration  `json:"duration_ns"`
}

// Import kinds.
const (
	KindINEGIMunicipalities = "inegi-municipalities"
	KindINEGILocalities     = "inegi-localities"
	KindCONAPO              = "conapo"
	KindBanxicoMunicipality = "banxico-municipalities"
	KindBanxicoUSStates     = "banxico-us-states"
	KindINECC               = "inecc"
	KindCONAGUA             = "conagua"
	KindTwinnings           = "twinnings"
	KindTies                = "ties"
	KindConsulates          = "consulates"
)

func init() {
	// Registered here rather than in the literal below: its parser reads
	// the importers' shared helpers, which read Importers.
	Importers[KindPlaceProfiles] = placeProfilesImporter
}

// Importers lists every import kind.
var Importers = map[string]Importer{
	KindINEGIMunicipalities: inegiMunicipalitiesImporter,
	KindINEGILocalities:     inegiLocalitiesImporter,
	KindCONAPO:              conapoImporter,
	KindBanxicoMunicipality: banxicoMunicipalitiesImporter,
	KindBanxicoUSStates:     banxicoUSStatesImporter,
	KindINECC:               ineccImporter,
	KindCONAGUA:             conaguaImporter,
	KindTwinnings:           twinningsImporter,
	KindTies:                tiesImporter,
	KindConsulates:          consulatesImporter,
}

// ImportOrder is the order ImportAll follows: municipalities first, since
// the other kinds resolve names and codes against them.
var ImportOrder = []string{
	KindINEGIMunicipalities, KindINEGILocalities, KindCONAPO, KindBanxicoMunicipality,
	KindBanxicoUSStates, KindINECC, KindCONAGUA, KindTwinnings, KindTies, KindConsulates, KindPlaceProfiles,
}

// ImporterKinds returns the kinds in import order.
func ImporterKinds() []string { return append([]string(nil), ImportOrder...) }

// importSession shares the snapshot with imported municipalities and its
// resolver between the imports of one ImportAll.
type importSession struct {
	store Store
	base  *Snapshot
	opts  ImportOptions

	mu   sync.Mutex
	snap *Snapshot
	res  *Resolver
}

func newImportSession(store Store, snap *Snapshot) *importSession {
	return &importSession{store: store, base: snap}
}

// snapshot returns the base snapshot with the imported INEGI
// municipalities applied, when there are any.
func (s *importSession) snapshot() (*Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snap == nil {
		snap, err := applyImportedMunicipalities(s.store, s.base)
		if err != nil {
			return nil, err
		}
		s.snap = snap
	}
	return s.snap, nil
}

func (s *importSession) resolver() (*Resolver, error) {
	snap, err := s.snapshot()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.res == nil {
		s.res = NewResolver(snap)
	}
	return s.res, nil
}

func (s *importSession) invalidate() {
	s.mu.Lock()
	s.snap, s.res = nil, nil
	s.mu.Unlock()
}

func applyImportedMunicipalities(store Store, snap *Snapshot) (*Snapshot, error) {
	if store == nil {
		return snap, nil
	}
	ms, err := LoadTable[Municipality](store, KindINEGIMunicipalities)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return snap, nil
	}
	return snap.ApplyMunicipalities(ms), nil
}

// Import validates file as kind and, only if all of it is valid, replaces
// the kind's table in store. The result carries the report of names that
// stayed unmatched or ambiguous.
func Import(store Store, snap *Snapshot, kind, file string) (*ImportResult, error) {
	return ImportWith(store, snap, kind, file, ImportOptions{})
}

// ImportWith is Import with options.
func ImportWith(store Store, snap *Snapshot, kind, file string, opts ImportOptions) (*ImportResult, error) {
	s := newImportSession(store, snap)
	s.opts = opts
	return s.importFile(kind, file)
}

func (s *importSession) importFile(kind, file string) (*ImportResult, error) {
	start := time.Now()
	imp, ok := Importers[kind]
	if !ok {
		return nil, Errf(EInvalid, "tipo de importación desconocido %q; tipos conocidos: %s", "unknown import kind %q; known kinds: %s", kind, strings.Join(ImportOrder, ", "))
	}
	data, sum, err := readImportFile(file, imp.parseFile == nil, imp.Columns, s.opts)
	if err != nil {
		return nil, err
	}
	var p *parsed
	if imp.parseFile != nil {
		p, err = imp.parseFile(s, file, data)
	} else {
		var t *csvTable
		if t, err = readCSV(file, data, imp.Columns...); err != nil {
			return nil, err
		}
		p, err = imp.parse(s, t)
	}
	if err != nil {
		return nil, err
	}
	data = nil // parsed: the file's bytes are not needed any more
	if p.rows == 0 && !s.opts.AllowEmpty {
		return nil, lineError(file, 2, "no hay filas que guardar; importarlo vaciaría la tabla (use --allow-empty si eso es lo que quiere)", "no rows to store; importing it would empty the table (pass --allow-empty if that is what you want)")
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	meta := TableMeta{Kind: imp.Table, Source: imp.Source, Licence: imp.Licence, File: abs,
		SHA256: hex.EncodeToString(sum[:]), ImportedAt: time.Now().UTC(), Notes: p.notes}
	if err := p.save(s.store, meta); err != nil {
		return nil, fmt.Errorf("save %s: %w", imp.Table, err)
	}
	if kind == KindINEGIMunicipalities {
		s.invalidate()
	}
	meta.Rows = p.rows
	return &ImportResult{Kind: kind, Table: imp.Table, File: file, Rows: p.rows, Meta: meta,
		Report: p.report, Counts: p.counts, Duration: time.Since(start)}, nil
}

// ImportAll imports every known file found under dir, laid out like
// ../shared/data (inegi/municipios_completo.csv, conapo/..., ...), each in
// its own transaction, municipalities first. Missing files are skipped and
// reported to skipped (when not nil) with the path looked for; it stops at
// the first file that fails, returning the imports done so far with the
// error.
func ImportAll(store Store, snap *Snapshot, dir string, skipped func(kind, file string)) ([]*ImportResult, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, Errf(EInvalid, "%s no es un directorio", "%s is not a directory", dir)
	}
	sess := newImportSession(store, snap)
	var out []*ImportResult
	for _, kind := range ImportOrder {
		imp := Importers[kind]
		if imp.DefaultFile == "" {
			continue
		}
		file := filepath.Join(dir, filepath.FromSlash(imp.DefaultFile))
		if _, err := os.Stat(file); err != nil {
			if skipped != nil {
				skipped(kind, file)
			}
			continue
		}
		res, err := sess.importFile(kind, file)
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	if len(out) == 0 {
		return nil, Errf(EInvalid, "no hay archivos de datos conocidos en %s (se esperaba, p. ej., %s)", "no known data files under %s (expected e.g. %s)", dir, Importers[KindINEGIMunicipalities].DefaultFile)
	}
	return out, nil
}

// WriteImportReport writes report entries as CSV: line,input,reason,detail.
func WriteImportReport(w io.Writer, report []ReportEntry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"line", "input", "reason", "detail"}); err != nil {
		return err
	}
	sorted := append([]ReportEntry(nil), report...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Line < sorted[j].Line })
	for _, e := range sorted {
		if err := cw.Write([]string{strconv.Itoa(e.Line), e.Input, e.Reason, e.Detail}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// candidateList summarises candidates for a report: "id name, admin2,
// admin1, CC (pop)" separated by " | ".
func candidateList(cs []Candidate, max int) string {
	var parts []string
	for i, c := range cs {
		if i == max {
			parts = append(parts, fmt.Sprintf("… %d more", len(cs)-max))
			break
		}
		parts = append(parts, fmt.Sprintf("%d %s", c.ID, c.Label()))
	}
	return strings.Join(parts, " | ")
}

// pct formats part of total as a percentage.
func pct(part, total int) string {
	if total == 0 {
		return "0%"
	}
	return strconv.FormatFloat(100*float64(part)/float64(total), 'f', 1, 64) + "%"
}
