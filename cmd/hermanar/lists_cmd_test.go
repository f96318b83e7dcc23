package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// eval lists prints every list metric, and its JSON carries the same
// numbers with the goals checked.
func TestEvalListsCommand(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	stdout, stderr, err := runCLI(t, "eval", "lists", "--state", "11", "--data", data)
	if err != nil {
		t.Fatalf("eval lists: %v\n%s", err, stderr)
	}
	for _, want := range []string{"46 lists of 10 (460 slots)", "distinct places", "existing twins", "places in the most lists"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	stdout, stderr, err = runCLI(t, "eval", "lists", "--state", "11", "--data", data, "--format", "json")
	if err != nil {
		t.Fatalf("eval lists json: %v\n%s", err, stderr)
	}
	var rep listsReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Lists != 46 || rep.Slots != 460 || rep.Distinct < 10 || rep.Distinct > 460 || len(rep.Checks) == 0 {
		t.Errorf("report %+v", rep.ListMetrics)
	}
	if _, _, err := runCLI(t, "eval", "lists", "--format", "csv", "--data", data); err == nil || exitCode(err) != 2 {
		t.Errorf("--format csv: got %v, want a usage error", err)
	}
}
