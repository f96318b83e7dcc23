package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"hermanar/datasets"
)

// table is what a listing prints for --format table and csv; the JSON form
// is a separate value so that it can carry nested structure.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = fmt.Sprint(c)
	}
	t.rows = append(t.rows, row)
}

func validFormat(f string, extra ...string) error {
	switch f {
	case "table", "json", "csv":
		return nil
	}
	for _, e := range extra {
		if f == e {
			return nil
		}
	}
	return usageErrorf("--format must be table, json or csv%s, got %q", strings.Join(prefixAll(", ", extra), ""), f)
}

func prefixAll(p string, s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = p + x
	}
	return out
}

// emit writes v as indented JSON, or t as an aligned table or CSV (after a
// UTF-8 BOM, as every Hermanar CSV).
func emit(w io.Writer, format string, v any, t *table) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	case "csv":
		if _, err := io.WriteString(w, datasets.UTF8BOM); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		if err := cw.Write(t.header); err != nil {
			return err
		}
		if err := cw.WriteAll(t.rows); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	default:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(t.header, "\t"))
		for _, r := range t.rows {
			for i := range r {
				r[i] = clip(r[i], 60)
			}
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		return tw.Flush()
	}
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
