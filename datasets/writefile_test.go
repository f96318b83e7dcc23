package datasets

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A failed write leaves the old file whole and no temporary behind; a
// good one replaces it with the asked permissions.
func TestWriteFileSync(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "weights.json")
	if err := WriteBytesSync(name, 0o644, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFileSync(name, 0o644, func(f *os.File) error {
		f.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if b, _ := os.ReadFile(name); string(b) != "old" {
		t.Errorf("after a failed write the file holds %q, want \"old\"", b)
	}
	if err := WriteBytesSync(name, 0o644, []byte("new")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(name); string(b) != "new" || st.Mode().Perm() != 0o644 {
		t.Errorf("file holds %q with mode %v, want \"new\" and 0644", b, st.Mode().Perm())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries in the directory, want 1 (no temporary left)", len(ents))
	}
}
