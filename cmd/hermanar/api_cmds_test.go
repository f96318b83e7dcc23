package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hermanar/matcher"
)

// runCLI (datasets_cmd_test.go) runs the command line in-process.

func TestTokensCommand(t *testing.T) {
	data := t.TempDir()
	out, _, err := runCLI(t, "tokens", "create", "--role", "liaison", "--municipality", "11008", "--data", data, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ Token, ID, Role, Municipality string }
	if err := json.Unmarshal([]byte(out), &created); err != nil || !strings.HasPrefix(created.Token, "hmn_") || created.ID == "" ||
		created.Role != "liaison" || created.Municipality != "11008" {
		t.Fatalf("create: %q (%v)", out, err)
	}
	if _, _, err := runCLI(t, "tokens", "create", "--role", "consulate", "--consulate", "milwaukee", "--data", data, "--format", "json"); err != nil {
		t.Fatalf("consulate token: %v", err)
	}
	bad := [][]string{
		{"--role", "root"},
		{"--role", "liaison"},
		{"--role", "liaison", "--municipality", "32999"},
		{"--role", "consulate", "--consulate", "atlantis"},
		{"--role", "admin", "--municipality", "11008"},
	}
	for _, b := range bad {
		args := append([]string{"tokens", "create", "--data", data}, b...)
		if _, _, err := runCLI(t, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: got %v (exit %d), want a usage error", b, err, exitCode(err))
		}
	}
	if out, _, err = runCLI(t, "tokens", "revoke", created.ID, "--data", data); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %q %v", out, err)
	}
	out, _, err = runCLI(t, "tokens", "list", "--data", data, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Tokens []struct {
			ID        string  `json:"id"`
			RevokedAt *string `json:"revoked_at"`
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Tokens) != 2 {
		t.Fatalf("list: %q %v", out, err)
	}
	for _, tk := range list.Tokens {
		if (tk.ID == created.ID) != (tk.RevokedAt != nil) {
			t.Errorf("token %s revoked=%v", tk.ID, tk.RevokedAt != nil)
		}
	}
	if strings.Contains(out, created.Token) {
		t.Error("tokens list shows a secret")
	}
}

func TestMatchCommand(t *testing.T) {
	data := t.TempDir()
	out, _, err := runCLI(t, "match", "--municipality", "11008", "--k", "5", "--format", "json", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	var res matcher.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 5 || res.Matches[0].Place.ID != 5278931 {
		t.Fatalf("first match: %+v", res.Matches)
	}
	out, _, err = runCLI(t, "match", "--municipality", "11008", "--k", "3", "--data", data, "--lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Manuel Doblado", "Whitewater", "Wisconsin, US", "14,692", "migrants", "DEP-0121/22"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCLI(t, "match", "--municipality", "11008", "--k", "2", "--format", "csv", "--data", data, "--country", "us")
	if err != nil || !strings.HasPrefix(out, "\ufeffmunicipality,municipality_name,state,state_name,rank,place_id") || strings.Count(out, "\n") != 3 {
		t.Errorf("csv: %q %v", out, err)
	}

	dir := t.TempDir()
	yml := filepath.Join(dir, "perfil.yaml")
	os.WriteFile(yml, []byte("lang: es\nnarrative: Municipio agrícola\nproblems:\n  - text: escasez de agua\nareas:\n  b: 1\ndiaspora:\n  - place: Whitewater, Wisconsin\n    size: 500\n"), 0o644)
	out, _, err = runCLI(t, "match", "--municipality", "11008", "--k", "3", "--profile", yml, "--format", "json", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Query.Profile != "request" || res.Matches[0].Place.ID != 5278931 {
		t.Errorf("with a YAML profile: %+v %v", res.Query, err)
	}
	bad := filepath.Join(dir, "malo.json")
	os.WriteFile(bad, []byte(`{"narative":"x"}`), 0o644)
	if _, _, err := runCLI(t, "match", "--municipality", "11008", "--profile", bad, "--data", data); err == nil || !strings.Contains(err.Error(), "narative") {
		t.Errorf("unknown field: %v", err)
	}
	invalid := filepath.Join(dir, "invalido.yml")
	os.WriteFile(invalid, []byte("areas:\n  z: 2\n"), 0o644)
	if _, _, err := runCLI(t, "match", "--municipality", "11008", "--profile", invalid, "--data", data); err == nil || !strings.Contains(err.Error(), "areas.z") {
		t.Errorf("invalid profile: %v", err)
	}
	for _, args := range [][]string{{"match"}, {"match", "--municipality", "abc"}, {"match", "--municipality", "11008", "--k", "0"}, {"match", "--municipality", "11008", "--format", "xml"}} {
		if _, _, err := runCLI(t, args...); exitCode(err) != 2 {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
}

func TestClassifyCommand(t *testing.T) {
	out, _, err := runCLI(t, "classify", "escasez de agua en la cabecera", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Categories []struct {
			ID    string   `json:"id"`
			Label string   `json:"label"`
			Score float64  `json:"score"`
			SDG   []int    `json:"sdg"`
			Areas []string `json:"areas"`
		} `json:"categories"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || len(c.Categories) == 0 {
		t.Fatalf("classify: %q %v", out, err)
	}
	top := c.Categories[0]
	if top.Label == "" || top.Score <= 0 || len(top.SDG) == 0 || top.Areas == nil {
		t.Errorf("top category %+v", top)
	}
	hasWater := false
	for _, g := range top.SDG {
		hasWater = hasWater || g == 6
	}
	if !hasWater {
		t.Errorf("water scarcity maps to %+v, want SDG 6 first", top)
	}
	for i := 1; i < len(c.Categories); i++ {
		if c.Categories[i].Score > c.Categories[i-1].Score {
			t.Errorf("not best first: %+v", c.Categories)
		}
	}
	out, _, err = runCLI(t, "classify", "floods", "every", "rainy", "season", "--lang", "en")
	if err != nil || !strings.Contains(out, "label") {
		t.Errorf("table: %q %v", out, err)
	}
	if _, _, err := runCLI(t, "classify"); exitCode(err) != 2 {
		t.Errorf("no text: %v", err)
	}
}
