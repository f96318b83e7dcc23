package main

import (
	"bytes"
	"strings"
	"testing"

	"hermanar/datasets"
	"hermanar/matcher"
)

// syntheticReport is a backtest whose calibrated matcher scores cal on
// every metric, against baselines around 0.05.
func syntheticReport(cal, abl float64) *matcher.EvalReport {
	m := func(name, kind string, v float64, median float64) matcher.MethodResult {
		return matcher.MethodResult{Name: name, Kind: kind, RecallAt10: v * 2, RecallAt50: v * 3, MRR: v, NDCGAt10: v * 1.5,
			Coverage: 0.001, MedianRank: median, Description: "synthetic"}
	}
	return &matcher.EvalReport{Queries: 100, Municipalities: 20, Candidates: 180000, Twinnings: 1000, Folds: 5, Seed: 1,
		Methods: []matcher.MethodResult{
			m(matcher.MethodRandom, matcher.KindBaseline, 0, 90000),
			m(matcher.MethodMexicoPopularity, matcher.KindBaseline, 0.05, 5000),
			m(matcher.MethodStatePopularity, matcher.KindBaseline, 0.06, 4000),
			m(matcher.MethodMatcherPolicy, matcher.KindMatcher, 0.07, 3000),
			m(matcher.MethodMatcherCalibrated, matcher.KindMatcher, cal, 50000*(0.2-cal)),
		},
		Ablations:           []matcher.MethodResult{m(matcher.AblationPrefix+matcher.FeatStateTwins, matcher.KindAblation, abl, 3000)},
		HiddenNoMexicanTwin: 0.3, HiddenNoTwin: 0.2,
		PerQuery: []matcher.QueryResult{{EvalQuery: matcher.EvalQuery{Municipality: "11008", Hidden: 5278931}, Ranks: []float64{9, 8, 7, 6, 5}}},
	}
}

// The report's conclusions come from its numbers: a matcher ahead of the
// baselines and one behind them get opposite sentences, and none of the
// ahead run's conclusions appears in the behind run's report.
func TestEvalMarkdownConclusionsFlip(t *testing.T) {
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	ei := &evalInput{in: matcher.Inputs{Snap: snap}, file: "twins.csv", sha256: "abc", dataVersion: "sha256:0", snapshot: "test"}
	write := func(rep *matcher.EvalReport) string {
		var b bytes.Buffer
		writeEvalMarkdown(&b, rep, ei, "hermanar eval --twinnings twins.csv")
		return b.String()
	}
	ahead, behind := write(syntheticReport(0.15, 0.05)), write(syntheticReport(0.02, 0.09))
	for _, tc := range []struct{ name, ahead, behind string }{
		{"acceptance", "Met: the goal", "**Not met**: the goal"},
		{"twice the best DESIGN baseline", "at least 0.100; met (3.00×, higher than the baseline's)", "at least 0.100; not met (0.40×, lower than the baseline's)"},
		{"1.3 times the state signal", "at least 0.078; met (2.50×, higher than its MRR)", "at least 0.078; not met (0.33×, lower than its MRR)"},
		{"R@10", "is better on R@10 (0.300 vs 0.120)", "is worse on R@10 (0.040 vs 0.120)"},
		{"median rank", "better on median rank (2,500 vs 4,000)", "worse on median rank (9,000 vs 4,000)"},
		{"against Mexico popularity", "MRR, 0.150, is higher than its MRR", "MRR, 0.020, is lower than its MRR"},
		{"R@10 against Mexico popularity", "R@10, 0.300, is higher than its R@10", "R@10, 0.040, is lower than its R@10"},
		{"ablation", "| state_twins | 0.100 | 0.050 | -0.020 | helps |", "| state_twins | 0.180 | 0.090 | +0.020 | hurts |"},
	} {
		if !strings.Contains(ahead, tc.ahead) {
			t.Errorf("%s: matcher ahead, report lacks %q", tc.name, tc.ahead)
		}
		if !strings.Contains(behind, tc.behind) {
			t.Errorf("%s: matcher behind, report lacks %q", tc.name, tc.behind)
		}
		if strings.Contains(behind, tc.ahead) || strings.Contains(ahead, tc.behind) {
			t.Errorf("%s: a conclusion did not flip", tc.name)
		}
	}
}

// The verdict needs both tests: twice the best DESIGN baseline is not
// enough when the state signal is not beaten 1.3 times, and the state
// baseline, though the best baseline, is not one of the five DESIGN ones.
func TestEvalAcceptanceNeedsBothTests(t *testing.T) {
	for _, tc := range []struct {
		name            string
		cal, state      float64
		verdict, state2 string
	}{
		{"both met", 0.11, 0.08, "Met: the goal", "at least 0.104; met"},
		{"state not beaten 1.3 times", 0.11, 0.09, "**Not met**: the goal", "at least 0.117; not met"},
	} {
		rep := syntheticReport(tc.cal, 0.05)
		for i := range rep.Methods {
			if rep.Methods[i].Name == matcher.MethodStatePopularity {
				rep.Methods[i].MRR = tc.state
			}
		}
		var b bytes.Buffer
		writeAcceptance(&b, rep)
		out := b.String()
		for _, want := range []string{tc.verdict, tc.state2, "Twice the best DESIGN baseline (`mexico_popularity`, 0.050): at least 0.100; met"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: acceptance lacks %q:\n%s", tc.name, want, out)
			}
		}
	}
}
