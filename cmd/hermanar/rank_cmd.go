package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"hermanar/datasets"
	"hermanar/matcher"
)

// rankFlags are the flags of hermanar rank; bench rank shares them.
type rankFlags struct {
	k       int
	state   string
	munis   string
	country string
	data    string
	weights string
	workers int
	csv     bool
	quiet   bool
	out     string
	list    listFlags
}

// define registers the flags; ranking adds those that only a ranking
// (not an export or a benchmark) takes: --country and --quiet.
func (f *rankFlags) define(fs *flag.FlagSet, ranking bool) {
	fs.IntVar(&f.k, "k", matcher.DefaultRankK, "candidates kept per municipality (1–500)")
	fs.StringVar(&f.state, "state", "", "rank only this state's municipalities (two-digit INEGI code, 11 = Guanajuato)")
	fs.StringVar(&f.munis, "municipalities", "", "file with one CVEGEO per line (# comments and blank lines allowed)")
	fs.StringVar(&f.data, "data", defaultDataDir(), "data directory")
	fs.StringVar(&f.weights, "weights", "", "weights JSON (default: the shipped policy weights)")
	fs.IntVar(&f.workers, "workers", 0, "scoring goroutines (default: every core)")
	f.list.define(fs)
	if ranking {
		fs.StringVar(&f.country, "country", "", "only candidates in these countries (ISO codes, comma-separated)")
		fs.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	}
}

// request checks the flags that need no data and builds the request.
func (f *rankFlags) request() (matcher.RankRequest, []int, error) {
	req := matcher.RankRequest{K: f.k, State: strings.TrimSpace(f.state), Workers: f.workers}
	if f.k < 1 || f.k > matcher.MaxK {
		return req, nil, usageErrorf("--k must be between 1 and %d, got %d", matcher.MaxK, f.k)
	}
	if f.workers < 0 {
		return req, nil, usageErrorf("--workers must not be negative")
	}
	if req.State != "" {
		if _, ok := datasets.INEGIStateNames[req.State]; !ok || len(req.State) != 2 {
			return req, nil, usageErrorf("--state must be a two-digit INEGI state code from 01 to 32 (11 = Guanajuato), got %q", f.state)
		}
	}
	if err := f.list.apply(&req.Filter); err != nil {
		return req, nil, err
	}
	var lines []int
	if f.munis != "" {
		if req.State != "" {
			return req, nil, usageErrorf("give --state or --municipalities, not both")
		}
		var err error
		if req.Municipalities, lines, err = readMunicipalityList(f.munis); err != nil {
			return req, nil, err
		}
	}
	for _, c := range strings.Split(f.country, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			if !datasets.KnownCountry(c) {
				return req, nil, usageErrorf("--country takes two-letter ISO codes such as US or ES, got %q", c)
			}
			req.Filter.Countries = append(req.Filter.Countries, c)
		}
	}
	return req, lines, nil
}

// readMunicipalityList reads one CVEGEO per line. A first line "cvegeo"
// (a CSV header), blank lines and # comments are skipped; anything after
// the first comma, tab or space is ignored, so the first column of a CSV
// works too. It returns the codes and their line numbers.
func readMunicipalityList(name string) ([]string, []int, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("--municipalities: %w", err)
	}
	defer f.Close()
	var codes []string
	var lines []int
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		s := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if i := strings.IndexAny(s, ",\t ;"); i >= 0 {
			s = s[:i]
		}
		s = strings.Trim(s, `"`)
		if s == "" || strings.HasPrefix(s, "#") || (n == 1 && strings.EqualFold(s, "cvegeo")) {
			continue
		}
		if !datasets.ValidCVEGEO(s) {
			return nil, nil, fmt.Errorf("%s line %d: %q is not a 5-digit INEGI municipality code (CVEGEO) such as 11008", name, n, clip(s, 40))
		}
		codes = append(codes, s)
		lines = append(lines, n)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s line %d: %w", name, n+1, err)
	}
	if len(codes) == 0 {
		return nil, nil, fmt.Errorf("%s: no municipality codes in the file", name)
	}
	return codes, lines, nil
}

