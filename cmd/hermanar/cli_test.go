package main

import (
	"sort"
	"strings"
	"testing"

	"hermanar/datasets"
)

// subcommands lists, per command made of subcommands, the words it takes;
// TestEveryCommandAnswersHelp fails when a command of Run has subcommands
// this table does not know.
var subcommands = map[string][]string{
	"datasets":  {"stats", "verify", "import", "import-all", "resolve", "build-snapshot"},
	"tokens":    {"create", "list", "revoke"},
	"bench":     {"rank"},
	"shortlist": {"list", "add", "remove"},
	"process":   {"list", "open", "event", "show", "ics", "term"},
}

func TestEveryCommandAnswersHelp(t *testing.T) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var all [][]string
	for _, n := range names {
		all = append(all, []string{n, "-h"}, []string{n, "--help"})
		for _, s := range subcommands[n] {
			all = append(all, []string{n, s, "-h"})
		}
	}
	all = append(all, []string{"-h"}, []string{"help"})
	for _, args := range all {
		out, stderr, err := runCLI(t, args...)
		if code := exitCode(err); code != 0 {
			t.Errorf("%v: exit %d (%v), want 0", args, code, err)
			continue
		}
		if !strings.Contains(out+stderr, "usage") && !strings.Contains(out+stderr, "Usage") {
			t.Errorf("%v: no usage printed:\n%s%s", args, out, stderr)
		}
	}
	// A command with subcommands lists each of them in its -h.
	for cmd, subs := range subcommands {
		out, _, _ := runCLI(t, cmd, "-h")
		for _, s := range subs {
			if !strings.Contains(out, s) {
				t.Errorf("%s -h does not list %q:\n%s", cmd, s, out)
			}
		}
	}
}

func TestImportHelpListsKinds(t *testing.T) {
	out, stderr, err := runCLI(t, "datasets", "import", "-h")
	if exitCode(err) != 0 {
		t.Fatalf("exit %d: %v", exitCode(err), err)
	}
	for _, k := range datasets.ImporterKinds() {
		if !strings.Contains(out+stderr, k) {
			t.Errorf("datasets import -h does not list kind %q:\n%s", k, out+stderr)
		}
	}
}

// TestCLIErrors: what a mistaken command line answers, with its exit status.
func TestCLIErrors(t *testing.T) {
	data := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want string // substring of the error
	}{
		{"unknown five-digit municipality", []string{"match", "--municipality", "99999"}, 1, "no municipality 99999"},
		{"unknown municipality of a real state", []string{"match", "--municipality", "32099"}, 1, "no municipality 32099"},
		{"not a CVEGEO", []string{"match", "--municipality", "11O08"}, 2, "5-digit"},
		{"stray argument to match", []string{"match", "11008"}, 2, `no arguments, got "11008"`},
		{"stray argument to opportunities", []string{"opportunities", "milwaukee"}, 2, "no arguments"},
		{"stray argument to serve", []string{"serve", "now"}, 2, "no arguments"},
		{"stray argument to stats", []string{"datasets", "stats", "extra"}, 2, "usage"},
		{"stray argument to tokens list", []string{"tokens", "list", "all"}, 2, "no arguments"},
		{"unknown country in match", []string{"match", "--municipality", "11008", "--country", "ZZ"}, 2, `"ZZ"`},
		{"unknown country in rank", []string{"rank", "--country", "ZZ", "--out", t.TempDir()}, 2, `"ZZ"`},
		{"ambiguous resolve", []string{"datasets", "resolve", "San José"}, 1, "ambiguous"},
		{"unknown consulate lists the valid ids", []string{"opportunities", "--consulate", "atlantis"}, 1, "milwaukee"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{}, tc.args...), "--data", data)
			_, _, err := runCLI(t, args...)
			if got := exitCode(err); got != tc.code || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v → exit %d, error %v; want exit %d with %q", tc.name, tc.args, got, err, tc.code, tc.want)
			}
		})
	}
}

func TestOpportunitiesSpeaksLang(t *testing.T) {
	data := t.TempDir()
	es, _, err := runCLI(t, "opportunities", "--consulate", "milwaukee", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"oportunidad", "origen", "migrantes", "sí"} {
		if !strings.Contains(es, w) {
			t.Errorf("--lang es (default) lacks %q:\n%s", w, es)
		}
	}
	for _, w := range []string{"opportunit", "origin", "interest", "yes", "not yet twinned"} {
		if strings.Contains(es, w) {
			t.Errorf("--lang es (default) holds English %q:\n%s", w, es)
		}
	}
	en, _, err := runCLI(t, "opportunities", "--consulate", "milwaukee", "--lang", "en", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"opportunity", "origin", "yes"} {
		if !strings.Contains(en, w) {
			t.Errorf("--lang en lacks %q:\n%s", w, en)
		}
	}
}
