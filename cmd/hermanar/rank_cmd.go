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
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("rank takes no arguments, got %q", pos[0])
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
		Files: out.names()}
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
