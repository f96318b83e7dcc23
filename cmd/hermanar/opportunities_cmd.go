package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"hermanar/datasets"
)

func runOpportunities(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "opportunities")
	consulate := fs.String("consulate", "", "consulate id, e.g. milwaukee (required)")
	format := fs.String("format", "table", "table, json or csv")
	lang := fs.String("lang", "es", "language of the evidence: es or en")
	limit := fs.Int("limit", 100, "at most this many pairs (0 = all)")
	data := fs.String("data", defaultDataDir(), "data directory")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if err := validFormat(*format); err != nil {
		return err
	}
	if *consulate == "" {
		return usageErrorf("--consulate is required (e.g. --consulate milwaukee)")
	}
	if *limit < 0 {
		return usageErrorf("--limit must not be negative")
	}
	if *lang != "es" && *lang != "en" {
		return usageErrorf("--lang must be es or en, got %q", *lang)
	}
	a, err := openApp(ctx, appOptions{dataDir: *data})
	if err != nil {
		return err
	}
	defer a.Close()
	con, ok := a.engine.Consulate(*consulate)
	if !ok {
		var ids []string
		for _, c := range a.engine.Consulates() {
			ids = append(ids, c.ID)
		}
		sort.Strings(ids)
		return datasets.Errf(datasets.ENotFound, "No existe el consulado %q; consulados conocidos: %s", "no consulate %q; known consulates: %s", *consulate, strings.Join(ids, ", "))
	}
	ops, err := a.engine.Opportunities(ctx, *consulate, *lang, *limit)
	if err != nil {
		return err
	}
	l := *lang
	header := []string{"rank", "origin", "state", "place", "admin1", "tie", "interest", "score", "source"}
	if *format == "table" {
		// Column names of csv and json stay the same in both languages, for
		// scripts; the table is for people and speaks --lang.
		header = []string{tr(l, "n.º", "#"), tr(l, "origen", "origin"), tr(l, "estado", "state"), tr(l, "ciudad", "place"),
			tr(l, "estado/provincia", "state/province"), tr(l, "migrantes", "tie"), tr(l, "interés", "interest"),
			tr(l, "puntaje", "score"), tr(l, "fuente", "source")}
	}
	t := &table{header: header}
	for _, o := range ops {
		size := fmt.Sprint(o.TieSize)
		if o.Estimated {
			size = "~" + size
		}
		t.add(o.Rank, o.MunicipalityName+" ("+o.Municipality+")", o.State, o.Place.Name, o.Place.Admin1Name,
			size, yesNo(l, o.Interest, *format == "table"), fmt.Sprintf("%.3f", o.Score), strings.Join(o.Sources, "; "))
	}
	if *format == "table" {
		if l == "en" {
			noun := "opportunities"
			if len(ops) == 1 {
				noun = "opportunity"
			}
			fmt.Fprintf(e.stdout, "%s — %d diaspora %s (a tie, not yet twinned)\n\n", con.Name, len(ops), noun)
		} else {
			noun := "oportunidades"
			if len(ops) == 1 {
				noun = "oportunidad"
			}
			fmt.Fprintf(e.stdout, "%s — %d %s por migración (un vínculo, aún sin hermanamiento)\n\n", con.Name, len(ops), noun)
		}
	}
	return emit(e.stdout, *format, map[string]any{"consulate": con, "opportunities": ops}, t)
}

// yesNo is a flag as a table shows it (in lang) or as csv carries it.
func yesNo(lang string, b, forPeople bool) string {
	switch {
	case !forPeople:
		return fmt.Sprint(b)
	case b:
		return tr(lang, "sí", "yes")
	}
	return "no"
}
