package index

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"hermanar/datasets"
)

// The place index over the whole snapshot takes tens of seconds to
// build, so the package builds it once, lazily, into a temporary
// directory shared by every test and benchmark that needs it.
// HERMANAR_TEST_INDEX=DIR keeps it in DIR across runs instead (it is
// rebuilt only when stale), and -short indexes only Mexican and US places,
// which still holds every acceptance case.
var (
	sharedOnce sync.Once
	sharedDir  string
	sharedIdx  *Index
	sharedErr  error
	sharedTook time.Duration
	tempRoot   string
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if sharedIdx != nil {
		_ = sharedIdx.Close()
	}
	if tempRoot != "" {
		_ = os.RemoveAll(tempRoot)
	}
	os.Exit(code)
}

// sharedIndex returns the package-wide index (see above), building it on
// first use.
func sharedIndex(tb testing.TB) *Index {
	tb.Helper()
	sharedOnce.Do(func() {
		snap, err := datasets.DefaultSnapshot()
		if err != nil {
			sharedErr = err
			return
		}
		sharedDir = os.Getenv("HERMANAR_TEST_INDEX")
		if sharedDir == "" {
			if tempRoot, err = os.MkdirTemp("", "hermanar-index-test-"); err != nil {
				sharedErr = err
				return
			}
			sharedDir = tempRoot
		}
		opts := Options{}
		if testing.Short() {
			opts.Countries = []string{"MX", "US"}
		}
		if testing.Verbose() {
			opts.Progress = func(done, total int) {
				if done == total || done%100_000 < batchSize {
					fmt.Fprintf(os.Stderr, "index: %d of %d docs\n", done, total)
				}
			}
		}
		start := time.Now()
		sharedIdx, sharedErr = Open(sharedDir, snap, opts)
		sharedTook = time.Since(start)
		if sharedErr == nil {
			info := sharedIdx.Places()
			if info.Rebuilt {
				fmt.Fprintf(os.Stderr, "index: built %d place docs in %.1fs (%.0f docs/s)\n", info.Docs, info.BuildSeconds, info.DocsPerSecond())
			}
		}
	})
	if sharedErr != nil {
		tb.Fatalf("shared index: %v", sharedErr)
	}
	return sharedIdx
}
