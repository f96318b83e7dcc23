package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// ReadParquetBytes decodes every row of a Parquet file held in memory.
func ReadParquetBytes[T any](data []byte) ([]T, error) {
	return readParquet[T](bytes.NewReader(data), int64(len(data)))
}

// ReadParquetFile decodes every row of a Parquet file on disk.
func ReadParquetFile[T any](name string) ([]T, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	rows, err := readParquet[T](f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rows, nil
}

func readParquet[T any](r io.ReaderAt, size int64) ([]T, error) {
	pf, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, err
	}
	rd := parquet.NewGenericReader[T](pf)
	out := make([]T, pf.NumRows())
	n := 0
	for n < len(out) {
		k, err := rd.Read(out[n:])
		n += k
		// Read may hand back the last rows together with io.EOF.
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rd.Close()
			return nil, err
		}
		if k == 0 {
			break
		}
	}
	if err := rd.Close(); err != nil {
		return nil, err
	}
	if n != len(out) {
		return nil, fmt.Errorf("parquet: read %d of %d rows", n, len(out))
	}
	return out, nil
}

// Column-at-a-time reading of flat Parquet files whose columns are all
// required (no nulls, no repetition), such as the embedded snapshot.
//
// GenericReader rebuilds every row through reflection and allocates every
// string separately: for the 200k-place snapshot that is millions of
// allocations and most of the start-up time. Reading each leaf column's
// decoded page data directly instead lets a string column share one backing
// string (each value is a substring of it) and lets dictionary-encoded
// columns map every row to one interned string per distinct value.

// parquetColumn returns the leaf column index of a top-level column.
func parquetColumn(pf *parquet.File, name string) (int, error) {
	leaf, ok := pf.Schema().Lookup(name)
	if !ok {
		return 0, fmt.Errorf("parquet: no column %q", name)
	}
	if leaf.MaxDefinitionLevel != 0 || leaf.MaxRepetitionLevel != 0 {
		return 0, fmt.Errorf("parquet: column %q is optional or repeated", name)
	}
	return leaf.ColumnIndex, nil
}

// forEachPage calls fn with every data page of a column in row order and
// the index of the page's first row in the file. The page is released
// after fn returns, so fn must copy what it keeps.
func forEachPage(pf *parquet.File, name string, fn func(first int, p parquet.Page) error) error {
	col, err := parquetColumn(pf, name)
	if err != nil {
		return err
	}
	first := 0
	for _, rg := range pf.RowGroups() {
		pages := rg.ColumnChunks()[col].Pages()
		for {
			p, err := pages.ReadPage()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				pages.Close()
				return fmt.Errorf("parquet column %q: %w", name, err)
			}
			n := int(p.NumValues())
			err = fn(first, p)
			parquet.Release(p)
			if err != nil {
				pages.Close()
				return fmt.Errorf("parquet column %q: %w", name, err)
			}
			first += n
		}
		if err := pages.Close(); err != nil {
			return err
		}
	}
	if first != int(pf.NumRows()) {
		return fmt.Errorf("parquet column %q: read %d of %d values", name, first, pf.NumRows())
	}
	return nil
}

// readStringColumn calls set(row, value) for every row of a string column.
// Plain-encoded values are copied into one buffer that becomes one string,
// so the values cost no allocation of their own; dictionary-encoded values
// are interned, one string per distinct value across the whole column.
func readStringColumn(pf *parquet.File, name string, set func(row int, s string)) error {
	var (
		buf    []byte
		ends   []uint32 // end of each plain value in buf
		spans  []plainSpan
		intern = map[string]string{}
		dict   parquet.Dictionary
		words  []string // dict's values, interned
	)
	err := forEachPage(pf, name, func(first int, p parquet.Page) error {
		data := p.Data()
		if d := p.Dictionary(); d != nil {
			if d != dict { // a new column chunk
				dict = d
				dv := d.Page().Data()
				b, off := dv.ByteArray()
				words = words[:0]
				for i := 0; i+1 < len(off); i++ {
					w := b[off[i]:off[i+1]]
					s, ok := intern[string(w)]
					if !ok {
						s = string(w)
						intern[s] = s
					}
					words = append(words, s)
				}
			}
			for i, k := range data.Int32() {
				if int(k) >= len(words) {
					return fmt.Errorf("dictionary index %d out of %d", k, len(words))
				}
				set(first+i, words[k])
			}
			return nil
		}
		b, off := data.ByteArray()
		if len(off) == 0 {
			return nil
		}
		if buf == nil {
			buf = make([]byte, 0, plainSizeHint(pf, name))
			ends = make([]uint32, 0, pf.NumRows())
		}
		spans = append(spans, plainSpan{first: first, end0: len(ends), n: len(off) - 1})
		base := uint32(len(buf)) - off[0]
		buf = append(buf, b[off[0]:off[len(off)-1]]...)
		for _, o := range off[1:] {
			ends = append(ends, base+o)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// buf is never written again: the values are substrings of it as it
	// is, without copying the column (tens of MB at start-up, every page
	// of it a fault on a fresh heap).
	all := unsafe.String(unsafe.SliceData(buf), len(buf))
	for _, sp := range spans {
		var start uint32
		if sp.end0 > 0 {
			start = ends[sp.end0-1]
		}
		for i := 0; i < sp.n; i++ {
			end := ends[sp.end0+i]
			set(sp.first+i, all[start:end])
			start = end
		}
	}
	return nil
}

// plainSpan is a run of plain-encoded values: rows first..first+n, whose
// ends are ends[end0:end0+n].
type plainSpan struct{ first, end0, n int }

// plainSizeHint is the column's uncompressed size, an upper bound of its
// value bytes, so that the value buffer is allocated once.
func plainSizeHint(pf *parquet.File, name string) int {
	col, err := parquetColumn(pf, name)
	if err != nil {
		return 0
	}
	n := int64(0)
	for _, rg := range pf.Metadata().RowGroups {
		if col < len(rg.Columns) {
			n += rg.Columns[col].MetaData.TotalUncompressedSize
		}
	}
	return int(n)
}

// readFixedColumn calls set(row, value) for every row of a numeric column;
// values picks the column's values out of decoded page data.
func readFixedColumn[T int32 | int64 | float32](pf *parquet.File, name string,
	values func(*encoding.Values) []T, set func(row int, v T)) error {
	return forEachPage(pf, name, func(first int, p parquet.Page) error {
		data := p.Data()
		if d := p.Dictionary(); d != nil {
			dv := d.Page().Data()
			words := values(&dv)
			for i, k := range data.Int32() {
				if int(k) >= len(words) {
					return fmt.Errorf("dictionary index %d out of %d", k, len(words))
				}
				set(first+i, words[k])
			}
			return nil
		}
		for i, v := range values(&data) {
			set(first+i, v)
		}
		return nil
	})
}

func int32Values(v *encoding.Values) []int32   { return v.Int32() }
func int64Values(v *encoding.Values) []int64   { return v.Int64() }
func floatValues(v *encoding.Values) []float32 { return v.Float() }
