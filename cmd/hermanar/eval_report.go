package main

import (
	"fmt"
	"hermanar/datasets"
	"hermanar/matcher"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// machine describes the computer a report was made on.
func machine() string {
	cpu := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return joinNonEmpty(", ", cpu, fmt.Sprintf("%d cores", runtime.NumCPU()), runtime.GOOS+"/"+runtime.GOARCH, runtime.Version())
}

// writeEvalMarkdown writes the report as EVALUATION.md: what was measured,
// the table, what it means for a liaison officer, the acceptance target,
// what each signal is worth, the calibrated weights and how the run can
// be repeated. Every sentence that compares or concludes is computed from
// the report's numbers (see than, better, outweighs) and turns around when
// they do; interpretation that numbers cannot carry is hand-written and
// dated, in README.md ("Evaluation notes"), not here.
func writeEvalMarkdown(w io.Writer, rep *matcher.EvalReport, ei *evalInput, cmdline string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	date := time.Now().UTC().Format("2006-01-02")
	snap := ei.in.Snap
	cal, hasCal := rep.Method(matcher.MethodMatcherCalibrated)
	// The matcher the report speaks of: the shipped one when it carries the
	// second stage (it then is held out and is what a liaison gets), else
	// the calibrated one.
	calWord := "the calibrated matcher"
	if sh, ok := rep.Method(matcher.MethodMatcherShipped); ok && rep.ShippedSecondStage && !rep.ShippedFitted {
		cal, hasCal, calWord = sh, true, "the shipped matcher"
	}
	pol := matcher.PolicyWeights()
	polM, _ := rep.Method(matcher.MethodMatcherPolicy)
	mexPop, _ := rep.Method(matcher.MethodMexicoPopularity)
	random, _ := rep.Method(matcher.MethodRandom)
	best := rep.BestBaseline()

	p("# Evaluation: would Hermanar have suggested the partners municipalities chose?\n\n")
	p("_Generated on %s by_\n\n```\n%s\n```\n\n", date, cmdline)
	p("_on %s in %.0f s. Do not edit by hand: rerun the command. Inputs that change the numbers: twinnings file sha256 `%s`, "+
		"store data version `%s`, snapshot %s, seed %d (same inputs, same numbers). Interpretation that these numbers do not "+
		"compute is hand-written and dated in README.md (Evaluation notes)._\n\n",
		machine(), rep.Elapsed, ei.sha256, ei.dataVersion, ei.snapshot, rep.Seed)

	p("## What is measured\n\n")
	p("The English-Wikipedia lists of twin towns (`%s`, %s rows) resolve to %s distinct pairs of GeoNames places; "+
		"%d municipalities of Mexico have at least two foreign twins among them. For each of them, each twin is hidden in turn — "+
		"**%d queries** — and every method ranks **all %s foreign places** of the snapshot (not only the ~%s already twinned ones) "+
		"for that municipality. The metrics say where the hidden twin lands:\n\n",
		filepath.Base(ei.file), thousands(ei.rows), thousands(ei.pairs), rep.Municipalities, rep.Queries, thousands(rep.Candidates), thousands(twinnedPlaces(ei.in)))
	p("- **R@10, R@50** (recall): share of queries where the hidden twin is in the top 10 / top 50.\n")
	p("- **MRR** (mean reciprocal rank): the mean of 1/rank; 0.1 means \"on average as good as always ranking it 10th\", and it rewards the very top.\n")
	p("- **nDCG@10**: like R@10 but a hit at rank 1 counts more than one at rank 10.\n")
	p("- **coverage**: distinct places appearing in all the top-10 lists, over the %s candidates — how varied the suggestions are.\n", thousands(rep.Candidates))
	p("- **median rank**: half of the hidden twins are ranked at or above it.\n\n")

	p("## Results\n\n")
	p("| method | kind | R@10 | R@50 | MRR | nDCG@10 | coverage | median rank |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, m := range rep.Methods {
		name := m.Name
		if m.Name == best.Name || (hasCal && m.Name == cal.Name) {
			name = "**" + name + "**"
		}
		p("| %s | %s | %.3f | %.3f | %.3f | %.3f | %.4f | %s |\n", name, m.Kind, m.RecallAt10, m.RecallAt50, m.MRR, m.NDCGAt10, m.Coverage, thousands(int(m.MedianRank+0.5)))
	}
	p("\n")
	for _, m := range rep.Methods {
		p("- `%s`: %s.\n", m.Name, m.Description)
	}
	p("\nReference (DESIGN §7): Mexico popularity reached R@10 0.186, R@50 0.279, MRR 0.088 on 86 queries whose candidates were "+
		"limited to the 17.6k cities already twinned. Here the same baseline scores R@10 %.3f, R@50 %.3f, MRR %.3f "+
		"ranking all %s places.\n\n", mexPop.RecallAt10, mexPop.RecallAt50, mexPop.MRR, thousands(rep.Candidates))

	if hasCal {
		p("## What this means for a liaison officer\n\n")
		p("- When a municipality that already has twins signs one more, the city it signs with is in Hermanar's first ten suggestions "+
			"**%s of the time** (%.0f in 100), and in the first fifty %s of the time — out of %s possible cities; ranking at random "+
			"puts it in the first ten %s of the time.\n", pct(cal.RecallAt10), 100*cal.RecallAt10, pct(cal.RecallAt50), thousands(rep.Candidates),
			pct(random.RecallAt10))
		p("- Half of the real partners rank at or above position %s. Once hidden, %s of the real partners have no other Mexican twin "+
			"and %s no twin at all in the lists.\n",
			thousands(int(cal.MedianRank+0.5)), pct(rep.HiddenNoMexicanTwin), pct(rep.HiddenNoTwin))
		p("- Against simply proposing the cities most twinned with Mexico (`%s`: MRR %.3f, R@10 %.3f), %s's MRR, %.3f, is %s its MRR%s, "+
			"and its R@10, %.3f, is %s its R@10.\n", mexPop.Name, mexPop.MRR, mexPop.RecallAt10, calWord, cal.MRR, than(cal.MRR, mexPop.MRR, 3), ratioText(cal.MRR, mexPop.MRR),
			cal.RecallAt10, than(cal.RecallAt10, mexPop.RecallAt10, 3))
		dias, sn := pol.Components[matcher.CompDiaspora], pol.Components[matcher.CompStructure]+pol.Components[matcher.CompNetwork]
		p("- These numbers test only what a list of past twinnings can test: size, settlement type, elevation, climate, distance and "+
			"the twinning network. A liaison's profile — problems, priority areas and known diaspora communities — is scored on top "+
			"of this and cannot be evaluated here; a known diaspora tie weighs %.2f in the score and %s structure and network together (%.2f).\n",
			dias, outweighs(dias, sn), sn)
		p("- The top-10 lists of %s for all %d queries use %d distinct places (coverage %.4f; `%s`: %.4f).\n\n",
			calWord, rep.Queries, int(cal.Coverage*float64(rep.Candidates)+0.5), cal.Coverage, best.Name, best.Coverage)
		writeExamples(w, rep, snap, cal.Name, calWord)
	}

	p("## Acceptance\n\n")
	if hasCal {
		writeAcceptance(w, rep)
		p("Against `%s` %s is %s on R@10 (%.3f vs %.3f), %s on R@50 (%.3f vs %.3f), %s on nDCG@10 (%.3f vs %.3f) "+
			"and %s on median rank (%s vs %s).\n\n",
			best.Name, calWord, better(cal.RecallAt10, best.RecallAt10, 3), cal.RecallAt10, best.RecallAt10,
			better(cal.RecallAt50, best.RecallAt50, 3), cal.RecallAt50, best.RecallAt50,
			better(cal.NDCGAt10, best.NDCGAt10, 3), cal.NDCGAt10, best.NDCGAt10,
			better(-cal.MedianRank, -best.MedianRank, 0), thousands(int(cal.MedianRank+0.5)), thousands(int(best.MedianRank+0.5)))
		p("Facts that bound any network signal: %s of the hidden twins have no other Mexican twin and %s no twin at all in the lists; "+
			"%s rows of the file were left out (unresolved, ambiguous, or one place on both sides; see the data line below).\n\n",
			pct(rep.HiddenNoMexicanTwin), pct(rep.HiddenNoTwin), thousands(ei.unresolved))
	} else {
		p("Calibration was skipped in this run.\n\n")
	}

	if len(rep.Ablations) > 0 {
		p("## What each signal is worth\n\n")
		p("The policy matcher (MRR %.3f, R@10 %.3f) with one sub-feature's weight set to 0 and the others of its component renormalised, "+
			"one row per signal of the declared list:\n\n", polM.MRR, polM.RecallAt10)
		p("| without | R@10 | MRR | MRR change | the signal |\n|---|---:|---:|---:|---|\n")
		for _, m := range rep.Ablations {
			sig := strings.TrimPrefix(m.Name, matcher.AblationPrefix)
			p("| %s | %.3f | %.3f | %+.3f | %s |\n", sig, m.RecallAt10, m.MRR, m.MRR-polM.MRR, worth(polM.MRR, m.MRR, 3))
		}
		p("\n")
	}

	if len(rep.Proposals) > 0 {
		p("## Proposals\n\n")
		p("Signals the engine does not have yet, measured on the same queries (not counted as baselines):\n\n")
		p("| signal | R@10 | R@50 | MRR | nDCG@10 | coverage | median rank |\n|---|---:|---:|---:|---:|---:|---:|\n")
		for _, m := range rep.Proposals {
			p("| %s | %.3f | %.3f | %.3f | %.3f | %.4f | %s |\n", m.Name, m.RecallAt10, m.RecallAt50, m.MRR, m.NDCGAt10, m.Coverage, thousands(int(m.MedianRank+0.5)))
		}
		p("\n")
		for _, m := range rep.Proposals {
			p("- `%s`: %s. Its MRR is %s that of `%s` (%.3f vs %.3f)", m.Name, m.Description, than(m.MRR, mexPop.MRR, 3), mexPop.Name, m.MRR, mexPop.MRR)
			if hasCal {
				p(" and %s that of %s (%.3f)", than(m.MRR, cal.MRR, 3), calWord, cal.MRR)
			}
			p(".\n")
		}
		p("\n")
	}

	if len(rep.FoldWeights) > 0 {
		p("## Calibrated weights\n\n")
		p("The weights for municipalities with twins of their own, fitted per fold on the other folds' municipalities (%d-fold "+
			"cross-validation by municipality, seed %d); each query above was scored by the fold that never saw its municipality. "+
			"Problems, areas, diaspora and text keep their policy weights; structure and network share the total they have in the "+
			"weights for municipalities without twins, whose structure sub-weights they keep. `hermanar calibrate` fits the same model "+
			"on all queries and writes it as the `twinned` weights of `matcher/weights_default.json`.\n\n", rep.Folds, rep.Seed)
		shipped := matcher.DefaultWeights()
		twinned := func(w matcher.Weights) matcher.Weights {
			if w.Twinned != nil {
				return *w.Twinned
			}
			return w
		}
		p("| weight | policy | folds (min – max) | shipped, with twins | shipped, without twins |\n|---|---:|---:|---:|---:|\n")
		row := func(label string, get func(matcher.Weights) float64) {
			lo, hi := 1e9, -1e9
			for _, fw := range rep.FoldWeights {
				lo, hi = min(lo, get(twinned(fw))), max(hi, get(twinned(fw)))
			}
			p("| %s | %.3f | %.3f – %.3f | %.3f | %.3f |\n", label, get(pol), lo, hi, get(twinned(shipped)), get(shipped))
		}
		for _, c := range []string{matcher.CompStructure, matcher.CompNetwork} {
			row("component "+c, func(w matcher.Weights) float64 { return w.Components[c] })
		}
		for _, f := range matcher.StructureFeatures {
			row("structure: "+f, func(w matcher.Weights) float64 { return w.Structure[f] })
		}
		for _, f := range matcher.NetworkFeatures {
			row("network: "+f, func(w matcher.Weights) float64 { return w.Network[f] })
		}
		p("\nShipped weights without twins: %s. With twins: %s.\n\n", shipped.Provenance, twinned(shipped).Provenance)
	}

	p("## How it is computed\n\n")
	p("- **No leakage.** Before a query is scored, the hidden pair and every count derived from it (Mexico and global popularity, " +
		"the municipality's country shares, co-twinning, its state's twinnings) are removed; a test compares every candidate's score with a world where the pair " +
		"was never recorded. Calibrated weights for a fold are fitted without any twinning of that fold's municipalities.\n")
	if rep.SecondStageFit != "" {
		p("- **What the second stage was fitted on.** %s.\n", rep.SecondStageFit)
	}
	p("- **Known answers left out.** The municipality's other twins are already known; they are removed from the ranking of its queries, " +
		"for every method alike.\n")
	p("- **Ties.** Where several places score the same, the hidden twin is taken to be anywhere among them with equal chance, and every " +
		"metric is its expected value — a method that scores everything alike is exactly as good as random.\n")
	p("- **Averages** are over queries (each hidden pair counts once), so municipalities with many twins weigh more.\n")
	p("- **Calibration**: L-BFGS (gonum/optimize) on a smoothed reciprocal-rank loss over the engine's own sub-feature values, " +
		"weights in log-space (always positive), hard negatives from the top of the current ranking plus a seeded uniform sample, two rounds.\n")
	corr := "not used (no CONAPO and Banxico data found)"
	if rep.Corridor {
		corr = "CONAPO emigration × Banxico remittances by US state"
	}
	p("- **Data**: GeoNames snapshot %s; twinnings file sha256 `%s`; store data version `%s`; %s. %s. Corridor feature: %s.\n\n", ei.snapshot, ei.sha256,
		ei.dataVersion, strings.Join(ei.notes, "; "), strings.Join(ei.sources, "; "), corr)
}

// round rounds x to prec decimals, the precision the report prints, so
// that a comparison never contradicts the numbers shown beside it.
func round(x float64, prec int) float64 {
	s := math.Pow(10, float64(prec))
	return math.Round(x*s) / s
}

// than compares a with b at the printed precision: "higher than",
// "lower than" or "equal to".
func than(a, b float64, prec int) string {
	switch a, b = round(a, prec), round(b, prec); {
	case a > b:
		return "higher than"
	case a < b:
		return "lower than"
	}
	return "equal to"
}

// better is than for a metric where higher is better: "better", "worse"
// or "level".
func better(a, b float64, prec int) string {
	switch a, b = round(a, prec), round(b, prec); {
	case a > b:
		return "better"
	case a < b:
		return "worse"
	}
	return "level"
}

// outweighs compares two weights: "outweighs", "weighs less than" or
// "weighs as much as".
func outweighs(a, b float64) string {
	switch a, b = round(a, 2), round(b, 2); {
	case a > b:
		return "outweighs"
	case a < b:
		return "weighs less than"
	}
	return "weighs as much as"
}

// worth says what removing a signal did to the MRR: the full matcher's
// MRR full, without the signal without.
func worth(full, without float64, prec int) string {
	switch full, without = round(full, prec), round(without, prec); {
	case full > without:
		return "helps"
	case full < without:
		return "hurts"
	}
	return "changes nothing at this precision"
}

// writeExamples lists a few queries the method named method (called word
// in the text) got right.
func writeExamples(w io.Writer, rep *matcher.EvalReport, snap *datasets.Snapshot, method, word string) {
	idx := -1
	for i, m := range rep.Methods {
		if m.Name == method {
			idx = i
		}
	}
	if idx < 0 || len(rep.PerQuery) == 0 {
		return
	}
	qs := append([]matcher.QueryResult(nil), rep.PerQuery...)
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].Ranks[idx] < qs[j].Ranks[idx] })
	fmt.Fprintf(w, "Examples (%s, the hidden twin's rank among %s places):\n\n", strings.TrimPrefix(word, "the "), thousands(rep.Candidates))
	seen := map[string]bool{}
	n := 0
	for _, q := range qs {
		if n == 6 || q.Ranks[idx] > 10 {
			break
		}
		if seen[q.Municipality] {
			continue
		}
		seen[q.Municipality] = true
		n++
		fmt.Fprintf(w, "- %s → %s: rank %s\n", muniLabel(snap, q.Municipality), placeLabel(snap, q.Hidden), rankText(q.Ranks[idx]))
	}
	// and a typical miss
	mid := qs[len(qs)/2]
	fmt.Fprintf(w, "- a typical case: %s → %s: rank %s\n\n", muniLabel(snap, mid.Municipality), placeLabel(snap, mid.Hidden), rankText(mid.Ranks[idx]))
}

