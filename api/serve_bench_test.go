package api

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// BenchmarkServeMatches runs GET …/matches through the whole handler
// (middleware, cache, engine, JSON) without a network, so that what the
// HTTP side adds can be told apart from the engine: "cached" is a hit of
// the rendered list, "uncached" a distinct request each time (a no-op
// population bound, as api/loadtest.sh UNIQUE=1 sends), "healthz" the
// middleware alone. Compare allocs/op and B/op across commits with
// benchstat; ns/op depends on the machine's load.
func BenchmarkServeMatches(b *testing.B) {
	e := mustEnv(b)
	e.srv.cfg.DisableAccessLog = true // as a load test runs the server
	get := func(b *testing.B, path string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: status %d: %s", path, w.Code, w.Body.String())
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
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n++
			get(b, list+"&max_population="+strconv.Itoa(9000000000-n))
		}
	})
}
