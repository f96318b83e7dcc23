package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"

	"hermanar/datasets"
	"hermanar/index"
	"hermanar/matcher"
)

// PlaceSearcher finds places and municipalities by name (the index).
type PlaceSearcher interface {
	SearchPlaces(q string, f index.PlaceFilter) ([]index.Hit, error)
}

// Classifier maps a problem statement onto taxonomy categories.
type Classifier interface {
	Classify(text, lang string, k int) []datasets.CategoryScore
}

// Backend is what the handlers serve from once the data is loaded. Engine
// and Store are required; the others may be nil (search then answers 503,
// writes skip the text index).
type Backend struct {
	Engine   *matcher.Engine
	Store    datasets.Store
	Search   PlaceSearcher
	Profiles matcher.ProfileIndexer
	// Writes is the write path for profiles and ties; nil: one over Store,
	// Engine and Profiles.
	Writes     *matcher.Writes
	Classifier Classifier
	Resolver   *datasets.Resolver // built on first use when nil
	Ranker     Ranker             // nil: the engine

	tokens   *Tokens
	snap     *datasets.Snapshot
	resolver func() *datasets.Resolver
}

// Config are the server's settings; the zero value is usable.
type Config struct {
	Logger       *slog.Logger
	MaxBodyBytes int64              // JSON bodies; default 256 KiB
	Taxonomy     *datasets.Taxonomy // default datasets.DefaultTaxonomy()
	// CacheBytes bounds the cache of rendered match lists (default 64 MiB;
	// negative disables it).
	CacheBytes int64
	// AccessLog logs one line per request (default on; DisableAccessLog
	// turns it off for load tests).
	DisableAccessLog bool
	// MaxConcurrentRanks bounds POST /rank streams at once (default 1).
	MaxConcurrentRanks int
	// MaxConcurrentMatches bounds the uncached matches computed at once,
	// the others waiting their turn in order. Default: GOMAXPROCS − 1 (at
	// least 1), so that one P is left for the network: with every P busy
	// matching, the runtime looks at the sockets only every 10 ms (sysmon),
	// and requests wait unread while others are served (serve therefore
	// runs one P more than it admits matches). Negative: no bound.
	MaxConcurrentMatches int
	// PublicURL is the address browsers use ("https://hermanar.example")
	// when a proxy terminates TLS; page forms and cookie-authenticated
	// writes must come from its origin. Empty: the request's own scheme
	// and host.
	PublicURL string
	// SecureCookies marks the sign-in cookie Secure even on plain http
	// requests (behind a TLS proxy without PublicURL).
	SecureCookies bool
	// Limits are the per-token and per-IP rate limits; the zero value
	// limits nothing (the command line passes DefaultLimits).
	Limits Limits
	// WriteStall is how long one write to a client may block before the
	// client counts as gone and its stream is dropped (default 30 s).
	WriteStall time.Duration
}

// Server is the HTTP service. It answers /healthz at once and everything
// else once SetBackend has been called; until then /readyz and the data
// endpoints answer 503.
type Server struct {
	cfg     Config
	log     *slog.Logger
	tax     *datasets.Taxonomy
	engine  *gin.Engine
	outer   http.Handler
	backend atomic.Pointer[Backend]
	started time.Time
	readyAt atomic.Int64 // unix nanos

	// writeMu orders writes so that the store and the live engine apply
	// them in the same order.
	writeMu sync.Mutex
	gen     atomic.Uint64 // bumped by every write; keys the match cache
	cache   *lru
	flight  flightGroup
	rankSem chan struct{}
	// matchSem admits Config.MaxConcurrentMatches uncached matches at a
	// time; the others wait their turn in order instead of sharing the
	// cores, which keeps the latency tail short under load. nil: no bound.
	matchSem chan struct{}
	pages    *pageSet
	// publicOrigin is PublicURL reduced to scheme://host, lower case.
	publicOrigin                    string
	limWrites, limMatches, limRanks *limitClass
}

func init() {
	// Unknown fields in a JSON body are an error naming the field, not a
	// silent drop: a misspelt "narative" must not lose a liaison's text.
	binding.EnableDecoderDisallowUnknownFields = true
	gin.SetMode(gin.ReleaseMode)
}

