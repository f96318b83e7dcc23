package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"hermanar/datasets"
)

// usageError marks a mistake in the command line; it exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func exitCode(err error) int {
	var u *usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env carries the process's streams into every subcommand, so tests can
// call Run and read what a user would see.
type env struct {
	stdout, stderr io.Writer
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"opportunities":   {"diaspora-driven pairs in a consulate's jurisdiction", runOpportunities},
		"eval":            {"backtest on real twinnings (--twinnings FILE); eval lists: how varied and fitting rank --k 10 lists are", runEval},
		"calibrate":       {"fit structure and network weights to real twinnings (--twinnings FILE --out weights.json)", runCalibrate},
		"datasets":        {"inspect, verify, import and resolve data (stats|verify|import|import-all|resolve|build-snapshot)", runDatasets},
		"rank":            {"rank every municipality (or a state, or a list) in bulk to Parquet (--out DIR)", runRank},
		"bench":           {"benchmarks: bench rank --vs numpy [--format json]", runBench},
		"export-features": {"export the dense-scoring inputs for the numpy peer (--out DIR)", runExportFeatures},
		"serve":           {"serve the API and the web pages (--addr :8080 --data DIR)", runServe},
		"tokens":          {"create, list and revoke bearer tokens (create --role R [--municipality CVEGEO | --consulate ID])", runTokens},
		"match":           {"explained partner cities for a municipality (--municipality 11008 [--k 10] [--profile FILE])", runMatch},
		"classify":        {"map a problem statement onto the taxonomy (classify TEXT [--lang es|en])", runClassify},
	}
}

// Run executes the hermanar command line args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		if len(args) == 0 {
			return usageErrorf("no command given")
		}
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		return usageErrorf("unknown command %q; run 'hermanar help'", args[0])
	}
	return c.run(ctx, e, args[1:])
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: hermanar COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nEvery command takes -h for its flags.")
}

// newFlags returns a FlagSet that reports errors instead of exiting.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("hermanar "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args, allowing flags after positional arguments
// ("resolve 'Whitewater, Wisconsin' --format json").
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// defaultDataDir is where user data and the index live unless --data says
// otherwise: $XDG_DATA_HOME/hermanar or ~/.local/share/hermanar.
func defaultDataDir() string {
	if d := os.Getenv("HERMANAR_DATA"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "hermanar")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "hermanar")
	}
	return filepath.Join(os.TempDir(), "hermanar")
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

var _ = datasets.EInvalid
