package datasets

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"hash"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"
)

// Bounds on an import file. The largest official file we know
// (Banxico's remittances, 5.4 MB, 119,425 lines) fits several times over;
// anything beyond is not one of the formats we read, and is refused
// while it streams in, before it costs memory.
const (
	MaxImportBytes   = 16 << 20
	MaxImportRows    = 500_000
	MaxImportColumns = 500
	MaxImportLine    = 1 << 20
	MaxImportRecord  = 1 << 20
)

// ImportOptions change how an import treats its file.
type ImportOptions struct {
	// AllowEmpty accepts a file with a header and no rows, which empties
	// the table; without it such a file is an error (a cut download
	// looks exactly like that).
	AllowEmpty bool
}

// guardReader checks a file as it streams: valid UTF-8, no NUL byte,
// lines of a sane length, a bounded total. It counts lines so that every
// error names one, and hashes what it reads.
type guardReader struct {
	r       io.Reader
	file    string
	sum     hash.Hash
	n       int64
	line    int
	lineLen int
	tail    []byte // an incomplete UTF-8 sequence at the end of the last read
	last    byte
	err     error

	// CSV records, followed by quote parity: a newline ends a record
	// unless a quoted field is open ("" inside one toggles twice).
	csv         bool
	inQuote     bool
	recordStart int
	recordLen   int
}

func newGuard(file string, r io.Reader) *guardReader {
	return &guardReader{r: r, file: file, sum: sha256.New(), line: 1, recordStart: 1}
}

func (g *guardReader) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if n > 0 {
		if cerr := g.check(p[:n]); cerr != nil {
			g.err = cerr
			return 0, cerr
		}
		g.sum.Write(p[:n])
		g.last = p[n-1]
	}
	if err == io.EOF && len(g.tail) > 0 {
		g.err = lineError(g.file, g.line, "UTF-8 no válido en el byte %d (convierta el archivo de Latin-1 a UTF-8)", "invalid UTF-8 at byte %d (convert the file from Latin-1 to UTF-8)", g.n-int64(len(g.tail)))
		return n, g.err
	}
	return n, err
}

func (g *guardReader) check(b []byte) error {
	if g.n+int64(len(b)) > MaxImportBytes {
		return lineError(g.file, g.line, "el archivo pasa de %d MB, mucho más que cualquier formato que hermanar importa; no se leyó nada en el almacén", "the file is larger than %d MB, far beyond any format hermanar imports; nothing was read into the store", MaxImportBytes>>20)
	}
	// UTF-8, carrying an incomplete sequence over to the next read.
	buf := b
	if len(g.tail) > 0 {
		buf = append(append([]byte(nil), g.tail...), b...)
	}
	start := g.n - int64(len(g.tail))
	end := len(buf)
	for k := 1; k <= 3 && k <= len(buf); k++ {
		if c := buf[len(buf)-k]; c >= 0xC0 { // a start byte near the end
			if !utf8.FullRune(buf[len(buf)-k:]) {
				end = len(buf) - k
			}
			break
		} else if c < 0x80 {
			break
		}
	}
	if !utf8.Valid(buf[:end]) {
		for i := 0; i < end; {
			r, size := utf8.DecodeRune(buf[i:end])
			if r == utf8.RuneError && size <= 1 {
				line := g.line + bytes.Count(buf[:i], []byte("\n"))
				return lineError(g.file, line, "UTF-8 no válido en el byte %d (convierta el archivo de Latin-1 a UTF-8)", "invalid UTF-8 at byte %d (convert the file from Latin-1 to UTF-8)", start+int64(i))
			}
			i += size
		}
	}
	g.tail = append(g.tail[:0], buf[end:]...)
	for _, c := range b {
		switch c {
		case 0:
			return lineError(g.file, g.line, "byte NUL en el archivo (no es un archivo de texto)", "NUL byte in the file (not a text file)")
		case '\n':
			g.line++
			g.lineLen = 0
			if g.csv && !g.inQuote {
				g.recordStart, g.recordLen = g.line, 0
			}
		case '"':
			g.inQuote = !g.inQuote
		default:
			g.lineLen++
			if g.lineLen > MaxImportLine {
				return lineError(g.file, g.line, "la línea %d pasa de %d MB: no es un archivo CSV que hermanar importe", "line %d is longer than %d MB: not a CSV file hermanar imports", g.line, MaxImportLine>>20)
			}
		}
		if g.csv {
			g.recordLen++
			if g.recordLen > MaxImportRecord {
				return lineError(g.file, g.recordStart, "el registro que empieza aquí ocupa más de %d MB (hasta la línea %d): probablemente una comilla abierta en él nunca se cierra", "the record starting here runs for more than %d MB (to line %d): a quote opened in it is probably never closed", MaxImportRecord>>20, g.line)
			}
		}
	}
	g.n += int64(len(b))
	return nil
}

