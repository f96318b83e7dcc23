package datasets

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// TableMeta describes one imported table.
type TableMeta struct {
	Kind       string    `json:"kind"`
	Rows       int       `json:"rows"`
	Source     string    `json:"source"`
	Licence    string    `json:"licence"`
	File       string    `json:"file"`
	SHA256     string    `json:"sha256"`
	ImportedAt time.Time `json:"imported_at"`
	Notes      []string  `json:"notes,omitempty"` // what stayed ambiguous or unmatched, summarised
}

// Store persists imported tables and user-entered records. Every method
// that writes returns only after the data is durable, so a caller may
// acknowledge the write to a user. The bbolt implementation is the default;
// a server database can implement the same interface.
type Store interface {
	// PutTable replaces a whole table in one transaction: either every row
	// and the metadata are stored, or nothing changes.
	PutTable(meta TableMeta, rows [][]byte) error
	Table(kind string) (TableMeta, bool, error)
	Tables() ([]TableMeta, error)
	ReadTable(kind string, fn func(row []byte) error) error

	Put(bucket, key string, value []byte) error
	Get(bucket, key string) ([]byte, bool, error)
	Delete(bucket, key string) error
	List(bucket string, fn func(key string, value []byte) error) error
	// Update runs fn with exclusive access to one bucket; all its writes
	// commit together or not at all.
	Update(bucket string, fn func(b Bucket) error) error
	Close() error
}

// Bucket is the view of one bucket inside Store.Update.
type Bucket interface {
	Get(key string) []byte
	Put(key string, value []byte) error
	Delete(key string) error
}

// Buckets of user-entered records.
const (
	BucketProfiles = "profiles"
	BucketTies     = "ties"
	BucketTokens   = "tokens"
	// BucketPlaceProfiles holds profiles of foreign places, keyed by GeoNames id.
	BucketPlaceProfiles = "place_profiles"
)

var (
	bTables = []byte("tables")
	bMeta   = []byte("meta")
	bRows   = []byte("rows")
)

type boltStore struct {
	db   *bolt.DB
	path string
}

// OpenStore opens (creating if needed) the store in dir/hermanar.db. It
// gives up after timeout if another process holds the file.
func OpenStore(dir string, timeout time.Duration) (Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, "hermanar.db")
	if err := preflight(path); err != nil {
		return nil, err
	}
	db, err := openBolt(path, &bolt.Options{Timeout: timeout})
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, fmt.Errorf("store %s is locked by another hermanar process (stop it or use another --data)", path)
		case errors.Is(err, ErrStoreDamaged):
			return nil, err
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch),
			strings.Contains(err.Error(), "file size too small"):
			return nil, damaged(path, "%v", err)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := checkBolt(path, db); err != nil {
		db.Close()
		return nil, err
	}
	return &boltStore{db: db, path: path}, nil
}

func (s *boltStore) Close() error { return s.db.Close() }

func (s *boltStore) PutTable(meta TableMeta, rows [][]byte) error {
	meta.Rows = len(rows)
	mb, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bTables)
		if err != nil {
			return err
		}
		if root.Bucket([]byte(meta.Kind)) != nil {
			if err := root.DeleteBucket([]byte(meta.Kind)); err != nil {
				return err
			}
		}
		tb, err := root.CreateBucket([]byte(meta.Kind))
		if err != nil {
			return err
		}
		if err := tb.Put(bMeta, mb); err != nil {
			return err
		}
		rb, err := tb.CreateBucket(bRows)
		if err != nil {
			return err
		}
		rb.FillPercent = 1 // rows are appended in key order
		var k [8]byte
		for i, r := range rows {
			binary.BigEndian.PutUint64(k[:], uint64(i))
			if err := rb.Put(k[:], r); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *boltStore) Table(kind string) (TableMeta, bool, error) {
	var m TableMeta
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(bTables)
		if root == nil {
			return nil
		}
		tb := root.Bucket([]byte(kind))
		if tb == nil {
			return nil
		}
		found = true
		return json.Unmarshal(tb.Get(bMeta), &m)
	})
	return m, found, err
}

func (s *boltStore) Tables() ([]TableMeta, error) {
	var out []TableMeta
	err := s.db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(bTables)
		if root == nil {
			return nil
		}
		return root.ForEachBucket(func(k []byte) error {
			var m TableMeta
			if err := json.Unmarshal(root.Bucket(k).Get(bMeta), &m); err != nil {
				return fmt.Errorf("table %s metadata: %w", k, err)
			}
			out = append(out, m)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out, err
}

func (s *boltStore) ReadTable(kind string, fn func(row []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(bTables)
		if root == nil {
			return nil
		}
		tb := root.Bucket([]byte(kind))
		if tb == nil {
			return nil
		}
		return tb.Bucket(bRows).ForEach(func(_, v []byte) error { return fn(v) })
	})
}

func (s *boltStore) Put(bucket, key string, value []byte) error {
	return s.Update(bucket, func(b Bucket) error { return b.Put(key, value) })
}

func (s *boltStore) Delete(bucket, key string) error {
	return s.Update(bucket, func(b Bucket) error { return b.Delete(key) })
}

func (s *boltStore) Get(bucket, key string) ([]byte, bool, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(key)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, out != nil, err
}

func (s *boltStore) List(bucket string, fn func(key string, value []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error { return fn(string(k), v) })
	})
}

type boltBucket struct{ b *bolt.Bucket }

func (b boltBucket) Get(key string) []byte {
	v := b.b.Get([]byte(key))
	if v == nil {
		return nil
	}
	return append([]byte(nil), v...)
}
func (b boltBucket) Put(key string, value []byte) error { return b.b.Put([]byte(key), value) }
func (b boltBucket) Delete(key string) error            { return b.b.Delete([]byte(key)) }

func (s *boltStore) Update(bucket string, fn func(b Bucket) error) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		return fn(boltBucket{b})
	})
}

// SaveTable encodes rows as JSON and replaces the table kind atomically.
func SaveTable[T any](s Store, meta TableMeta, rows []T) error {
	enc := make([][]byte, len(rows))
	for i := range rows {
		b, err := json.Marshal(rows[i])
		if err != nil {
			return fmt.Errorf("%s row %d: %w", meta.Kind, i, err)
		}
		enc[i] = b
	}
	return s.PutTable(meta, enc)
}

// LoadTable decodes every row of the table kind (none if it was never imported).
func LoadTable[T any](s Store, kind string) ([]T, error) {
	var out []T
	err := s.ReadTable(kind, func(row []byte) error {
		var v T
		if err := json.Unmarshal(row, &v); err != nil {
			return fmt.Errorf("table %s: %w", kind, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// Backuper is a store that can write a consistent copy of itself while
// it serves.
type Backuper interface {
	// Backup writes a snapshot of the whole store to w, calling size
	// first with the number of bytes it will write.
	Backup(w io.Writer, size func(int64)) (int64, error)
}

// Backup writes the database as one read transaction sees it (bbolt's
// consistent snapshot): writers go on meanwhile.
func (s *boltStore) Backup(w io.Writer, size func(int64)) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		if size != nil {
			size(tx.Size())
		}
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}
