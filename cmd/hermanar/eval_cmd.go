package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hermanar/datasets"
	"hermanar/matcher"
)

// evalFlags are the flags eval and calibrate share.
type evalFlags struct {
	twinnings, data, shared string
	folds                   int
	seed                    uint64
	quiet                   bool
	fast                    bool
	world                   matcher.WorldOptions
	singles                 bool
	// refit: calibrate --model, which replaces the second stage, opens
	// the store without the embedded one (a model of an older version
	// must not stop its own refit).
	refit bool
}

func (f *evalFlags) register(fs interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
	Uint64Var(*uint64, string, uint64, string)
	BoolVar(*bool, string, bool, string)
	Float64Var(*float64, string, float64, string)
}) {
	fs.StringVar(&f.twinnings, "twinnings", "", "raw twinnings CSV (city1,country1,city2,country2), resolved in memory (required)")
	fs.StringVar(&f.data, "data", defaultDataDir(), "data directory (imported CONAPO and Banxico data are used when present)")
	fs.StringVar(&f.shared, "shared", "", "directory laid out like ../shared/data to read CONAPO and Banxico from when --data has none (default ../shared/data if present)")
	fs.IntVar(&f.folds, "folds", 5, "folds of the cross-validation by municipality")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the random baseline, the folds and the negative sampling")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress on stderr")
	fs.BoolVar(&f.fast, "fast", false, "leave out the cross-validated linear twinned set and the per-signal ablations (the baselines and the shipped matcher remain)")
	fs.IntVar(&f.world.Sources, "world-sources", 1000, "add this many foreign sources (places with 3 or more twins abroad, one twin hidden each) to the second stage's training rows")
	fs.StringVar(&f.world.Region, "world-region", "", "only foreign sources of this region (latam or americas; default every country)")
	fs.IntVar(&f.world.MaxRows, "world-rows", 400, "pool rows kept per foreign source (the hidden twin and a sample of the rest)")
	fs.BoolVar(&f.singles, "train-single-twins", false, "experiment: the second stage also trains on the municipalities with exactly one twin (each hiding it)")
	fs.Float64Var(&f.world.Weight, "world-weight", 0.25, "a foreign source's weight against a Mexican query's 1")
}

func (f *evalFlags) check() error {
	if f.twinnings == "" {
		return usageErrorf("--twinnings is required (e.g. --twinnings ../shared/data/twinnings/twin_cities_raw.csv)")
	}
	if f.folds < 2 {
		return usageErrorf("--folds must be at least 2, got %d", f.folds)
	}
	return nil
}

// evalInput is what a backtest runs on, and where it came from.
type evalInput struct {
	in          matcher.Inputs
	file        string
	sha256      string
	dataVersion string // datasets.DataVersion of the store read
	snapshot    string
	rows        int // rows of the twinnings file
	pairs       int // distinct resolved pairs
	notes       []string
	unresolved  int      // Mexican rows left unresolved or ambiguous
	sources     []string // where municipalities, CONAPO and Banxico came from
}

