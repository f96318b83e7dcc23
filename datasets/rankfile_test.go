package datasets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

func sampleRankRows(n int) []RankRow {
	rows := make([]RankRow, n)
	for i := range rows {
		rows[i] = RankRow{
			Municipality: fmt.Sprintf("11%03d", i/50+1), MunicipalityName: "Manuel Doblado", State: "11", StateName: "Guanajuato",
			Rank: int32(i%50 + 1), PlaceID: 5278931 + int64(i), PlaceName: "Whitewater, \"WI\"", Country: "US", Admin1: "WI",
			Population: 14692, Score: 0.1 + float64(i)/3e6, StructureValue: 0.812345, StructureContrib: 1.0 / 3,
			StructurePresent: true, DiasporaValue: 0.75, DiasporaContrib: 0.5, DiasporaPresent: i%2 == 0,
			Coverage: 0.55, Twinned: i%7 == 0, Code: "D+S",
		}
	}
	return rows
}

// countingWriter counts the bytes that reached it.
type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

func TestRankParquetRoundTrip(t *testing.T) {
	want := sampleRankRows(2*RankRowGroupRows + 123)
	name := filepath.Join(t.TempDir(), "ranking.parquet")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w := NewRankWriter(f)
	for i := 0; i < len(want); i += 1000 {
		if err := w.Write(want[i:min(i+1000, len(want))]...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRankFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip: %d rows back, want %d equal rows", len(got), len(want))
	}

	b, _ := os.ReadFile(name)
	pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pf.RowGroups()); n != 3 {
		t.Errorf("%d row groups, want 3", n)
	}
	// Bounds only where a reader filters: the rest carry none.
	withBounds := map[string]bool{"municipality": true, "state": true, "rank": true, "place_id": true, "country": true, "score": true}
	for _, rg := range pf.Metadata().RowGroups {
		for _, c := range rg.Columns {
			if c.MetaData.Codec != format.Zstd {
				t.Errorf("column %v: codec %v, want ZSTD", c.MetaData.PathInSchema, c.MetaData.Codec)
			}
			name := c.MetaData.PathInSchema[0]
			if has := c.MetaData.Statistics.MinValue != nil; has != withBounds[name] {
				t.Errorf("column %s: min/max statistics %v, want %v", name, has, withBounds[name])
			}
		}
	}
}

// Row groups leave the writer as they fill: a stream is never held whole.
func TestRankWriterStreams(t *testing.T) {
	var cw countingWriter
	w := NewRankWriter(&cw)
	rows := sampleRankRows(RankRowGroupRows)
	if err := w.Write(rows[:100]...); err != nil {
		t.Fatal(err)
	}
	before := cw.n
	if err := w.Write(rows[100:]...); err != nil {
		t.Fatal(err)
	}
	if cw.n <= before+1000 {
		t.Errorf("a full row group was not written out before Close (%d → %d bytes)", before, cw.n)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rows[0]); err == nil {
		t.Error("write after close accepted")
	}
}

func TestRankCSV(t *testing.T) {
	rows := sampleRankRows(3)
	var buf bytes.Buffer
	w := NewRankCSVWriter(&buf)
	if err := w.Write(rows...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte(UTF8BOM)) {
		t.Errorf("ranking CSV does not start with a UTF-8 BOM: %q", buf.String()[:min(20, buf.Len())])
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte(UTF8BOM)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || !reflect.DeepEqual(recs[0], RankCSVHeader) {
		t.Fatalf("got %d records, header %v", len(recs), recs[0])
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	r := recs[1]
	score, _ := strconv.ParseFloat(r[col["structure_contrib"]], 64)
	if score != rows[0].StructureContrib || r[col["place_name"]] != rows[0].PlaceName || r[col["code"]] != "D+S" ||
		r[col["diaspora_present"]] != "true" || recs[2][col["diaspora_present"]] != "false" {
		t.Errorf("row 1 = %v", r)
	}
	// The CSV header and the Parquet schema name the same columns in order.
	schema := parquet.SchemaOf(RankRow{})
	for i, f := range schema.Fields() {
		if f.Name() != RankCSVHeader[i] {
			t.Errorf("column %d: parquet %q, csv %q", i, f.Name(), RankCSVHeader[i])
		}
	}

	var empty bytes.Buffer
	w = NewRankCSVWriter(&empty)
	if err := w.Close(); err != nil || empty.Len() == 0 {
		t.Errorf("an empty ranking should still have its header: %q %v", empty.String(), err)
	}
}

func TestRankNDJSON(t *testing.T) {
	rows := sampleRankRows(3)
	rows[1].Score = math.Nextafter(0.5, 1)
	var buf bytes.Buffer
	w := NewRankNDJSONWriter(&buf)
	if err := w.Write(rows...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	var got []RankRow
	for sc.Scan() {
		var r RankRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if !reflect.DeepEqual(got, rows) {
		t.Errorf("NDJSON round trip differs")
	}
}
