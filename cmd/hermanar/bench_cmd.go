package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"hermanar/datasets"
	"hermanar/matcher"
)

// numpyPython is Debian's interpreter, which has python3-numpy; a pyenv
// python first on PATH usually has no numpy.
const numpyPython = "/usr/bin/python3"

// peerScript is the numpy peer, relative to the module root.
const peerScript = "matcher/peer/rank_numpy.py"

func runExportFeatures(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export-features")
	var f rankFlags
	f.define(fs, false)
	fs.StringVar(&f.out, "out", "", "output directory (required)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("export-features takes no arguments, got %q", pos[0])
	}
	if f.out == "" {
		return usageErrorf("--out DIR is required")
	}
	req, lines, err := f.request()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, appOptions{dataDir: f.data, weights: f.weights})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := checkListKnown(a.engine, f.munis, req.Municipalities, lines); err != nil {
		return err
	}
	df, err := exportFeatures(a.engine, req, f.out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "exported %d municipalities × %d candidates (%d columns) to %s\n",
		len(df.Queries), df.Candidates, len(df.Columns), f.out)
	return nil
}

// exportFeatures writes DIR/features.json and one .npy per column.
func exportFeatures(eng *matcher.Engine, req matcher.RankRequest, dir string) (*matcher.DenseFeatures, error) {
	df, err := eng.DenseFeatures(req)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	for _, c := range df.Columns {
		if err := writeFileWith(filepath.Join(dir, df.Files[c.Name]), c.WriteNPY); err != nil {
			return nil, err
		}
	}
	for _, c := range df.Layout {
		if err := writeFileWith(filepath.Join(dir, df.LayoutFiles[c.Name]), c.WriteNPY); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal(df)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "features.json"), b, 0o644); err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	return df, nil
}

