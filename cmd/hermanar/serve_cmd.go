package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"hermanar/api"
)

// Server timeouts. Bulk ranking extends its own write deadline.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 15 * time.Second
)

// runServe listens at once, answers /healthz immediately and /readyz with
// 503 until the data, the index (built on first run, with progress on
// stderr) and the engine are loaded, then serves everything until the
// context ends (SIGINT or SIGTERM), when it drains within shutdownTimeout.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port; port 0 picks a free one); loopback unless --public")
	public := fs.Bool("public", false, "listen on every interface (the port of --addr), for a server others reach")
	data := fs.String("data", defaultDataDir(), "data directory (store and index)")
	weights := fs.String("weights", "", "weights JSON (default: the shipped weights)")
	logFormat := fs.String("log-format", "json", "log format: json or text")
	accessLog := fs.Bool("access-log", true, "log one line per request")
	maxBody := fs.Int64("max-body", 256<<10, "largest accepted request body, bytes")
	publicURL := fs.String("public-url", "", "address browsers use, e.g. https://hermanar.example (behind a TLS proxy); forms must come from its origin")
	secureCookies := fs.Bool("secure-cookies", false, "mark the sign-in cookie Secure even on plain http requests (default: only over https)")
	rateLimits := fs.String("rate-limits", "", "per-token and per-IP limits, CLASS=RATE:BURST,… for writes, matches, ranks (requests a second; default writes=5:30,matches=50:100,ranks=0.1:3; \"off\" disables)")
	writeStall := fs.Duration("write-stall", 30*time.Second, "drop a client whose connection accepts no data for this long (bulk streams, backups)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	limits, err := api.ParseLimits(*rateLimits)
	if err != nil {
		return usageErrorf("--rate-limits: %v", err)
	}
	if *writeStall < time.Second {
		return usageErrorf("--write-stall must be at least 1s")
	}
	_, statErr := os.Stat(filepath.Join(*data, "index"))
	restoreGC := startupGC(os.Getenv("GOGC"), os.Getenv("GOMEMLIMIT"), statErr == nil)
	matchProcs := servingProcs(os.Getenv("GOMAXPROCS"))
	var handler slog.Handler
	logOut := newBufferedLog(e.stderr)
	defer logOut.Close()
	switch *logFormat {
	case "json":
		handler = api.NewJSONLogHandler(logOut, nil)
	case "text":
		handler = slog.NewTextHandler(logOut, nil)
	default:
		return usageErrorf("--log-format must be json or text, got %q", *logFormat)
	}
	if *maxBody < 1024 {
		return usageErrorf("--max-body must be at least 1024 bytes")
	}
	log := slog.New(handler)
	if *public {
		_, port, err := net.SplitHostPort(*addr)
		if err != nil {
			return usageErrorf("--addr must be host:port, got %q", *addr)
		}
		*addr = net.JoinHostPort("", port)
	}

	// Loading starts first: the server's own set-up (its page templates)
	// and the listener are made while the snapshot decodes.
	type opened struct {
		a   *app
		err error
	}
	loadCtx, cancelLoad := context.WithCancel(ctx)
	defer cancelLoad()
	appCh := make(chan opened, 1)
	go func() {
		a, err := openApp(loadCtx, appOptions{dataDir: *data, weights: *weights, withIndex: true, progress: e.stderr})
		appCh <- opened{a, err}
	}()
	// abandon stops the load and releases what it opened (the store's
	// lock), for a start that fails before serving; like a shutdown
	// while loading, it waits a moment at most (see below).
	abandon := func(err error) error {
		cancelLoad()
		select {
		case o := <-appCh:
			if o.a != nil {
				_ = o.a.Close()
			}
		case <-time.After(5 * time.Second):
		}
		return err
	}

	srv, err := api.New(api.Config{Logger: log, MaxBodyBytes: *maxBody, DisableAccessLog: !*accessLog,
		PublicURL: *publicURL, SecureCookies: *secureCookies, Limits: limits, WriteStall: *writeStall, MaxConcurrentMatches: matchProcs})
	if err != nil {
		return abandon(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return abandon(fmt.Errorf("listen %s: %w", *addr, err))
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "url", "http://"+displayAddr(ln.Addr()), "data", *data)

	var (
		a       *app
		runErr  error
		pending = appCh
	)
loop:
	for {
		select {
		case <-ctx.Done():
			log.Info("shutting down", "reason", context.Cause(ctx).Error())
			break loop
		case err := <-serveErr:
			runErr = fmt.Errorf("serve: %w", err)
			break loop
		case o := <-pending:
			pending = nil
			if o.err != nil {
				runErr = fmt.Errorf("load: %w", o.err)
				break loop
			}
			a = o.a
			restoreGC()
			if err := srv.SetBackend(backendOf(a)); err != nil {
				runErr = err
				break loop
			}
			// The first match would otherwise build the pruned scan's
			// layout itself and answer half a second late.
			go a.engine.WarmMatchIndex()
		}
	}

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("shutdown", "err", err)
	}
	if pending != nil {
		// Still loading: stop waiting after a moment; the index build
		// writes to a temporary directory, so nothing half-built remains.
		cancelLoad()
		select {
		case o := <-pending:
			a = o.a
		case <-time.After(5 * time.Second):
		}
	}
	if a != nil {
		if err := a.Close(); err != nil && runErr == nil {
			runErr = err
		}
	}
	log.Info("stopped")
	return runErr
}

