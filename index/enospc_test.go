package index

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hermanar/datasets"
)

// mustSmallDisk mounts a tmpfs of size bytes on a new directory (root
// only; CI runs as root) and unmounts it at the end.
func mustSmallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// TestBuildOnFullDisk: a first index build that runs out of space ends
// with an error saying so, in bounded time, and leaves no half-built
// directory (it used to reach 100% and wait forever).
func TestBuildOnFullDisk(t *testing.T) {
	disk := mustSmallDisk(t, "3m")
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		ix, err := Open(filepath.Join(disk, "index"), snap, Options{Countries: []string{"US", "CA"}})
		if err == nil {
			ix.Close()
		}
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the build on a full disk did not end within 2 minutes")
	}
	t.Logf("build on a 3 MB disk: %v", err)
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("got %v, want an error saying no space left on device", err)
	}
	left, _ := filepath.Glob(filepath.Join(disk, "index", "*.building-*"))
	if len(left) > 0 {
		t.Errorf("partial build directories left: %v", left)
	}
}
