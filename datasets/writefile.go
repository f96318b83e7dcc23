package datasets

import (
	"os"
	"path/filepath"
)

// WriteFileSync writes path through a temporary file in the same
// directory, syncs it, gives it perm and renames it over path, so that a
// crash never leaves half a file under the final name.
func WriteFileSync(path string, perm os.FileMode, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteBytesSync is WriteFileSync for bytes already in memory.
func WriteBytesSync(path string, perm os.FileMode, b []byte) error {
	return WriteFileSync(path, perm, func(f *os.File) error {
		_, err := f.Write(b)
		return err
	})
}