// readImportFile streams file through the guard and, for CSV kinds, a
// first pass of the CSV reader that keeps no rows: a broken file (an
// unbalanced quote, a wrong number of fields, a missing column, a header
// and nothing else) is refused with the line where its record starts,
// in memory bounded by the largest record. Only then is the file, now
// known to be within bounds, handed back whole for parsing.
func readImportFile(file string, csvKind bool, required []string, opts ImportOptions) ([]byte, [32]byte, error) {
	var sum [32]byte
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, sum, Errf(ENotFound, "%s: no existe el archivo", "%s: no such file", file)
		}
		return nil, sum, Errf(EInvalid, "%s: %v", "%s: %v", file, err)
	}
	defer f.Close()
	var data bytes.Buffer
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		data.Grow(int(min(st.Size(), MaxImportBytes)) + 1)
	}
	g := newGuard(file, f)
	g.csv = csvKind
	in := io.TeeReader(g, &data)
	if csvKind {
		if err := prescanCSV(file, in, required, opts); err != nil {
			return nil, sum, err
		}
	}
	if _, err := io.Copy(io.Discard, in); err != nil {
		return nil, sum, importReadError(file, err)
	}
	if data.Len() == 0 || len(bytes.TrimSpace(bytes.TrimPrefix(data.Bytes(), []byte("\xef\xbb\xbf")))) == 0 {
		return nil, sum, lineError(file, 1, "el archivo está vacío; se esperaba una fila de encabezado", "the file is empty; expected a header row")
	}
	if g.last != '\n' {
		return nil, sum, lineError(file, g.line, "la última fila no termina en salto de línea: el archivo parece truncado", "the last row has no line end: the file looks truncated")
	}
	copy(sum[:], g.sum.Sum(nil))
	return data.Bytes(), sum, nil
}

func importReadError(file string, err error) error {
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	return Errf(EInvalid, "%s: %v", "%s: %v", file, err)
}

// prescanCSV reads every record once without keeping it.
func prescanCSV(file string, r io.Reader, required []string, opts ImportOptions) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return lineError(file, 1, "el archivo está vacío; se esperaba una fila de encabezado", "the file is empty; expected a header row")
	}
	if err != nil {
		return csvError(file, err)
	}
	if len(header) > MaxImportColumns {
		return lineError(file, 1, "el encabezado tiene %d columnas; ningún formato que hermanar importa tiene más de %d", "the header has %d columns; no format hermanar imports has more than %d", len(header), MaxImportColumns)
	}
	cols := map[string]bool{}
	for _, h := range header {
		cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = true
	}
	var missing []string
	for _, c := range required {
		if !cols[strings.ToLower(c)] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return lineError(file, 1, "faltan columnas: %s; el encabezado tiene %s", "missing column(s) %s; the header has %s", strings.Join(missing, ", "), strings.Join(header, ","))
	}
	width := len(header)
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return csvError(file, err)
		}
		if len(rec) != width {
			line, _ := cr.FieldPos(0)
			return lineError(file, line, "%d columnas, el encabezado tiene %d (un campo con coma debe ir entre comillas)", "%d columns, the header has %d (a field with a comma must be quoted)", len(rec), width)
		}
		rows++
		if rows > MaxImportRows {
			line, _ := cr.FieldPos(0)
			return lineError(file, line, "más de %d filas; ningún formato que hermanar importa es tan largo", "more than %d rows; no format hermanar imports is that long", MaxImportRows)
		}
	}
	if rows == 0 && !opts.AllowEmpty {
		return lineError(file, 2, "el archivo tiene encabezado y ninguna fila; importarlo vaciaría la tabla (use --allow-empty si eso es lo que quiere)", "the file has a header and no rows; importing it would empty the table (pass --allow-empty if that is what you want)")
	}
	return nil
}
