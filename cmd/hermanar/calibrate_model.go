package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"hermanar/matcher"
)

// calibrateModel fits the second stage that ships (matcher.FitShippedRerank)
// on the backtest of ei and writes it to name with its provenance: the
// twinnings file and its sha256, the store's data version, the snapshot,
// the date and the held-out (cross-validated) MRR.
func calibrateModel(ctx context.Context, e *env, f evalFlags, ei *evalInput, args []string, name string) error {
	opts := f.options(e)
	start := time.Now()
	file, fit, err := matcher.FitShippedRerank(ctx, ei.in, opts)
	if err != nil {
		return err
	}
	res := fit.Result
	prov := &matcher.CalibrationProvenance{
		Date: time.Now().UTC().Format(time.RFC3339), Command: "hermanar calibrate " + quoteArgs(args),
		File: filepath.Base(ei.file), SHA256: ei.sha256, DataVersion: ei.dataVersion, Snapshot: ei.snapshot,
		Twinnings: ei.pairs, Queries: fit.Queries, Municipalities: fit.Municipalities, Folds: fit.Folds, Seed: f.seed,
		CV:           map[string]float64{matcher.MethodMatcherShipped: res.MRR},
		CVRecallAt10: map[string]float64{matcher.MethodMatcherShipped: res.RecallAt10},
	}
	file.Provenance = prov
	file.Summary = fmt.Sprintf("%d boosted trees fitted %s by `hermanar calibrate` on %s (sha256 %.12s), %d hidden twins of %d municipalities; held out (%d-fold CV by municipality): MRR %.3f, R@10 %.3f",
		len(file.Model.Trees), prov.Date[:10], prov.File, prov.SHA256, prov.Queries, prov.Municipalities, prov.Folds, res.MRR, res.RecallAt10)
	if err := file.Save(name); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (%.0f s)\n%s\nfirst stage: %s\n", name, time.Since(start).Seconds(), file.Summary, file.FirstStage)
	if file.Scale != nil {
		fmt.Fprintf(e.stdout, "scale: %d knots from %d pool candidates of %d queries\n", len(file.Scale.Scores), file.Scale.Candidates, file.Scale.Queries)
	}
	return nil
}
