package datasets

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Buckets of the process tracker.
const (
	// BucketProcesses holds one Process per (municipality, foreign city),
	// keyed ProcessKey(cvegeo, place).
	BucketProcesses = "processes"
	// BucketAdminTerms holds, per INEGI state code, the date an admin set
	// for the end of the current municipal administration.
	BucketAdminTerms = "admin_terms"
)

// ProcessKey is the store key of a process.
func ProcessKey(cvegeo string, place int64) string {
	return cvegeo + ":" + strconv.FormatInt(place, 10)
}

// The stages of the SRE's route to a twinning.
const (
	StageIdentification = "identification"
	StageBinding        = "binding"
	StageFormalization  = "formalization"
	StageImplementation = "implementation"
	StageEnded          = "ended"
)

// Stages in their order.
var Stages = []string{StageIdentification, StageBinding, StageFormalization, StageImplementation, StageEnded}

var stageLabels = map[string]Text{
	StageIdentification: {"Identificación", "Identification"},
	StageBinding:        {"Vinculación", "Binding"},
	StageFormalization:  {"Formalización", "Formalization"},
	StageImplementation: {"Implementación", "Implementation"},
	StageEnded:          {"Concluido", "Ended"},
}

// StageLabel names a stage in lang.
func StageLabel(stage, lang string) string { return stageLabels[stage].In(lang) }

// EventKind is one step a process records. After lists the steps that,
// when recorded, must not be dated later than this one; Requires, the
// step that must be recorded first.
type EventKind struct {
	Code     string
	Stage    string
	Label    Text
	Repeat   bool // may be recorded more than once (evaluations, renewals)
	After    []string
	Requires string
}

// EventKinds are the steps, in the order the SRE's guide describes them.
var EventKinds = []EventKind{
	{Code: "liaison_designated", Stage: StageIdentification, Label: Text{"Área o persona de enlace designada", "Liaison office or officer designated"}},
	{Code: "committee_formed", Stage: StageIdentification, Label: Text{"Comité ciudadano formado", "Citizen committee formed"}},
	{Code: "letter_sent", Stage: StageBinding, Label: Text{"Carta de intención enviada", "Letter of Intent sent"}, After: []string{"liaison_designated"}},
	{Code: "reply_received", Stage: StageBinding, Label: Text{"Respuesta recibida", "Reply received"}, Requires: "letter_sent"},
	{Code: "cabildo_approved", Stage: StageFormalization, Label: Text{"Aprobación del cabildo", "Approved by the town council (cabildo)"}, After: []string{"liaison_designated"}},
	{Code: "sre_opinion_requested", Stage: StageFormalization, Label: Text{"Dictamen de la SRE solicitado (LCT, art. 7)", "SRE opinion requested (LCT art. 7)"}, After: []string{"liaison_designated"}},
	{Code: "sre_opinion_received", Stage: StageFormalization, Label: Text{"Dictamen de la SRE recibido", "SRE opinion received"}, Requires: "sre_opinion_requested"},
	{Code: "signed", Stage: StageImplementation, Label: Text{"Acuerdo firmado", "Agreement signed"},
		After: []string{"liaison_designated", "letter_sent", "reply_received", "cabildo_approved", "sre_opinion_requested", "sre_opinion_received"}},
	{Code: "registered", Stage: StageImplementation, Label: Text{"Registrado ante la SRE", "Registered with the SRE"}, Requires: "signed"},
	{Code: "first_aap", Stage: StageImplementation, Label: Text{"Primer Programa Anual de Acción formalizado", "First Annual Action Programme formalized"}, Requires: "signed"},
	{Code: "evaluation_held", Stage: StageImplementation, Label: Text{"Reunión anual de evaluación", "Yearly evaluation meeting held"}, Repeat: true, Requires: "signed"},
	{Code: "renewed", Stage: StageImplementation, Label: Text{"Acuerdo renovado por cinco años", "Agreement renewed for five years"}, Repeat: true, Requires: "signed"},
	{Code: "termination_notice", Stage: StageImplementation, Label: Text{"Aviso de terminación entregado", "Notice of termination given"}, Requires: "signed"},
}

// EventKindOf returns the kind with code.
func EventKindOf(code string) (EventKind, bool) {
	for _, k := range EventKinds {
		if k.Code == code {
			return k, true
		}
	}
	return EventKind{}, false
}

// EventCodes lists the codes in order.
func EventCodes() []string {
	out := make([]string, len(EventKinds))
	for i, k := range EventKinds {
		out[i] = k.Code
	}
	return out
}

func eventOrder(code string) int {
	for i, k := range EventKinds {
		if k.Code == code {
			return i
		}
	}
	return len(EventKinds)
}

