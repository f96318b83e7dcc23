package main

import (
	"strings"
	"testing"
	"time"
)

// Buffered log lines reach the output within the flush interval, and
// everything left is written on Close.
func TestBufferedLogFlushes(t *testing.T) {
	var out syncBuffer
	b := newBufferedLog(&out)
	if _, err := b.Write([]byte("first line\n")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "first line") {
		if time.Now().After(deadline) {
			t.Fatalf("the line was not flushed within 5 s (interval %v)", logFlushEvery)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := b.Write([]byte("last line\n")); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if got := out.String(); got != "first line\nlast line\n" {
		t.Errorf("after Close: got %q", got)
	}
}
