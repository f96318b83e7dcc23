package datasets

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var testToday = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func mustProcess(t *testing.T, steps ...string) Process {
	t.Helper()
	p := NewProcess("11008", 5278931, "test", testToday)
	for _, s := range steps {
		kind, date, _ := strings.Cut(s, " ")
		r := EventRequest{Kind: kind, Date: date}
		if err := p.CheckEvent(&r, testToday); err != nil {
			t.Fatalf("step %s: %v", s, err)
		}
		p.AddEvent(r, "test", testToday)
	}
	return p
}

func TestCheckEvent(t *testing.T) {
	cases := []struct {
		name  string
		steps []string
		add   EventRequest
		field string // "" = accepted
	}{
		{"signed alone", nil, EventRequest{Kind: "signed", Date: "2026-01-15"}, ""},
		{"not a date", nil, EventRequest{Kind: "signed", Date: "15/01/2026"}, "date"},
		{"no such day", nil, EventRequest{Kind: "signed", Date: "2026-02-30"}, "date"},
		{"empty date", nil, EventRequest{Kind: "signed"}, "date"},
		{"future", nil, EventRequest{Kind: "letter_sent", Date: "2027-01-01"}, "date"},
		{"unknown kind", nil, EventRequest{Kind: "party", Date: "2026-01-01"}, "kind"},
		{"reply before letter recorded", nil, EventRequest{Kind: "reply_received", Date: "2026-01-01"}, "kind"},
		{"reply before letter date", []string{"letter_sent 2025-09-01"}, EventRequest{Kind: "reply_received", Date: "2025-08-01"}, "date"},
		{"reply after letter", []string{"letter_sent 2025-09-01"}, EventRequest{Kind: "reply_received", Date: "2025-10-01"}, ""},
		{"signed before opinion", []string{"sre_opinion_requested 2025-10-01", "sre_opinion_received 2025-11-20"}, EventRequest{Kind: "signed", Date: "2025-11-01"}, "date"},
		{"letter after signing", []string{"signed 2026-01-15"}, EventRequest{Kind: "letter_sent", Date: "2026-02-01"}, "date"},
		{"twice signed", []string{"signed 2026-01-15"}, EventRequest{Kind: "signed", Date: "2026-01-16"}, "kind"},
		{"registered before signed", []string{"signed 2026-01-15"}, EventRequest{Kind: "registered", Date: "2026-01-10"}, "date"},
		{"aap without signing", nil, EventRequest{Kind: "first_aap", Date: "2026-01-10"}, "kind"},
		{"second evaluation", []string{"signed 2024-01-15", "evaluation_held 2025-01-20"}, EventRequest{Kind: "evaluation_held", Date: "2026-01-20"}, ""},
		{"evaluation before the last", []string{"signed 2024-01-15", "evaluation_held 2025-01-20"}, EventRequest{Kind: "evaluation_held", Date: "2024-06-01"}, "date"},
		{"note with NUL", nil, EventRequest{Kind: "letter_sent", Date: "2026-01-01", Note: "a\x00"}, "note"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := mustProcess(t, tc.steps...)
			before := len(p.Events)
			err := p.CheckEvent(&tc.add, testToday)
			got := ""
			var de *Error
			if errors.As(err, &de) && de.Code == EInvalid && len(de.Fields) > 0 {
				for f, m := range de.Fields {
					if got == "" || f < got {
						got = f
					}
					if m.ES == "" || m.EN == "" || m.ES == m.EN {
						t.Errorf("%s: %s: messages not in both languages: %+v", tc.name, f, m)
					}
				}
				if len(de.Fields) > 1 {
					t.Errorf("%s: got fields %v, want only %q", tc.name, de.Fields, tc.field)
				}
			} else if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got != tc.field {
				t.Errorf("%s: got field %q (%v), want %q", tc.name, got, err, tc.field)
			}
			if len(p.Events) != before {
				t.Errorf("%s: CheckEvent changed the process", tc.name)
			}
		})
	}
}

func TestDeadlinesFromSigning(t *testing.T) {
	term := &AdminTerm{State: "11", Ends: "2027-10-09"}
	p := mustProcess(t, "signed 2026-01-15")
	got := map[string]Deadline{}
	for _, d := range p.Deadlines(term, testToday) {
		if _, dup := got[d.UID()]; dup {
			t.Errorf("deadline %s twice", d.UID())
		}
		got[d.UID()] = d
	}
	want := map[string][2]string{
		"first_aap":            {"2026-03-16", DeadlineOverdue},
		"evaluation-1":         {"2027-01-15", DeadlinePending},
		"evaluation-4":         {"2030-01-15", DeadlinePending},
		"notice-1":             {"2030-11-16", DeadlinePending},
		"expiry-1":             {"2031-01-15", DeadlinePending},
		"administration_end-1": {"2027-10-09", DeadlinePending},
		"administration_end-2": {"2030-10-09", DeadlinePending},
	}
	for uid, w := range want {
		if d, ok := got[uid]; !ok || d.Due != w[0] || d.Status != w[1] {
			t.Errorf("%s: got %+v, want due %s %s", uid, d, w[0], w[1])
		}
	}
	if len(got) != 9 { // first AAP, 4 evaluations, notice, expiry, 2 administration ends
		t.Errorf("%d deadlines: %v", len(got), got)
	}
	if p.Stage(testToday) != StageImplementation || !Overdue(p.Deadlines(term, testToday)) {
		t.Errorf("stage %s, overdue %v", p.Stage(testToday), Overdue(p.Deadlines(term, testToday)))
	}

	p = mustProcess(t, "signed 2026-01-15", "first_aap 2026-03-01")
	if d := p.Deadlines(nil, testToday)[0]; d.Kind != "first_aap" || d.Status != DeadlineMet {
		t.Errorf("first AAP after recording it: %+v", d)
	}
	p = mustProcess(t, "signed 2020-01-15", "renewed 2024-11-01")
	for _, d := range p.Deadlines(nil, testToday) {
		if d.Kind == "expiry" && d.Due != "2030-01-15" {
			t.Errorf("expiry after one renewal: %s, want 2030-01-15", d.Due)
		}
	}
	p = mustProcess(t, "signed 2024-01-15", "termination_notice 2026-09-01")
	ds := p.Deadlines(nil, testToday)
	last := ds[len(ds)-1]
	if last.Kind != "termination" || last.Due != "2026-10-31" || p.Stage(testToday) != StageEnded {
		t.Errorf("after notice: %+v, stage %s", ds, p.Stage(testToday))
	}
	// Before signing, only the continuity alert.
	p = mustProcess(t, "letter_sent 2026-06-01")
	if ds := p.Deadlines(term, testToday); len(ds) != 1 || ds[0].Due != "2027-10-09" || p.Stage(testToday) != StageBinding {
		t.Errorf("before signing: %+v stage %s", ds, p.Stage(testToday))
	}
}
