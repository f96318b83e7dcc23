package api

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"hermanar/datasets"
)

// icsEvent is one VEVENT as the strict parser below reads it.
type icsEvent map[string]string

var (
	icsName   = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	icsParam  = regexp.MustCompile(`^[A-Za-z0-9-]+=("[^"]*"|[^";:,]*)(,("[^"]*"|[^";:,]*))*$`)
	icsDate   = regexp.MustCompile(`^\d{8}$`)
	icsStamp  = regexp.MustCompile(`^\d{8}T\d{6}Z$`)
	icsEscape = regexp.MustCompile(`\\(.|$)`)
)

// parseICS is a strict RFC 5545 reader: CRLF line ends, folded lines of
// at most 75 octets, well-formed content lines, nested BEGIN/END, the
// required properties of VCALENDAR and VEVENT, valid DATE values and
// TEXT escapes. It returns the events or the first violation.
func parseICS(raw []byte) ([]icsEvent, error) {
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		return nil, fmt.Errorf("does not end with CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n")
	var lines []string
	for i, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("line %d: bare CR or LF", i+1)
		}
		if len(l) > 75 {
			return nil, fmt.Errorf("line %d: %d octets, more than 75", i+1, len(l))
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(lines) == 0 {
				return nil, fmt.Errorf("line %d: continuation with nothing to continue", i+1)
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var (
		stack  []string
		events []icsEvent
		cur    icsEvent
		cal    = map[string]bool{}
	)
	for i, l := range lines {
		colon := -1
		inQuote := false
		for j := 0; j < len(l); j++ {
			if l[j] == '"' {
				inQuote = !inQuote
			}
			if l[j] == ':' && !inQuote {
				colon = j
				break
			}
		}
		if colon < 0 {
			return nil, fmt.Errorf("content line %d has no colon: %q", i+1, l)
		}
		head, value := l[:colon], l[colon+1:]
		parts := strings.Split(head, ";")
		name := strings.ToUpper(parts[0])
		if !icsName.MatchString(name) {
			return nil, fmt.Errorf("content line %d: bad name %q", i+1, parts[0])
		}
		for _, p := range parts[1:] {
			if !icsParam.MatchString(p) {
				return nil, fmt.Errorf("content line %d: bad parameter %q", i+1, p)
			}
		}
		switch name {
		case "BEGIN":
			stack = append(stack, value)
			if value == "VEVENT" {
				if len(stack) != 2 || stack[0] != "VCALENDAR" {
					return nil, fmt.Errorf("VEVENT outside VCALENDAR")
				}
				cur = icsEvent{}
			}
			continue
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				return nil, fmt.Errorf("content line %d: END:%s does not close %v", i+1, value, stack)
			}
			stack = stack[:len(stack)-1]
			if value == "VEVENT" {
				for _, req := range []string{"UID", "DTSTAMP", "DTSTART"} {
					if cur[req] == "" {
						return nil, fmt.Errorf("VEVENT without %s", req)
					}
				}
				events = append(events, cur)
				cur = nil
			}
			continue
		}
		if len(stack) == 0 {
			return nil, fmt.Errorf("content line %d outside any component", i+1)
		}
		for _, m := range icsEscape.FindAllStringSubmatch(value, -1) {
			if !strings.Contains(`\;,nN`, m[1]) || m[1] == "" {
				return nil, fmt.Errorf("content line %d: bad escape %q", i+1, m[0])
			}
		}
		if cur != nil {
			if _, dup := cur[name]; dup {
				return nil, fmt.Errorf("VEVENT has %s twice", name)
			}
			switch {
			case name == "DTSTART" || name == "DTEND":
				if !strings.Contains(head, "VALUE=DATE") || !icsDate.MatchString(value) {
					return nil, fmt.Errorf("%s %q is not a DATE", name, value)
				}
				if _, err := time.Parse("20060102", value); err != nil {
					return nil, fmt.Errorf("%s %q: %v", name, value, err)
				}
			case name == "DTSTAMP" && !icsStamp.MatchString(value):
				return nil, fmt.Errorf("DTSTAMP %q is not UTC date-time", value)
			}
			cur[name] = value
		} else {
			cal[name] = true
		}
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("unclosed %v", stack)
	}
	if !cal["VERSION"] || !cal["PRODID"] {
		return nil, fmt.Errorf("VCALENDAR without VERSION or PRODID")
	}
	return events, nil
}

