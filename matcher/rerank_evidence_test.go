package matcher

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// learnedEvidenceFmt is learnedEvidence as it was written with fmt and a
// sort of every part: the reference the buffered one must match.
func learnedEvidenceFmt(lang string, parts []FeaturePart) []string {
	idx := make([]int, 0, len(parts))
	for i, p := range parts {
		if p.Name != RerankBase && math.Abs(p.Contribution) >= 5e-4 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return math.Abs(parts[idx[a]].Contribution) > math.Abs(parts[idx[b]].Contribution)
	})
	if len(idx) == 0 {
		return nil
	}
	if len(idx) > 6 {
		idx = idx[:6]
	}
	out := []string{tr(lang, "Un modelo aprendido de los hermanamientos registrados ordenó esta lista; lo que más pesó:",
		"A model learned from the recorded twinnings ranked this list; what weighed most:")}
	for _, i := range idx {
		p := parts[i]
		out = append(out, fmt.Sprintf("%s (%s): %+.3f", FeatureLabel(p.Name, lang), formatFeatureValueFmt(p.Name, p.Value), p.Contribution))
	}
	return out
}

func formatFeatureValueFmt(name string, v float64) string {
	switch name {
	case "log_mx_twins", "log_all_twins", "log_my_twins", "log_state_twins", "cand_my_countries":
		return fmt.Sprintf("%.0f", math.Expm1(v))
	case "country_count", "co_twins", "ptype", "is_us":
		return fmt.Sprintf("%.0f", v)
	case "log_km":
		return Thousands(int64(math.Round(math.Pow(10, v)-1))) + " km"
	case "log_pop_me":
		return Thousands(int64(math.Round(math.Pow(10, v) - 1)))
	case "country_share", "region_share", "cand_latam_share", "cand_abroad_share":
		return fmt.Sprintf("%.0f%%", v*100)
	}
	return fmt.Sprintf("%.3f", v)
}

// TestLearnedEvidenceEqualsFmt holds the learned component's evidence
// lines to those fmt writes, in both languages, on parts of every feature
// with values and contributions at random, on rounding edges (x.xxx5),
// signed zeros, ties in size (the earlier part first) and infinities.
func TestLearnedEvidenceEqualsFmt(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	names := append(slices.Clone(rerankFeatureNames), RerankBase, "not_a_feature")
	special := []float64{0, math.Copysign(0, -1), 0.0005, -0.0005, 0.0004999, 0.0015, -0.0025, 1.0005, 2.5, -2.5, 0.5, 1e9, -1e-12, math.Inf(1), math.Inf(-1)}
	pick := func() float64 {
		switch r.IntN(4) {
		case 0:
			return special[r.IntN(len(special))]
		case 1:
			return float64(r.IntN(2001)-1000) / 2000 // multiples of 0.0005
		default:
			return r.NormFloat64() * math.Pow(10, float64(r.IntN(5)-3))
		}
	}
	for trial := range 5000 {
		n := r.IntN(len(names) + 1)
		parts := make([]FeaturePart, n)
		for i := range parts {
			parts[i] = FeaturePart{Name: names[r.IntN(len(names))], Value: pick(), Contribution: pick()}
			if i > 0 && r.IntN(5) == 0 { // a tie in size with an earlier part
				parts[i].Contribution = -parts[r.IntN(i)].Contribution
			}
		}
		for _, lang := range []string{"es", "en"} {
			got, want := learnedEvidence(lang, parts), learnedEvidenceFmt(lang, parts)
			if !slices.Equal(got, want) {
				t.Fatalf("trial %d, %s, parts %+v:\ngot  %q\nwant %q", trial, lang, parts, got, want)
			}
		}
	}
}
