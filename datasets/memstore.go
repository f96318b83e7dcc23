package datasets

import (
	"sort"
	"sync"
)

// MemStore is a Store in memory: imports resolve files into it without
// touching the user's data (eval, calibrate), and tests use it. Nothing
// it holds is durable.
type MemStore struct {
	mu      sync.Mutex
	meta    map[string]TableMeta
	rows    map[string][][]byte
	buckets map[string]map[string][]byte
}

func NewMemStore() *MemStore {
	return &MemStore{meta: map[string]TableMeta{}, rows: map[string][][]byte{}, buckets: map[string]map[string][]byte{}}
}

func (s *MemStore) PutTable(meta TableMeta, rows [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	meta.Rows = len(rows)
	s.meta[meta.Kind], s.rows[meta.Kind] = meta, rows
	return nil
}

func (s *MemStore) Table(kind string) (TableMeta, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meta[kind]
	return m, ok, nil
}

func (s *MemStore) Tables() ([]TableMeta, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []TableMeta
	for _, m := range s.meta {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out, nil
}

func (s *MemStore) ReadTable(kind string, fn func(row []byte) error) error {
	s.mu.Lock()
	rows := s.rows[kind]
	s.mu.Unlock()
	for _, r := range rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (s *MemStore) Put(bucket, key string, value []byte) error {
	return s.Update(bucket, func(b Bucket) error { return b.Put(key, value) })
}

func (s *MemStore) Get(bucket, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.buckets[bucket][key]
	return append([]byte(nil), v...), ok, nil
}

func (s *MemStore) Delete(bucket, key string) error {
	return s.Update(bucket, func(b Bucket) error { return b.Delete(key) })
}

func (s *MemStore) List(bucket string, fn func(key string, value []byte) error) error {
	s.mu.Lock()
	b := s.buckets[bucket]
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	s.mu.Unlock()
	sort.Strings(keys)
	for _, k := range keys {
		if err := fn(k, b[k]); err != nil {
			return err
		}
	}
	return nil
}

func (s *MemStore) Update(bucket string, fn func(b Bucket) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.buckets[bucket]
	next := make(map[string][]byte, len(cur))
	for k, v := range cur {
		next[k] = v
	}
	if err := fn(memBucket(next)); err != nil {
		return err
	}
	s.buckets[bucket] = next
	return nil
}

func (s *MemStore) Close() error { return nil }

type memBucket map[string][]byte

func (b memBucket) Get(key string) []byte {
	if v, ok := b[key]; ok {
		return append([]byte(nil), v...)
	}
	return nil
}
func (b memBucket) Put(key string, value []byte) error {
	b[key] = append([]byte(nil), value...)
	return nil
}
func (b memBucket) Delete(key string) error { delete(b, key); return nil }

var _ Store = (*MemStore)(nil)