func TestParseICSBites(t *testing.T) {
	good := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260316\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if _, err := parseICS([]byte(good)); err != nil {
		t.Fatalf("good calendar rejected: %v", err)
	}
	for name, bad := range map[string]string{
		"LF only":        strings.ReplaceAll(good, "\r\n", "\n"),
		"unclosed":       strings.TrimSuffix(good, "END:VCALENDAR\r\n"),
		"no UID":         strings.Replace(good, "UID:a\r\n", "", 1),
		"bad date":       strings.Replace(good, "20260316", "20261316", 1),
		"long line":      strings.Replace(good, "UID:a", "UID:"+strings.Repeat("a", 80), 1),
		"bad escape":     strings.Replace(good, "UID:a", `UID:a\x`, 1),
		"duplicate prop": strings.Replace(good, "UID:a\r\n", "UID:a\r\nUID:b\r\n", 1),
	} {
		if _, err := parseICS([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestProcessSignedDeadlines: the acceptance path through the API — a
// liaison opens a process, records the signing on 2026-01-15, and reads
// first AAP due 2026-03-16 and expiry 2031-01-15, in JSON and in a
// calendar that holds each deadline once.
func TestProcessSignedDeadlines(t *testing.T) {
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	other := e.token(t, RoleLiaison, "11009", "")
	admin := e.token(t, RoleAdmin, "", "")
	pr := "/api/v1/municipalities/11008/processes"
	ww := pr + "/5278931"
	if w := e.do(t, req{method: "PUT", path: "/api/v1/states/11/administration", body: `{"ends":"2027-10-09"}`, token: admin}); w.Code != 200 {
		t.Fatalf("admin term: %d %s", w.Code, w.Body)
	}
	if w := e.do(t, req{method: "POST", path: pr, body: `{"place_id":5278931}`, token: liaison}); w.Code != 201 {
		t.Fatalf("open: %d %s", w.Code, w.Body)
	}
	if w := e.do(t, req{method: "POST", path: ww + "/events", body: `{"kind":"signed","date":"2026-01-15"}`, token: liaison}); w.Code != 201 {
		t.Fatalf("signed: %d %s", w.Code, w.Body)
	}
	v := mustJSON[ProcessView](t, e.do(t, req{path: ww + "?lang=en", token: liaison}))
	due := map[string]string{}
	for _, d := range v.Deadlines {
		due[d.UID()] = d.Due
	}
	if due["first_aap"] != "2026-03-16" || due["expiry-1"] != "2031-01-15" || v.Stage != "implementation" || v.StageLabel != "Implementation" {
		t.Errorf("after signing: stage %s, deadlines %v", v.Stage, due)
	}
	if len(v.History) != 2 || v.History[1].Action != "event_added" || !strings.HasPrefix(v.History[1].By, "liaison 11008 #") || v.History[1].At.IsZero() {
		t.Errorf("history: %+v", v.History)
	}

	// Out of scope, invalid or out of order: refused, nothing changes.
	before, _, _ := e.store.Get(datasets.BucketProcesses, datasets.ProcessKey("11008", 5278931))
	for _, tc := range []struct {
		name, token, body string
		status            int
		field             string
	}{
		{"other liaison", other, `{"kind":"registered","date":"2026-02-01"}`, 403, ""},
		{"invalid date", liaison, `{"kind":"registered","date":"2026-02-31"}`, 400, "date"},
		{"before signing", liaison, `{"kind":"registered","date":"2026-01-01"}`, 400, "date"},
		{"letter after signing", liaison, `{"kind":"letter_sent","date":"2026-02-01"}`, 400, "date"},
		{"signed twice", liaison, `{"kind":"signed","date":"2026-01-16"}`, 400, "kind"},
	} {
		w := e.do(t, req{method: "POST", path: ww + "/events", body: tc.body, token: tc.token})
		d := mustJSON[ErrorBody](t, w)
		if w.Code != tc.status || (tc.field != "" && d.Error.Fields[tc.field] == "") {
			t.Errorf("%s: got %d %v, want %d naming %q", tc.name, w.Code, d.Error, tc.status, tc.field)
		}
	}
	after, _, _ := e.store.Get(datasets.BucketProcesses, datasets.ProcessKey("11008", 5278931))
	if !bytes.Equal(before, after) {
		t.Errorf("a refused write changed the stored process")
	}

	w := e.do(t, req{path: ww + "/deadlines.ics", token: liaison})
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("content type %q", ct)
	}
	events, err := parseICS(w.Body.Bytes())
	if err != nil {
		t.Fatalf("the calendar does not parse: %v\n%s", err, w.Body)
	}
	uids := map[string]int{}
	starts := map[string]bool{}
	for _, ev := range events {
		uids[ev["UID"]]++
		starts[ev["DTSTART"]] = true
	}
	for uid, n := range uids {
		if n != 1 {
			t.Errorf("UID %s appears %d times", uid, n)
		}
	}
	if len(events) != len(v.Deadlines) || !starts["20260316"] || !starts["20310115"] || !starts["20271009"] {
		t.Errorf("%d events for %d deadlines; starts %v", len(events), len(v.Deadlines), starts)
	}
	if !strings.Contains(w.Body.String(), "Programa Anual de Acci") {
		t.Errorf("the Spanish calendar lacks the AAP summary:\n%s", w.Body)
	}

	// The overview: analysts see it, overdue first, with a CSV export.
	analyst := e.token(t, RoleAnalyst, "", "")
	if w := e.do(t, req{method: "POST", path: "/api/v1/municipalities/11009/processes", body: `{"place_id":5261457}`, token: other}); w.Code != 201 {
		t.Fatalf("open 11009: %d", w.Code)
	}
	list := mustJSON[ProcessList](t, e.do(t, req{path: "/api/v1/processes", token: analyst}))
	if len(list.Processes) != 2 || list.Processes[0].Municipality != "11008" || list.Processes[0].Overdue != 1 || list.Processes[0].Signed != "2026-01-15" {
		t.Errorf("overview: %+v", list.Processes)
	}
	if own := mustJSON[ProcessList](t, e.do(t, req{path: "/api/v1/processes", token: other})); len(own.Processes) != 1 || own.Processes[0].Municipality != "11009" {
		t.Errorf("a liaison's overview: %+v", own.Processes)
	}
	csvBody := e.do(t, req{path: "/api/v1/processes?format=csv", token: analyst}).Body.String()
	if !strings.HasPrefix(csvBody, datasets.UTF8BOM+"municipality,municipality_name,state") || !strings.Contains(csvBody, "Implementación") {
		t.Errorf("csv:\n%s", csvBody)
	}
	pq := e.do(t, req{path: "/api/v1/processes?format=parquet", token: analyst}).Body.Bytes()
	rows, err := datasets.ReadParquetBytes[datasets.ProcessRow](pq)
	if err != nil || len(rows) != 2 || rows[0].NextDue != "2026-03-16" {
		t.Errorf("parquet: %v %+v", err, rows)
	}
}