// rankRun is what run.json records.
type rankRun struct {
	Command           string          `json:"command"`
	Weights           matcher.Weights `json:"weights"`
	WeightsProvenance string          `json:"weights_provenance"`
	WeightsFile       string          `json:"weights_file,omitempty"`
	Snapshot          string          `json:"snapshot_version"`
	Municipalities    int             `json:"municipalities"`
	Candidates        int             `json:"candidates"`
	Rows              int             `json:"rows"`
	K                 int             `json:"k"`
	State             string          `json:"state,omitempty"`
	MunicipalityFile  string          `json:"municipalities_file,omitempty"`
	Filter            matcher.Filter  `json:"filter"`
	Started           string          `json:"started"`
	Seconds           float64         `json:"seconds"`
	RankSeconds       float64         `json:"rank_seconds"` // scoring and writing, without loading the data
	GoVersion         string          `json:"go_version"`
	Machine           machineInfo     `json:"machine"`
	Workers           int             `json:"workers"`
	Files             []string        `json:"files"`
	// Shard is "I/N" when this run ranked the I-th of N contiguous parts
	// of the targets (by CVEGEO); Targets is how many the whole run has.
	Shard       string `json:"shard,omitempty"`
	Targets     int    `json:"targets"`
	DataVersion string `json:"data_version"` // the store's datasets.DataVersion
}

