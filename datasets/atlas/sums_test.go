package atlas

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// The embedded files are the ones SHA256SUMS pins (what rebuild.sh checks).
func TestEmbeddedFilesMatchSHA256SUMS(t *testing.T) {
	f, err := os.Open("SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q: want \"SUM  NAME\"", sc.Text())
		}
		if strings.HasPrefix(name, "LICENSE") {
			continue
		}
		b, err := files.ReadFile("data/" + name)
		if err != nil {
			t.Errorf("%s is pinned but not embedded", name)
			continue
		}
		h := sha256.Sum256(b)
		if got := hex.EncodeToString(h[:]); got != sum {
			t.Errorf("%s: embedded sha256 %s, pinned %s", name, got, sum)
		}
		n++
	}
	if n != 6 {
		t.Errorf("checked %d embedded files, want 6", n)
	}
}
