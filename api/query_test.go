package api

import (
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gin-gonic/gin"
)

// ginContext is a Gin context over a GET of target from remoteAddr, with
// this server's router settings (no trusted proxies).
func ginContext(t testing.TB, target, remoteAddr string) *gin.Context {
	t.Helper()
	_, eng := gin.CreateTestContext(httptest.NewRecorder())
	if err := eng.SetTrustedProxies(nil); err != nil {
		t.Fatal(err)
	}
	c := gin.CreateTestContextOnly(httptest.NewRecorder(), eng)
	c.Request = httptest.NewRequest(http.MethodGet, target, nil)
	c.Request.RemoteAddr = remoteAddr
	return c
}

// TestQueryMatchesGin holds the raw-query reading to Gin's c.GetQuery and
// c.QueryArray (url.ParseQuery) on queries a user or a script could send:
// escapes, '+', ';', repeated and empty keys, keys without '='.
func TestQueryMatchesGin(t *testing.T) {
	queries := []string{
		"", "k=10", "k=10&country=US", "country=US&country=ES,FR", "k=&k=5", "k", "k&k=3",
		"=x&k=1", "&&k=2&&", "k=1=2", "lang=en&k=10&max_population=8999999999",
		"k=%31%30", "k=1+0", "k=1;country=US", "country=U%53", "k=%zz&country=US",
		"traits=coastal,border&traits=mountain", "lang=EN", "k=10&lang", "a=b&a=c&a=",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "k=&%+;1aU"
	for range 2000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		queries = append(queries, string(b))
	}
	keys := []string{"k", "country", "lang", "a", "traits", "max_population", "1", "U"}
	for _, q := range queries {
		for _, key := range keys {
			fast := ginContext(t, "/x?"+q, "127.0.0.1:1")
			ref := ginContext(t, "/x?"+q, "127.0.0.1:1")
			gv, gok := ref.GetQuery(key)
			if v, ok := queryValue(fast, key); v != gv || ok != gok {
				t.Errorf("query %q key %q: got %q %v, want %q %v (Gin)", q, key, v, ok, gv, gok)
			}
			if got, want := queryArray(fast, key), ref.QueryArray(key); !slices.Equal(got, want) {
				t.Errorf("query %q key %q: array got %q, want %q (Gin)", q, key, got, want)
			}
		}
	}
}

// TestClientIPMatchesGin holds clientIP to Gin's ClientIP with this
// server's settings, including the addresses it does not handle itself.
func TestClientIPMatchesGin(t *testing.T) {
	for _, addr := range []string{
		"127.0.0.1:5000", "10.1.2.3:80", "[::1]:8080", "[::ffff:1.2.3.4]:80", "[fe80::1%eth0]:9",
		"01.2.3.4:80", "1.2.3:80", "no-port", "", " 192.168.0.1:1 ", "300.1.1.1:2",
	} {
		c := ginContext(t, "/x", addr)
		c.Request.Header.Set("X-Forwarded-For", "9.9.9.9")
		if got, want := clientIP(c), c.ClientIP(); got != want {
			t.Errorf("remote %q: got %q, want %q (Gin)", addr, got, want)
		}
	}
	// Through a unix socket Gin trusts the forwarding headers.
	c := ginContext(t, "/x", "1.2.3.4:1")
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), http.LocalAddrContextKey, &net.UnixAddr{Name: "/s", Net: "unix"}))
	c.Request.Header.Set("X-Forwarded-For", "9.9.9.9")
	if got, want := clientIP(c), c.ClientIP(); got != want || got != "9.9.9.9" {
		t.Errorf("unix socket: got %q, want %q (Gin)", got, want)
	}
}
