package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Every request leaves one access line an operator can search: its id
// (the one sent back in X-Request-Id), method, path, status, bytes sent,
// time taken and client address, at INFO for a success.
func TestAccessLogLine(t *testing.T) {
	e := mustEnv(t)
	const path = "/api/v1/municipalities/" + manuelDoblado + "/matches"
	w := e.do(t, req{path: path + "?k=3", header: map[string]string{"X-Request-Id": "abc-123"}})
	if w.Code != http.StatusOK || w.Header().Get("X-Request-Id") != "abc-123" {
		t.Fatalf("status %d, X-Request-Id %q", w.Code, w.Header().Get("X-Request-Id"))
	}
	var line map[string]any
	sc := bufio.NewScanner(strings.NewReader(e.log.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "request" && m["request_id"] == "abc-123" {
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no access line for request abc-123 in:\n%s", e.log.String())
	}
	want := map[string]any{"level": "INFO", "method": "GET", "path": path, "status": float64(200),
		"bytes": float64(w.Body.Len()), "ip": "192.0.2.1"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s: got %v, want %v", k, line[k], v)
		}
	}
	if ms, ok := line["ms"].(float64); !ok || ms < 0 {
		t.Errorf("ms: got %v, want a duration in milliseconds", line["ms"])
	}
	if ts, ok := line["time"].(string); !ok || !strings.Contains(ts, "T") {
		t.Errorf("time: got %v", line["time"])
	}
}

// The direct access line is byte for byte what slog's JSON handler
// writes for the same record, tricky paths included.
func TestAccessLineMatchesSlog(t *testing.T) {
	at := time.Date(2026, 12, 1, 15, 4, 5, 120000000, time.UTC)
	cases := []struct {
		name string
		a    accessLine
	}{
		{"a match list", accessLine{time: at, level: slog.LevelInfo, id: "0a1b2c3d4e5f6789", method: "GET",
			path: "/api/v1/municipalities/11008/matches", status: 200, bytes: 12252, ms: 0.321, ip: "127.0.0.1"}},
		{"with a token, an error", accessLine{time: at.Add(time.Nanosecond), level: slog.LevelError, id: "x", method: "PUT",
			path: "/api/v1/ties", status: 500, bytes: 0, ms: 0, ip: "::1", token: "tok_12"}},
		{"a warning, a long wait", accessLine{time: at, level: slog.LevelWarn, id: "y", method: "GET", path: "/readyz",
			status: 503, bytes: 17, ms: 10000.5, ip: "10.0.0.1"}},
		{"quotes, backslashes, controls", accessLine{time: at, level: slog.LevelInfo, id: "z", method: "GET",
			path: "/a\"b\\c\n\r\t\x01\x1f\x7f", status: 404, bytes: 3, ms: 1.001, ip: "1.2.3.4"}},
		{"HTML, accents, separators, bad UTF-8", accessLine{time: at, level: slog.LevelInfo, id: "w", method: "GET",
			path: "/<b>&amp;/San José/\u2028\u2029/\xff\xfe/😀", status: 404, bytes: 3, ms: 0.001, ip: "1.2.3.4"}},
	}
	for _, tc := range cases {
		var fast, ref bytes.Buffer
		if !NewJSONLogHandler(&fast, nil).writeAccess(context.Background(), &tc.a) {
			t.Fatalf("%s: the fast path refused", tc.name)
		}
		r := slog.NewRecord(tc.a.time, tc.a.level, "request", 0)
		r.AddAttrs(slog.String("request_id", tc.a.id), slog.String("method", tc.a.method), slog.String("path", tc.a.path),
			slog.Int("status", tc.a.status), slog.Int("bytes", tc.a.bytes), slog.Float64("ms", tc.a.ms), slog.String("ip", tc.a.ip))
		if tc.a.token != "" {
			r.AddAttrs(slog.String("token", tc.a.token))
		}
		if err := slog.NewJSONHandler(&ref, nil).Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		if fast.String() != ref.String() {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, fast.String(), ref.String())
		}
	}
	// Options that change the JSON handler's lines turn the fast path off.
	h := NewJSONLogHandler(io.Discard, &slog.HandlerOptions{AddSource: true})
	if h.writeAccess(context.Background(), &cases[0].a) {
		t.Errorf("AddSource: the fast path wrote the line")
	}
}

// serve's own handler writes the access line of a real request.
func TestAccessLogLineFastPath(t *testing.T) {
	e := mustEnv(t)
	var out bytes.Buffer
	e.srv.log = slog.New(NewJSONLogHandler(&lockedWriter{w: &out}, nil))
	w := e.do(t, req{path: "/api/v1/municipalities/" + manuelDoblado + "/matches?k=2", header: map[string]string{"X-Request-Id": "fast-1"}})
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("not one JSON line: %v: %q", err, out.String())
	}
	if line["msg"] != "request" || line["request_id"] != "fast-1" || line["status"] != float64(200) || line["bytes"] != float64(w.Body.Len()) {
		t.Errorf("line %v", line)
	}
}
