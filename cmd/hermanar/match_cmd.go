package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"hermanar/api"
	"hermanar/datasets"
	"hermanar/matcher"
)

func runMatch(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "match")
	muni := fs.String("municipality", "", "CVEGEO of the municipality, e.g. 11008 (required)")
	k := fs.Int("k", 10, "how many partners (1–500)")
	profile := fs.String("profile", "", "profile file, JSON or YAML (default: the stored or prefilled profile)")
	country := fs.String("country", "", "only candidates in these countries (ISO codes, comma-separated)")
	minPop := fs.Int64("min-population", 0, "smallest candidate population")
	maxPop := fs.Int64("max-population", 0, "largest candidate population (0 = no limit)")
	exclude := fs.Bool("exclude-twinned", false, "leave out places already twinned with the municipality")
	onlyProfiled := fs.Bool("only-profiled", false, "only cities with a recorded profile (consulates' entries, imported partner-seeking lists)")
	ignoreWishes := fs.Bool("ignore-wishes", false, "also list cities whose stated wishes (countries, regions, language) the municipality does not meet, at half their score")
	lang := fs.String("lang", "es", "language of the explanations: es or en")
	weights := fs.String("weights", "", "weights JSON (default: the shipped weights)")
	model := fs.String("model", "", `second-stage model file for municipalities with twins of their own (default: the embedded one; "none": first stage only)`)
	data := fs.String("data", defaultDataDir(), "data directory")
	format := fs.String("format", "table", "table, json or csv")
	var lf listFlags
	lf.define(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if err := validFormat(*format); err != nil {
		return err
	}
	if *muni == "" {
		return usageErrorf("--municipality is required (a CVEGEO such as 11008)")
	}
	if !fiveDigits(*muni) {
		return usageErrorf("--municipality must be a 5-digit CVEGEO such as 11008, got %q", *muni)
	}
	if *k < 1 || *k > matcher.MaxK {
		return usageErrorf("--k must be between 1 and %d", matcher.MaxK)
	}
	if *lang != "es" && *lang != "en" {
		return usageErrorf("--lang must be es or en")
	}
	if *minPop < 0 || *maxPop < 0 || (*maxPop > 0 && *minPop > *maxPop) {
		return usageErrorf("--min-population and --max-population must be a non-negative range")
	}
	q := matcher.Query{Municipality: *muni, K: *k, Lang: *lang,
		Filter: matcher.Filter{MinPopulation: *minPop, MaxPopulation: *maxPop, ExcludeTwinned: *exclude, IgnoreWishes: *ignoreWishes, OnlyProfiled: *onlyProfiled}}
	if err := lf.apply(&q.Filter); err != nil {
		return err
	}
	for _, c := range strings.Split(*country, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			if !datasets.KnownCountry(c) {
				return usageErrorf("--country takes two-letter ISO country codes such as US or ES, got %q", c)
			}
			q.Filter.Countries = append(q.Filter.Countries, c)
		}
	}
	if *profile != "" {
		p, err := readProfile(*profile)
		if err != nil {
			return err
		}
		q.Profile = &p
	}
	// The text component reads the profile index; open it when serve has
	// built the index already, rather than building ~200k place documents
	// for one query.
	_, statErr := os.Stat(filepath.Join(*data, "index", "places.bleve"))
	withIndex := statErr == nil
	a, err := openApp(ctx, appOptions{dataDir: *data, weights: *weights, model: *model, withIndex: withIndex, progress: e.stderr})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, ok := a.engine.Snapshot().Municipality(*muni); !ok {
		return datasets.Errf(datasets.ENotFound, "No existe el municipio %s.", "no municipality %s", *muni)
	}
	if q.Profile != nil {
		// Migrant destinations must each name one place abroad, as they
		// must when a liaison saves them.
		if err := datasets.NewResolver(a.snap).ResolveDiaspora(q.Profile); err != nil {
			return profileError(*profile, err)
		}
	}
	res, err := a.engine.Match(ctx, q)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		return emit(e.stdout, "json", res, nil)
	case "csv":
		// The schema of rank's ranking.csv and of the API's CSV.
		w := datasets.NewRankCSVWriter(e.stdout)
		if err := w.Write(a.engine.ResultRows(res)...); err != nil {
			return err
		}
		return w.Close()
	}
	return printMatchTable(e, res, *lang)
}

