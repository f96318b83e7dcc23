package datasets

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// RankRow is one line of a bulk ranking: a municipality, one of its top-k
// candidates and the explained score. The matcher produces it; the
// Parquet, CSV and NDJSON writers below serialise it.
//
// Every component has three fixed columns. A component without data for
// the pair (no profile on either side, no diaspora tie known for the
// municipality, no twinning registry) has *_present false and value and
// contribution 0, rather than NaN: the row stays valid JSON for NDJSON
// streaming, and the contributions still sum to Score. In a notebook,
// mask with the *_present column where "no data" must differ from 0.
type RankRow struct {
	Municipality     string `parquet:"municipality,dict" json:"municipality"` // INEGI CVEGEO
	MunicipalityName string `parquet:"municipality_name,dict" json:"municipality_name"`
	State            string `parquet:"state,dict" json:"state"` // INEGI state code, "11"
	StateName        string `parquet:"state_name,dict" json:"state_name"`
	Rank             int32  `parquet:"rank" json:"rank"` // 1 = best

	PlaceID    int64  `parquet:"place_id" json:"place_id"` // GeoNames id
	PlaceName  string `parquet:"place_name" json:"place_name"`
	Country    string `parquet:"country,dict" json:"country"`
	Admin1     string `parquet:"admin1,dict" json:"admin1"`
	Population int64  `parquet:"population" json:"population"`

	Score float64 `parquet:"score" json:"score"`

	ProblemsValue    float64 `parquet:"problems_value" json:"problems_value"`
	ProblemsContrib  float64 `parquet:"problems_contrib" json:"problems_contrib"`
	AreasValue       float64 `parquet:"areas_value" json:"areas_value"`
	AreasContrib     float64 `parquet:"areas_contrib" json:"areas_contrib"`
	DiasporaValue    float64 `parquet:"diaspora_value" json:"diaspora_value"`
	DiasporaContrib  float64 `parquet:"diaspora_contrib" json:"diaspora_contrib"`
	TextValue        float64 `parquet:"text_value" json:"text_value"`
	TextContrib      float64 `parquet:"text_contrib" json:"text_contrib"`
	StructureValue   float64 `parquet:"structure_value" json:"structure_value"`
	StructureContrib float64 `parquet:"structure_contrib" json:"structure_contrib"`
	NetworkValue     float64 `parquet:"network_value" json:"network_value"`
	NetworkContrib   float64 `parquet:"network_contrib" json:"network_contrib"`
	// For a municipality with twins of its own, the second stage's part
	// of the score (learned) and the shared traits' part kept on top of
	// it, in place of structure and network (matcher/rerank_ship.go).
	TraitsValue    float64 `parquet:"traits_value" json:"traits_value"`
	TraitsContrib  float64 `parquet:"traits_contrib" json:"traits_contrib"`
	LearnedValue   float64 `parquet:"learned_value" json:"learned_value"`
	LearnedContrib float64 `parquet:"learned_contrib" json:"learned_contrib"`

	ProblemsPresent  bool `parquet:"problems_present" json:"problems_present"`
	AreasPresent     bool `parquet:"areas_present" json:"areas_present"`
	DiasporaPresent  bool `parquet:"diaspora_present" json:"diaspora_present"`
	TextPresent      bool `parquet:"text_present" json:"text_present"`
	StructurePresent bool `parquet:"structure_present" json:"structure_present"`
	NetworkPresent   bool `parquet:"network_present" json:"network_present"`
	TraitsPresent    bool `parquet:"traits_present" json:"traits_present"`
	LearnedPresent   bool `parquet:"learned_present" json:"learned_present"`

	Coverage float64 `parquet:"coverage" json:"coverage"` // share of the total weight with data
	Twinned  bool    `parquet:"twinned" json:"twinned"`   // already twinned with the municipality
	Code     string  `parquet:"code,dict" json:"code"`    // short explanation code, e.g. "D+S"
}

