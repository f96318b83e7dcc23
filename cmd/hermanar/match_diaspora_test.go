package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hermanar/matcher"
)

// The acceptance of issue 10 §1 through the CLI: a destination typed into
// a profile file puts Chicago in Manuel Doblado's top 3, citing the
// profile's source; an ambiguous name is a field error naming candidates.
func TestMatchProfileDiaspora(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	p := filepath.Join(dir, "perfil.json")
	os.WriteFile(p, []byte(`{"lang":"es","problems":[{"text":"escasez de agua"}],
		"diaspora":[{"place":"Chicago, Illinois","size":3000,"source":"padrón de migrantes del municipio, 2025"}]}`), 0o644)
	out, stderr, err := runCLI(t, "match", "--municipality", "11008", "--profile", p, "--k", "3", "--format", "json", "--data", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var res matcher.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range res.Matches {
		if m.Place.ID != 4887398 {
			continue
		}
		for _, c := range m.Components {
			if c.Name == matcher.CompDiaspora && strings.Contains(c.Source, "padrón de migrantes del municipio, 2025") {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("Chicago (4887398) with the profile's source is not in the top 3: %+v", res.Matches)
	}

	amb := filepath.Join(dir, "springfield.json")
	os.WriteFile(amb, []byte(`{"diaspora":[{"place":"Springfield","size":3000}]}`), 0o644)
	out, _, err = runCLI(t, "match", "--municipality", "11008", "--profile", amb, "--data", data)
	if err == nil || !strings.Contains(err.Error(), "diaspora[0].place") || !strings.Contains(err.Error(), "Sangamon County, Illinois") {
		t.Errorf("Springfield: got %v", err)
	}
	if out != "" {
		t.Errorf("Springfield printed a list:\n%s", out)
	}
}
