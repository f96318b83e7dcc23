package datasets

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"runtime/debug"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// ErrStoreDamaged marks a store file that cannot be trusted: truncated,
// overwritten or with broken pages. bbolt panics when it meets a broken
// page, so every first contact with a file (open, meta pages, a full
// structural check) happens here, behind recover, before anything else
// reads it.
var ErrStoreDamaged = errors.New("the store is damaged")

// StoreRecovery says what an operator can do about a damaged store.
const StoreRecovery = "restore a backup (hermanar restore --from FILE --data DIR), " +
	"or move the file aside to start with an empty store (imported tables, profiles, ties and tokens are then lost; " +
	"re-import with hermanar datasets import-all)"

// damaged wraps a finding about path as an ErrStoreDamaged error.
func damaged(path string, format string, args ...any) error {
	return fmt.Errorf("store %s is damaged: %s; %s: %w", path, fmt.Sprintf(format, args...), StoreRecovery, ErrStoreDamaged)
}

// Offsets in a bbolt meta page (page header of 16 bytes, then the meta).
const (
	boltMagic      = 0xED0CDAED
	metaOff        = 16
	metaSize       = 64 // magic … txid (56 bytes), then the checksum
	minStorePage   = 512
	maxStorePage   = 1 << 16
	boltVersionNum = 2
)

type metaInfo struct {
	pageSize uint32
	pgid     uint64
	txid     uint64
}

// preflight reads the two meta pages of the file at path the way bbolt
// does and checks that the file holds every page the newest valid meta
// counts: a truncated file would otherwise be mapped and read past its
// end, which is a fault, not an error.
func preflight(path string) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("open store %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	if st.Size() == 0 {
		return nil // bbolt initialises an empty file
	}
	buf := make([]byte, metaOff+metaSize+8)
	read := func(off int64) (metaInfo, bool) {
		if _, err := f.ReadAt(buf, off); err != nil {
			return metaInfo{}, false
		}
		m := buf[metaOff:]
		le := binary.LittleEndian
		if le.Uint32(m[0:]) != boltMagic || le.Uint32(m[4:]) != boltVersionNum {
			return metaInfo{}, false
		}
		h := fnv.New64a()
		_, _ = h.Write(m[:56])
		if h.Sum64() != le.Uint64(m[56:]) {
			return metaInfo{}, false
		}
		ps := le.Uint32(m[8:])
		if ps < minStorePage || ps > maxStorePage || ps&(ps-1) != 0 {
			return metaInfo{}, false
		}
		return metaInfo{pageSize: ps, pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}, true
	}
	m0, ok0 := read(0)
	var m1 metaInfo
	ok1 := false
	for _, ps := range []int64{int64(m0.pageSize), 4096, int64(os.Getpagesize()), 16384, 65536} {
		if ps <= 0 {
			continue
		}
		if m1, ok1 = read(ps); ok1 {
			break
		}
	}
	var best metaInfo
	switch {
	case ok0 && ok1:
		best = m0
		if m1.txid > m0.txid {
			best = m1
		}
	case ok0:
		best = m0
	case ok1:
		best = m1
	default:
		if st.Size() < 2*minStorePage {
			return damaged(path, "the file is %d bytes, too short to be a bbolt database", st.Size())
		}
		return damaged(path, "neither header page is a valid bbolt meta page (not a hermanar store, or overwritten)")
	}
	if need := int64(best.pgid) * int64(best.pageSize); st.Size() < need {
		return damaged(path, "the file is %d bytes but its header counts %d pages of %d bytes (%d bytes): it was truncated",
			st.Size(), best.pgid, best.pageSize, need)
	}
	return nil
}

// openBolt opens path with bbolt, turning a panic into an error.
func openBolt(path string, opts *bolt.Options) (db *bolt.DB, err error) {
	defer func() {
		if v := recover(); v != nil {
			db, err = nil, damaged(path, "bbolt could not open it (%v)", v)
		}
	}()
	return bolt.Open(path, 0o600, opts)
}

// checkBolt walks every page of db (tx.Check) and reports the first
// problems found, a panic and a memory fault included.
func checkBolt(path string, db *bolt.DB) (err error) {
	done := make(chan error, 1)
	go func() {
		debug.SetPanicOnFault(true)
		defer func() {
			if v := recover(); v != nil {
				done <- damaged(path, "reading it failed (%v)", v)
			}
		}()
		done <- db.View(func(tx *bolt.Tx) error {
			var found []string
			for e := range tx.Check() {
				if len(found) < 3 {
					found = append(found, cut(e.Error(), 200))
				}
			}
			if len(found) > 0 {
				return damaged(path, "%s", strings.Join(found, "; "))
			}
			return nil
		})
	}()
	return <-done
}

// CheckStoreFile verifies that the file at path is a whole, readable
// store without opening it for writing: restore uses it on a backup
// before putting it in place.
func CheckStoreFile(path string) error {
	if st, err := os.Stat(path); err != nil {
		return err
	} else if st.Size() == 0 {
		return damaged(path, "the file is empty")
	}
	if err := preflight(path); err != nil {
		return err
	}
	db, err := openBolt(path, &bolt.Options{ReadOnly: true, Timeout: 1})
	if err != nil {
		if errors.Is(err, ErrStoreDamaged) {
			return err
		}
		return damaged(path, "%v", err)
	}
	defer db.Close()
	if err := checkBolt(path, db); err != nil {
		return err
	}
	// A backup of something else that happens to be a bbolt file is not
	// a hermanar store.
	return db.View(func(tx *bolt.Tx) error {
		known := 0
		_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			switch string(name) {
			case string(bTables), BucketProfiles, BucketTies, BucketTokens, BucketPlaceProfiles:
				known++
			}
			return nil
		})
		if known == 0 {
			return fmt.Errorf("%s is a bbolt file but holds none of hermanar's buckets", path)
		}
		return nil
	})
}

// cut shortens s to at most n bytes at a rune boundary, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + fmt.Sprintf("… (%d bytes more)", len(s)-n)
}
