package api

import (
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"

	"github.com/gin-gonic/gin"
)

// Every GET …/matches reads about fifteen query parameters, and Gin's
// c.Query parses the whole query into a url.Values map on first use
// (three allocations, a tenth of a cached answer's handler time). Most
// queries are plain ("k=10&country=US"): nothing to unescape, so each
// value is a piece of the raw query and can be found by scanning it,
// with exactly the answer url.ParseQuery would give. Anything else goes
// through Gin as before.

// queryFast: GODEBUG=urlmaxqueryparams changes how many parameters
// url.ParseQuery accepts; with it set, every query goes through Gin.
var queryFast = !strings.Contains(os.Getenv("GODEBUG"), "urlmaxqueryparams")

// plainQuery reports whether raw unescapes to itself pair by pair and
// url.ParseQuery keeps every pair: no escapes, no '+', no ';', and fewer
// parameters than its default limit.
func plainQuery(raw string) bool {
	if !queryFast || strings.ContainsAny(raw, "%+;") {
		return false
	}
	return strings.Count(raw, "&") < 1000
}

// queryValue is c.GetQuery(key): the first value of key.
func queryValue(c *gin.Context, key string) (string, bool) {
	raw := c.Request.URL.RawQuery
	if !plainQuery(raw) {
		return c.GetQuery(key)
	}
	return rawQueryValue(raw, key)
}

// rawQueryValue is the first value of key in a plain query.
func rawQueryValue(raw, key string) (string, bool) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if k, v, _ := strings.Cut(pair, "="); k == key && pair != "" {
			return v, true
		}
	}
	return "", false
}

// queryString is c.Query(key).
func queryString(c *gin.Context, key string) string {
	v, _ := queryValue(c, key)
	return v
}

// queryArray is c.QueryArray(key): every value of key, in order; nil
// when there is none.
func queryArray(c *gin.Context, key string) []string {
	raw := c.Request.URL.RawQuery
	if !plainQuery(raw) {
		return c.QueryArray(key)
	}
	return rawQueryArray(raw, key)
}

// rawQueryArray is every value of key in a plain query.
func rawQueryArray(raw, key string) []string {
	var out []string
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if k, v, _ := strings.Cut(pair, "="); k == key && pair != "" {
			out = append(out, v)
		}
	}
	return out
}

// clientIP is c.ClientIP() for this server's router (no trusted proxies,
// no trusted platform; routes() sets that): the peer's address as
// net.IP.String writes it. A dotted IPv4 address is its own canonical
// form, so it is returned as it stands in RemoteAddr instead of being
// parsed into a net.IP and formatted again; anything else (IPv6, a unix
// socket, where Gin trusts forwarding headers) goes through Gin.
func clientIP(c *gin.Context) string {
	host := c.RemoteIP()
	if a, err := netip.ParseAddr(host); err == nil && a.Is4() && !unixListener(c.Request) {
		return host
	}
	return c.ClientIP()
}

func unixListener(r *http.Request) bool {
	la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	return ok && strings.HasPrefix(la.Network(), "unix")
}
