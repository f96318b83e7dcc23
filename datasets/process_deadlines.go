package datasets

import (
	"fmt"
	"sort"
	"time"
)

// Deadline statuses.
const (
	DeadlinePending = "pending" // ahead
	DeadlineMet     = "met"     // the step it asks for is recorded
	DeadlineOverdue = "overdue" // past, and the step is missing
	DeadlinePassed  = "passed"  // a date to heed that has gone by; nothing was owed
)

// Deadline is one date the model agreement (or the municipal calendar)
// sets for a process.
type Deadline struct {
	Kind   string `json:"kind"` // first_aap, evaluation, notice, expiry, termination, administration_end
	Seq    int    `json:"seq,omitempty"`
	Due    string `json:"due"` // YYYY-MM-DD
	Status string `json:"status"`
	Label  Text   `json:"-"`
}

// UID names the deadline uniquely within its process (for calendars).
func (d Deadline) UID() string {
	if d.Seq > 0 {
		return fmt.Sprintf("%s-%d", d.Kind, d.Seq)
	}
	return d.Kind
}

// Terms of the SRE model agreement.
const (
	firstAAPDays = 60 // first Annual Action Programme, days after signing
	termYears    = 5  // in force for five years, renewable
	noticeDays   = 60 // written notice to end it
	muniTermYrs  = 3  // a municipal administration lasts three years
)

func status(due, today time.Time, met bool, owed bool) string {
	switch {
	case met:
		return DeadlineMet
	case !today.After(due):
		return DeadlinePending
	case owed:
		return DeadlineOverdue
	}
	return DeadlinePassed
}

func day(t time.Time) string { return t.Format(DateLayout) }

// Deadlines derives the process's dates from its events, the model
// agreement's terms and, when an admin set it, the end of the state's
// municipal administration (term may be nil). today decides the status.
func (p *Process) Deadlines(term *AdminTerm, today time.Time) []Deadline {
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	var out []Deadline
	signedEv, signed := p.Event("signed")
	sd, err := ParseDate(signedEv.Date)
	if !signed || err != nil {
		// Before signing, the one date that matters is the end of the
		// administration that started the process.
		if ends := adminEnds(term, today, today.AddDate(muniTermYrs, 0, 0)); len(ends) > 0 {
			out = append(out, Deadline{Kind: "administration_end", Due: day(ends[0]), Status: DeadlinePending,
				Label: Text{"Fin de la administración municipal: asegure la continuidad", "End of the municipal administration: secure continuity"}})
		}
		return out
	}
	renewals := p.count("renewed")
	expiry := sd.AddDate(termYears*(1+renewals), 0, 0)
	end := expiry
	var termination time.Time
	if e, ok := p.Event("termination_notice"); ok {
		if t, err := ParseDate(e.Date); err == nil {
			termination = t.AddDate(0, 0, noticeDays)
			if termination.Before(end) {
				end = termination
			}
		}
	}
	_, aapDone := p.Event("first_aap")
	aap := sd.AddDate(0, 0, firstAAPDays)
	out = append(out, Deadline{Kind: "first_aap", Due: day(aap), Status: status(aap, today, aapDone, true),
		Label: Text{"Primer Programa Anual de Acción (60 días tras la firma)", "First Annual Action Programme (60 days after signing)"}})
	evals := p.count("evaluation_held")
	for n := 1; ; n++ {
		due := sd.AddDate(n, 0, 0)
		if !due.Before(end) {
			break
		}
		out = append(out, Deadline{Kind: "evaluation", Seq: n, Due: day(due), Status: status(due, today, evals >= n, true),
			Label: Text{fmt.Sprintf("Reunión anual de evaluación (año %d)", n), fmt.Sprintf("Yearly evaluation meeting (year %d)", n)}})
	}
	if termination.IsZero() {
		notice := expiry.AddDate(0, 0, -noticeDays)
		out = append(out, Deadline{Kind: "notice", Seq: renewals + 1, Due: day(notice), Status: status(notice, today, false, false),
			Label: Text{"Último día para avisar la terminación (60 días antes del vencimiento) o acordar la renovación",
				"Last day to give notice of termination (60 days before expiry) or agree on renewal"}})
		out = append(out, Deadline{Kind: "expiry", Seq: renewals + 1, Due: day(expiry), Status: status(expiry, today, false, true),
			Label: Text{"Vencimiento del acuerdo (cinco años, renovable)", "Agreement expires (five years, renewable)"}})
	} else {
		out = append(out, Deadline{Kind: "termination", Due: day(termination), Status: status(termination, today, false, false),
			Label: Text{"Fin del acuerdo (60 días tras el aviso)", "Agreement ends (60 days after notice)"}})
	}
	for i, t := range adminEnds(term, sd, end) {
		out = append(out, Deadline{Kind: "administration_end", Seq: i + 1, Due: day(t), Status: status(t, today, false, false),
			Label: Text{"Fin de la administración municipal: asegure la continuidad", "End of the municipal administration: secure continuity"}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due < out[j].Due })
	return out
}

// adminEnds lists the ends of three-year administrations in (from, to].
func adminEnds(term *AdminTerm, from, to time.Time) []time.Time {
	if term == nil {
		return nil
	}
	t, err := ParseDate(term.Ends)
	if err != nil {
		return nil
	}
	for t.After(from) {
		t = t.AddDate(-muniTermYrs, 0, 0)
	}
	for !t.AddDate(muniTermYrs, 0, 0).After(from) {
		t = t.AddDate(muniTermYrs, 0, 0)
	}
	var out []time.Time
	for t = t.AddDate(muniTermYrs, 0, 0); !t.After(to); t = t.AddDate(muniTermYrs, 0, 0) {
		out = append(out, t)
	}
	return out
}

// Overdue reports whether any deadline is overdue.
func Overdue(ds []Deadline) bool {
	for _, d := range ds {
		if d.Status == DeadlineOverdue {
			return true
		}
	}
	return false
}
