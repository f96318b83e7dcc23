package main

import (
	"context"
	"fmt"
	"strings"
)

func runOpportunities(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "opportunities")
	consulate := fs.String("consulate", "", "consulate id, e.g. milwaukee (required)")
	format := fs.String("format", "table", "table, json or csv")
	lang := fs.String("lang", "es", "language of the evidence: es or en")
	limit := fs.Int("limit", 100, "at most this many pairs (0 = all)")
	data := fs.String("data", defaultDataDir(), "data directory")
	if _, err := parseFlags(fs, args); err != nil {
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
	a, err := openApp(ctx, appOptions{dataDir: *data})
	if err != nil {
		return err
	}
	defer a.Close()
	ops, err := a.engine.Opportunities(ctx, *consulate, *lang, *limit)
	if err != nil {
		return err
	}
	con, _ := a.engine.Consulate(*consulate)
	t := &table{header: []string{"rank", "origin", "state", "place", "admin1", "tie", "interest", "score", "source"}}
	for _, o := range ops {
		size := fmt.Sprint(o.TieSize)
		if o.Estimated {
			size = "~" + size
		}
		t.add(o.Rank, o.MunicipalityName+" ("+o.Municipality+")", o.State, o.Place.Name, o.Place.Admin1Name,
			size, yesNo(o.Interest), fmt.Sprintf("%.3f", o.Score), strings.Join(o.Sources, "; "))
	}
	if *format == "table" {
		noun := "opportunities"
		if len(ops) == 1 {
			noun = "opportunity"
		}
		fmt.Fprintf(e.stdout, "%s — %d diaspora %s (a tie, not yet twinned)\n\n", con.Name, len(ops), noun)
	}
	return emit(e.stdout, *format, map[string]any{"consulate": con, "opportunities": ops}, t)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
