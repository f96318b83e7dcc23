package api

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Limit is a token bucket: Rate requests a second on average, Burst at
// once. A zero Rate means no limit.
type Limit struct {
	Rate  float64
	Burst int
}

// Limits bound, per token and per client IP, what costs the server work
// or changes data.
type Limits struct {
	Writes  Limit // profile, tie, token writes and page forms
	Matches Limit // match lists (GET …/matches, POST /match)
	Ranks   Limit // bulk rankings (POST /rank)
}

// DefaultLimits are generous for people and tight for scripts gone wrong.
var DefaultLimits = Limits{
	Writes:  Limit{Rate: 5, Burst: 30},
	Matches: Limit{Rate: 50, Burst: 100},
	Ranks:   Limit{Rate: 0.1, Burst: 3},
}

// ParseLimits reads "writes=5:30,matches=50:100,ranks=0.1:3" (rate per
// second, burst); classes left out keep their default; "off" or a rate
// of 0 disables a class, "off" alone disables all.
func ParseLimits(s string) (Limits, error) {
	l := DefaultLimits
	s = strings.TrimSpace(s)
	if s == "" {
		return l, nil
	}
	if s == "off" {
		return Limits{}, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return l, fmt.Errorf("rate limit %q: want CLASS=RATE:BURST", part)
		}
		var lim Limit
		if val != "off" {
			r, b, _ := strings.Cut(val, ":")
			f, err := strconv.ParseFloat(r, 64)
			if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
				return l, fmt.Errorf("rate limit %s: rate %q is not a number ≥ 0", name, r)
			}
			lim.Rate = f
			lim.Burst = int(math.Max(1, math.Ceil(f)))
			if b != "" {
				n, err := strconv.Atoi(b)
				if err != nil || n < 1 {
					return l, fmt.Errorf("rate limit %s: burst %q is not a whole number ≥ 1", name, b)
				}
				lim.Burst = n
			}
		}
		switch name {
		case "writes":
			l.Writes = lim
		case "matches":
			l.Matches = lim
		case "ranks":
			l.Ranks = lim
		default:
			return l, fmt.Errorf("rate limit class %q: use writes, matches or ranks", name)
		}
	}
	return l, nil
}

// limiterSet keeps one bucket per key (token or IP) for one class,
// forgetting keys idle for a while so that the map stays small.
type limiterSet struct {
	lim   Limit
	mu    sync.Mutex
	m     map[string]*keyLimiter
	sweep time.Time
}

type keyLimiter struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiterSet(l Limit) *limiterSet {
	if l.Rate <= 0 {
		return nil
	}
	if l.Burst < 1 {
		l.Burst = 1
	}
	return &limiterSet{lim: l, m: map[string]*keyLimiter{}}
}

// reserve takes one request for key; it returns 0 when allowed, else how
// long to wait.
func (s *limiterSet) reserve(key string, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.sweep) > time.Minute {
		// A bucket idle long enough to be full again carries no state.
		full := time.Duration(float64(s.lim.Burst)/s.lim.Rate*float64(time.Second)) + time.Minute
		for k, v := range s.m {
			if now.Sub(v.seen) > full {
				delete(s.m, k)
			}
		}
		s.sweep = now
	}
	kl := s.m[key]
	if kl == nil {
		kl = &keyLimiter{l: rate.NewLimiter(rate.Limit(s.lim.Rate), s.lim.Burst)}
		s.m[key] = kl
	}
	kl.seen = now
	r := kl.l.ReserveN(now, 1)
	if !r.OK() {
		return time.Hour
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // refused: it must not count
		return d
	}
	return 0
}

type limitClass struct {
	name          string
	byToken, byIP *limiterSet
}

func newLimitClass(name string, l Limit) *limitClass {
	if l.Rate <= 0 {
		return nil
	}
	return &limitClass{name: name, byToken: newLimiterSet(l), byIP: newLimiterSet(l)}
}

// limit is the middleware of one class: the request counts against its
// client IP and, when it carries a token, against that token too (a
// token used from many addresses, or many tokens from one address, are
// both bounded). Over the limit: 429 with Retry-After in seconds.
func (s *Server) limit(lc *limitClass) gin.HandlerFunc {
	return func(c *gin.Context) {
		if lc == nil {
			c.Next()
			return
		}
		now := time.Now()
		wait := lc.byIP.reserve(clientIP(c), now)
		if secret := bearer(c); wait == 0 && secret != "" {
			// Keyed by the token's hash: the secret is not kept in memory
			// longer than the request.
			wait = lc.byToken.reserve(hashToken(secret)[:16], now)
		}
		if wait > 0 {
			secs := int(math.Ceil(wait.Seconds()))
			c.Header("Retry-After", strconv.Itoa(secs))
			s.fail(c, errf(EBusy, "Demasiadas solicitudes (%s); espere %d s.", "Too many requests (%s); wait %d s.", lc.name, secs))
			return
		}
		c.Next()
	}
}

// writeStep is how long one write to a client may block before the
// client counts as gone (Config.WriteStall overrides it).
const writeStep = 30 * time.Second

// deadlineWriter pushes the connection's write deadline forward before
// every write, so a long stream may run as long as it needs while a
// client that stops reading is dropped after one step.
type deadlineWriter struct {
	w    io.Writer
	rc   *http.ResponseController
	step time.Duration
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	_ = d.rc.SetWriteDeadline(time.Now().Add(d.step))
	return d.w.Write(p)
}

func (d *deadlineWriter) Flush() error {
	_ = d.rc.SetWriteDeadline(time.Now().Add(d.step))
	return d.rc.Flush()
}

// rateLimits picks the class of the matched route: bulk rankings, match
// lists, and every other write (any method but GET, HEAD and OPTIONS,
// new routes included).
func (s *Server) rateLimits(c *gin.Context) {
	var lc *limitClass
	switch route := c.FullPath(); {
	case route == "/api/v1/rank":
		lc = s.limRanks
	case route == "/api/v1/match", strings.HasSuffix(route, "/matches"), strings.HasSuffix(route, "/coincidencias"):
		lc = s.limMatches
	case c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead && c.Request.Method != http.MethodOptions:
		lc = s.limWrites
	}
	s.limit(lc)(c)
}

// setLimits builds the buckets of every class (New; tests change them
// before serving).
func (s *Server) setLimits(l Limits) {
	s.limWrites = newLimitClass("writes", l.Writes)
	s.limMatches = newLimitClass("matches", l.Matches)
	s.limRanks = newLimitClass("ranks", l.Ranks)
}
