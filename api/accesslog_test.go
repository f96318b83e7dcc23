package api

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
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
