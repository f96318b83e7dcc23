package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkServeMatches runs GET …/matches through the whole handler
// (middleware, cache, engine, JSON) without a network, so that what the
// HTTP side adds can be told apart from the engine: "cached" is a hit of
// the rendered list ("cached-gzip" from a client accepting gzip),
// "uncached" a distinct request each time (a no-op population bound, as
// api/loadtest.sh UNIQUE=1 sends), "healthz" the middleware alone. The
// access log is on, as serve ships it, into serve's JSON handler, which
// discards its lines. Compare allocs/op and B/op across
// commits with benchstat; ns/op depends on the machine's load.
var uncachedSeq atomic.Int64

func BenchmarkServeMatches(b *testing.B) {
	e := mustEnv(b)
	e.srv.log = slog.New(NewJSONLogHandler(io.Discard, nil)) // as serve --log-format json
	gzip := false
	get := func(b *testing.B, path string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if gzip {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		w := &discardWriter{h: http.Header{}}
		e.h.ServeHTTP(w, req)
		if w.code != http.StatusOK || w.n == 0 {
			b.Fatalf("%s: status %d, %d bytes", path, w.code, w.n)
		}
	}
	const list = "/api/v1/municipalities/" + manuelDoblado + "/matches?k=10"
	b.Run("healthz", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			get(b, "/healthz")
		}
	})
	b.Run("cached", func(b *testing.B) {
		get(b, list)
		b.ReportAllocs()
		for b.Loop() {
			get(b, list)
		}
	})
	b.Run("cached-gzip", func(b *testing.B) {
		gzip = true
		defer func() { gzip = false }()
		get(b, list)
		get(b, list) // the first hit compresses the list
		b.ReportAllocs()
		for b.Loop() {
			get(b, list)
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			// distinct across -count runs too: the cache lives with e
			n := uncachedSeq.Add(1)
			get(b, list+"&max_population="+strconv.FormatInt(9000000000-n, 10))
		}
	})
}

// discardWriter is the part of a server's response that a handler sees:
// a fresh header map per response (as net/http makes one) and a body
// that goes nowhere, so that the benchmark counts the handler's own
// allocations, not a recorder's copy of the body.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	return len(p), nil
}