// printMatchTable prints what a person reads at a glance: who, where,
// how big, the score and the reasons that carry it; then the evidence of
// the first three.
func printMatchTable(e *env, res *matcher.Result, lang string) error {
	q := res.Query
	fmt.Fprintf(e.stdout, "%s, %s (%s) — %d %s; %s: %s\n\n", q.Name, q.State, q.Municipality, len(res.Matches),
		tr(lang, "ciudades afines", "partner cities"), tr(lang, "perfil", "profile"), api.ProfileOrigin(q.Profile, lang))
	t := &table{header: []string{"#", tr(lang, "ciudad", "place"), tr(lang, "estado, país", "state, country"),
		tr(lang, "población", "population"), tr(lang, "puntaje", "score"), tr(lang, "razones principales", "top reasons")}}
	scaled := res.Scale != ""
	if scaled {
		t.header = append(t.header[:4], append([]string{tr(lang, "prob. calibrada", "calibrated prob.")}, t.header[4:]...)...)
	}
	for _, m := range res.Matches {
		name := m.Place.Name
		if m.Twinned {
			name += " *"
		}
		cells := []any{m.Rank, name, joinNonEmpty(", ", m.Place.Admin1Name, m.Place.Country), matcher.Thousands(m.Place.Population)}
		if scaled {
			p := "—"
			if m.Calibrated != nil {
				p = matcher.FormatProbability(*m.Calibrated)
			}
			cells = append(cells, p)
		}
		t.add(append(cells, fmt.Sprintf("%.3f", m.Score), topReasons(m, lang))...)
	}
	if err := emit(e.stdout, "table", nil, t); err != nil {
		return err
	}
	if scaled {
		fmt.Fprintf(e.stdout, "\n%s\n", matcher.ScaleNote(lang))
	}
	if res.Model != "" {
		fmt.Fprintln(e.stdout, tr(lang, "\nUn modelo aprendido de los hermanamientos registrados ordenó la lista (el municipio ya tiene hermanas): su aporte («modelo») reemplaza a tamaño/clima y red; migrantes, problemas y áreas conservan su peso.",
			"\nA model learned from the recorded twinnings ranked the list (the municipality already has twins): its part (\"model\") takes the place of size/climate and network; migrants, problems and areas keep their weight."))
	}
	if res.StructureOnly() {
		fmt.Fprintln(e.stdout, tr(lang, "\nLista basada solo en tamaño, clima, altitud y rasgos (sin perfil, vínculos ni red).",
			"\nList based on size, climate, elevation and traits alone (no profile, ties or network)."))
	}
	for i, m := range res.Matches {
		// The first three, and any place reserved for a shared trait (its
		// traits weigh nothing, so its reason is said here).
		reserved := matcher.ReservedNote(&m, lang)
		if i >= 3 && reserved == "" {
			continue
		}
		fmt.Fprintf(e.stdout, "\n%d. %s:\n", m.Rank, m.Place.Name)
		if reserved != "" {
			for _, c := range m.Components {
				if c.Name == matcher.CompTraits {
					for j, line := range c.Evidence {
						name := ""
						if j == 0 {
							name = reasonName(c.Name, lang)
						}
						fmt.Fprintf(e.stdout, "   %-12s        %s\n", name, line)
					}
				}
			}
		}
		if note := matcher.DirectionsNote(&m, lang); note != "" {
			printDirections(e, &m, note, lang)
		}
		for _, c := range byContribution(m.Components) {
			if c.Contribution <= 0 || len(c.Evidence) == 0 {
				continue
			}
			fmt.Fprintf(e.stdout, "   %-12s %.3f  %s\n", reasonName(c.Name, lang), c.Contribution, clip(c.Evidence[0], 120))
			if c.Name == matcher.CompLearned { // its parts by feature
				for _, line := range c.Evidence[1:] {
					fmt.Fprintf(e.stdout, "   %-12s        %s\n", "", line)
				}
			}
			if c.Source != "" {
				fmt.Fprintf(e.stdout, "   %-12s        %s: %s\n", "", tr(lang, "fuente", "source"), clip(c.Source, 100))
			}
		}
	}
	if len(res.Twinned) > 0 {
		fmt.Fprintf(e.stdout, "\n%s (%d):\n", tr(lang, "Ya hermanadas, fuera de la lista", "Already twinned, kept out of the list"), len(res.Twinned))
		t := &table{header: []string{tr(lang, "ciudad", "place"), tr(lang, "estado, país", "state, country"),
			tr(lang, "población", "population"), tr(lang, "puntaje", "score")}}
		for _, m := range res.Twinned {
			t.add(m.Place.Name, joinNonEmpty(", ", m.Place.Admin1Name, m.Place.Country), matcher.Thousands(m.Place.Population), fmt.Sprintf("%.3f", m.Score))
		}
		if err := emit(e.stdout, "table", nil, t); err != nil {
			return err
		}
	}
	if len(res.Matches) > 0 {
		// The weights' full provenance is in --format json; the table says
		// which kind, in --lang.
		fmt.Fprintf(e.stdout, "\n%s %s · %s: %s\n", tr(lang, "ciudades evaluadas:", "cities scored:"), matcher.Thousands(int64(res.Candidates)),
			tr(lang, "pesos", "weights"), api.WeightsLabel(res.Weights, lang))
	}
	return nil
}

