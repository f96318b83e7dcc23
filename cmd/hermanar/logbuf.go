package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logFlushEvery is how late a log line may reach the terminal or file.
const logFlushEvery = 100 * time.Millisecond

// bufferedLog batches the server's log lines: with one line per request,
// a write system call for each line cost about a tenth of a cached
// answer. Lines are flushed every logFlushEvery, when the buffer fills
// and when the server stops; a crash loses at most the last tenth of a
// second of access lines (a panic's own trace is written by the runtime,
// not here).
type bufferedLog struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newBufferedLog(w io.Writer) *bufferedLog {
	b := &bufferedLog{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop()
	return b
}

func (b *bufferedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *bufferedLog) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.w.Flush()
}

func (b *bufferedLog) loop() {
	defer close(b.done)
	t := time.NewTicker(logFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.flush()
		case <-b.stop:
			b.flush()
			return
		}
	}
}

// Close flushes what is left and stops the flusher.
func (b *bufferedLog) Close() {
	close(b.stop)
	<-b.done
}