// ProcessEvent is one dated step.
type ProcessEvent struct {
	ID         int       `json:"id"`
	Kind       string    `json:"kind"`
	Date       string    `json:"date"` // YYYY-MM-DD, when it happened
	Note       string    `json:"note,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
}

// ProcessComment is a remark by a liaison or a consulate.
type ProcessComment struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	Text string    `json:"text"`
}

// ProcessChange is one entry of a process's history: every write leaves one.
type ProcessChange struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"` // opened, event_added, event_removed, comment_added
	Detail string    `json:"detail,omitempty"`
}

// Process follows one municipality's route to an agreement with one
// foreign city.
type Process struct {
	Municipality string           `json:"municipality"`
	Place        int64            `json:"place_id"`
	OpenedAt     time.Time        `json:"opened_at"`
	OpenedBy     string           `json:"opened_by"`
	Events       []ProcessEvent   `json:"events"`
	Comments     []ProcessComment `json:"comments"`
	History      []ProcessChange  `json:"history"`
	NextID       int              `json:"next_id"`
}

// Event returns the first recorded event of kind code.
func (p *Process) Event(code string) (ProcessEvent, bool) {
	for _, e := range p.Events {
		if e.Kind == code {
			return e, true
		}
	}
	return ProcessEvent{}, false
}

func (p *Process) count(code string) int {
	n := 0
	for _, e := range p.Events {
		if e.Kind == code {
			n++
		}
	}
	return n
}

// Stage is where the process stands, from its events as of today.
func (p *Process) Stage(today time.Time) string {
	if e, ok := p.Event("termination_notice"); ok {
		if d, err := ParseDate(e.Date); err == nil && !today.Before(d.AddDate(0, 0, 60)) {
			return StageEnded
		}
	}
	stage := StageIdentification
	for _, e := range p.Events {
		k, _ := EventKindOf(e.Kind)
		if stageIndex(k.Stage) > stageIndex(stage) {
			stage = k.Stage
		}
	}
	return stage
}

func stageIndex(s string) int {
	for i, x := range Stages {
		if x == s {
			return i
		}
	}
	return -1
}

// DateLayout is how dates are written in requests, records and files.
const DateLayout = "2006-01-02"

