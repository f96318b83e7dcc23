package matcher

import "strconv"

// evidenceWriter collects the evidence lines of one component. A line
// built from numbers and names is appended to one byte buffer with
// strconv's Append functions, so that all the built lines of a component
// become one string (one allocation) cut into lines; a line given whole
// (a fixed text, a name) is kept as it is. A query reuses one writer
// (queryState.ev) for every row it explains.
type evidenceWriter struct {
	buf   []byte
	lines []evidenceLine
	strs  []string // the space the components' line slices are cut from
}

// evidenceLine is a whole line s, or (lo < 0 false) buf[lo:hi].
type evidenceLine struct {
	s      string
	lo, hi int32
}

func (w *evidenceWriter) reset() {
	if w.buf == nil {
		w.buf, w.lines = make([]byte, 0, 512), make([]evidenceLine, 0, 16)
	}
	w.buf, w.lines = w.buf[:0], w.lines[:0]
}

// slice is an empty slice of capacity n for one component's lines, cut
// from a space shared by the query's rows (never handed out twice).
func (w *evidenceWriter) slice(n int) []string {
	if cap(w.strs)-len(w.strs) < n {
		w.strs = make([]string, 0, max(64, n))
	}
	l := len(w.strs)
	w.strs = w.strs[:l+n]
	return w.strs[l : l : l+n]
}

// add appends a whole line.
func (w *evidenceWriter) add(s string) { w.lines = append(w.lines, evidenceLine{s: s, lo: -1}) }

// begin returns the buffer to append one line to; end takes it back,
// closing the line.
func (w *evidenceWriter) begin() []byte { return w.buf }

func (w *evidenceWriter) end(b []byte) {
	w.lines = append(w.lines, evidenceLine{lo: int32(len(w.buf)), hi: int32(len(b))})
	w.buf = b
}

// appendTo appends the lines written since the last reset to out; the
// built ones share one string.
func (w *evidenceWriter) appendTo(out []string) []string {
	var s string
	if len(w.buf) > 0 {
		s = string(w.buf)
	}
	for _, l := range w.lines {
		if l.lo < 0 {
			out = append(out, l.s)
		} else {
			out = append(out, s[l.lo:l.hi])
		}
	}
	return out
}

// appendThousands appends n with comma thousands separators (14,692).
func appendThousands(b []byte, n int64) []byte {
	var tmp [24]byte
	d := strconv.AppendInt(tmp[:0], n, 10)
	if n < 0 {
		b, d = append(b, '-'), d[1:]
	}
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	return b
}
