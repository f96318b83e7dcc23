package datasets

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// csvTable is a whole CSV file, read strictly: valid UTF-8, a header
// naming the columns, the same number of fields in every row and a line
// end after the last row (a file cut short mid-row has none). Columns are
// found by name, so their order does not matter.
type csvTable struct {
	file   string
	header []string
	cols   map[string]int // folded column name → position
	rows   []csvRow
}

type csvRow struct {
	line   int
	fields []string
}

// lineError is the EInvalid error every importer returns for a bad file:
// "FILE line N: what is wrong", raised in both languages; es and en are
// format strings sharing args. An error among args is quoted in each
// language it carries (TextOf).
func lineError(file string, line int, es, en string, args ...any) error {
	return &Error{Code: EInvalid, Msg: Text{
		ES: fmt.Sprintf("%s línea %d: %s", file, line, cut(fmt.Sprintf(es, argsIn(args, "es")...), maxErrorText)),
		EN: fmt.Sprintf("%s line %d: %s", file, line, cut(fmt.Sprintf(en, argsIn(args, "en")...), maxErrorText)),
	}}
}

// argsIn replaces the errors among args by their message in lang.
func argsIn(args []any, lang string) []any {
	out := args
	for i, a := range args {
		if err, ok := a.(error); ok {
			if &out[0] == &args[0] {
				out = slices.Clone(args)
			}
			out[i] = TextOf(err).In(lang)
		}
	}
	return out
}

// maxErrorText bounds what an error quotes from a file: a header of ten
// million columns must not become an 89 MB message.
const maxErrorText = 300

// readCSV parses data and checks that every required column is present.
func readCSV(file string, data []byte, required ...string) (*csvTable, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, lineError(file, 1, "el archivo está vacío; se esperaba una fila de encabezado", "the file is empty; expected a header row")
	}
	if !utf8.Valid(data) {
		bad := len(data)
		for i := 0; i < len(data); {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				bad = i
				break
			}
			i += n
		}
		return nil, lineError(file, 1+bytes.Count(data[:bad], []byte("\n")), "UTF-8 no válido en el byte %d (convierta el archivo de Latin-1 a UTF-8)", "invalid UTF-8 at byte %d (convert the file from Latin-1 to UTF-8)", bad)
	}
	if data[len(data)-1] != '\n' {
		last := 1 + bytes.Count(data, []byte("\n"))
		return nil, lineError(file, last, "la última fila no termina en salto de línea: el archivo parece truncado", "the last row has no line end: the file looks truncated")
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, lineError(file, 1+bytes.Count(data[:i], []byte("\n")), "byte NUL en el archivo", "NUL byte in the file")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, csvError(file, err)
	}
	t := &csvTable{file: file, header: header, cols: make(map[string]int, len(header))}
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		if k == "" {
			return nil, lineError(file, 1, "la columna %d no tiene nombre", "column %d has no name", i+1)
		}
		if _, dup := t.cols[k]; dup {
			return nil, lineError(file, 1, "la columna %q aparece dos veces", "column %q appears twice", h)
		}
		t.cols[k] = i
	}
	var missing []string
	for _, c := range required {
		if _, ok := t.cols[strings.ToLower(c)]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, lineError(file, 1, "faltan columnas: %s; el encabezado tiene %s", "missing column(s) %s; the header has %s", strings.Join(missing, ", "), strings.Join(header, ","))
	}
	cr.FieldsPerRecord = len(header)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, csv.ErrFieldCount) {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, lineError(file, pe.StartLine, "%d columnas, el encabezado tiene %d (un campo con coma debe ir entre comillas)", "%d columns, the header has %d (a field with a comma must be quoted)", len(rec), len(header))
			}
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		line, _ := cr.FieldPos(0)
		t.rows = append(t.rows, csvRow{line: line, fields: rec})
	}
	return t, nil
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// encoding/csv reports a quote error where it surfaced (often the
		// end of the file); the record's own start is what a person needs.
		if errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != pe.Line {
			return lineError(file, pe.StartLine, "un campo entre comillas abierto en el registro que empieza aquí nunca se cierra (comillas desbalanceadas; el archivo termina en la línea %d)", "a quoted field opened in the record starting here is never closed (unbalanced quote; the file ends at line %d)", pe.Line)
		}
		if errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote) {
			return lineError(file, pe.StartLine, "%v (en el registro que empieza en la línea %d, columna %d)", "%v (in the record starting at line %d, column %d)", pe.Err, pe.StartLine, pe.Column)
		}
		return lineError(file, pe.StartLine, "%v", "%v", pe.Err)
	}
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	return &Error{Code: EInvalid, Msg: Text{ES: cut(fmt.Sprintf("%s: %s", file, TextOf(err).In("es")), maxErrorText), EN: cut(fmt.Sprintf("%s: %v", file, err), maxErrorText)}}
}

// rowReader reads typed fields of one row, keeping the first error so
// that an importer can read every field and check once.
type rowReader struct {
	t   *csvTable
	row csvRow
	err error
}

func (t *csvTable) reader(row csvRow) *rowReader { return &rowReader{t: t, row: row} }

func (r *rowReader) fail(es, en string, args ...any) {
	if r.err == nil {
		r.err = lineError(r.t.file, r.row.line, es, en, args...)
	}
}

// has reports whether the file has the column.
func (r *rowReader) has(col string) bool {
	_, ok := r.t.cols[strings.ToLower(col)]
	return ok
}

// str returns the trimmed field, "" when the column is absent.
func (r *rowReader) str(col string) string {
	i, ok := r.t.cols[strings.ToLower(col)]
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.row.fields[i])
}

// req returns the field, failing when it is empty.
func (r *rowReader) req(col string) string {
	s := r.str(col)
	if s == "" {
		r.fail("la columna %s está vacía", "column %s is empty", col)
	}
	return s
}

// int parses a required integer field.
func (r *rowReader) int(col string) int64 {
	s := r.req(col)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		r.fail("columna %s: %q no es un entero", "column %s: %q is not an integer", col, s)
	}
	return n
}

// optInt parses an integer field that may be empty.
func (r *rowReader) optInt(col string) (int64, bool) {
	s := r.str(col)
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		r.fail("columna %s: %q no es un entero", "column %s: %q is not an integer", col, s)
		return 0, false
	}
	return n, true
}

// float parses a required finite number.
func (r *rowReader) float(col string) float64 {
	s := r.req(col)
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		r.fail("columna %s: %q no es un número", "column %s: %q is not a number", col, s)
	}
	return f
}

// bool parses true/false in English or Spanish, or 1/0; empty is false.
func (r *rowReader) bool(col string) bool {
	switch Fold(r.str(col)) {
	case "", "false", "f", "0", "no", "n", "falso":
		return false
	case "true", "t", "1", "yes", "y", "si", "s", "verdadero":
		return true
	}
	r.fail("columna %s: %q no es verdadero ni falso", "column %s: %q is not true or false", col, r.str(col))
	return false
}

// code checks that a field is exactly n digits (after left-padding
// shorter integers with zeros when pad is set: CONAPO writes "1" for "01").
func (r *rowReader) code(col string, n int, pad bool) string {
	s := r.req(col)
	if s == "" {
		return ""
	}
	if pad && len(s) < n {
		s = strings.Repeat("0", n-len(s)) + s
	}
	if len(s) != n || strings.Trim(s, "0123456789") != "" {
		r.fail("columna %s: %q no es un código de %d dígitos", "column %s: %q is not a %d-digit code", col, r.str(col), n)
	}
	return s
}
