//go:build pprof

package main

// Built with -tags pprof, hermanar serves net/http/pprof on the loopback
// address in HERMANAR_PPROF (e.g. 127.0.0.1:6060), for profiling a real
// `serve` under load. Never in the default build.

import (
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"strings"
)

func init() {
	addr := os.Getenv("HERMANAR_PPROF")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !(host == "127.0.0.1" || host == "::1" || strings.EqualFold(host, "localhost")) {
		panic("HERMANAR_PPROF must be a loopback host:port, got " + addr)
	}
	go func() { _ = http.ListenAndServe(addr, http.DefaultServeMux) }()
}