// RankComponent addresses the three columns of one component by name
// ("problems", "areas", "diaspora", "text", "structure", "network",
// "traits", "learned"); ok is
// false for an unknown name.
func (r *RankRow) RankComponent(name string) (value, contrib *float64, present *bool, ok bool) {
	switch name {
	case "problems":
		return &r.ProblemsValue, &r.ProblemsContrib, &r.ProblemsPresent, true
	case "areas":
		return &r.AreasValue, &r.AreasContrib, &r.AreasPresent, true
	case "diaspora":
		return &r.DiasporaValue, &r.DiasporaContrib, &r.DiasporaPresent, true
	case "text":
		return &r.TextValue, &r.TextContrib, &r.TextPresent, true
	case "structure":
		return &r.StructureValue, &r.StructureContrib, &r.StructurePresent, true
	case "network":
		return &r.NetworkValue, &r.NetworkContrib, &r.NetworkPresent, true
	case "traits":
		return &r.TraitsValue, &r.TraitsContrib, &r.TraitsPresent, true
	case "learned":
		return &r.LearnedValue, &r.LearnedContrib, &r.LearnedPresent, true
	}
	return nil, nil, nil, false
}

// RankEncoder writes rank rows to a stream as they come. Close finishes
// the stream (the Parquet footer, the CSV buffer) but does not close the
// underlying writer.
type RankEncoder interface {
	Write(rows ...RankRow) error
	Close() error
}

// RankRowGroupRows is how many rows a Parquet row group of a ranking holds:
// about 330 municipalities at k=50, a few MB of column buffers, so memory
// stays bounded however long the ranking is.
const RankRowGroupRows = 16384

// RankWriter streams rank rows into one zstd-compressed Parquet file,
// writing a row group every RankRowGroupRows rows. It compresses at
// zstd's fastest level: on a bulk ranking the default level costs
// some 40% more encoding CPU for a file about 12% smaller.
type RankWriter struct {
	pw      *parquet.GenericWriter[RankRow]
	pending int
	closed  bool
}

// NewRankWriter starts a Parquet ranking on w.
func NewRankWriter(w io.Writer) *RankWriter {
	opts := []parquet.WriterOption{parquet.Compression(rankCodec), parquet.CreatedBy("hermanar", "", "")}
	for _, c := range rankNoBounds {
		opts = append(opts, parquet.SkipPageBounds(c))
	}
	return &RankWriter{pw: parquet.NewGenericWriter[RankRow](w, opts...)}
}

// rankBounded are the columns whose pages carry a minimum and maximum: the
// ones a reader selects row groups by. Every other column of the ranking
// (names, component values and flags) is written without them: computing
// the bounds of every column was about a fifth of the writer's CPU.
var rankBounded = []string{"municipality", "state", "rank", "place_id", "country", "score"}

// rankNoBounds are the ranking's columns outside rankBounded, in header order.
var rankNoBounds = func() []string {
	var out []string
	for _, c := range RankCSVHeader {
		if !slices.Contains(rankBounded, c) {
			out = append(out, c)
		}
	}
	return out
}()

// rankCodec is shared by every ranking, with its pool of encoders.
var rankCodec = &zstd.Codec{Level: zstd.SpeedFastest}

