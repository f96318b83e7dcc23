package main

import (
	"context"
	"fmt"
	"strings"

	"hermanar/api"
	"hermanar/datasets"
	"hermanar/index"
)

// runClassify maps a problem statement onto the taxonomy. It needs no data
// directory: the classifier is built in memory from the embedded taxonomy.
func runClassify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "classify")
	lang := fs.String("lang", "", "language of the text and the labels: es or en (default: detected)")
	k := fs.Int("k", 5, "at most this many categories (1–20)")
	format := fs.String("format", "table", "table, json or csv")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := validFormat(*format); err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(pos, " "))
	if text == "" {
		return usageErrorf(`usage: hermanar classify "escasez de agua en la cabecera" [--lang es|en] [--format table|json|csv]`)
	}
	if *lang != "" && *lang != "es" && *lang != "en" {
		return usageErrorf("--lang must be es or en")
	}
	if *k < 1 || *k > 20 {
		return usageErrorf("--k must be between 1 and 20")
	}
	tax := datasets.DefaultTaxonomy()
	cls, err := index.NewClassifier(tax)
	if err != nil {
		return err
	}
	labels := *lang
	if labels == "" {
		if labels = index.DetectLang(text); labels == "" {
			labels = "es"
		}
	}
	out := api.Classify(classifierFor(cls, *lang), tax, text, labels, *k)
	t := &table{header: []string{"id", "label", "score", "sdg", "areas"}}
	for _, c := range out.Categories {
		sdg := make([]string, len(c.SDG))
		for i, g := range c.SDG {
			sdg[i] = fmt.Sprint(g)
		}
		t.add(c.ID, c.Label, fmt.Sprintf("%.3f", c.Score), strings.Join(sdg, ","), strings.Join(c.Areas, ","))
	}
	if *format == "table" && len(out.Categories) == 0 {
		fmt.Fprintln(e.stderr, "no category matches; try other words or --lang")
	}
	return emit(e.stdout, *format, out, t)
}

// classifierFor classifies in lang, or detects the language when lang is "".
func classifierFor(cls *index.Classifier, lang string) api.Classifier {
	return fixedLang{cls, lang}
}

type fixedLang struct {
	c    *index.Classifier
	lang string
}

func (f fixedLang) Classify(text, _ string, k int) []datasets.CategoryScore {
	return f.c.Classify(text, f.lang, k)
}
