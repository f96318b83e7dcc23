package main

import (
	"strings"
	"testing"
	"time"
)

// workflowSurvivesKill9: a process step answered 201 by the real binary
// is still there after kill -9 and a restart.
func workflowSurvivesKill9(t *testing.T, bin, data, liaison string) {
	s := startServer(t, bin, data)
	s.waitReady(t, 60*time.Second)
	pr := s.url + "/api/v1/municipalities/11008/processes"
	if code, _, body := e2eCall(t, "POST", pr, liaison, `{"place_id":5261457}`); code != 201 {
		t.Fatalf("open process: %d %s", code, body)
	}
	if code, _, body := e2eCall(t, "POST", pr+"/5261457/events", liaison, `{"kind":"letter_sent","date":"2026-02-03","note":"kill -9 check"}`); code != 201 {
		t.Fatalf("record step: %d %s", code, body)
	}
	if code, _, body := e2eCall(t, "POST", pr+"/5261457/events", liaison, `{"kind":"reply_received","date":"2026-01-01"}`); code != 400 || !strings.Contains(body, `"date"`) {
		t.Errorf("a step out of order: %d %s", code, body)
	}
	s.kill9(t)
	s2 := startServer(t, bin, data)
	s2.waitReady(t, 60*time.Second)
	code, _, body := e2eCall(t, "GET", s2.url+"/api/v1/municipalities/11008/processes/5261457", liaison, "")
	if code != 200 || !strings.Contains(body, `"kind":"letter_sent"`) || !strings.Contains(body, "kill -9 check") || strings.Contains(body, "reply_received") {
		t.Errorf("after kill -9: %d %s", code, body)
	}
	s2.stop()
}
