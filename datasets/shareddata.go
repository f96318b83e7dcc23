package datasets

import (
	"os"
	"path/filepath"
)

// FindSharedData looks for the official data files (a shared/data
// directory, laid out as import-all expects) in dir and every directory
// above it. Tests and tools use it to find ../shared/data wherever the
// repository is checked out.
func FindSharedData(dir string) (string, bool) {
	for {
		d := filepath.Join(dir, "shared", "data")
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