// ParseDate reads a YYYY-MM-DD date strictly (no time, no zone).
func ParseDate(s string) (time.Time, error) {
	if len(s) != len(DateLayout) {
		return time.Time{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return time.Parse(DateLayout, s)
}

// Earliest date the tracker accepts: the Law on the Celebration of
// Treaties dates from January 1992; twinnings recorded from before it
// are still welcome, within reason.
var minEventDate = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)

// EventRequest is what a user sends to record a step.
type EventRequest struct {
	Kind string `json:"kind"`
	Date string `json:"date"`
	Note string `json:"note,omitempty"`
}

// CheckEvent validates a new event against the process as it stands:
// a real date, not in the future, and in order with the steps recorded
// before it. It changes nothing.
func (p *Process) CheckEvent(r *EventRequest, today time.Time) error {
	f := FieldErrors{}
	r.Kind = strings.TrimSpace(r.Kind)
	r.Date = strings.TrimSpace(r.Date)
	r.Note = strings.TrimSpace(r.Note)
	checkText(f, "note", r.Note, 1000)
	kind, ok := EventKindOf(r.Kind)
	if !ok {
		f.Addf("kind", "paso desconocido %q; use uno de: %s", "unknown step %q; use one of: %s", r.Kind, strings.Join(EventCodes(), ", "))
	}
	var d time.Time
	if r.Date == "" {
		f.Addf("date", "indique la fecha (AAAA-MM-DD)", "give the date (YYYY-MM-DD)")
	} else if t, err := ParseDate(r.Date); err != nil {
		f.Addf("date", "%q no es una fecha válida; use AAAA-MM-DD, p. ej. 2026-01-15", "%q is not a valid date; use YYYY-MM-DD, e.g. 2026-01-15", r.Date)
	} else if t.Before(minEventDate) {
		f.Addf("date", "la fecha %s es anterior a 1950", "the date %s is before 1950", r.Date)
	} else if t.After(today.AddDate(0, 0, 1)) {
		f.Addf("date", "la fecha %s está en el futuro; registre los pasos cuando ocurran", "the date %s is in the future; record steps once they happen", r.Date)
	} else {
		d = t
	}
	if !ok || d.IsZero() {
		return f.Err(errNothingStored)
	}
	if !kind.Repeat && p.count(kind.Code) > 0 {
		prev, _ := p.Event(kind.Code)
		f.AddText("kind", fmt.Sprintf("«%s» ya está registrado (%s); elimínelo antes de corregir la fecha", kind.Label.ES, prev.Date),
			fmt.Sprintf("%q is recorded already (%s); remove it before correcting the date", kind.Label.EN, prev.Date))
		return f.Err(errNothingStored)
	}
	if kind.Requires != "" {
		if _, done := p.Event(kind.Requires); !done {
			req, _ := EventKindOf(kind.Requires)
			f.AddText("kind", fmt.Sprintf("antes de «%s» registre «%s»", kind.Label.ES, req.Label.ES),
				fmt.Sprintf("record %q before %q", req.Label.EN, kind.Label.EN))
			return f.Err(errNothingStored)
		}
	}
	// In order: not before a step that precedes it, not after a step it precedes.
	for _, e := range p.Events {
		ed, err := ParseDate(e.Date)
		if err != nil {
			continue
		}
		ek, _ := EventKindOf(e.Kind)
		if precedes(ek, kind) && d.Before(ed) {
			f.AddText("date", fmt.Sprintf("la fecha %s es anterior a «%s» (%s)", r.Date, ek.Label.ES, e.Date),
				fmt.Sprintf("the date %s is before %q (%s)", r.Date, ek.Label.EN, e.Date))
			break
		}
		if precedes(kind, ek) && d.After(ed) {
			f.AddText("date", fmt.Sprintf("la fecha %s es posterior a «%s» (%s), que debe venir después", r.Date, ek.Label.ES, e.Date),
				fmt.Sprintf("the date %s is after %q (%s), which comes later", r.Date, ek.Label.EN, e.Date))
			break
		}
	}
	if kind.Repeat {
		// A repeated step is not dated before its previous occurrence.
		for _, e := range p.Events {
			if e.Kind == kind.Code && e.Date > r.Date {
				f.Addf("date", "la fecha %s es anterior al registro previo de este paso (%s)", "the date %s is before this step's previous record (%s)", r.Date, e.Date)
			}
		}
	}
	return f.Err(errNothingStored)
}

// precedes reports whether step a must not be dated after step b.
func precedes(a, b EventKind) bool {
	if b.Requires == a.Code {
		return true
	}
	for _, x := range b.After {
		if x == a.Code {
			return true
		}
	}
	// Everything after signing comes after signing and its prerequisites.
	if b.Requires == "signed" && a.Code != b.Code {
		sk, _ := EventKindOf("signed")
		return a.Code == "signed" || precedes(a, sk)
	}
	return false
}

// AddEvent appends a checked event and its history line.
func (p *Process) AddEvent(r EventRequest, by string, now time.Time) ProcessEvent {
	p.NextID++
	e := ProcessEvent{ID: p.NextID, Kind: r.Kind, Date: r.Date, Note: r.Note, RecordedAt: now.UTC().Truncate(time.Second), RecordedBy: by}
	p.Events = append(p.Events, e)
	sort.SliceStable(p.Events, func(i, j int) bool {
		if p.Events[i].Date != p.Events[j].Date {
			return p.Events[i].Date < p.Events[j].Date
		}
		return eventOrder(p.Events[i].Kind) < eventOrder(p.Events[j].Kind)
	})
	p.History = append(p.History, ProcessChange{At: e.RecordedAt, By: by, Action: "event_added", Detail: e.Kind + " " + e.Date})
	return e
}

// RemoveEvent drops event id (a correction), unless a later step depends
// on it; the history keeps what was removed.
func (p *Process) RemoveEvent(id int, by string, now time.Time) error {
	idx := -1
	for i, e := range p.Events {
		if e.ID == id {
			idx = i
		}
	}
	if idx < 0 {
		f := FieldErrors{}
		f.Addf("id", "no hay un paso con id %d en este proceso", "there is no step with id %d in this process", id)
		return f.Err(errNothingStored)
	}
	e := p.Events[idx]
	k, _ := EventKindOf(e.Kind)
	if !k.Repeat || p.count(e.Kind) == 1 {
		for _, o := range p.Events {
			ok, _ := EventKindOf(o.Kind)
			if ok.Requires == e.Kind {
				f := FieldErrors{}
				f.AddText("id", fmt.Sprintf("«%s» depende de este paso; elimínelo primero", ok.Label.ES),
					fmt.Sprintf("%q depends on this step; remove it first", ok.Label.EN))
				return f.Err(errNothingStored)
			}
		}
	}
	p.Events = append(p.Events[:idx], p.Events[idx+1:]...)
	p.History = append(p.History, ProcessChange{At: now.UTC().Truncate(time.Second), By: by, Action: "event_removed", Detail: e.Kind + " " + e.Date})
	return nil
}

// CheckComment validates a comment's text.
func CheckComment(text string) (string, error) {
	f := FieldErrors{}
	text = strings.TrimSpace(text)
	if text == "" {
		f.Addf("text", "escriba el comentario", "write the comment")
	}
	checkText(f, "text", text, 2000)
	return text, f.Err(errNothingStored)
}

// AddComment appends a checked comment and its history line.
func (p *Process) AddComment(text, by string, now time.Time) ProcessComment {
	c := ProcessComment{At: now.UTC().Truncate(time.Second), By: by, Text: text}
	p.Comments = append(p.Comments, c)
	p.History = append(p.History, ProcessChange{At: c.At, By: by, Action: "comment_added"})
	return c
}

// NewProcess starts a process.
func NewProcess(cvegeo string, place int64, by string, now time.Time) Process {
	t := now.UTC().Truncate(time.Second)
	return Process{Municipality: cvegeo, Place: place, OpenedAt: t, OpenedBy: by,
		Events: []ProcessEvent{}, Comments: []ProcessComment{},
		History: []ProcessChange{{At: t, By: by, Action: "opened"}}}
}

// LoadProcess reads one process.
func LoadProcess(st Store, cvegeo string, place int64) (Process, bool, error) {
	raw, ok, err := st.Get(BucketProcesses, ProcessKey(cvegeo, place))
	if err != nil || !ok {
		return Process{}, false, err
	}
	var p Process
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, false, fmt.Errorf("stored process %s: %w", ProcessKey(cvegeo, place), err)
	}
	return p, true, nil
}