// New returns a server that is live but not ready.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 256 << 10
	}
	if cfg.Taxonomy == nil {
		cfg.Taxonomy = datasets.DefaultTaxonomy()
	}
	if cfg.CacheBytes == 0 {
		cfg.CacheBytes = 64 << 20
	}
	if cfg.MaxConcurrentRanks <= 0 {
		cfg.MaxConcurrentRanks = 1
	}
	if cfg.WriteStall <= 0 {
		cfg.WriteStall = writeStep
	}
	publicOrigin := ""
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("api: public URL %q must be http(s)://host[:port]", cfg.PublicURL)
		}
		publicOrigin = strings.ToLower(u.Scheme + "://" + u.Host)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, tax: cfg.Taxonomy, started: time.Now(),
		rankSem: make(chan struct{}, cfg.MaxConcurrentRanks), publicOrigin: publicOrigin}
	switch n := cfg.MaxConcurrentMatches; {
	case n == 0:
		s.matchSem = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))
	case n > 0:
		s.matchSem = make(chan struct{}, n)
	}
	if cfg.CacheBytes > 0 {
		s.cache = newLRU(cfg.CacheBytes)
	}
	s.setLimits(cfg.Limits)
	var err error
	if s.pages, err = loadPages(s.tax); err != nil {
		return nil, err
	}
	s.engine = s.routes()
	s.outer = http.HandlerFunc(s.serveHTTP)
	return s, nil
}

// Handler is the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.outer }

// serveHTTP runs before Gin's router, so that what the router answers by
// itself (trailing-slash redirects) carries the security headers too, and
// HEAD is answered wherever GET is.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if r.Method == http.MethodHead {
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
		w = headWriter{w}
	}
	s.engine.ServeHTTP(w, r)
}

// headWriter drops the body of a GET answered to a HEAD request.
type headWriter struct{ http.ResponseWriter }

