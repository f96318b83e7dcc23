package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func gunzip(tb testing.TB, p []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(p))
	if err != nil {
		tb.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("gunzip: %v", err)
	}
	return out
}

// A list served again goes out gzip-compressed to a client that accepts
// it: the same bytes once decompressed, its own ETag, Vary on the
// encoding, and 304 for either encoding's tag; a client that refuses
// gzip, or does not ask for it, gets the list as it is.
func TestMatchesGzip(t *testing.T) {
	e := mustEnv(t)
	for _, format := range []string{"json", "csv"} {
		path := "/api/v1/municipalities/" + manuelDoblado + "/matches?k=5&format=" + format
		gz := map[string]string{"Accept-Encoding": "gzip, deflate, br"}
		first := e.do(t, req{path: path, header: gz})
		if first.Code != http.StatusOK || first.Header().Get("Content-Encoding") != "" {
			t.Fatalf("%s: first answer: status %d, Content-Encoding %q (a list computed for one request is sent as it is)",
				format, first.Code, first.Header().Get("Content-Encoding"))
		}
		plain := first.Body.Bytes()
		plainTag := first.Header().Get("ETag")
		if got := first.Header().Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("%s: first answer: Vary %q", format, got)
		}

		again := e.do(t, req{path: path, header: gz})
		if again.Code != http.StatusOK || again.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: second answer: status %d, Content-Encoding %q, want gzip", format, again.Code, again.Header().Get("Content-Encoding"))
		}
		if got, want := again.Header().Get("Content-Length"), itoa(again.Body.Len()); got != want {
			t.Errorf("%s: gzip answer: Content-Length %q, body %s bytes", format, got, want)
		}
		if again.Body.Len() >= len(plain)/2 {
			t.Errorf("%s: gzip answer %d bytes for a %d-byte list", format, again.Body.Len(), len(plain))
		}
		if !bytes.Equal(gunzip(t, again.Body.Bytes()), plain) {
			t.Errorf("%s: the gzip answer does not decompress to the list", format)
		}
		gzTag := again.Header().Get("ETag")
		if gzTag == plainTag || !strings.HasPrefix(gzTag, `"`) || !strings.HasSuffix(gzTag, `"`) {
			t.Errorf("%s: gzip ETag %q, plain %q: want two strong tags", format, gzTag, plainTag)
		}
		if got := again.Header().Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("%s: gzip answer: Vary %q", format, got)
		}

		cases := []struct {
			name     string
			header   map[string]string
			method   string
			want     int
			encoding string
			etag     string
		}{
			{"no Accept-Encoding", nil, "", http.StatusOK, "", plainTag},
			{"gzip refused", map[string]string{"Accept-Encoding": "gzip;q=0, identity"}, "", http.StatusOK, "", plainTag},
			{"only br", map[string]string{"Accept-Encoding": "br"}, "", http.StatusOK, "", plainTag},
			{"any coding", map[string]string{"Accept-Encoding": "*"}, "", http.StatusOK, "gzip", gzTag},
			{"HEAD", gz, http.MethodHead, http.StatusOK, "gzip", gzTag},
			{"the gzip tag", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": gzTag}, "", http.StatusNotModified, "", gzTag},
			{"the plain tag from a gzip client", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": plainTag}, "", http.StatusNotModified, "", plainTag},
			{"the gzip tag from a plain client", map[string]string{"If-None-Match": gzTag}, "", http.StatusNotModified, "", gzTag},
		}
		for _, tc := range cases {
			w := e.do(t, req{path: path, method: tc.method, header: tc.header})
			if w.Code != tc.want || w.Header().Get("Content-Encoding") != tc.encoding || w.Header().Get("ETag") != tc.etag {
				t.Errorf("%s %s: got %d, Content-Encoding %q, ETag %q; want %d, %q, %q", format, tc.name,
					w.Code, w.Header().Get("Content-Encoding"), w.Header().Get("ETag"), tc.want, tc.encoding, tc.etag)
				continue
			}
			switch {
			case tc.want == http.StatusNotModified || tc.method == http.MethodHead:
				if w.Body.Len() != 0 {
					t.Errorf("%s %s: %d body bytes", format, tc.name, w.Body.Len())
				}
			case tc.encoding == "gzip":
				if !bytes.Equal(gunzip(t, w.Body.Bytes()), plain) {
					t.Errorf("%s %s: the gzip answer does not decompress to the list", format, tc.name)
				}
			default:
				if !bytes.Equal(w.Body.Bytes(), plain) {
					t.Errorf("%s %s: a different body", format, tc.name)
				}
			}
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	cases := []struct {
		name    string
		headers []string
		want    bool
	}{
		{"gzip", []string{"gzip"}, true},
		{"a browser's", []string{"gzip, deflate, br, zstd"}, true},
		{"upper case and spaces", []string{" GZIP ; q=0.8 "}, true},
		{"x-gzip", []string{"x-gzip"}, true},
		{"q=0", []string{"gzip;q=0"}, false},
		{"q=0.000", []string{"gzip; q=0.000"}, false},
		{"a bad q", []string{"gzip;q=x"}, false},
		{"star", []string{"*"}, true},
		{"star refused", []string{"*;q=0"}, false},
		{"star refused but gzip listed", []string{"*;q=0, gzip"}, true},
		{"gzip refused but star", []string{"gzip;q=0, *"}, false},
		{"identity only", []string{"identity"}, false},
		{"empty", []string{""}, false},
		{"two header lines", []string{"br", "gzip"}, true},
		{"a longer name", []string{"gzipped"}, false},
	}
	for _, tc := range cases {
		if got := acceptsGzip(tc.headers); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The cache counts an entry's gzip body against its byte budget while
// the entry is cached, and forgets it with the entry.
func TestCacheCountsGzip(t *testing.T) {
	l := newLRU(1 << 20)
	e := &lruEntry{key: "k", val: bytes.Repeat([]byte(`{"a":"abcdefgh"},`), 400), etag: `"0123"`}
	e.gzEtag = gzipEtag(e.etag)
	l.put(e)
	before := l.size
	rep := l.gzipped(e)
	if rep == nil || len(rep.val) == 0 || l.size != before+int64(len(rep.val)) {
		t.Fatalf("after gzip: size %d, before %d, gzip %v", l.size, before, rep != nil)
	}
	if l.gzipped(e) != rep {
		t.Errorf("a second call compressed again")
	}
	l.mu.Lock()
	l.remove(l.items["k"])
	l.mu.Unlock()
	if l.size != 0 {
		t.Errorf("after removal: size %d, want 0", l.size)
	}
	// An entry compressed after it left the cache costs the cache nothing.
	e2 := &lruEntry{key: "k2", val: e.val, etag: `"4567"`}
	e2.gzEtag = gzipEtag(e2.etag)
	l.put(e2)
	l.clear()
	if l.gzipped(e2) == nil || l.size != 0 {
		t.Errorf("gzip after clear: size %d, want 0", l.size)
	}
}

// Clients hitting one cached list at once all get the same gzip body (the
// first hit compresses it once; run with -race).
func TestMatchesGzipConcurrent(t *testing.T) {
	e := mustEnv(t)
	path := "/api/v1/municipalities/" + manuelDoblado + "/matches?k=4"
	plain := e.do(t, req{path: path}).Body.Bytes()
	gz := map[string]string{"Accept-Encoding": "gzip"}
	var wg sync.WaitGroup
	bodies := make([][]byte, 8)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				w := e.do(t, req{path: path, header: gz})
				if w.Header().Get("Content-Encoding") != "gzip" {
					t.Errorf("a cached list answered without gzip")
					return
				}
				bodies[i] = w.Body.Bytes()
			}
		}()
	}
	wg.Wait()
	for i, b := range bodies {
		if !bytes.Equal(b, bodies[0]) || !bytes.Equal(gunzip(t, b), plain) {
			t.Errorf("client %d: a different gzip body", i)
		}
	}
}
