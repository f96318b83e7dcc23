package main

import (
	"context"
	"fmt"
	"strings"

	"hermanar/matcher"
)

// runEvalLists is `hermanar eval lists`: rank every municipality (or a
// state) the way `rank` does and measure the lists themselves (DESIGN §7).
func runEvalLists(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "eval lists")
	var f rankFlags
	f.define(fs, false)
	fs.Lookup("k").DefValue = "10"
	f.k = 10
	format := fs.String("format", "table", "table or json")
	model := fs.String("model", "", `second-stage model file (default: the embedded one; "none": first stage only)`)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("eval lists takes no arguments, got %q", pos[0])
	}
	if *format != "table" && *format != "json" {
		return usageErrorf("--format must be table or json, got %q", *format)
	}
	req, lines, err := f.request()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, appOptions{dataDir: f.data, weights: f.weights, model: *model})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := checkListKnown(a.engine, f.munis, req.Municipalities, lines); err != nil {
		return err
	}
	m, err := a.engine.ListMetrics(ctx, req)
	if err != nil {
		return err
	}
	out := listsReport{ListMetrics: m, Weights: a.engine.Weights().Provenance,
		Command: strings.TrimSpace("hermanar eval lists " + quoteArgs(args))}
	out.Checks = out.checks()
	if *format == "json" {
		return emit(e.stdout, "json", out, nil)
	}
	fmt.Fprintf(e.stdout, "%d lists of %d (%d slots); weights: %s\n\n", m.Lists, m.K, m.Slots, out.Weights)
	t := &table{header: []string{"metric", "value", "goal", "met"}}
	for _, c := range out.Checks {
		met := "—"
		if c.Goal != "" {
			met = map[bool]string{true: "yes", false: "no"}[c.Met]
		}
		t.add(c.Metric, c.Value, c.Goal, met)
	}
	if err := emit(e.stdout, "table", nil, t); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\nplaces in the most lists:")
	t = &table{header: []string{"place", "country", "lists", "share"}}
	for _, p := range m.MostCommon {
		t.add(p.Name, p.Country, p.Lists, fmt.Sprintf("%.1f%%", 100*p.Share))
	}
	return emit(e.stdout, "table", nil, t)
}

// listsReport is the JSON of eval lists.
type listsReport struct {
	matcher.ListMetrics
	Weights string      `json:"weights"`
	Command string      `json:"command"`
	Checks  []listCheck `json:"checks"`
}

// listCheck is one metric against its DESIGN §7 goal.
type listCheck struct {
	Metric string `json:"metric"`
	Value  string `json:"value"`
	Goal   string `json:"goal,omitempty"`
	Met    bool   `json:"met"`
}

func (r listsReport) checks() []listCheck {
	m := r.ListMetrics
	full := m.Lists >= 2000 // the goals are set for every municipality
	goal := func(s string) string {
		if full {
			return s
		}
		return ""
	}
	return []listCheck{
		{"distinct places", thousands(m.Distinct), goal("≥ 4,000"), full && m.Distinct >= 4000},
		{"largest share of lists one place enters", fmt.Sprintf("%.1f%%", 100*m.MaxShare), "≤ 10%", m.MaxShare <= 0.10},
		{"slots given to existing twins", thousands(m.TwinnedSlots), "0", m.TwinnedSlots == 0},
		{fmt.Sprintf("slots to cities over %s", thousands(matcher.LargeCity)), thousands(m.LargeSlots), "", false},
		{fmt.Sprintf("lists of municipalities under %s people", thousands(matcher.SmallMunicipality)), thousands(m.SmallLists), "", false},
		{"… their slots to cities over 1,000,000", thousands(m.SmallLargeSlots), "", false},
		{"… of those without a tie, interest, trait or problem", thousands(m.SmallLargeUnsupported), "0", m.SmallLargeUnsupported == 0},
		{"countries in the lists", thousands(m.Countries), "", false},
		{"mean share of a list taken by its top country", fmt.Sprintf("%.1f%%", 100*m.TopCountryShare), "", false},
	}
}
