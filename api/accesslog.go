package api

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// JSONLogHandler is slog's JSON handler with a fast path for the access
// line of every request: the line is appended field by field into a
// pooled buffer and written in one call, in exactly the shape the JSON
// handler gives it (TestAccessLineMatchesSlog), without the handler's
// per-attribute dispatch and the json.Marshal it runs for every float.
// Under load the access line was a tenth of a cached answer's CPU.
type JSONLogHandler struct {
	*slog.JSONHandler
	w io.Writer
	// fast: no option changes what the JSON handler writes (ReplaceAttr,
	// AddSource), so the access line may be written directly.
	fast bool
}

// NewJSONLogHandler writes JSON lines to w; w gets one Write per line.
func NewJSONLogHandler(w io.Writer, opts *slog.HandlerOptions) *JSONLogHandler {
	fast := opts == nil || opts.ReplaceAttr == nil && !opts.AddSource
	return &JSONLogHandler{JSONHandler: slog.NewJSONHandler(w, opts), w: w, fast: fast}
}

// accessLine is what the access log says of one request.
type accessLine struct {
	time                 time.Time
	level                slog.Level
	id, method, path, ip string
	token                string // empty when the request carried none
	status, bytes        int
	ms                   float64
}

var accessBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// writeAccess writes a's line; false when the handler's options change
// what the JSON handler would write, and the line goes as a record.
// (Called on the concrete type, so that a stays on the caller's stack.)
func (h *JSONLogHandler) writeAccess(_ context.Context, a *accessLine) bool {
	if !h.fast {
		return false
	}
	bp := accessBufs.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, `{"time":"`...)
	b = a.time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"`...)
	b = append(b, a.level.String()...)
	b = append(b, `","msg":"request","request_id":`...)
	b = appendJSONString(b, a.id)
	b = append(b, `,"method":`...)
	b = appendJSONString(b, a.method)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, a.path)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(a.status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, int64(a.bytes), 10)
	b = append(b, `,"ms":`...)
	b = strconv.AppendFloat(b, a.ms, 'f', -1, 64) // ms ≥ 0.001 or 0: the digits json.Marshal gives
	b = append(b, `,"ip":`...)
	b = appendJSONString(b, a.ip)
	if a.token != "" {
		b = append(b, `,"token":`...)
		b = appendJSONString(b, a.token)
	}
	b = append(b, "}\n"...)
	_, _ = h.w.Write(b) // as slog's handlers, a failed log write fails nothing else
	if cap(b) <= 4<<10 {
		*bp = b
		accessBufs.Put(bp)
	}
	return true
}

// appendJSONString appends s quoted as slog's JSON handler quotes it:
// ", \ and control characters escaped (\n, \r, \t by name), U+2028 and
// U+2029 escaped, invalid UTF-8 as U+FFFD, HTML characters as they are.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
