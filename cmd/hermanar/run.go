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

// exitCode is the process status for what Run returned: 0 for nil and for
// -h (the usage was asked for and printed), 2 for a usage mistake, 1 for
// anything else.
func exitCode(err error) int {
	var u *usageError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		return 2
	}
	return 1
}

// isHelp says whether args ask for help rather than name a subcommand.
func isHelp(args []string) bool {
	return len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help")
}

// subcommandHelp answers -h of a command made of subcommands: its usage
// on stdout and a nil error, so the exit status is 0 like any other -h.
func subcommandHelp(e *env, usage string, subs ...string) error {
	fmt.Fprintln(e.stdout, usage)
	if len(subs) > 0 {
		fmt.Fprintln(e.stdout, "\nsubcommands:")
		for _, s := range subs {
			fmt.Fprintln(e.stdout, "  "+s)
		}
	}
	fmt.Fprintln(e.stdout, "\nEvery subcommand takes -h for its flags.")
	return nil
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
		"scale":           {"fit the score scale of a weights file on the backtest and store it there (--twinnings FILE --weights FILE)", runScale},
		"datasets":        {"inspect, verify, import and resolve data (stats|verify|import|import-all|resolve|build-snapshot)", runDatasets},
		"rank":            {"rank every municipality (or a state, or a list) in bulk to Parquet (--out DIR); --shard I/N and rank merge split it over machines", runRank},
		"bench":           {"benchmarks: bench rank --vs numpy [--format json]", runBench},
		"export-features": {"export the dense-scoring inputs for the numpy peer (--out DIR)", runExportFeatures},
		"backup":          {"copy the store to a file, from a running server (--server URL --token T --out FILE) or offline (--data DIR --out FILE)", runBackup},
		"restore":         {"put a checked backup in place of the store, server stopped (--from FILE --data DIR)", runRestore},
		"serve":           {"serve the API and the web pages (--addr :8080 --data DIR)", runServe},
		"tokens":          {"create, list and revoke bearer tokens (create --role R [--municipality CVEGEO | --consulate ID])", runTokens},
		"match":           {"explained partner cities for a municipality (--municipality 11008 [--k 10] [--profile FILE])", runMatch},
		"classify":        {"map a problem statement onto the taxonomy (classify TEXT [--lang es|en])", runClassify},
		"shortlist":       {"a municipality's shortlist: list|add|remove (--municipality 11008 --place 5278931 --note TEXT --areas b,c)", runShortlist},
		"process":         {"twinning processes: list|open|event|show|ics|term (steps, deadlines, .ics)", runProcess},
		"dossier":         {"letter, profile annex, justification and agreement draft as DOCX and PDF (--municipality 11008 --place 5278931 --out DIR)", runDossier},
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

// parseNoArgs parses args for a command that takes only flags: a stray
// word ("match 11008" for "match --municipality 11008") is a usage error
// rather than silently ignored.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("%s takes no arguments, got %q (flags start with --; see -h)", strings.TrimPrefix(fs.Name(), "hermanar "), pos[0])
	}
	return nil
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
