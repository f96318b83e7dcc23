package datasets

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mustFilledStore writes a store with an imported table and user records
// across several pages, closes it and returns its file.
func mustFilledStore(tb testing.TB) (dir, path string) {
	tb.Helper()
	dir = tb.TempDir()
	st, err := OpenStore(dir, time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	rows := make([][]byte, 3000)
	for i := range rows {
		rows[i] = []byte(fmt.Sprintf(`{"row":%d,"text":"%s"}`, i, strings.Repeat("x", 40)))
	}
	if err := st.PutTable(TableMeta{Kind: "test", Source: "test"}, rows); err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		if err := st.Put(BucketProfiles, fmt.Sprintf("%05d", i), []byte(strings.Repeat("p", 100))); err != nil {
			tb.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		tb.Fatal(err)
	}
	return dir, filepath.Join(dir, "hermanar.db")
}

// readAll reads every record; used to show a store that opened is whole.
func readAll(st Store) error {
	if _, err := st.Tables(); err != nil {
		return err
	}
	if err := st.ReadTable("test", func([]byte) error { return nil }); err != nil {
		return err
	}
	return st.List(BucketProfiles, func(string, []byte) error { return nil })
}

// TestCorruptStoreIsAnError: a truncated file, a flipped page header or
// random bytes give an error that names the file and says how to recover
// — never a panic (bbolt panics on broken pages).
func TestCorruptStoreIsAnError(t *testing.T) {
	_, orig := mustFilledStore(t)
	good, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	const ps = 4096
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, len(good))
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	cases := []struct {
		name   string
		mangle func([]byte) []byte
	}{
		{"truncated to half", func(b []byte) []byte { return b[:len(b)/2] }},
		{"truncated to three pages", func(b []byte) []byte { return b[:3*ps] }},
		{"truncated inside the header", func(b []byte) []byte { return b[:100] }},
		{"random bytes", func([]byte) []byte { return random }},
		{"both meta pages zeroed", func(b []byte) []byte { clear(b[:2*ps]); return b }},
		{"text file", func([]byte) []byte { return []byte("municipality,place\n11008,5278931\n") }},
	}
	// Every page header flipped in turn.
	for pg := 2; pg*ps < len(good); pg++ {
		cases = append(cases, struct {
			name   string
			mangle func([]byte) []byte
		}{fmt.Sprintf("page %d header flipped", pg), func(b []byte) []byte {
			for i := 0; i < 16; i++ {
				b[pg*ps+i] ^= 0xff
			}
			return b
		}})
	}
	damagedSeen := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "hermanar.db")
			if err := os.WriteFile(path, tc.mangle(append([]byte(nil), good...)), 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := OpenStore(dir, time.Second)
			if err == nil {
				// Only a page nothing reaches (a freed one) may be flipped
				// harmlessly; then everything must read.
				defer st.Close()
				if rerr := readAll(st); rerr != nil {
					t.Errorf("opened, but reading fails: %v", rerr)
				}
				if !strings.Contains(tc.name, "page") {
					t.Errorf("opened a store that should be refused")
				}
				return
			}
			damagedSeen++
			if !errors.Is(err, ErrStoreDamaged) {
				t.Errorf("error %q is not ErrStoreDamaged", err)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "hermanar restore") || len(msg) > 1000 {
				t.Errorf("error should name %s and the recovery, briefly; got %q", path, msg)
			}
		})
	}
	if damagedSeen < 8 {
		t.Errorf("only %d of %d corruptions were detected", damagedSeen, len(cases))
	}
	// The original still opens, and a backup check passes on it.
	if err := CheckStoreFile(orig); err != nil {
		t.Errorf("CheckStoreFile on a good store: %v", err)
	}
}
