package mapsvg

import (
	"math"
	"strings"
)

// BarChart draws horizontal bars, one per label, 600 units wide; texts
// are written beside each bar. It serves the analysts' overview, where a
// chart says at a glance what its table beside it lists.
func BarChart(title string, labels []string, values []float64, texts []string, color string) string {
	const w, row, left = 600.0, 22.0, 170.0
	h := row*float64(len(labels)) + 10
	top := 0.0
	for _, v := range values {
		top = math.Max(top, v)
	}
	var b strings.Builder
	b.WriteString(`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 ` + num(h) + `" role="img" aria-label="` + esc(title) + `">`)
	b.WriteString(`<title>` + esc(title) + `</title><g font-size="13" fill="#1d2433">`)
	for i, l := range labels {
		y := 5 + row*float64(i)
		bw := 0.0
		if top > 0 {
			bw = (w - left - 130) * values[i] / top
		}
		b.WriteString(`<text x="` + num(left-6) + `" y="` + num1(y+15) + `" text-anchor="end">` + esc(l) + `</text>`)
		b.WriteString(`<rect x="` + num(left) + `" y="` + num1(y+3) + `" width="` + num1(bw) + `" height="` + num(row-6) + `" fill="` + color + `"/>`)
		b.WriteString(`<text x="` + num1(left+bw+5) + `" y="` + num1(y+15) + `" fill="#5d6678">` + esc(texts[i]) + `</text>`)
	}
	b.WriteString(`</g></svg>`)
	return b.String()
}

// Histogram draws counts over equal-width bins from lo to hi, with the
// bin edges labelled every tick bins.
func Histogram(title string, lo, hi float64, counts []int, tick int, xLabel string, edge func(x float64) string, color string) string {
	const w, h, left, bottom, topPad = 600.0, 240.0, 40.0, 44.0, 10.0
	peak := 0
	for _, c := range counts {
		peak = max(peak, c)
	}
	var b strings.Builder
	b.WriteString(`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 240" role="img" aria-label="` + esc(title) + `">`)
	b.WriteString(`<title>` + esc(title) + `</title><g font-size="12" fill="#1d2433">`)
	bw := (w - left - 10) / float64(len(counts))
	ph := h - bottom - topPad
	for i, c := range counts {
		bh := 0.0
		if peak > 0 {
			bh = ph * float64(c) / float64(peak)
		}
		x := left + bw*float64(i)
		b.WriteString(`<rect x="` + num1(x+1) + `" y="` + num1(topPad+ph-bh) + `" width="` + num1(bw-2) + `" height="` + num1(bh) + `" fill="` + color + `"><title>` +
			esc(edge(lo+(hi-lo)*float64(i)/float64(len(counts)))+"–"+edge(lo+(hi-lo)*float64(i+1)/float64(len(counts)))) + ": " + itoa(c) + `</title></rect>`)
	}
	for i := 0; i <= len(counts); i += tick {
		x := left + bw*float64(i)
		b.WriteString(`<line x1="` + num1(x) + `" x2="` + num1(x) + `" y1="` + num(topPad+ph) + `" y2="` + num(topPad+ph+4) + `" stroke="#5d6678"/>`)
		b.WriteString(`<text x="` + num1(x) + `" y="` + num(topPad+ph+17) + `" text-anchor="middle">` + esc(edge(lo+(hi-lo)*float64(i)/float64(len(counts)))) + `</text>`)
	}
	b.WriteString(`<line x1="` + num(left) + `" x2="` + num(w-10) + `" y1="` + num(topPad+ph) + `" y2="` + num(topPad+ph) + `" stroke="#5d6678"/>`)
	b.WriteString(`<text x="` + num(left-4) + `" y="` + num(topPad+10) + `" text-anchor="end">` + itoa(peak) + `</text>`)
	b.WriteString(`<text x="` + num(left-4) + `" y="` + num(topPad+ph) + `" text-anchor="end">0</text>`)
	b.WriteString(`<text x="` + num((left+w)/2) + `" y="` + num(h-6) + `" text-anchor="middle" fill="#5d6678">` + esc(xLabel) + `</text>`)
	b.WriteString(`</g></svg>`)
	return b.String()
}

func itoa(n int) string { return num(float64(n)) }