// loadEvalInput opens the app for its data and resolves the twinnings file
// in memory, without touching the store. INEGI municipalities, CONAPO and
// Banxico by US state come from the store when imported there, else from
// the --shared directory (read in memory too), so that one command gives
// the same numbers on any machine with ../shared/data.
func loadEvalInput(ctx context.Context, e *env, f evalFlags) (*evalInput, error) {
	ei := &evalInput{file: f.twinnings}
	raw, err := os.ReadFile(f.twinnings)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, datasets.Errf(datasets.ENotFound, "%s: no existe el archivo", "%s: no such file", f.twinnings)
		}
		return nil, err
	}
	sum := sha256.Sum256(raw)
	ei.sha256 = hex.EncodeToString(sum[:])
	ei.rows = bytes.Count(raw, []byte("\n")) - 1

	ao := appOptions{dataDir: f.data}
	if f.refit {
		ao.model = "none"
	}
	a, err := openApp(ctx, ao)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	in, err := loadInputs(a.store, a.snap)
	if err != nil {
		return nil, err
	}
	if ei.dataVersion, err = datasets.DataVersion(a.store); err != nil {
		return nil, err
	}
	if in.Snap == nil {
		in.Snap = a.snap
	}
	in.Weights = matcher.Weights{}
	_, haveINEGI, err := a.store.Table(datasets.KindINEGIMunicipalities)
	if err != nil {
		return nil, err
	}
	haveCorridor := len(in.Emigration) > 0 && len(in.USStateRemittances) > 0
	if haveINEGI {
		ei.sources = append(ei.sources, "INEGI municipalities imported in "+f.data)
	}
	if haveCorridor {
		ei.sources = append(ei.sources, "CONAPO and Banxico imported in "+f.data)
	}

	mem := datasets.NewMemStore()
	if dir := sharedDir(f.shared); dir != "" && (!haveINEGI || !haveCorridor) {
		var kinds []string
		if !haveINEGI {
			kinds = append(kinds, datasets.KindINEGIMunicipalities)
		}
		if !haveCorridor {
			kinds = append(kinds, datasets.KindCONAPO, datasets.KindBanxicoUSStates)
		}
		for _, kind := range kinds {
			file := filepath.Join(dir, filepath.FromSlash(datasets.Importers[kind].DefaultFile))
			if _, err := datasets.Import(mem, in.Snap, kind, file); err != nil {
				return nil, fmt.Errorf("--shared %s: %w", dir, err)
			}
		}
		d, err := datasets.LoadData(mem, in.Snap)
		if err != nil {
			return nil, err
		}
		if !haveINEGI {
			in.Snap = d.Snapshot
			ei.sources = append(ei.sources, "INEGI municipalities read from "+dir)
		}
		if !haveCorridor {
			in.Emigration, in.USStateRemittances = map[string]float64{}, map[string]float64{}
			for k, m := range d.Migration {
				in.Emigration[k] = m.EmigrantPct
			}
			for k, r := range d.USStateRemittances {
				in.USStateRemittances[k] = r.MillionUSD
			}
			ei.sources = append(ei.sources, fmt.Sprintf("CONAPO and Banxico (US states, %d) read from %s", d.USStateYear, dir))
		}
	}
	res, err := datasets.Import(mem, in.Snap, datasets.KindTwinnings, f.twinnings)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", f.twinnings, err)
	}
	if in.Twinnings, err = datasets.LoadTable[datasets.Twinning](mem, res.Table); err != nil {
		return nil, err
	}
	ei.pairs, ei.notes, ei.unresolved = len(in.Twinnings), res.Meta.Notes, len(res.Report)
	ei.in = in
	ei.snapshot = in.Snap.Manifest.Version
	return ei, nil
}

// sharedDir is --shared, or ../shared/data when it exists.
func sharedDir(flag string) string {
	if flag != "" {
		return flag
	}
	if st, err := os.Stat(filepath.Join("..", "shared", "data")); err == nil && st.IsDir() {
		return filepath.Join("..", "shared", "data")
	}
	return ""
}

// options are the backtest's: the calibrated matcher starts from the
// shipped weights for municipalities without twins (their Twinned, fitted
// on every query, is left out), and eval also reports the shipped weights
// as they are.
func (f *evalFlags) options(e *env) matcher.EvalOptions {
	o := matcher.EvalOptions{Folds: f.folds, Seed: f.seed, Default: defaultWeights(), Shipped: defaultWeights(),
		SkipCalibration: f.fast, SkipAblations: f.fast, World: f.world, SingleTwins: f.singles}
	if !f.quiet {
		o.Progress = e.stderr
		o.Calibration.Progress = e.stderr
	}
	return o
}

