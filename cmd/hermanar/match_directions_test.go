package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"hermanar/matcher"
)

// With a profile on both sides (the request's and Whitewater's curated
// one), match shows both directions: in JSON as numbers, in the table as
// words and lines where value × weight (× adjustment) = contribution.
func TestMatchShowsBothDirections(t *testing.T) {
	data := t.TempDir()
	yml := filepath.Join(t.TempDir(), "perfil.yaml")
	if err := os.WriteFile(yml, []byte("lang: es\nnarrative: Municipio agrícola con migrantes en Wisconsin\nproblems:\n  - text: escasez de agua\nareas:\n  b: 1\n  e: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "match", "--municipality", "11008", "--k", "3", "--profile", yml, "--format", "json", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	var res matcher.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	ww := res.Matches[0]
	if ww.Place.ID != 5278931 || ww.Directions == nil {
		t.Fatalf("Whitewater first with both directions: %+v", ww)
	}
	for _, c := range ww.Components {
		if c.Forward == nil || c.Reverse == nil {
			t.Errorf("json: %s lacks a direction", c.Name)
		}
	}
	line := regexp.MustCompile(`(?:valor|value) ([0-9.]+) × (?:peso|weight) ([0-9.]+)(?: × ([0-9.]+))? = ([0-9.]+)`)
	for _, tc := range []struct{ lang, dirs, note string }{
		{"es", "municipio → ciudad", "media armónica"},
		{"en", "municipality → city", "harmonic mean"},
	} {
		out, _, err := runCLI(t, "match", "--municipality", "11008", "--k", "3", "--profile", yml, "--data", data, "--lang", tc.lang)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, tc.dirs) || !strings.Contains(out, tc.note) {
			t.Errorf("%s: the table does not show both directions:\n%s", tc.lang, out)
		}
		n := 0
		for _, m := range line.FindAllStringSubmatch(out, -1) {
			n++
			v, _ := strconv.ParseFloat(m[1], 64)
			w, _ := strconv.ParseFloat(m[2], 64)
			adj := 1.0
			if m[3] != "" {
				adj, _ = strconv.ParseFloat(m[3], 64)
			}
			c, _ := strconv.ParseFloat(m[4], 64)
			if math.Abs(v*w*adj-c) > 0.002 {
				t.Errorf("%s: %q does not hold", tc.lang, m[0])
			}
		}
		if n < len(ww.Components) {
			t.Errorf("%s: %d value × weight lines for %d components:\n%s", tc.lang, n, len(ww.Components), out)
		}
	}
}