func muniLabel(snap *datasets.Snapshot, cvegeo string) string {
	if m, ok := snap.Municipality(cvegeo); ok {
		return fmt.Sprintf("%s, %s", m.Name, m.StateName)
	}
	return cvegeo
}

func placeLabel(snap *datasets.Snapshot, id int64) string {
	if p, ok := snap.Place(id); ok {
		return joinNonEmpty(", ", p.Name, snap.Admin1Name(p), p.Country)
	}
	return fmt.Sprint(id)
}

func rankText(r float64) string {
	if r == float64(int(r)) {
		return thousands(int(r))
	}
	return fmt.Sprintf("%.1f", r)
}

func pct(x float64) string { return fmt.Sprintf("%.0f%%", 100*x) }

func ratioText(a, b float64) string {
	if b <= 0 {
		return ""
	}
	return fmt.Sprintf(" (%.2f× its MRR)", a/b)
}

func ratioWord(a, b float64) string {
	if b <= 0 {
		return "against"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// twinnedPlaces counts distinct foreign places that have any twinning.
func twinnedPlaces(in matcher.Inputs) int {
	seen := map[int64]bool{}
	for _, t := range in.Twinnings {
		for _, id := range []int64{t.PlaceA, t.PlaceB} {
			if p, ok := in.Snap.Place(id); ok && p.Country != "MX" {
				seen[id] = true
			}
		}
	}
	return len(seen)
}

// thousands formats a count for the Markdown report.
func thousands(n int) string { return matcher.Thousands(int64(n)) }

// writeAcceptance states the acceptance of the backtest (issue 11): the
// shipped matcher's held-out MRR at least twice the best of the five
// DESIGN baselines and at least 1.3 times state_x_mexico_popularity, in
// the same run. Each test and the verdict follow from the numbers.
func writeAcceptance(w io.Writer, rep *matcher.EvalReport) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	sh, ok := rep.ShippedHeldOut()
	if !ok {
		p("No shipped or calibrated matcher was scored in this run.\n\n")
		return
	}
	best := rep.BestDesignBaseline()
	state, hasState := rep.Method(matcher.MethodStatePopularity)
	t1 := 2 * best.MRR
	ok1 := round(sh.MRR, 3) >= round(t1, 3)
	ok2 := hasState && round(sh.MRR, 3) >= round(1.3*state.MRR, 3)
	verdict := "**Not met**"
	if ok1 && ok2 {
		verdict = "Met"
	}
	held := "the shipped weights, fitted on nothing in this run"
	switch {
	case sh.Name == matcher.MethodMatcherCalibrated:
		held = "the shipped method's cross-validated fit, each query scored by a fold that never saw its municipality"
	case rep.ShippedSecondStage:
		held = "the shipped weights and, for a municipality with twins of its own, the shipped second stage, each query scored by a fold model that never saw its municipality"
	}
	p("%s: the goal is a held-out MRR of the shipped matcher (`%s`: %s) of at least twice the best of the five DESIGN baselines "+
		"and at least 1.3 times `%s`, in the same run. Its MRR is %.3f.\n\n", verdict, sh.Name, held, matcher.MethodStatePopularity, sh.MRR)
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "not met"
	}
	p("- Twice the best DESIGN baseline (`%s`, %.3f): at least %.3f; %s (%s, %s the baseline's).\n",
		best.Name, best.MRR, t1, mark(ok1), ratioWord(sh.MRR, best.MRR), than(sh.MRR, best.MRR, 3))
	if hasState {
		p("- 1.3 times `%s` (%.3f): at least %.3f; %s (%s, %s its MRR).\n\n",
			state.Name, state.MRR, 1.3*state.MRR, mark(ok2), ratioWord(sh.MRR, state.MRR), than(sh.MRR, state.MRR, 3))
	} else {
		p("- `%s` was not scored in this run: not met.\n\n", matcher.MethodStatePopularity)
	}
	if rr, ok := rep.Method(matcher.MethodMatcherReranked); ok && rr.Name != sh.Name {
		p("Measured in the same run, held out: the second stage alone (`%s`, without the shared traits the shipped matcher keeps on top of it) reaches MRR %.3f (%s the best DESIGN baseline's, %s it)",
			rr.Name, rr.MRR, ratioWord(rr.MRR, best.MRR), than(rr.MRR, best.MRR, 3))
		if hasState {
			p(" and %s `%s`'s (%s it)", ratioWord(rr.MRR, state.MRR), state.Name, than(rr.MRR, state.MRR, 3))
		}
		p(".\n\n")
	}
}