func runEval(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "lists" {
		return runEvalLists(ctx, e, args[1:])
	}
	fs := newFlags(e, "eval")
	var f evalFlags
	f.register(fs)
	format := fs.String("format", "table", "table, json or md")
	write := fs.String("write", "", "also write the Markdown report to this file (e.g. EVALUATION.md)")
	exportPools := fs.String("export-pools", "", "developer tool: write the second stage's pools of every query, and the cross-validation's leak-free training rows (cv/), to this directory and stop")
	variants := fs.String("rerank-variants", "", "developer tool: semicolon-separated boosting settings (e.g. \"trees=50;queries=0.7,seed=2\"; keys trees, eta, queries, inputs, seed), each fitted by fold on the shipped fit's rows and reported as matcher_shipped[settings]")
	poolHead := fs.Int("pool-head", 0, "developer tool: the second stage's pools hold this many of the first stage's best instead of the shipped 200, in every fit and in the shipped path the backtest scores")
	relative := fs.Bool("relative-inputs", false, "developer tool: the fold models also read inputs relative to each query's pool (percentiles and gaps to the best); measured by matcher_reranked only")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *poolHead < 0 {
		return usageErrorf("--pool-head must be positive, got %d", *poolHead)
	}
	var ps []matcher.RerankParams
	if *variants != "" {
		for _, v := range strings.Split(*variants, ";") {
			p, err := matcher.ParseRerankParams(v)
			if err != nil {
				return usageErrorf("--rerank-variants: %v", err)
			}
			ps = append(ps, p)
		}
	}
	if *format != "table" && *format != "json" && *format != "md" {
		return usageErrorf("--format must be table, json or md, got %q", *format)
	}
	if err := f.check(); err != nil {
		return err
	}
	ei, err := loadEvalInput(ctx, e, f)
	if err != nil {
		return err
	}
	if *exportPools != "" {
		in := ei.in
		in.Weights = defaultWeights()
		return matcher.ExportPools(ctx, in, f.folds, f.seed, 2, *exportPools)
	}
	opts := f.options(e)
	opts.RerankVariants = ps
	opts.PoolHead = *poolHead
	opts.RelativeInputs = *relative
	rep, err := matcher.Evaluate(ctx, ei.in, opts)
	if err != nil {
		return err
	}
	cmdline := "hermanar eval " + quoteArgs(args)
	if *write != "" {
		var b bytes.Buffer
		writeEvalMarkdown(&b, rep, ei, cmdline)
		if err := os.WriteFile(*write, b.Bytes(), 0o644); err != nil {
			return err
		}
		if !f.quiet {
			fmt.Fprintf(e.stderr, "wrote %s\n", *write)
		}
	}
	switch *format {
	case "md":
		writeEvalMarkdown(e.stdout, rep, ei, cmdline)
		return nil
	case "json":
		return emit(e.stdout, "json", evalJSON{EvalReport: rep, Input: ei.describe()}, nil)
	}
	fmt.Fprintf(e.stdout, "%d queries (hidden twins) over %d municipalities; %d candidates each; %d twinnings from %s\n\n",
		rep.Queries, rep.Municipalities, rep.Candidates, rep.Twinnings, ei.file)
	return emit(e.stdout, "table", nil, methodTable(rep))
}

// evalJSON is the JSON of eval: the report and where its data came from.
type evalJSON struct {
	*matcher.EvalReport
	Input inputDescription `json:"input"`
}

type inputDescription struct {
	File       string   `json:"file"`
	SHA256     string   `json:"sha256"`
	Rows       int      `json:"rows"`
	Pairs      int      `json:"pairs"`
	Unresolved int      `json:"mexican_rows_unresolved"`
	Notes      []string `json:"notes,omitempty"`
	Sources    []string `json:"sources,omitempty"`
	// DataVersion is the store's datasets.DataVersion, Snapshot the
	// gazetteer's version: with the file's sha256 and the seed, every
	// input that changes the numbers.
	DataVersion string `json:"data_version"`
	Snapshot    string `json:"snapshot"`
}

func (ei *evalInput) describe() inputDescription {
	return inputDescription{File: ei.file, SHA256: ei.sha256, Rows: ei.rows, Pairs: ei.pairs,
		Unresolved: ei.unresolved, Notes: ei.notes, Sources: ei.sources, DataVersion: ei.dataVersion, Snapshot: ei.snapshot}
}

func methodTable(rep *matcher.EvalReport) *table {
	t := &table{header: []string{"method", "kind", "R@10", "R@50", "MRR", "nDCG@10", "coverage", "median rank"}}
	for _, m := range rep.Methods {
		t.add(m.Name, m.Kind, f3(m.RecallAt10), f3(m.RecallAt50), f3(m.MRR), f3(m.NDCGAt10), f4(m.Coverage), fmt.Sprintf("%.0f", m.MedianRank))
	}
	return t
}

func f3(x float64) string { return fmt.Sprintf("%.3f", x) }
func f4(x float64) string { return fmt.Sprintf("%.4f", x) }

func runCalibrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "calibrate")
	var f evalFlags
	f.register(fs)
	out := fs.String("out", "", "weights JSON to write (required), e.g. weights.json or matcher/weights_default.json")
	fitStructure := fs.Bool("fit-structure", false, "also fit the structure sub-weights of the twinned weights (default: keep the list-fit ones)")
	keepSplit := fs.Bool("keep-split", false, "keep the structure/network split of the weights without twins in the twinned weights (fit only the network sub-weights)")
	model := fs.String("model", "", "fit the second stage on the shipped weights and write it to this file instead of weights (e.g. matcher/rerank_model.json)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	if *out == "" && *model == "" {
		return usageErrorf("--out or --model is required (e.g. --out weights.json, --model matcher/rerank_model.json)")
	}
	if *out != "" && *model != "" {
		return usageErrorf("give --out (weights) or --model (the second stage), not both")
	}
	f.refit = *model != ""
	ei, err := loadEvalInput(ctx, e, f)
	if err != nil {
		return err
	}
	if *model != "" {
		return calibrateModel(ctx, e, f, ei, args, *model)
	}
	opts := f.options(e)
	opts.Shipped = matcher.Weights{} // calibrate writes the shipped weights; it does not score the old ones
	opts.Calibration.FitStructure = *fitStructure
	opts.Calibration.KeepSplit = *keepSplit
	cal, err := matcher.Calibrate(ctx, ei.in, opts)
	if err != nil {
		return err
	}
	rep := cal.CV
	prov := &matcher.CalibrationProvenance{
		Date: time.Now().UTC().Format(time.RFC3339), Command: "hermanar calibrate " + quoteArgs(args),
		File: filepath.Base(ei.file), SHA256: ei.sha256, DataVersion: ei.dataVersion, Snapshot: ei.snapshot,
		Twinnings: ei.pairs, Queries: rep.Queries,
		Municipalities: rep.Municipalities, Folds: rep.Folds, Seed: rep.Seed, Corridor: rep.Corridor, Fit: cal.Info,
		CV: map[string]float64{}, CVRecallAt10: map[string]float64{}}
	for _, m := range rep.Methods {
		prov.CV[m.Name], prov.CVRecallAt10[m.Name] = m.MRR, m.RecallAt10
	}
	calMRR := prov.CV[matcher.MethodMatcherCalibrated]
	best := rep.BestBaseline()
	w := cal.Weights
	w.Twinned.Provenance = fmt.Sprintf("twinned weights calibrated %s by `hermanar calibrate` on %s (sha256 %.12s): %d hidden twins of %d municipalities; "+
		"%d-fold CV by municipality: MRR %.3f, R@10 %.3f (best baseline %s: MRR %.3f)",
		prov.Date[:10], prov.File, prov.SHA256, rep.Queries, rep.Municipalities, rep.Folds,
		calMRR, prov.CVRecallAt10[matcher.MethodMatcherCalibrated], best.Name, best.MRR)
	describeScale(cal.Scale, w, ei, rep.Queries, "the cross-validated scores of `hermanar calibrate`")
	if err := (matcher.CalibratedWeights{Weights: w, Calibration: prov, Scale: cal.Scale}).Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\nwithout twins of their own: %s\nwith twins of their own: %s\n\n", *out, w.Provenance, w.Twinned.Provenance)
	t := &table{header: []string{"weight", "without twins", "with twins (fitted)"}}
	for _, c := range matcher.Components {
		t.add("component "+c, fmt.Sprintf("%.4f", w.Components[c]), fmt.Sprintf("%.4f", w.Twinned.Components[c]))
	}
	for _, s := range matcher.StructureFeatures {
		t.add("structure "+s, fmt.Sprintf("%.4f", w.Structure[s]), fmt.Sprintf("%.4f", w.Twinned.Structure[s]))
	}
	for _, n := range matcher.NetworkFeatures {
		t.add("network "+n, fmt.Sprintf("%.4f", w.Network[n]), fmt.Sprintf("%.4f", w.Twinned.Network[n]))
	}
	if err := emit(e.stdout, "table", nil, t); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	return emit(e.stdout, "table", nil, methodTable(rep))
}

// quoteArgs renders args as a shell would need them.
func quoteArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
