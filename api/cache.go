package api

import (
	"container/list"
	"sync"

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
}

func newLRU(maxBytes int64) *lru {
	return &lru{max: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
}

func (l *lru) get(key string, gen uint64) (*lruEntry, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.items[key]
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

func (l *lru) put(e *lruEntry) {
	cost := int64(len(e.val) + len(e.key) + 64)
	if cost > l.max/8 {
		return // one answer may not crowd out the rest
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[e.key]; ok {
		l.remove(el)
	}
	l.items[e.key] = l.ll.PushFront(e)
	l.size += cost
	for l.size > l.max {
		l.remove(l.ll.Back())
	}
}

func (l *lru) remove(el *list.Element) {
	e := el.Value.(*lruEntry)
	l.ll.Remove(el)
	delete(l.items, e.key)
	l.size -= int64(len(e.val) + len(e.key) + 64)
}

func (l *lru) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
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