// fiveDigits is the shape of a CVEGEO; whether such a municipality exists
// is the data's answer ("no municipality 99999", exit 1), not a usage error.
func fiveDigits(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// printDirections prints, for a pair with profiles on both sides or a
// score the city's wishes moved, how the score is made: the note, then
// each component's two directions and value × weight = contribution.
func printDirections(e *env, m *matcher.Match, note, lang string) {
	fmt.Fprintf(e.stdout, "   %s\n", note)
	adj := ""
	if m.Adjustment != 0 {
		adj = fmt.Sprintf(" × %.3f", m.Adjustment)
	}
	for _, c := range m.Components {
		dirs := ""
		if c.Forward != nil && c.Reverse != nil {
			dirs = fmt.Sprintf("%s %.3f, %s %.3f → ", tr(lang, "municipio → ciudad", "municipality → city"), *c.Forward,
				tr(lang, "ciudad → municipio", "city → municipality"), *c.Reverse)
		}
		fmt.Fprintf(e.stdout, "   %-12s %s%s %.3f × %s %.3f%s = %.3f\n", reasonName(c.Name, lang), dirs, tr(lang, "valor", "value"), c.Value,
			tr(lang, "peso", "weight"), c.Weight, adj, c.Contribution)
	}
}

func byContribution(cs []matcher.Component) []matcher.Component {
	out := append([]matcher.Component(nil), cs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Contribution > out[j].Contribution })
	return out
}

// topReasons names the two or three components contributing most.
func topReasons(m matcher.Match, lang string) string {
	var parts []string
	for _, c := range byContribution(m.Components) {
		if len(parts) == 3 || c.Contribution < 0.01 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.2f", reasonName(c.Name, lang), c.Contribution))
	}
	return strings.Join(parts, " · ")
}

func reasonName(comp, lang string) string { return matcher.ComponentShort(comp, lang) }

func tr(lang, es, en string) string {
	if lang == "en" {
		return en
	}
	return es
}

// readProfile reads a profile file in JSON or YAML (by extension, or by
// content when the extension says neither), rejecting unknown fields, and
// validates it.
func readProfile(name string) (datasets.Profile, error) {
	var p datasets.Profile
	b, err := os.ReadFile(name)
	if err != nil {
		return p, err
	}
	if len(b) > 1<<20 {
		return p, fmt.Errorf("profile %s: larger than 1 MiB", name)
	}
	ext := strings.ToLower(filepath.Ext(name))
	isJSON := ext == ".json" || (ext != ".yaml" && ext != ".yml" && bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")))
	if isJSON {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(&p)
	} else {
		err = yaml.UnmarshalWithOptions(b, &p, yaml.DisallowUnknownField())
	}
	if err != nil {
		return p, fmt.Errorf("profile %s: %w", name, err)
	}
	if err := p.Validate(datasets.DefaultTaxonomy()); err != nil {
		return p, profileError(name, err)
	}
	return p, nil
}

// profileError names the file and lists every bad field on its own line.
func profileError(name string, err error) error {
	msg := err.Error()
	var de *datasets.Error
	if errors.As(err, &de) {
		var lines []string
		for f, m := range de.Fields {
			lines = append(lines, "  "+f+": "+m.EN)
		}
		sort.Strings(lines)
		msg = de.Msg.EN + ":\n" + strings.Join(lines, "\n")
	}
	return fmt.Errorf("profile %s: %s", name, msg)
}
