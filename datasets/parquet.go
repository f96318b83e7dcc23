package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
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