// ListProcesses reads every process for which keep returns true (nil:
// all), in key order.
func ListProcesses(st Store, keep func(cvegeo string) bool) ([]Process, error) {
	var out []Process
	err := st.List(BucketProcesses, func(key string, v []byte) error {
		cve, _, _ := strings.Cut(key, ":")
		if keep != nil && !keep(cve) {
			return nil
		}
		var p Process
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("stored process %s: %w", key, err)
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// UpdateProcess reads, changes and writes one process in one durable
// transaction. fn returns an error to change nothing; create says whether
// a missing process may be created (fn then receives a zero Process with
// found false).
func UpdateProcess(st Store, cvegeo string, place int64, fn func(p *Process, found bool) error) (Process, error) {
	var out Process
	key := ProcessKey(cvegeo, place)
	err := st.Update(BucketProcesses, func(b Bucket) error {
		var p Process
		found := false
		if raw := b.Get(key); raw != nil {
			if err := json.Unmarshal(raw, &p); err != nil {
				return fmt.Errorf("stored process %s: %w", key, err)
			}
			found = true
		}
		if err := fn(&p, found); err != nil {
			return err
		}
		raw, err := json.Marshal(p)
		if err != nil {
			return err
		}
		out = p
		return b.Put(key, raw)
	})
	return out, err
}

// AdminTerm is the end of a state's current municipal administration, as
// an admin set it. Municipal terms last three years.
type AdminTerm struct {
	State string    `json:"state"`
	Ends  string    `json:"ends"` // YYYY-MM-DD
	SetBy string    `json:"set_by"`
	SetAt time.Time `json:"set_at"`
}

// CheckAdminTerm validates an admin's input.
func CheckAdminTerm(state, ends string) error {
	f := FieldErrors{}
	if len(state) != 2 || state < "01" || state > "32" {
		f.Addf("state", "use la clave INEGI de dos dígitos (01–32), no %q", "use the two-digit INEGI code (01–32), not %q", state)
	}
	if t, err := ParseDate(ends); err != nil {
		f.Addf("ends", "%q no es una fecha válida; use AAAA-MM-DD", "%q is not a valid date; use YYYY-MM-DD", ends)
	} else if t.Year() < 2000 || t.Year() > 2100 {
		f.Addf("ends", "la fecha %s está fuera de 2000–2100", "the date %s is outside 2000–2100", ends)
	}
	return f.Err(errNothingStored)
}

// PutAdminTerm stores a checked term, durably.
func PutAdminTerm(st Store, t AdminTerm) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return st.Put(BucketAdminTerms, t.State, raw)
}

// AdminTerms reads every state's term, keyed by state code.
func AdminTerms(st Store) (map[string]AdminTerm, error) {
	out := map[string]AdminTerm{}
	err := st.List(BucketAdminTerms, func(k string, v []byte) error {
		var t AdminTerm
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("stored administration term %s: %w", k, err)
		}
		out[k] = t
		return nil
	})
	return out, err
}