// servingMemoryLimit is the Go heap's soft limit while serving when
// GOMEMLIMIT is not set: the collector works harder as the heap nears it,
// which keeps the process under the 500 MiB serving budget (DESIGN §8)
// with a full match cache, while the default GOGC=100 leaves the
// collector under 1% of the CPU at full load.
const servingMemoryLimit = 450 << 20

// startupGC sets the collector for start-up and returns what restores it
// for serving. Start-up allocates a heap that is almost all kept (the
// snapshot, the engine's columns): collecting while it grows only marks
// live data again and again, so with an index already built the
// collector is off until the server is ready (about 200 MiB by then;
// the memory limit still bounds it). The first run's index build makes
// garbage and sets its own pace (index.Open), so it keeps the default.
// GOGC or GOMEMLIMIT set in the environment are left as they are.
func startupGC(gogc, gomemlimit string, indexBuilt bool) (restore func()) {
	if gomemlimit == "" {
		debug.SetMemoryLimit(servingMemoryLimit)
	}
	if gogc != "" || !indexBuilt {
		return func() {}
	}
	old := debug.SetGCPercent(-1)
	var once sync.Once
	return func() { once.Do(func() { debug.SetGCPercent(old) }) }
}

// servingProcs gives the server one P more than it computes matches on,
// unless GOMAXPROCS is set (then api's default, GOMAXPROCS − 1 matches at
// once, applies), and returns how many matches may run at once. With
// every P matching, the runtime looks at the sockets only every 10 ms, so
// requests wait unread and answers unsent while the matches run (measured
// on 2 cores, 16 connections, every request distinct: p99 34–38 ms with 2
// Ps and 2 matches, 19 ms with 3 Ps and 2 matches, 19–25 ms at two thirds
// of the throughput with 2 Ps and 1 match). The extra P's thread shares
// the cores with the others; the kernel runs it as soon as a socket is
// ready. Once per process: tests start several servers.
var servingProcs = func() func(gomaxprocs string) int {
	var once sync.Once
	var matches int
	return func(gomaxprocs string) int {
		once.Do(func() {
			if gomaxprocs != "" {
				return
			}
			matches = runtime.GOMAXPROCS(0)
			runtime.GOMAXPROCS(matches + 1)
		})
		return matches
	}
}()

// backendOf hands the api what the app has opened.
func backendOf(a *app) *api.Backend {
	b := &api.Backend{Engine: a.engine, Store: a.store, Classifier: a.cls, Writes: a.writes}
	if a.ix != nil {
		b.Search = a.ix
		b.Profiles = a.ix
	}
	return b
}

func displayAddr(addr net.Addr) string {
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", ta.Port)
	}
	return addr.String()
}
