package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hermanar/datasets"
	"hermanar/matcher"
)

func matchJSON(t *testing.T, args ...string) matcher.Result {
	t.Helper()
	out, stderr, err := runCLI(t, append([]string{"match", "--format", "json"}, args...)...)
	if err != nil {
		t.Fatalf("match %v: %v\n%s", args, err, stderr)
	}
	var res matcher.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// CLAIR's list of Japanese towns seeking a partner imports as it is; each
// town's desired countries reach its explanation, and none of them is
// pushed into a Mexican municipality's default top 10 on a wish the
// municipality does not meet.
func TestImportCLAIRPartnerSeeking(t *testing.T) {
	shared := sharedDataDir(t)
	data := t.TempDir()
	file := filepath.Join(shared, "partner-seeking", "clair_japan_seeking.csv")
	out, stderr, err := runCLI(t, "datasets", "import", "place-profiles", file, "--data", data)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	m := regexp.MustCompile(`(\d+) cities: (\d+) resolved \(([\d.]+)%\)`).FindStringSubmatch(out)
	if m == nil || m[1] != "12" {
		t.Fatalf("import output lacks the resolved share:\n%s", out)
	}
	t.Logf("CLAIR: %s of %s towns resolved (%s%%)", m[2], m[1], m[3])
	report, err := os.ReadFile(filepath.Join(data, "import-report-place-profiles.csv"))
	if err != nil || !strings.Contains(string(report), "Nagi Town") {
		t.Errorf("the report does not list the towns left out (%v):\n%s", err, report)
	}

	// Every imported town, with the wishes it states, shown on request.
	res := matchJSON(t, "--municipality", "11008", "--country", "JP", "--ignore-wishes", "--only-profiled", "--k", "50", "--lang", "en", "--data", data)
	imported := map[int64]string{}
	for _, mt := range res.Matches {
		if mt.Partner != nil && len(mt.Partner.Provenance) > 0 {
			imported[mt.Place.ID] = mt.Place.Name + ": " + strings.Join(mt.Partner.Wishes, " | ") + " || " + strings.Join(mt.Partner.Provenance, " | ")
		}
	}
	want := map[string]string{"Katsuura": "Australia", "Ichihara": "New Zealand", "Zamami": "United States",
		"Ibara": "English", "Shintoku": "Canada"}
	for name, wish := range want {
		found := false
		for _, line := range imported {
			if strings.HasPrefix(line, name+":") {
				found = true
				if !strings.Contains(line, wish) || !strings.Contains(line, "CLAIR") {
					t.Errorf("%s's explanation lacks %q or its CLAIR source: %s", name, wish, line)
				}
			}
		}
		if !found {
			t.Errorf("%s is not among the imported towns shown with ignore-wishes: %v", name, imported)
		}
	}
	// By default none of them reaches the top 10 of Mexican municipalities
	// of every size, and the list says how many were held back.
	for _, cve := range []string{"11008", "09015", "14039", "20067", "31050", "07101"} {
		res := matchJSON(t, "--municipality", cve, "--k", "10", "--data", data)
		for _, mt := range res.Matches {
			if line, ok := imported[mt.Place.ID]; ok && mt.Partner != nil && mt.Partner.WishesUnmet {
				t.Errorf("%s: %s is in the default top 10 on a wish the municipality does not meet: %s", cve, mt.Place.Name, line)
			}
		}
		if res.WishesHidden < 5 {
			t.Errorf("%s: wishes_hidden = %d, want the towns whose wishes Mexico does not meet", cve, res.WishesHidden)
		}
	}
}

// A 500-row partner-seeking file in Hermanar's CSV: the resolved share
// and the report are printed; a corrupted copy is rejected by its line
// and changes nothing; importing twice gives the same counts.
func TestImportPlaceProfiles500(t *testing.T) {
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "lista.csv")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(fh)
	w.Write([]string{"name", "country", "region", "place_id", "population", "problems", "interests", "practices", "areas",
		"desired_countries", "desired_traits", "contact", "source", "date"})
	n := 0
	for i := range snap.Places {
		p := &snap.Places[i]
		if p.Country != "US" || p.Population < 30000 || n == 497 {
			continue
		}
		w.Write([]string{p.Name, "US", snap.Admin1Name(p), "", fmt.Sprint(p.Population), "water scarcity; urban flooding",
			"culture", "wastewater reuse", "b;g:0.5", "Mexico; Latin America", "a university town", "international@example.org",
			"embassy list 2026", "2026-11"})
		n++
	}
	// Three rows that cannot be placed: an ambiguous name, an unknown one, a Mexican one.
	w.Write([]string{"Springfield", "US", "", "", "", "x", "", "", "", "", "", "", "embassy list 2026", "2026-11"})
	w.Write([]string{"Qwxzzy", "US", "", "", "", "x", "", "", "", "", "", "", "embassy list 2026", "2026-11"})
	w.Write([]string{"", "", "", "4024473", "", "x", "", "", "", "", "", "", "embassy list 2026", "2026-11"})
	w.Flush()
	fh.Close()
	if n != 497 {
		t.Fatalf("the snapshot gave %d US places of 30,000 or more", n)
	}
	data := t.TempDir()
	summary := regexp.MustCompile(`500 cities: (\d+) resolved \(([\d.]+)%\), (\d+) ambiguous, (\d+) unmatched, (\d+) in Mexico`)
	run := func() []string {
		out, stderr, err := runCLI(t, "datasets", "import", "place-profiles", path, "--data", data)
		if err != nil {
			t.Fatalf("import: %v\n%s", err, stderr)
		}
		m := summary.FindStringSubmatch(out)
		if m == nil || !strings.Contains(out, "import-report-place-profiles.csv") {
			t.Fatalf("no summary with the resolved share and report:\n%s", out)
		}
		return m[1:]
	}
	first := run()
	t.Logf("500 rows: %v (resolved, share %%, ambiguous, unmatched, Mexican)", first)
	if first[2] == "0" || first[3] == "0" || first[4] != "1" {
		t.Errorf("the report misses the ambiguous, unknown or Mexican row: %v", first)
	}
	if again := run(); strings.Join(again, ",") != strings.Join(first, ",") {
		t.Errorf("a second import gives %v, the first %v", again, first)
	}
	before := mustStats(t, data).Tables[datasets.PlaceProfilesKind].Rows

	// The corrupted copy: a population that is not a number on line 251.
	b, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(b), "\n")
	fields := strings.Split(lines[250], ",")
	for i, f := range fields {
		if regexp.MustCompile(`^\d+$`).MatchString(f) {
			fields[i] = "12x4"
			break
		}
	}
	lines[250] = strings.Join(fields, ",")
	bad := filepath.Join(dir, "corrupta.csv")
	os.WriteFile(bad, []byte(strings.Join(lines, "")), 0o644)
	_, _, err = runCLI(t, "datasets", "import", "place-profiles", bad, "--data", data)
	if err == nil || !strings.Contains(err.Error(), "line 251") {
		t.Errorf("corrupted copy: got %v, want an error at line 251", err)
	}
	truncated := filepath.Join(dir, "cortada.csv")
	os.WriteFile(truncated, b[:len(b)/2], 0o644)
	if _, _, err := runCLI(t, "datasets", "import", "place-profiles", truncated, "--data", data); err == nil {
		t.Error("a truncated copy was accepted")
	}
	if after := mustStats(t, data).Tables[datasets.PlaceProfilesKind].Rows; after != before {
		t.Errorf("a rejected file changed the table: %d rows, before %d", after, before)
	}
}
