package api

import (
	"errors"
	"testing"
	"time"

	"hermanar/datasets"
)

// FuzzAgreementTemplate: whatever bytes an admin uploads, parsing ends in
// a template or a field error, never a panic.
func FuzzAgreementTemplate(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("<w:p><w:t>{{mexican_city}}</w:t></w:p>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tmpl, err := ParseAgreementTemplate(b, "es")
		if err == nil && len(tmpl.Placeholders) == 0 {
			t.Fatalf("accepted a template without placeholders")
		}
		_, _ = docxParagraphs(b)
	})
}

// FuzzEventRequest: any kind, date and note is either recorded in order
// or refused with a field issue, leaving the process as it was.
func FuzzEventRequest(f *testing.F) {
	f.Add("signed", "2026-01-15", "")
	f.Add("registered", "2026-13-01", "x")
	f.Add("letter_sent", "0000-00-00", "\x00")
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, kind, date, note string) {
		p := datasets.NewProcess("11008", 5278931, "fuzz", today)
		r := datasets.EventRequest{Kind: "letter_sent", Date: "2025-09-01"}
		if err := p.CheckEvent(&r, today); err != nil {
			t.Fatal(err)
		}
		p.AddEvent(r, "fuzz", today)
		n := len(p.Events)
		req := datasets.EventRequest{Kind: kind, Date: date, Note: note}
		if err := p.CheckEvent(&req, today); err != nil {
			var de *datasets.Error
			if !errors.As(err, &de) || de.Code != datasets.EInvalid || len(de.Fields) == 0 {
				t.Fatalf("not a field error: %v", err)
			}
			if len(p.Events) != n {
				t.Fatal("a refused step changed the process")
			}
			return
		}
		p.AddEvent(req, "fuzz", today)
		_ = p.Deadlines(&datasets.AdminTerm{State: "11", Ends: "2027-10-09"}, today)
	})
}
