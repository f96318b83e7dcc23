package matcher

import (
	"context"
	"fmt"
)

// shippedFolds fits the second stage by fold for the backtest
// (foldRerankers) when the shipped first stage is the one those fits read
// (opts.Default); nil otherwise.
func (e *Engine) shippedFolds(ctx context.Context, in Inputs, queries []EvalQuery, folds map[string]int, nfolds int, opts EvalOptions) ([][]*RerankModel, error) {
	if opts.Shipped.Provenance != opts.Default.Provenance {
		return nil, nil
	}
	return foldRerankers(ctx, e, in, queries, folds, nfolds, opts)
}

// shippedMethod is matcher_shipped when the shipped engine se applies a
// second stage: each query goes through the shipped scoring path
// (learnedScores), with the model fitted by fold that never saw its
// municipality when models is set (held out), else with the shipped
// model itself (in-sample: it was fitted on these queries; fitted true).
func shippedMethod(se *Engine, models [][]*RerankModel, halves []int, opts EvalOptions) (m evalMethod, fitted bool) {
	m = evalMethod{name: MethodMatcherShipped, kind: KindMatcher}
	if models != nil {
		m.desc = fmt.Sprintf("what ships (%s), held out: the first stage ranks every candidate and, for a municipality with twins of its own, the shipped second stage re-scores its pool and the shared-traits reservation applies (up to %d of the first %d places for candidates sharing a trait none of them shares); each query scored by the %d-tree model fitted, as `hermanar calibrate` fits the shipped one, on the other folds' municipalities only (%d-fold CV by municipality, each municipality's twins dealt into %d parts, none of the pairs scored counted in the training rows)",
			opts.Shipped.Provenance, TraitReserve, TraitReserveHead, rerankTrees, len(models), RerankHalves)
		m.desc += opts.World.note()
	} else {
		fitted = true
		m.desc = fmt.Sprintf("what ships (%s) with the shipped second stage, in-sample: %s", opts.Shipped.Provenance, se.rerank.Summary)
	}
	m.score = func(qc *queryCtx, out []float32) error {
		qs, err := se.prepare(evalQuery(qc))
		if err != nil {
			return err
		}
		se.scoreAll(qs, out)
		f := se.rerank
		if models != nil {
			f = &RerankFile{Model: models[qc.fold][halves[qc.i]], FirstStage: f.FirstStage}
		}
		if lq := se.learnedFor(qs, f); lq != nil {
			se.learnedScores(qs, lq, out, 0)
			se.reserveScores(lq, out)
			lq.release()
		}
		return nil
	}
	return m, fitted
}