// Write appends rows; a full row group goes out to the writer at once.
func (w *RankWriter) Write(rows ...RankRow) error {
	if w.closed {
		return fmt.Errorf("rank parquet: write after close")
	}
	for len(rows) > 0 {
		n := min(len(rows), RankRowGroupRows-w.pending)
		if _, err := w.pw.Write(rows[:n]); err != nil {
			return fmt.Errorf("rank parquet: %w", err)
		}
		rows = rows[n:]
		w.pending += n
		if w.pending == RankRowGroupRows {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Flush ends the current row group and writes it out, so that a reader of
// a stream (an HTTP client) gets rows before the ranking ends.
func (w *RankWriter) Flush() error {
	if w.pending == 0 {
		return nil
	}
	w.pending = 0
	if err := w.pw.Flush(); err != nil {
		return fmt.Errorf("rank parquet: %w", err)
	}
	return nil
}

// Close writes the last row group and the footer.
func (w *RankWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.pw.Close(); err != nil {
		return fmt.Errorf("rank parquet: %w", err)
	}
	return nil
}

// ReadRankFile reads every row of a ranking Parquet file.
func ReadRankFile(name string) ([]RankRow, error) {
	return ReadParquetFile[RankRow](name)
}

// RankCSVHeader is the header line of a ranking CSV, in column order; the
// names are those of the Parquet columns.
var RankCSVHeader = []string{
	"municipality", "municipality_name", "state", "state_name", "rank",
	"place_id", "place_name", "country", "admin1", "population", "score",
	"problems_value", "problems_contrib", "areas_value", "areas_contrib",
	"diaspora_value", "diaspora_contrib", "text_value", "text_contrib",
	"structure_value", "structure_contrib", "network_value", "network_contrib",
	"traits_value", "traits_contrib", "learned_value", "learned_contrib",
	"problems_present", "areas_present", "diaspora_present", "text_present",
	"structure_present", "network_present", "traits_present", "learned_present",
	"coverage", "twinned", "code",
}

// UTF8BOM starts every CSV Hermanar writes: without it, a spreadsheet on
// Windows reads the file as Latin-1 and "José" comes out garbled. Readers
// of these files strip it (encoding/csv does not; pandas with
// encoding="utf-8-sig" does).
const UTF8BOM = "\ufeff"

// RankCSVWriter streams rank rows as CSV with RankCSVHeader, after a
// UTF-8 byte order mark. Floats are written in the shortest form that
// reads back to the same float64.
type RankCSVWriter struct {
	// Header is the first line; RankCSVHeader unless set before the first
	// Write to the same columns titled for people (another language).
	Header []string
	bw     *bufio.Writer
	cw     *csv.Writer
	header bool
	rec    []string
}

// NewRankCSVWriter starts a CSV ranking on w.
func NewRankCSVWriter(w io.Writer) *RankCSVWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	return &RankCSVWriter{Header: RankCSVHeader, bw: bw, cw: csv.NewWriter(bw), rec: make([]string, len(RankCSVHeader))}
}

// Write appends rows.
func (w *RankCSVWriter) Write(rows ...RankRow) error {
	if !w.header {
		w.header = true
		if _, err := w.bw.WriteString(UTF8BOM); err != nil {
			return err
		}
		if len(w.Header) != len(RankCSVHeader) {
			return fmt.Errorf("rank csv: header of %d columns for %d", len(w.Header), len(RankCSVHeader))
		}
		if err := w.cw.Write(w.Header); err != nil {
			return err
		}
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	b := strconv.FormatBool
	for i := range rows {
		r := &rows[i]
		rec := append(w.rec[:0],
			r.Municipality, r.MunicipalityName, r.State, r.StateName, strconv.Itoa(int(r.Rank)),
			strconv.FormatInt(r.PlaceID, 10), r.PlaceName, r.Country, r.Admin1,
			strconv.FormatInt(r.Population, 10), f(r.Score),
			f(r.ProblemsValue), f(r.ProblemsContrib), f(r.AreasValue), f(r.AreasContrib),
			f(r.DiasporaValue), f(r.DiasporaContrib), f(r.TextValue), f(r.TextContrib),
			f(r.StructureValue), f(r.StructureContrib), f(r.NetworkValue), f(r.NetworkContrib),
			f(r.TraitsValue), f(r.TraitsContrib), f(r.LearnedValue), f(r.LearnedContrib),
			b(r.ProblemsPresent), b(r.AreasPresent), b(r.DiasporaPresent), b(r.TextPresent),
			b(r.StructurePresent), b(r.NetworkPresent), b(r.TraitsPresent), b(r.LearnedPresent),
			f(r.Coverage), b(r.Twinned), r.Code)
		if err := w.cw.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

// Close writes the header if no row came, and flushes.
func (w *RankCSVWriter) Close() error {
	if !w.header {
		if err := w.Write(); err != nil {
			return err
		}
	}
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return err
	}
	return w.bw.Flush()
}

// RankNDJSONWriter streams rank rows as newline-delimited JSON, one object
// per row with the Parquet column names as keys.
type RankNDJSONWriter struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

// NewRankNDJSONWriter starts an NDJSON ranking on w. Rows are buffered up
// to 32 KiB; call Flush to push them to a client sooner.
func NewRankNDJSONWriter(w io.Writer) *RankNDJSONWriter {
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &RankNDJSONWriter{bw: bw, enc: enc}
}

// Write appends rows.
func (w *RankNDJSONWriter) Write(rows ...RankRow) error {
	for i := range rows {
		if err := w.enc.Encode(&rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// Flush pushes buffered rows to the underlying writer.
func (w *RankNDJSONWriter) Flush() error { return w.bw.Flush() }

// Close flushes.
func (w *RankNDJSONWriter) Close() error { return w.bw.Flush() }

var (
	_ RankEncoder = (*RankWriter)(nil)
	_ RankEncoder = (*RankCSVWriter)(nil)
	_ RankEncoder = (*RankNDJSONWriter)(nil)
)