func writeFileWith(name string, write func(w io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	return f.Close()
}

// benchResult is what bench rank prints.
type benchResult struct {
	GoS    float64 `json:"go_s"`
	NumpyS float64 `json:"numpy_s"`
	Ratio  float64 `json:"ratio"` // numpy_s / go_s: the exhaustive peer against Go's pruned scan (unlike with unlike)
	// Like with like: Go scoring every candidate against the exhaustive
	// peer, and Go's pruned scan against the peer with the same bound.
	GoExhaustiveS        float64 `json:"go_exhaustive_s"`
	GoExhaustiveCPUS     float64 `json:"go_exhaustive_cpu_s"`
	NumpyPrunedS         float64 `json:"numpy_pruned_s"`
	NumpyPrunedCPUS      float64 `json:"numpy_pruned_cpu_s"`
	RatioExhaustive      float64 `json:"ratio_exhaustive"` // numpy_s / go_exhaustive_s
	RatioPruned          float64 `json:"ratio_pruned"`     // numpy_pruned_s / go_s
	GoScored             int64   `json:"go_scored"`        // candidate scores computed, pruned scan
	GoExhaustiveScored   int64   `json:"go_exhaustive_scored"`
	NumpyPrunedScored    int64   `json:"numpy_pruned_scored"`
	ExactListsExhaustive float64 `json:"exact_lists_exhaustive"` // Go exhaustive vs numpy exhaustive
	ExactListsPruned     float64 `json:"exact_lists_pruned"`     // Go pruned vs numpy pruned
	Top50Overlap         float64 `json:"top50_overlap"`
	MinOverlap           float64 `json:"min_overlap"`
	ExactLists           float64 `json:"exact_lists"` // share of municipalities with the same ids in the same order
	Municipalities       int     `json:"municipalities"`
	Candidates           int     `json:"candidates"`
	K                    int     `json:"k"`
	GoWorkers            int     `json:"go_workers"`
	NumpyComputeS        float64 `json:"numpy_compute_s"`
	// CPU seconds (user+system) beside the wall times above: on a shared
	// machine they say what each side cost when the wall clock says
	// little. The peer's includes its worker processes.
	GoCPUS    float64        `json:"go_cpu_s"`
	NumpyCPUS float64        `json:"numpy_cpu_s"`
	Numpy     map[string]any `json:"numpy_info,omitempty"`
	GoVersion string         `json:"go_version"`
	// Whole processes, alternating (--rounds): `hermanar rank` from start
	// to exit (snapshot load, scan, ranking.parquet written) against the
	// best numpy peer from start to exit, each the median of the rounds.
	Whole           *wholeResult `json:"whole,omitempty"`
	Machine         machineInfo  `json:"machine"`
	OpenBLASEnvDrop []string     `json:"openblas_env_unset,omitempty"`
}

func runBench(ctx context.Context, e *env, args []string) error {
	if isHelp(args) {
		return subcommandHelp(e, "usage: hermanar bench SUBCOMMAND [flags]",
			"rank --vs numpy  time the bulk ranking against the numpy peer on the same inputs and compare the lists")
	}
	if len(args) == 0 || args[0] != "rank" {
		return usageErrorf("usage: hermanar bench rank --vs numpy [--format json] [--k 50] [--state 11]")
	}
	fs := newFlags(e, "bench rank")
	var f rankFlags
	f.define(fs, false)
	vs := fs.String("vs", "numpy", "peer to compare with (numpy)")
	format := fs.String("format", "table", "table or json")
	python := fs.String("python", numpyPython, "Python interpreter with numpy")
	script := fs.String("script", "", "the numpy peer (default: "+peerScript+" under the module root)")
	keep := fs.String("keep", "", "keep the exported features and the peer's output in this directory")
	procs := fs.Int("procs", runtime.NumCPU(), "processes the numpy peer may use")
	rounds := fs.Int("rounds", 0, "also time whole processes, alternating: this many runs of `hermanar rank` and of the best numpy peer")
	goBinary := fs.String("go-binary", "", "the hermanar binary the whole-process rounds run (default: this one)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("bench rank takes no arguments, got %q", pos[0])
	}
	if *vs != "numpy" {
		return usageErrorf("--vs must be numpy, got %q", *vs)
	}
	if *format != "table" && *format != "json" {
		return usageErrorf("--format must be table or json, got %q", *format)
	}
	if *procs < 1 {
		return usageErrorf("--procs must be at least 1")
	}
	if *rounds < 0 {
		return usageErrorf("--rounds must not be negative")
	}
	req, lines, err := f.request()
	if err != nil {
		return err
	}
	// The peer computes the plain top k by score; the list rules (twins
	// apart, size rule, variety) are a step after scoring that it does not
	// reproduce, so both sides compare the scoring alone.
	req.Filter.IncludeTwinned, req.Filter.NoDiversity, req.Filter.NoSizeRule = true, true, true
	if *script == "" {
		if *script, err = findPeerScript(); err != nil {
			return err
		}
	}
	if _, err := os.Stat(*python); err != nil {
		return fmt.Errorf("numpy peer needs %s with python3-numpy (apt-get install -y python3-numpy): %w", *python, err)
	}

	a, err := openApp(ctx, appOptions{dataDir: f.data, weights: f.weights})
	if err != nil {
		return err
	}
	var closeOnce sync.Once
	closeApp := func() { closeOnce.Do(func() { a.Close() }) }
	defer closeApp()
	eng := a.engine
	if err := checkListKnown(eng, f.munis, req.Municipalities, lines); err != nil {
		return err
	}
	dir := *keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "hermanar-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	featDir := filepath.Join(dir, "features")
	df, err := exportFeatures(eng, req, featDir)
	if err != nil {
		return err
	}

	// Go: the whole ranking in-process, with the explained rows it emits,
	// through the pruned scan (what ships) and scoring every candidate.
	goRun := func(exhaustive bool) (matcher.RankStats, map[string][]int64, float64, float64, error) {
		ids := map[string][]int64{}
		r := req
		r.Exhaustive = exhaustive
		runtime.GC()
		cpu0 := processCPU()
		t0 := time.Now()
		st, err := eng.Rank(ctx, r, func(row matcher.RankRow) error {
			ids[row.Municipality] = append(ids[row.Municipality], row.PlaceID)
			return nil
		})
		return st, ids, time.Since(t0).Seconds(), processCPU() - cpu0, err
	}
	st, goIDs, goS, goCPU, err := goRun(false)
	if err != nil {
		return err
	}
	stEx, goExIDs, goExS, goExCPU, err := goRun(true)
	if err != nil {
		return err
	}

	// numpy: the peer script as a subprocess, timed from start to exit,
	// scoring every candidate and with the Go scan's bound (--prune).
	type peerRun struct {
		s, cpu float64
		info   map[string]any
		ids    []int64
		k      int
	}
	npRun := func(prune bool) (peerRun, error) {
		var pr peerRun
		outNPY := filepath.Join(dir, "numpy_top.npy")
		args := []string{*script, featDir, outNPY, fmt.Sprintf("--procs=%d", *procs)}
		if prune {
			outNPY = filepath.Join(dir, "numpy_pruned_top.npy")
			args = []string{*script, featDir, outNPY, fmt.Sprintf("--procs=%d", *procs), "--prune"}
		}
		cmd := exec.CommandContext(ctx, *python, args...)
		cmd.Env, _ = withoutEnv(os.Environ(), "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		t1 := time.Now()
		err := cmd.Run()
		pr.s = time.Since(t1).Seconds()
		if err != nil {
			return pr, fmt.Errorf("numpy peer %s: %w\n%s", *script, err, strings.TrimSpace(stderr.String()))
		}
		if ps := cmd.ProcessState; ps != nil {
			pr.cpu = (ps.UserTime() + ps.SystemTime()).Seconds()
		}
		if err := json.Unmarshal(bytes.TrimSpace(lastLine(stdout.Bytes())), &pr.info); err != nil {
			return pr, fmt.Errorf("numpy peer printed no JSON summary: %w (%q)", err, stdout.String())
		}
		fh, err := os.Open(outNPY)
		if err != nil {
			return pr, err
		}
		ids, shape, err := matcher.ReadNPYInt64(fh)
		fh.Close()
		if err != nil {
			return pr, fmt.Errorf("%s: %w", outNPY, err)
		}
		if len(shape) != 2 || shape[0] != len(df.Queries) {
			return pr, fmt.Errorf("numpy peer wrote shape %v, want (%d, %d)", shape, len(df.Queries), df.K)
		}
		pr.ids, pr.k = ids, shape[1]
		return pr, nil
	}
	np, err := npRun(false)
	if err != nil {
		return err
	}
	npp, err := npRun(true)
	if err != nil {
		return err
	}
	npS, info := np.s, np.info

	res := benchResult{GoS: round3(goS), NumpyS: round3(npS), Municipalities: st.Municipalities, Candidates: st.Candidates,
		K: st.K, GoWorkers: st.Workers, Numpy: info, GoVersion: runtime.Version(), Machine: thisMachine(),
		OpenBLASEnvDrop: []string{"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}}
	if v, ok := info["compute_s"].(float64); ok {
		res.NumpyComputeS = v
	}
	res.GoScored, res.GoExhaustiveScored = st.Scored, stEx.Scored
	res.GoExhaustiveS, res.GoExhaustiveCPUS = round3(goExS), round3(goExCPU)
	res.NumpyPrunedS, res.NumpyPrunedCPUS = round3(npp.s), round3(npp.cpu)
	if v, ok := npp.info["scored"].(float64); ok {
		res.NumpyPrunedScored = int64(v)
	}
	res.Ratio = round3(npS / max(goS, 1e-9))
	res.RatioExhaustive = round3(npS / max(goExS, 1e-9))
	res.RatioPruned = round3(npp.s / max(goS, 1e-9))
	res.GoCPUS = round3(goCPU)
	res.NumpyCPUS = round3(np.cpu)
	if *rounds > 0 {
		bin := *goBinary
		if bin == "" {
			if bin, err = os.Executable(); err != nil {
				return err
			}
		}
		// The child ranks what the peer ranks: the plain top k by score.
		rankArgs := []string{"rank", "--k", fmt.Sprint(req.K), "--include-twinned", "--no-diversity", "--no-size-rule", "--quiet",
			"--data", f.data, "--out", filepath.Join(dir, "go_whole")}
		if f.weights != "" {
			rankArgs = append(rankArgs, "--weights", f.weights)
		}
		if f.state != "" {
			rankArgs = append(rankArgs, "--state", f.state)
		}
		if f.munis != "" {
			rankArgs = append(rankArgs, "--municipalities", f.munis)
		}
		if f.workers > 0 {
			rankArgs = append(rankArgs, "--workers", fmt.Sprint(f.workers))
		}
		closeApp() // the child opens the same store
		peerPruned := npp.s <= np.s
		w := &wholeResult{Rounds: *rounds, NumpyPeer: map[bool]string{true: "pruned", false: "exhaustive"}[peerPruned]}
		var last peerRun
		for range *rounds {
			cmd := exec.CommandContext(ctx, bin, rankArgs...)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			t0 := time.Now()
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("whole-process rank (%s): %w\n%s", bin, err, strings.TrimSpace(stderr.String()))
			}
			w.GoRuns = append(w.GoRuns, round3(time.Since(t0).Seconds()))
			if last, err = npRun(peerPruned); err != nil {
				return err
			}
			w.NumpyRuns = append(w.NumpyRuns, round3(last.s))
		}
		rows, err := datasets.ReadRankFile(filepath.Join(dir, "go_whole", "ranking.parquet"))
		if err != nil {
			return fmt.Errorf("whole-process rank: %w", err)
		}
		wholeIDs := map[string][]int64{}
		for _, r := range rows {
			wholeIDs[r.Municipality] = append(wholeIDs[r.Municipality], r.PlaceID)
		}
		_, _, w.ExactLists = compareTopK(df, wholeIDs, last.ids, last.k)
		w.GoS, w.NumpyS = round3(median(w.GoRuns)), round3(median(w.NumpyRuns))
		w.Ratio = round3(w.NumpyS / max(w.GoS, 1e-9))
		res.Whole = w
	}
	res.Top50Overlap, res.MinOverlap, res.ExactLists = compareTopK(df, goIDs, np.ids, np.k)
	_, _, res.ExactListsExhaustive = compareTopK(df, goExIDs, np.ids, np.k)
	_, _, res.ExactListsPruned = compareTopK(df, goIDs, npp.ids, npp.k)
	if *format == "json" {
		return emit(e.stdout, "json", res, nil)
	}
	fmt.Fprintf(e.stdout, "bench rank: %d municipalities × %d candidates, top %d\n", res.Municipalities, res.Candidates, res.K)
	fmt.Fprintf(e.stdout, "  exhaustive: go %.3f s, numpy %.3f s (compute %.3f s, %d processes), ratio %.2f×, identical lists %.4f\n",
		res.GoExhaustiveS, res.NumpyS, res.NumpyComputeS, *procs, res.RatioExhaustive, res.ExactListsExhaustive)
	fmt.Fprintf(e.stdout, "  pruned:     go %.3f s (%d scores), numpy %.3f s (%d scores), ratio %.2f×, identical lists %.4f\n",
		res.GoS, res.GoScored, res.NumpyPrunedS, res.NumpyPrunedScored, res.RatioPruned, res.ExactListsPruned)
	fmt.Fprintf(e.stdout, "  cpu    go %.3f s, numpy %.3f s\n", res.GoCPUS, res.NumpyCPUS)
	if w := res.Whole; w != nil {
		fmt.Fprintf(e.stdout, "  whole processes, %d alternating rounds: hermanar rank %.3f s, numpy (%s) %.3f s, ratio %.2f×, identical lists %.4f\n",
			w.Rounds, w.GoS, w.NumpyPeer, w.NumpyS, w.Ratio, w.ExactLists)
	}
	fmt.Fprintf(e.stdout, "  top-%d overlap %.4f (min %.4f), identical lists %.4f\n", res.K, res.Top50Overlap, res.MinOverlap, res.ExactLists)
	return nil
}

// wholeResult is the alternating whole-process comparison.
type wholeResult struct {
	Rounds     int       `json:"rounds"`
	GoS        float64   `json:"go_s"` // median
	GoRuns     []float64 `json:"go_runs"`
	NumpyS     float64   `json:"numpy_s"` // median of the best peer
	NumpyRuns  []float64 `json:"numpy_runs"`
	NumpyPeer  string    `json:"numpy_peer"`  // "pruned" or "exhaustive": the faster in the in-process round
	Ratio      float64   `json:"ratio"`       // numpy_s / go_s
	ExactLists float64   `json:"exact_lists"` // Go's ranking.parquet against the peer's lists, share identical
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// compareTopK averages, over municipalities, the share of the Go top-k ids
// that the peer also has (sets, so float ties in another order count),
// and reports the worst municipality and the share of identical lists.
func compareTopK(df *matcher.DenseFeatures, goIDs map[string][]int64, np []int64, k int) (mean, worst, exact float64) {
	if len(df.Queries) == 0 {
		return 1, 1, 1
	}
	worst = 1
	for i, q := range df.Queries {
		g := goIDs[q.Municipality]
		row := np[i*k : (i+1)*k]
		set := make(map[int64]bool, k)
		var p []int64
		for _, id := range row {
			if id >= 0 {
				set[id] = true
				p = append(p, id)
			}
		}
		hit := 0
		for _, id := range g {
			if set[id] {
				hit++
			}
		}
		ov := 1.0
		if n := max(len(g), len(p)); n > 0 {
			ov = float64(hit) / float64(n)
		}
		mean += ov
		worst = min(worst, ov)
		if slicesEqual(g, p) {
			exact++
		}
	}
	n := float64(len(df.Queries))
	return round4(mean / n), round4(worst), round4(exact / n)
}

func slicesEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func round4(x float64) float64 { return float64(int64(x*10000+0.5)) / 10000 }

// withoutEnv drops variables from an environment; OpenBLAS pins an old
// kernel through OPENBLAS_CORETYPE here, which slows a current numpy, so
// the peer runs without it (and only the peer).
func withoutEnv(env []string, names ...string) ([]string, []string) {
	var out, dropped []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			if k == n {
				drop = true
			}
		}
		if drop {
			dropped = append(dropped, k)
		} else {
			out = append(out, kv)
		}
	}
	return out, dropped
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// findPeerScript looks for the numpy peer from the working directory up to
// the module root.
func findPeerScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, peerScript)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("cannot find %s above the working directory; pass --script", peerScript)
		}
		dir = parent
	}
}

// processCPU is the user and system time this process has used, seconds.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
