package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hermanar/datasets"
)

// TestCorruptStoreCommands: stats, verify and serve on a damaged store
// end with a clear error naming the file and the way out (exit status 1),
// not a panic.
func TestCorruptStoreCommands(t *testing.T) {
	dir := t.TempDir()
	st, err := datasets.OpenStore(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		if err := st.Put(datasets.BucketProfiles, fmt.Sprintf("key-%04d", i), []byte(strings.Repeat("v", 200))); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	path := filepath.Join(dir, "hermanar.db")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b[:len(b)/3], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"datasets", "stats", "--data", dir},
		{"datasets", "verify", "--data", dir},
		{"serve", "--addr", "127.0.0.1:0", "--data", dir},
	} {
		_, _, err := runCLI(t, args...)
		if err == nil {
			t.Errorf("%s: no error on a truncated store", args[0:2])
			continue
		}
		if exitCode(err) != 1 || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "damaged") ||
			!strings.Contains(err.Error(), "hermanar restore") {
			t.Errorf("%s: exit %d, error %q; want status 1 naming %s, the damage and the recovery", args[0:2], exitCode(err), err, path)
		}
	}
}
