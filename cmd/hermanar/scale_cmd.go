package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"hermanar/matcher"
)

// runScale fits the score scale of one weights file on the backtest of
// exactly those weights and stores it in that file, beside them. It is
// how hand-set weights get a scale; `calibrate` writes one for the
// weights it fits.
func runScale(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "scale")
	var f evalFlags
	f.register(fs)
	weights := fs.String("weights", "", "weights JSON to fit the scale for and write it into (required), e.g. matcher/weights_default.json")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	if *weights == "" {
		return usageErrorf("--weights is required (e.g. --weights matcher/weights_default.json)")
	}
	w, err := matcher.LoadWeights(*weights)
	if err != nil {
		return err
	}
	if w.Provenance == "" {
		return usageErrorf("%s: the weights have no provenance; a scale names the weights it was fitted for", *weights)
	}
	ei, err := loadEvalInput(ctx, e, f)
	if err != nil {
		return err
	}
	o := f.options(e)
	o.Default = w
	s, reps, err := matcher.FitScale(ctx, ei.in, o)
	if err != nil {
		return err
	}
	describeScale(s, w, ei, reps[0].Queries, "the backtest of these weights, as they are and without the network component (`hermanar scale`)")
	if err := matcher.WriteScale(*weights, s); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote the score scale into %s\n%s\n\n", *weights, s.Provenance)
	return emit(e.stdout, "table", nil, scaleTable(s))
}

// scaleTable shows each basis's calibrated value at a few scores.
func scaleTable(s *matcher.ScoreScale) *table {
	xs := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}
	t := &table{header: []string{"basis", "twins", "knots"}}
	for _, x := range xs {
		t.header = append(t.header, fmt.Sprintf("%.1f", x))
	}
	keys := make([]string, 0, len(s.Bases))
	for k := range s.Bases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b := s.Bases[k]
		row := []any{k, b.Queries, len(b.Scores)}
		for _, x := range xs {
			row = append(row, matcher.FormatProbability(b.Apply(x)))
		}
		t.add(row...)
	}
	return t
}

// describeScale names the weights s belongs to and says how it was fitted.
func describeScale(s *matcher.ScoreScale, w matcher.Weights, ei *evalInput, queries int, from string) {
	if s == nil {
		return
	}
	keys := make([]string, 0, len(s.Bases))
	for k, b := range s.Bases {
		keys = append(keys, fmt.Sprintf("%s (%d hidden twins among %d candidate scores)", k, b.Queries, b.Candidates))
	}
	sort.Strings(keys)
	s.Weights = w.Provenance
	s.Provenance = fmt.Sprintf("score scale fitted %s on %s: isotonic regression of \"is the hidden twin\" on the score, per basis: %s; "+
		"%d backtest queries, twinnings %s (sha256 %.12s), data version %s",
		time.Now().UTC().Format("2006-01-02"), from, strings.Join(keys, "; "), queries, filepath.Base(ei.file), ei.sha256, ei.dataVersion)
}
