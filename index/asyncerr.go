package index

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Scorch persists batches in the background and, when a persist fails
// (a full disk: "no space left on device"), reports the error to a
// callback and retries forever without calling the batches' persisted
// callbacks. A build that only waited for those callbacks would hang at
// 100% with a half-written directory. Builds register here, by index
// path, to hear about such errors and give up.
const asyncErrorCallback = "hermanar-build"

var asyncErrs sync.Map // index path → func(error)

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = func(err error, path string) {
		// Scorch names its own directory (the index's "store").
		asyncErrs.Range(func(k, f any) bool {
			if p := k.(string); path == p || strings.HasPrefix(path, p+string(filepath.Separator)) {
				f.(func(error))(err)
			}
			return true
		})
	}
}

// watchAsyncErrors calls fail with the first background error of the
// index at path until stop is called.
func watchAsyncErrors(path string, fail func(error)) (stop func()) {
	var once sync.Once
	asyncErrs.Store(path, func(err error) { once.Do(func() { fail(err) }) })
	return func() { asyncErrs.Delete(path) }
}