type machineInfo struct {
	Cores      int    `json:"cores"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	CPU        string `json:"cpu,omitempty"`
}

func thisMachine() machineInfo {
	m := machineInfo{Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

func runRank(ctx context.Context, e *env, args []string) error {
	started := time.Now()
	fs := newFlags(e, "rank")
	var f rankFlags
	f.define(fs, true)
	fs.BoolVar(&f.csv, "csv", false, "also write ranking.csv")
	fs.StringVar(&f.out, "out", "", "output directory for ranking.parquet and run.json (required unless --format csv)")
	format := fs.String("format", "table", "what stdout gets: table (a summary), json (the run record of run.json) or csv (the rows, the schema of ranking.csv)")
	shardFlag := fs.String("shard", "", "rank only part I of N of the municipalities (I/N, e.g. 2/8: contiguous by CVEGEO); join the parts with rank merge")
	if len(args) > 0 && args[0] == "merge" {
		return runRankMerge(ctx, e, args[1:])
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("rank takes no arguments, got %q", pos[0])
	}
	shard, shards, err := parseShard(*shardFlag)
	if err != nil {
		return err
	}
	if err := validFormat(*format); err != nil {
		return err
	}
	if f.out == "" && *format != "csv" {
		return usageErrorf("--out DIR is required (or --format csv to write the rows to stdout)")
	}
	req, lines, err := f.request()
	if err != nil {
		return err
	}
	var stdoutCSV io.Writer
	if *format == "csv" {
		stdoutCSV = e.stdout
	}
	if f.out != "" {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return fmt.Errorf("--out: cannot create %s: %w", f.out, err)
		}
	}
	out, err := newRankOutput(f.out, f.csv, stdoutCSV)
	if err != nil {
		return err
	}
	defer out.abort()

	a, err := openApp(ctx, appOptions{dataDir: f.data, weights: f.weights})
	if err != nil {
		return err
	}
	defer a.Close()
	eng := a.engine
	if err := checkListKnown(eng, f.munis, req.Municipalities, lines); err != nil {
		return err
	}
	targets, err := eng.RankTargets(req)
	if err != nil {
		return err
	}
	total := len(targets)
	if shards > 0 {
		targets = targets[(shard-1)*total/shards : shard*total/shards]
		if len(targets) == 0 {
			return usageErrorf("--shard %s: no municipalities in this part (%d in all)", *shardFlag, total)
		}
		req.Municipalities, req.State = targets, ""
	}
	dataVersion, err := datasets.DataVersion(a.store)
	if err != nil {
		return err
	}

	// A ranking is a batch job whose live data (snapshot, engine, scan
	// layout) is built once: collecting at 4× the live heap rather than
	// 2× saves a few percent of CPU for some 50 MiB more at the peak.
	// GOGC in the environment is left as it is.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	bar := newRankBar(e.stderr, len(targets), f.quiet)
	req.Progress = func(done, total int) { _ = bar.Set(done) }
	rankStart := time.Now()
	st, err := eng.Rank(ctx, req, out.add)
	if err != nil {
		return err
	}
	if err := out.finish(); err != nil {
		return err
	}
	_ = bar.Finish()
	rankSecs := time.Since(rankStart).Seconds()

	w := eng.Weights()
	run := rankRun{Command: "hermanar rank " + strings.Join(args, " "), Weights: w, WeightsProvenance: w.Provenance,
		WeightsFile: f.weights, Snapshot: eng.Snapshot().Manifest.Version,
		Municipalities: st.Municipalities, Candidates: st.Candidates, Rows: st.Rows, K: st.K,
		State: req.State, MunicipalityFile: f.munis, Filter: req.Filter,
		Started: started.UTC().Format(time.RFC3339), Seconds: round3(time.Since(started).Seconds()),
		RankSeconds: round3(rankSecs), GoVersion: runtime.Version(), Machine: thisMachine(), Workers: st.Workers,
		Files: out.names(), Shard: *shardFlag, Targets: total, DataVersion: dataVersion}
	if shards > 0 {
		run.State = strings.TrimSpace(f.state)
	}
	if run.Filter.Countries == nil {
		run.Filter.Countries = []string{}
	}
	b, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return err
	}
	if f.out != "" {
		if err := os.WriteFile(filepath.Join(f.out, "run.json"), append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	switch *format {
	case "json":
		_, err := e.stdout.Write(append(b, '\n'))
		return err
	case "csv":
		// stdout holds the rows only; the summary goes with the progress.
		fmt.Fprintf(e.stderr, "ranked %d municipalities × %d candidates, top %d: %d rows in %.2f s\n",
			st.Municipalities, st.Candidates, st.K, st.Rows, rankSecs)
		return nil
	}
	fmt.Fprintf(e.stdout, "ranked %d municipalities × %d candidates, top %d: %d rows in %.2f s (%.0f municipalities/s)\n",
		st.Municipalities, st.Candidates, st.K, st.Rows, rankSecs, float64(st.Municipalities)/max(rankSecs, 1e-9))
	for _, n := range run.Files {
		fmt.Fprintf(e.stdout, "  %s\n", filepath.Join(f.out, n))
	}
	fmt.Fprintf(e.stdout, "  %s\n", filepath.Join(f.out, "run.json"))
	return nil
}

// checkListKnown reports a code of the municipalities file that the
// snapshot lacks, by its line.
func checkListKnown(eng *matcher.Engine, file string, codes []string, lines []int) error {
	for i, c := range codes {
		if _, ok := eng.Snapshot().Municipality(c); !ok {
			return fmt.Errorf("%s line %d: no municipality %s in snapshot %s", file, lines[i], c, eng.Snapshot().Manifest.Version)
		}
	}
	return nil
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

// newRankBar draws progress by municipality, with rate and ETA.
func newRankBar(w io.Writer, total int, quiet bool) *progressbar.ProgressBar {
	if quiet {
		w = io.Discard
	}
	return newBar(w, total, "ranking", "municipalities")
}

// rankOutput writes the Parquet (and CSV) files under temporary names and
// renames them into place only when the ranking completed, so a failed
// run never leaves a truncated ranking.parquet behind.
type rankOutput struct {
	dir    string
	files  []*os.File
	final  []string
	pq     *datasets.RankWriter    // nil without --out
	cv     *datasets.RankCSVWriter // ranking.csv (--csv)
	stdout *datasets.RankCSVWriter // --format csv
	buf    []datasets.RankRow
	done   bool
}

// newRankOutput writes ranking.parquet (and ranking.csv) into dir unless
// dir is empty, and the rows as CSV to stdout unless it is nil.
func newRankOutput(dir string, withCSV bool, stdout io.Writer) (*rankOutput, error) {
	o := &rankOutput{dir: dir, buf: make([]datasets.RankRow, 0, 2048)}
	if stdout != nil {
		o.stdout = datasets.NewRankCSVWriter(stdout)
	}
	if dir == "" {
		return o, nil
	}
	open := func(name string) (*os.File, error) {
		f, err := os.Create(filepath.Join(dir, "."+name+".partial"))
		if err != nil {
			o.abort()
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("--out: cannot write to %s: %w", dir, err)
		}
		o.files = append(o.files, f)
		o.final = append(o.final, name)
		return f, nil
	}
	f, err := open("ranking.parquet")
	if err != nil {
		return nil, err
	}
	o.pq = datasets.NewRankWriter(f)
	if withCSV {
		f, err := open("ranking.csv")
		if err != nil {
			return nil, err
		}
		o.cv = datasets.NewRankCSVWriter(f)
	}
	return o, nil
}

func (o *rankOutput) add(r datasets.RankRow) error {
	o.buf = append(o.buf, r)
	if len(o.buf) == cap(o.buf) {
		return o.flush()
	}
	return nil
}

func (o *rankOutput) flush() error {
	if o.pq != nil {
		if err := o.pq.Write(o.buf...); err != nil {
			return err
		}
	}
	if o.stdout != nil {
		if err := o.stdout.Write(o.buf...); err != nil {
			return fmt.Errorf("rank csv to stdout: %w", err)
		}
	}
	if o.cv != nil {
		if err := o.cv.Write(o.buf...); err != nil {
			return fmt.Errorf("rank csv: %w", err)
		}
	}
	o.buf = o.buf[:0]
	return nil
}

func (o *rankOutput) finish() error {
	if err := o.flush(); err != nil {
		return err
	}
	if o.stdout != nil {
		if err := o.stdout.Close(); err != nil {
			return fmt.Errorf("rank csv to stdout: %w", err)
		}
	}
	if o.pq != nil {
		if err := o.pq.Close(); err != nil {
			return err
		}
	}
	if o.cv != nil {
		if err := o.cv.Close(); err != nil {
			return fmt.Errorf("rank csv: %w", err)
		}
	}
	for i, f := range o.files {
		if err := f.Close(); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		if err := os.Rename(f.Name(), filepath.Join(o.dir, o.final[i])); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	o.done = true
	return nil
}

func (o *rankOutput) names() []string { return o.final }

// abort removes the partial files of a run that did not finish.
func (o *rankOutput) abort() {
	if o.done {
		return
	}
	for _, f := range o.files {
		f.Close()
		os.Remove(f.Name())
	}
}

// parseShard reads --shard I/N; 0, 0 when empty.
func parseShard(s string) (int, int, error) {
	if s == "" {
		return 0, 0, nil
	}
	var i, n int
	if _, err := fmt.Sscanf(s, "%d/%d", &i, &n); err != nil || n < 1 || i < 1 || i > n || fmt.Sprintf("%d/%d", i, n) != s {
		return 0, 0, usageErrorf("--shard must be I/N with 1 ≤ I ≤ N (e.g. 2/8), got %q", s)
	}
	return i, n, nil
}

// runRankMerge joins the outputs of rank --shard 1/N … N/N into one
// ranking, checking that every shard ran on the same snapshot, weights,
// store data, k and filter, and that none is missing or repeated.
func runRankMerge(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "rank merge")
	out := fs.String("out", "", "output directory for the merged ranking.parquet and run.json (required)")
	withCSV := fs.Bool("csv", false, "also write ranking.csv")
	dirs, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return usageErrorf("--out DIR is required")
	}
	if len(dirs) == 0 {
		return usageErrorf("usage: hermanar rank merge --out DIR SHARD_DIR...")
	}
	runs := make([]rankRun, len(dirs))
	for i, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "run.json"))
		if err != nil {
			return fmt.Errorf("shard %s: %w", d, err)
		}
		if err := json.Unmarshal(b, &runs[i]); err != nil {
			return fmt.Errorf("shard %s: run.json: %w", d, err)
		}
	}
	order := make([]int, len(dirs))
	first := runs[0]
	_, n, err := parseShard(first.Shard)
	if err != nil || n == 0 {
		return fmt.Errorf("shard %s: run.json has no shard (%q); run rank --shard I/N", dirs[0], first.Shard)
	}
	if len(dirs) != n {
		return fmt.Errorf("%d shard directories for a run in %d parts", len(dirs), n)
	}
	seen := map[int]bool{}
	wb, _ := json.Marshal(first.Weights)
	fb, _ := json.Marshal(first.Filter)
	rows := 0
	for i, r := range runs {
		si, sn, err := parseShard(r.Shard)
		if err != nil || sn != n || seen[si] {
			return fmt.Errorf("shard %s: part %q does not fit a run in %d parts (or repeats one)", dirs[i], r.Shard, n)
		}
		seen[si] = true
		order[si-1] = i
		w, _ := json.Marshal(r.Weights)
		fl, _ := json.Marshal(r.Filter)
		switch {
		case r.Snapshot != first.Snapshot:
			return fmt.Errorf("shard %s: snapshot %s, shard %s has %s", dirs[i], r.Snapshot, dirs[0], first.Snapshot)
		case r.DataVersion != first.DataVersion:
			return fmt.Errorf("shard %s: store data version %s, shard %s has %s", dirs[i], r.DataVersion, dirs[0], first.DataVersion)
		case string(w) != string(wb):
			return fmt.Errorf("shard %s: weights differ from shard %s's", dirs[i], dirs[0])
		case r.K != first.K || string(fl) != string(fb) || r.Targets != first.Targets || r.State != first.State:
			return fmt.Errorf("shard %s: k, filter or targets differ from shard %s's", dirs[i], dirs[0])
		}
		rows += r.Rows
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("--out: cannot create %s: %w", *out, err)
	}
	o, err := newRankOutput(*out, *withCSV, nil)
	if err != nil {
		return err
	}
	defer o.abort()
	merged := first
	merged.Shard, merged.Municipalities, merged.Rows, merged.Seconds, merged.RankSeconds = "", 0, 0, 0, 0
	for _, i := range order {
		got, err := datasets.ReadRankFile(filepath.Join(dirs[i], "ranking.parquet"))
		if err != nil {
			return fmt.Errorf("shard %s: %w", dirs[i], err)
		}
		if len(got) != runs[i].Rows {
			return fmt.Errorf("shard %s: ranking.parquet has %d rows, run.json says %d", dirs[i], len(got), runs[i].Rows)
		}
		for _, r := range got {
			if err := o.add(r); err != nil {
				return err
			}
		}
		merged.Municipalities += runs[i].Municipalities
		merged.Rows += runs[i].Rows
		merged.Seconds += runs[i].Seconds
		merged.RankSeconds += runs[i].RankSeconds
	}
	if err := o.finish(); err != nil {
		return err
	}
	merged.Command = "hermanar rank merge " + strings.Join(args, " ")
	merged.Files = o.names()
	merged.Seconds, merged.RankSeconds = round3(merged.Seconds), round3(merged.RankSeconds)
	b, err := json.MarshalIndent(merged, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "run.json"), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintf(e.stdout, "merged %d shards: %d municipalities, %d rows into %s\n", n, merged.Municipalities, merged.Rows, *out)
	return nil
}
