package api

import (
	"container/list"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"
)

// lru caches rendered answers (match lists) up to a byte budget. Entries
// carry the write generation they were computed under; any write clears
// the cache, and a stale generation never matches.
type lru struct {
	mu    sync.Mutex
	max   int64
	size  int64
	ll    *list.List
	items map[string]*list.Element
}

type lruEntry struct {
	key  string
	gen  uint64
	val  []byte
	ctyp []string // the Content-Type header, shared (see setSecurityHeaders)
	etag string   // a strong ETag of val, quoted
	// The ETag and Content-Length headers, built once per entry and
	// shared by every answer from it (full slices: see setSecurityHeaders).
	etagHdr, lenHdr []string

	// The gzip representation, made on the entry's first cache hit from
	// a client that accepts it (gzip.go).
	gzOnce sync.Once
	gz     atomic.Pointer[gzipRep]
	gzEtag string // the gzip representation's ETag, quoted
	// cached and extra are guarded by lru.mu: whether the entry is in the
	// cache, and the bytes it gained after it was put (its gzip body).
	cached bool
	extra  int64
}

func newLRU(maxBytes int64) *lru {
	return &lru{max: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
}

// get looks key up; the string(key) conversion in the map index does not
// allocate.
func (l *lru) get(key []byte, gen uint64) (*lruEntry, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.items[string(key)]
	if !ok {
		return nil, false
	}
	e := el.Value.(*lruEntry)
	if e.gen != gen {
		l.remove(el)
		return nil, false
	}
	l.ll.MoveToFront(el)
	return e, true
}

// cost is what an entry counts against the byte budget.
func (e *lruEntry) cost() int64 { return int64(len(e.val)+len(e.key)+64) + e.extra }

func (l *lru) put(e *lruEntry) {
	cost := e.cost()
	if cost > l.max/8 {
		return // one answer may not crowd out the rest
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[e.key]; ok {
		l.remove(el)
	}
	l.items[e.key] = l.ll.PushFront(e)
	e.cached = true
	l.size += cost
	l.evict()
}

// grow counts n more bytes for e (its gzip body) while it is cached.
func (l *lru) grow(e *lruEntry, n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !e.cached {
		return
	}
	e.extra += n
	l.size += n
	l.evict()
}

func (l *lru) evict() {
	for l.size > l.max {
		l.remove(l.ll.Back())
	}
}

func (l *lru) remove(el *list.Element) {
	e := el.Value.(*lruEntry)
	l.ll.Remove(el)
	delete(l.items, e.key)
	l.size -= e.cost()
	e.cached = false
}

func (l *lru) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for el := l.ll.Front(); el != nil; el = el.Next() {
		el.Value.(*lruEntry).cached = false
	}
	l.ll.Init()
	l.items = map[string]*list.Element{}
	l.size = 0
}

// flightGroup makes concurrent identical misses compute once.
type flightGroup struct{ g singleflight.Group }

func (f *flightGroup) do(key string, fn func() (*lruEntry, error)) (*lruEntry, error) {
	v, err, _ := f.g.Do(key, func() (any, error) { return fn() })
	if err != nil {
		return nil, err
	}
	return v.(*lruEntry), nil
}
