package api

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"
	"sync"
)

// Match lists are sent gzip-compressed to clients that accept it
// (browsers, curl --compressed, Go's and Python's HTTP clients do by
// default): a list of ten is about 12 KB of JSON and 3 KB compressed, so
// the whole answer, headers included, leaves in one write to the socket
// instead of two, and a quarter of the bytes cross the network.
//
// Compressing costs about a fifth of a match, so only answers served
// again are compressed: the first answer of a freshly computed list goes
// out as it is, and the first cache hit compresses it once for every
// later one. A list asked for once (a one-off filter) never pays for it.

// gzipLevel: BestSpeed compresses a list to within 10% of the default
// level in well under half the time.
const gzipLevel = gzip.BestSpeed

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzipLevel) // a valid level: no error
	return w
}}

// gzipBytes compresses p with a pooled writer (each holds about a
// megabyte of tables, too much to make per answer).
func gzipBytes(p []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(p)/3 + 64)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, _ = zw.Write(p) // a bytes.Buffer does not fail
	_ = zw.Close()
	gzipWriters.Put(zw)
	return bytes.Clone(buf.Bytes())
}

// gzipped is the entry's body compressed, made on first use; the
// cache's byte count grows by its size while the entry is cached.
func (l *lru) gzipped(e *lruEntry) *gzipRep {
	e.gzOnce.Do(func() {
		z := gzipBytes(e.val)
		if len(z) >= len(e.val) {
			return // incompressible (never for JSON or CSV): send it as it is
		}
		rep := &gzipRep{val: z, etagHdr: []string{e.gzEtag}, lenHdr: []string{strconv.Itoa(len(z))}}
		if l != nil {
			l.grow(e, int64(len(z)))
		}
		e.gz.Store(rep)
	})
	return e.gz.Load()
}

// gzipEtag is the gzip representation's tag of a body tagged etag.
func gzipEtag(etag string) string { return etag[:len(etag)-1] + `-gz"` }

// gzipRep is the gzip-encoded representation of a cached answer. Its
// strong ETag differs from the plain one's, as RFC 9110 asks of two
// encodings of one resource.
type gzipRep struct {
	val             []byte
	etagHdr, lenHdr []string
}

var (
	hdrGzip         = []string{"gzip"}
	hdrVaryEncoding = []string{"Accept-Encoding"}
)

// acceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3): gzip (or x-gzip,
// or *) listed with a quality above zero. "gzip;q=0" refuses it.
func acceptsGzip(headers []string) bool {
	star := false
	for _, h := range headers {
		for h != "" {
			var item string
			item, h, _ = strings.Cut(h, ",")
			coding, params, _ := strings.Cut(item, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q, ok := headerQuality(params)
			ok = ok && q > 0
			if coding == "*" {
				star = ok
				continue
			}
			return ok // an explicit gzip entry wins over *
		}
	}
	return star
}

// headerQuality reads the q parameter among the parameters of one item of
// an Accept-* header ("q=0.5", "level=1; Q=0.8"); no q means 1. ok is
// false when a q is there but is not a number.
func headerQuality(params string) (q float64, ok bool) {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		return q, err == nil
	}
	return 1, true
}