func (h headWriter) Write(p []byte) (int, error)       { return len(p), nil }
func (h headWriter) WriteString(p string) (int, error) { return len(p), nil }
func (h headWriter) Flush() {
	if f, ok := h.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
func (h headWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// SetBackend makes the server ready, serving from b.
func (s *Server) SetBackend(b *Backend) error {
	if b == nil || b.Engine == nil || b.Store == nil {
		return errors.New("api: backend needs an engine and a store")
	}
	b.tokens = NewTokens(b.Store)
	b.snap = b.Engine.Snapshot()
	if b.Resolver != nil {
		r := b.Resolver
		b.resolver = func() *datasets.Resolver { return r }
	} else {
		b.resolver = sync.OnceValue(func() *datasets.Resolver { return datasets.NewResolver(b.snap) })
	}
	if b.Ranker == nil {
		b.Ranker = b.Engine
	}
	if b.Writes == nil {
		b.Writes = &matcher.Writes{Store: b.Store, Engine: b.Engine, Text: b.Profiles}
	}
	if b.Writes.Lagging == nil {
		b.Writes.Lagging = func(what string, err error) { s.log.Error("lags the store", "what", what, "err", err) }
	}
	go warmMaps(s.log) // maps.go
	s.backend.Store(b)
	s.gen.Add(1)
	s.readyAt.Store(time.Now().UnixNano())
	s.log.Info("ready", "after", time.Since(s.started).Round(time.Millisecond).String(),
		"candidates", b.Engine.Candidates(), "municipalities", len(b.snap.Municipalities))
	return nil
}

// Ready reports whether SetBackend was called.
func (s *Server) Ready() bool { return s.backend.Load() != nil }

// ready returns the backend, or renders 503 and returns nil.
func (s *Server) ready(c *gin.Context) *Backend {
	b := s.backend.Load()
	if b == nil {
		s.fail(c, errf(EUnavailable, "El servicio está cargando los datos y el índice; inténtelo en unos segundos.",
			"The service is loading its data and index; try again in a few seconds."))
	}
	return b
}

func (s *Server) routes() *gin.Engine {
	r := gin.New()
	_ = r.SetTrustedProxies(nil)
	r.HandleMethodNotAllowed = true
	r.RedirectFixedPath = false
	r.ContextWithFallback = true
	r.Use(s.requestIDs, s.recoverer, s.accessLog, s.limitBody, s.checkLang, s.rateLimits, s.browserWrites)
	r.NoRoute(func(c *gin.Context) {
		s.fail(c, errf(datasets.ENotFound, "No existe %s.", "There is nothing at %s.", c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		if c.Request.Method == http.MethodOptions {
			// Gin has set Allow to the path's other methods.
			allow := c.Writer.Header().Get("Allow")
			if strings.Contains(allow, http.MethodGet) {
				allow += ", " + http.MethodHead
			}
			c.Header("Allow", allow+", "+http.MethodOptions)
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		s.fail(c, errf(EMethod, "El método %s no se admite aquí.", "Method %s is not allowed here.", c.Request.Method))
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)

	v1 := r.Group("/api/v1")
	v1.GET("/openapi.yaml", s.openapi)
	v1.GET("/places", s.searchPlaces)
	v1.GET("/places/:id", s.getPlace)
	v1.GET("/places/:id/profile", s.getPlaceProfile)
	v1.PUT("/places/:id/profile", s.putPlaceProfile)
	v1.POST("/places/:id/interest", s.postPlaceInterest)
	v1.GET("/municipalities", s.listMunicipalities)
	v1.GET("/municipalities/:cvegeo", s.getMunicipality)
	v1.GET("/municipalities/:cvegeo/profile", s.getProfile)
	v1.PUT("/municipalities/:cvegeo/profile", s.putProfile)
	v1.GET("/municipalities/:cvegeo/matches", s.getMatches)
	v1.POST("/match", s.postMatch)
	v1.POST("/rank", s.postRank)
	v1.GET("/consulates", s.listConsulates)
	v1.GET("/consulates/:id", s.getConsulate)
	v1.GET("/consulates/:id/opportunities", s.getOpportunities)
	v1.PUT("/consulates/:id/opportunities/:cvegeo/:place", s.putOppStatus)
	v1.POST("/ties", s.postTie)
	v1.GET("/taxonomy", s.getTaxonomy)
	v1.POST("/classify", s.postClassify)
	s.adminRoutes(v1)
	s.workflowRoutes(v1)

	s.pageRoutes(r)
	return r
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// Readiness is the /readyz body.
type Readiness struct {
	Status        string  `json:"status"` // "ready" or "starting"
	UptimeSeconds float64 `json:"uptime_seconds"`
	ReadySeconds  float64 `json:"ready_seconds,omitempty"` // start-up time until ready
}

func (s *Server) readyz(c *gin.Context) {
	r := Readiness{Status: "starting", UptimeSeconds: round3(time.Since(s.started).Seconds())}
	if at := s.readyAt.Load(); at != 0 {
		r.Status = "ready"
		r.ReadySeconds = round3(time.Unix(0, at).Sub(s.started).Seconds())
		c.JSON(http.StatusOK, r)
		return
	}
	c.Header("Retry-After", "1")
	c.JSON(http.StatusServiceUnavailable, r)
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

// ---- middleware ----

// requestID is the request's id: requestIDs puts it in the answer's
// X-Request-Id header first thing, and the answer is where it is read
// (no per-request map of Gin keys to make).
func requestID(c *gin.Context) string {
	if v := c.Writer.Header()["X-Request-Id"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// requestIDs takes a sane X-Request-Id from the client or makes one.
func (s *Server) requestIDs(c *gin.Context) {
	if v := c.Request.Header["X-Request-Id"]; len(v) > 0 && saneID(v[0]) {
		c.Writer.Header()["X-Request-Id"] = v[:1:1]
	} else {
		c.Writer.Header()["X-Request-Id"] = []string{newRequestID()}
	}
	c.Next()
}

// newRequestID is 16 hex digits from the runtime's per-core generator: an
// id must be unique enough to find a request in the log, not secret, and
// a system call per request for it is measurable under load.
func newRequestID() string {
	const digits = "0123456789abcdef"
	var b [16]byte
	x := rand.Uint64()
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = digits[x&15]
		x >>= 4
	}
	return string(b[:])
}

func saneID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.') {
			return false
		}
	}
	return true
}

// recoverer turns a panic into a logged 500 with the request id; the
// fuzz tests make sure no input reaches it.
func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic", "request_id", requestID(c), "path", c.Request.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				s.fail(c, fmt.Errorf("panic: %v", v))
			}
			c.Abort()
		}
	}()
	c.Next()
}

func (s *Server) accessLog(c *gin.Context) {
	if s.cfg.DisableAccessLog {
		c.Next()
		return
	}
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelInfo
	switch {
	case c.Request.URL.Path == "/healthz" || c.Request.URL.Path == "/readyz":
		// Probes every few seconds would drown the log, and a 503 while
		// loading is the answer they expect, not a fault: logging them
		// would also break the index progress bar on the same terminal.
		level = slog.LevelDebug
	case status == http.StatusServiceUnavailable:
		level = slog.LevelWarn
	case status >= 500:
		level = slog.LevelError
	}
	ctx := c.Request.Context()
	h := s.log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	a := accessLine{time: time.Now(), level: level, id: requestID(c), method: c.Request.Method, path: c.Request.URL.Path,
		status: status, bytes: max(c.Writer.Size(), 0), ip: clientIP(c)}
	a.ms = float64(a.time.Sub(start).Microseconds()) / 1000
	if v, ok := c.Get(principalKey); ok {
		a.token = v.(Token).ID
	}
	if w, ok := h.(*JSONLogHandler); ok && w.writeAccess(ctx, &a) {
		return
	}
	// Any other handler gets a record, without the caller's program
	// counter that Logger.LogAttrs walks the stack for (the line names no
	// source file).
	r := slog.NewRecord(a.time, level, "request", 0)
	r.AddAttrs(
		slog.String("request_id", a.id),
		slog.String("method", a.method),
		slog.String("path", a.path),
		slog.Int("status", a.status),
		slog.Int("bytes", a.bytes),
		slog.Float64("ms", a.ms),
		slog.String("ip", a.ip),
	)
	if a.token != "" {
		r.AddAttrs(slog.String("token", a.token))
	}
	_ = h.Handle(ctx, r)
}

// The security headers' values, shared by every response: the keys are
// already canonical, and each slice is full (len = cap), so a handler's
// Set replaces it and an Add copies it; neither can change another
// response's headers.
var (
	hdrNoSniff  = []string{"nosniff"}
	hdrDeny     = []string{"DENY"}
	hdrSameOrig = []string{"same-origin"}
	hdrCSP      = []string{"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"}
	hdrNoCache  = []string{"no-cache"}
	hdrJSONType = []string{"application/json; charset=utf-8"}
	hdrCSVType  = []string{"text/csv; charset=utf-8"}
)

func setSecurityHeaders(h http.Header) {
	h["X-Content-Type-Options"] = hdrNoSniff
	h["X-Frame-Options"] = hdrDeny
	h["Referrer-Policy"] = hdrSameOrig
	h["Content-Security-Policy"] = hdrCSP
}

// checkLang refuses a ?lang= the service does not speak instead of
// answering in Spanish as if nothing had been asked; the error itself is
// in the cookie's or Accept-Language's language.
func (s *Server) checkLang(c *gin.Context) {
	q, given := queryValue(c, "lang")
	if !given {
		c.Next()
		return
	}
	if v := strings.ToLower(strings.TrimSpace(q)); v != "es" && v != "en" {
		if len(q) > 20 {
			q = q[:20] + "…"
		}
		f := fieldErrs{}
		f.add("lang", `idioma no disponible: %q; use "es" (español) o "en" (inglés)`,
			`language not available: %q; use "es" (Spanish) or "en" (English)`, strings.ToValidUTF8(q, "?"))
		s.fail(c, f.err())
		return
	}
	c.Next()
}

// limitBody caps every request body; handlers see *http.MaxBytesError.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		if c.Request.ContentLength > s.cfg.MaxBodyBytes {
			s.fail(c, errf(ETooLarge, "El cuerpo de la solicitud supera %d bytes.", "The request body exceeds %d bytes.", s.cfg.MaxBodyBytes))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
	}
	c.Next()
}

// bindJSON decodes a JSON body into v, after checking the media type and
// that every key is spelt exactly (see exactKeys).
func bindJSON(c *gin.Context, v any) error {
	ct := c.ContentType()
	if ct != "" && ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		return errf(EUnsupported, "Envíe JSON (Content-Type: application/json), no %s.", "Send JSON (Content-Type: application/json), not %s.", ct)
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return bindError(err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return bindError(io.EOF)
	}
	if err := exactKeys(body, v); err != nil {
		return err
	}
	if err := binding.JSON.BindBody(body, v); err != nil {
		return bindError(err)
	}
	return nil
}

// invalidate drops cached answers after a write.
func (s *Server) invalidate() {
	s.gen.Add(1)
	if s.cache != nil {
		s.cache.clear()
	}
}

// requestContext bounds a handler's work.
func requestContext(c *gin.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request.Context(), d)
}
