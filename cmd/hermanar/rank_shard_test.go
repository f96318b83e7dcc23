package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two shards merged equal one full run, byte for byte, and run.json lets
// a merge refuse shards that do not belong together.
func TestRankShardsMergeToFullRun(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		out, stderr, err := runCLI(t, append(args, "--data", data, "--quiet")...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		return out
	}
	full, s1, s2, merged := filepath.Join(dir, "full"), filepath.Join(dir, "s1"), filepath.Join(dir, "s2"), filepath.Join(dir, "merged")
	run("rank", "--state", "01", "--k", "20", "--out", full)
	run("rank", "--state", "01", "--k", "20", "--shard", "1/2", "--out", s1)
	run("rank", "--state", "01", "--k", "20", "--shard", "2/2", "--out", s2)
	if _, _, err := runCLI(t, "rank", "merge", "--out", merged, s2, s1); err != nil {
		t.Fatal(err)
	}
	a, err := os.ReadFile(filepath.Join(full, "ranking.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(merged, "ranking.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("merged ranking.parquet (%d bytes) differs from the full run's (%d bytes)", len(b), len(a))
	}
	var r1, rm rankRun
	for name, r := range map[string]*rankRun{filepath.Join(s1, "run.json"): &r1, filepath.Join(merged, "run.json"): &rm} {
		raw, err := os.ReadFile(name)
		if err != nil || json.Unmarshal(raw, r) != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if r1.Shard != "1/2" || r1.Targets != 11 || r1.Municipalities != 5 || !strings.HasPrefix(r1.DataVersion, "sha256:") || rm.Municipalities != 11 {
		t.Errorf("run.json: shard %+v, merged %+v", r1, rm)
	}
	// A missing or a foreign shard is refused.
	other := filepath.Join(dir, "other")
	run("rank", "--state", "01", "--k", "10", "--shard", "2/2", "--out", other)
	for _, tc := range []struct {
		name string
		dirs []string
	}{{"missing part", []string{s1}}, {"another k", []string{s1, other}}, {"repeated part", []string{s1, s1}}} {
		if _, _, err := runCLI(t, append([]string{"rank", "merge", "--out", filepath.Join(dir, "bad")}, tc.dirs...)...); err == nil {
			t.Errorf("%s: merge accepted", tc.name)
		}
	}
	for _, bad := range []string{"0/2", "3/2", "1/0", "x", "1/2/3"} {
		if _, _, err := runCLI(t, "rank", "--state", "01", "--shard", bad, "--out", filepath.Join(dir, "x"), "--data", data); err == nil || exitCode(err) != 2 {
			t.Errorf("--shard %s: got %v, want a usage error", bad, err)
		}
	}
}
