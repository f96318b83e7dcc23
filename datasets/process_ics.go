package datasets

import (
	"bufio"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// CalendarItem is one deadline of one process, ready for a calendar.
type CalendarItem struct {
	UID         string // unique and stable: the same deadline keeps its UID
	Date        string // YYYY-MM-DD, an all-day event
	Summary     string
	Description string
}

// WriteICS writes items as an iCalendar (RFC 5545) file of all-day
// events: CRLF line ends, lines folded at 75 octets, text escaped.
func WriteICS(w io.Writer, name string, items []CalendarItem, now time.Time) error {
	bw := bufio.NewWriter(w)
	line := func(s string) {
		// Fold at 75 octets without splitting a UTF-8 sequence.
		for len(s) > 75 {
			cut := 75
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			bw.WriteString(s[:cut])
			bw.WriteString("\r\n ")
			s = s[cut:]
		}
		bw.WriteString(s)
		bw.WriteString("\r\n")
	}
	stamp := now.UTC().Format("20060102T150405Z")
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Hermanar//Deadlines//ES")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + icsText(name))
	for _, it := range items {
		d, err := ParseDate(it.Date)
		if err != nil {
			continue
		}
		line("BEGIN:VEVENT")
		line("UID:" + icsText(it.UID))
		line("DTSTAMP:" + stamp)
		line("DTSTART;VALUE=DATE:" + d.Format("20060102"))
		line("DTEND;VALUE=DATE:" + d.AddDate(0, 0, 1).Format("20060102"))
		line("SUMMARY:" + icsText(it.Summary))
		if it.Description != "" {
			line("DESCRIPTION:" + icsText(it.Description))
		}
		line("TRANSP:TRANSPARENT")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return bw.Flush()
}

// icsText escapes a TEXT value (RFC 5545 §3.3.11).
func icsText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}
