package matcher

import "sync"

// onceMap holds one entry per key, made on first use and filled by its
// own sync.Once, so that concurrent queries wanting the same value wait
// for one computation instead of repeating it. The lock guards only the
// map, never a computation.
type onceMap[K comparable, E any] struct {
	mu sync.Mutex
	m  map[K]*E
}

// entry is k's entry, made empty if there is none.
func (om *onceMap[K, E]) entry(k K) *E {
	om.mu.Lock()
	defer om.mu.Unlock()
	if om.m == nil {
		om.m = map[K]*E{}
	}
	en := om.m[k]
	if en == nil {
		en = new(E)
		om.m[k] = en
	}
	return en
}

// drop forgets k's entry if it is still en (a failed computation, to be
// tried again by the next query).
func (om *onceMap[K, E]) drop(k K, en *E) {
	om.mu.Lock()
	defer om.mu.Unlock()
	if om.m[k] == en {
		delete(om.m, k)
	}
}
