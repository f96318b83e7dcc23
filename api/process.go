package api

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

// EventView is one recorded step, labelled.
type EventView struct {
	datasets.ProcessEvent
	Label string `json:"label"`
}

// DeadlineView is one derived date, labelled.
type DeadlineView struct {
	datasets.Deadline
	Label string `json:"label"`
}

// ProcessView is one process as the API and the pages show it.
type ProcessView struct {
	Municipality     string                    `json:"municipality"`
	MunicipalityName string                    `json:"municipality_name"`
	State            string                    `json:"state"`
	StateName        string                    `json:"state_name"`
	Place            datasets.PlaceRef         `json:"place"`
	Stage            string                    `json:"stage"`
	StageLabel       string                    `json:"stage_label"`
	Overdue          bool                      `json:"overdue"`
	OpenedAt         time.Time                 `json:"opened_at"`
	OpenedBy         string                    `json:"opened_by"`
	Events           []EventView               `json:"events"`
	Deadlines        []DeadlineView            `json:"deadlines"`
	Comments         []datasets.ProcessComment `json:"comments"`
	History          []datasets.ProcessChange  `json:"history"`
	AdminTermSet     bool                      `json:"administration_end_set"` // an admin set the state's end of administration
}

// ProcessList is GET /processes and /municipalities/{cvegeo}/processes.
type ProcessList struct {
	Processes []datasets.ProcessRow `json:"processes"`
}

func today() time.Time {
	n := time.Now().UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func termFor(terms map[string]datasets.AdminTerm, state string) *datasets.AdminTerm {
	if t, ok := terms[state]; ok {
		return &t
	}
	return nil
}

func (b *Backend) processView(p datasets.Process, terms map[string]datasets.AdminTerm, lang string) ProcessView {
	m, _ := b.snap.Municipality(p.Municipality)
	v := ProcessView{Municipality: p.Municipality, OpenedAt: p.OpenedAt, OpenedBy: p.OpenedBy,
		Events: []EventView{}, Deadlines: []DeadlineView{}, Comments: p.Comments, History: p.History}
	if m != nil {
		v.MunicipalityName, v.State, v.StateName = m.Name, m.State, m.StateName
	}
	if pl, ok := b.snap.Place(p.Place); ok {
		v.Place = placeInfo(b.snap, pl).PlaceRef
	} else {
		v.Place = datasets.PlaceRef{ID: p.Place}
	}
	now := today()
	v.Stage = p.Stage(now)
	v.StageLabel = datasets.StageLabel(v.Stage, lang)
	for _, e := range p.Events {
		k, _ := datasets.EventKindOf(e.Kind)
		v.Events = append(v.Events, EventView{ProcessEvent: e, Label: k.Label.In(lang)})
	}
	term := termFor(terms, v.State)
	v.AdminTermSet = term != nil
	for _, d := range p.Deadlines(term, now) {
		v.Deadlines = append(v.Deadlines, DeadlineView{Deadline: d, Label: d.Label.In(lang)})
		if d.Status == datasets.DeadlineOverdue {
			v.Overdue = true
		}
	}
	if v.Comments == nil {
		v.Comments = []datasets.ProcessComment{}
	}
	if v.History == nil {
		v.History = []datasets.ProcessChange{}
	}
	return v
}

// processRow summarises a view for the overview and its exports.
func processRow(v ProcessView) datasets.ProcessRow {
	r := datasets.ProcessRow{Municipality: v.Municipality, MunicipalityName: v.MunicipalityName, State: v.State, StateName: v.StateName,
		PlaceID: v.Place.ID, Place: v.Place.Name, Admin1: v.Place.Admin1Name, Country: v.Place.Country,
		Stage: v.Stage, StageLabel: v.StageLabel, Events: len(v.Events), OpenedAt: v.OpenedAt.Format(time.RFC3339)}
	for _, d := range v.Deadlines {
		if d.Status == datasets.DeadlineOverdue {
			r.Overdue++
		}
		if r.NextKind == "" && (d.Status == datasets.DeadlineOverdue || d.Status == datasets.DeadlinePending) {
			r.NextKind, r.NextLabel, r.NextDue = d.UID(), d.Label, d.Due
		}
	}
	for _, e := range v.Events {
		if e.Kind == "signed" {
			r.Signed = e.Date
		}
		r.LastEvent, r.LastEventDate = e.Kind, e.Date
	}
	return r
}

// canReadProcess: the municipality's liaison, analysts and admins; a
// consulate for the cities of its jurisdiction.
func (b *Backend) canReadProcess(t Token, cvegeo string, place int64) bool {
	return canReadMunicipality(t, cvegeo) || b.serves(t, place)
}

// processRequest reads the municipality and place of a process path.
func (s *Server) processRequest(c *gin.Context) (*Backend, *datasets.Municipality, int64, bool) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return nil, nil, 0, false
	}
	place, err := placeIDParam(c, "place")
	if err != nil {
		s.fail(c, err)
		return nil, nil, 0, false
	}
	return b, m, place, true
}

func (s *Server) loadProcessFor(c *gin.Context, b *Backend, m *datasets.Municipality, place int64) (datasets.Process, bool) {
	p, found, err := datasets.LoadProcess(b.Store, m.CVEGEO, place)
	if err != nil {
		s.fail(c, err)
		return p, false
	}
	if !found {
		s.fail(c, errf(datasets.ENotFound, "%s no tiene un proceso abierto con el lugar %d.", "%s has no open process with place %d.", m.Name, place))
		return p, false
	}
	return p, true
}

// readProcess authenticates a JSON or calendar read of one process by its
// bearer token or cookie and loads it; on failure the answer is written.
func (s *Server) readProcess(c *gin.Context) (*Backend, *datasets.Municipality, datasets.Process, bool) {
	b, m, place, ok := s.processRequest(c)
	if !ok {
		return nil, nil, datasets.Process{}, false
	}
	tok, err := s.principal(c, b)
	if err != nil {
		s.fail(c, err)
		return nil, nil, datasets.Process{}, false
	}
	if !b.canReadProcess(tok, m.CVEGEO, place) {
		s.fail(c, errf(datasets.EForbidden, "Su credencial (%s) no puede ver este proceso.", "Your token (%s) cannot see this process.", tok.Scope()))
		return nil, nil, datasets.Process{}, false
	}
	p, ok := s.loadProcessFor(c, b, m, place)
	return b, m, p, ok
}

func (s *Server) writeProcess(c *gin.Context, b *Backend, status int, p datasets.Process) {
	terms, err := datasets.AdminTerms(b.Store)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, b.processView(p, terms, langOf(c)))
}

func (s *Server) getProcess(c *gin.Context) {
	b, _, p, ok := s.readProcess(c)
	if !ok {
		return
	}
	s.writeProcess(c, b, http.StatusOK, p)
}

// ProcessOpen is the body of POST /municipalities/{cvegeo}/processes.
type ProcessOpen struct {
	Place int64 `json:"place_id"`
}

// openProcess creates the process unless it exists; it reports whether
// it was created.
func (s *Server) openProcess(b *Backend, cvegeo string, place int64, tok Token) (datasets.Process, bool, error) {
	if !b.isCandidate(place) {
		f := fieldErrs{}
		f.add("place_id", "el lugar %d no es una ciudad extranjera del catálogo", "place %d is not a foreign city of the snapshot", place)
		return datasets.Process{}, false, f.err()
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	created := false
	p, err := datasets.UpdateProcess(b.Store, cvegeo, place, func(p *datasets.Process, found bool) error {
		if !found {
			*p = datasets.NewProcess(cvegeo, place, author(tok), time.Now())
			created = true
		}
		return nil
	})
	if err == nil && created {
		s.log.Info("process opened", "municipality", cvegeo, "place", place)
	}
	return p, created, err
}

func (s *Server) postProcess(c *gin.Context) {
	b, m, tok, ok := s.municipalityWriter(c)
	if !ok {
		return
	}
	var req ProcessOpen
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	p, created, err := s.openProcess(b, m.CVEGEO, req.Place, tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.Header("Location", fmt.Sprintf("/api/v1/municipalities/%s/processes/%d", m.CVEGEO, req.Place))
	s.writeProcess(c, b, status, p)
}

// recordEvent checks and stores one step; nothing changes on a bad one.
func (s *Server) recordEvent(b *Backend, cvegeo string, place int64, req datasets.EventRequest, tok Token) (datasets.Process, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	p, err := datasets.UpdateProcess(b.Store, cvegeo, place, func(p *datasets.Process, found bool) error {
		if !found {
			return errf(datasets.ENotFound, "%s no tiene un proceso abierto con el lugar %d.", "%s has no open process with place %d.", cvegeo, place)
		}
		if err := p.CheckEvent(&req, today()); err != nil {
			return err
		}
		p.AddEvent(req, author(tok), time.Now())
		return nil
	})
	if err == nil {
		s.log.Info("process event stored", "municipality", cvegeo, "place", place, "kind", req.Kind, "date", req.Date)
	}
	return p, err
}

func (s *Server) postProcessEvent(c *gin.Context) {
	b, m, place, tok, ok := s.processWriter(c)
	if !ok {
		return
	}
	var req datasets.EventRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.recordEvent(b, m.CVEGEO, place, req, tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeProcess(c, b, http.StatusCreated, p)
}

func (s *Server) deleteProcessEvent(c *gin.Context) {
	b, m, place, tok, ok := s.processWriter(c)
	if !ok {
		return
	}
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil || id <= 0 {
		f := fieldErrs{}
		f.add("id", "debe ser el número del paso", "must be the step's number")
		s.fail(c, f.err())
		return
	}
	s.writeMu.Lock()
	p, err := datasets.UpdateProcess(b.Store, m.CVEGEO, place, func(p *datasets.Process, found bool) error {
		if !found {
			return errf(datasets.ENotFound, "%s no tiene un proceso abierto con el lugar %d.", "%s has no open process with place %d.", m.Name, place)
		}
		return p.RemoveEvent(id, author(tok), time.Now())
	})
	s.writeMu.Unlock()
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeProcess(c, b, http.StatusOK, p)
}

// CommentRequest is the body of POST .../comments.
type CommentRequest struct {
	Text string `json:"text"`
}

func (s *Server) addProcessComment(b *Backend, cvegeo string, place int64, text string, tok Token) (datasets.Process, error) {
	text, err := datasets.CheckComment(text)
	if err != nil {
		return datasets.Process{}, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return datasets.UpdateProcess(b.Store, cvegeo, place, func(p *datasets.Process, found bool) error {
		if !found {
			return errf(datasets.ENotFound, "%s no tiene un proceso abierto con el lugar %d.", "%s has no open process with place %d.", cvegeo, place)
		}
		p.AddComment(text, author(tok), time.Now())
		return nil
	})
}

// canComment: the municipality's liaison, an admin, or the consulate
// whose jurisdiction holds the city.
func (b *Backend) canComment(t Token, cvegeo string, place int64) bool {
	return canWriteMunicipality(t, cvegeo) || b.serves(t, place)
}

func (s *Server) postProcessComment(c *gin.Context) {
	b, m, place, tok, ok := s.processCommenter(c)
	if !ok {
		return
	}
	var req CommentRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.addProcessComment(b, m.CVEGEO, place, req.Text, tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeProcess(c, b, http.StatusCreated, p)
}

// processesInScope lists the processes a token may read, optionally of
// one municipality, as views.
func (s *Server) processesInScope(b *Backend, tok Token, cvegeo, lang string) ([]ProcessView, error) {
	terms, err := datasets.AdminTerms(b.Store)
	if err != nil {
		return nil, err
	}
	ps, err := datasets.ListProcesses(b.Store, func(cve string) bool { return cvegeo == "" || cve == cvegeo })
	if err != nil {
		return nil, err
	}
	var out []ProcessView
	for _, p := range ps {
		if b.canReadProcess(tok, p.Municipality, p.Place) {
			out = append(out, b.processView(p, terms, lang))
		}
	}
	return out, nil
}

func (s *Server) listMunicipalityProcesses(c *gin.Context) {
	b, m, tok, ok := s.municipalityReader(c)
	if !ok {
		return
	}
	s.writeProcessList(c, b, tok, m.CVEGEO, "", "")
}

func (s *Server) listProcesses(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	tok, err := s.principal(c, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := newParams(c)
	state := p.str("state", 2)
	if state != "" && (len(state) != 2 || state < "01" || state > "32") {
		p.add("state", "use la clave INEGI de dos dígitos (01–32)", "use the two-digit INEGI code (01–32)")
	}
	stage := p.oneOf("stage", "", datasets.Stages...)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	cvegeo := ""
	if tok.Role == RoleLiaison {
		cvegeo = tok.Municipality
	}
	s.writeProcessList(c, b, tok, cvegeo, state, stage)
}

func (s *Server) writeProcessList(c *gin.Context, b *Backend, tok Token, cvegeo, state, stage string) {
	p := newParams(c)
	format := p.oneOf("format", "json", "json", "csv", "parquet")
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	lang := langOf(c)
	views, err := s.processesInScope(b, tok, cvegeo, lang)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows := []datasets.ProcessRow{}
	for _, v := range views {
		if (state == "" || v.State == state) && (stage == "" || v.Stage == stage) {
			rows = append(rows, processRow(v))
		}
	}
	datasets.SortProcessRows(rows)
	c.Header("Cache-Control", "no-store")
	switch format {
	case "csv":
		var buf bytes.Buffer
		if err := datasets.WriteProcessCSV(&buf, rows); err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="hermanar-processes.csv"`)
		c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	case "parquet":
		var buf bytes.Buffer
		if err := datasets.WriteProcessParquet(&buf, rows); err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="hermanar-processes.parquet"`)
		c.Data(http.StatusOK, mediaParquet, buf.Bytes())
	default:
		c.JSON(http.StatusOK, ProcessList{Processes: rows})
	}
}

// calendarItems turns process views into calendar entries, one per deadline.
func calendarItems(views []ProcessView, lang string) []datasets.CalendarItem {
	var items []datasets.CalendarItem
	for _, v := range views {
		for _, d := range v.Deadlines {
			items = append(items, datasets.CalendarItem{
				UID:         fmt.Sprintf("%s-%s-%d@hermanar", d.UID(), v.Municipality, v.Place.ID),
				Date:        d.Due,
				Summary:     d.Label + " — " + v.MunicipalityName + " / " + v.Place.Name,
				Description: T{ES: "Proceso de hermanamiento de ", EN: "Twinning process of "}.In(lang) + v.MunicipalityName + ", " + v.StateName + " – " + v.Place.Name + ", " + v.Place.Admin1Name + " (" + v.Place.Country + ")",
			})
		}
	}
	return items
}

func (s *Server) writeICS(c *gin.Context, name, file string, views []ProcessView) {
	var buf bytes.Buffer
	if err := datasets.WriteICS(&buf, name, calendarItems(views, langOf(c)), time.Now()); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+file+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", buf.Bytes())
}

func (s *Server) getProcessICS(c *gin.Context) {
	b, m, p, ok := s.readProcess(c)
	if !ok {
		return
	}
	terms, err := datasets.AdminTerms(b.Store)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := b.processView(p, terms, langOf(c))
	s.writeICS(c, "Hermanar: "+m.Name+" – "+v.Place.Name, fmt.Sprintf("hermanar-%s-%d.ics", m.CVEGEO, p.Place), []ProcessView{v})
}

func (s *Server) getMunicipalityICS(c *gin.Context) {
	b, m, tok, ok := s.municipalityReader(c)
	if !ok {
		return
	}
	views, err := s.processesInScope(b, tok, m.CVEGEO, langOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeICS(c, "Hermanar: "+m.Name, "hermanar-"+m.CVEGEO+".ics", views)
}

// AdminTermRequest is the body of PUT /states/{state}/administration.
type AdminTermRequest struct {
	Ends string `json:"ends"`
}

// AdminTermList is GET /states/administration.
type AdminTermList struct {
	Terms []datasets.AdminTerm `json:"terms"`
}

func (s *Server) putAdminTerm(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	tok, err := s.requireRole(c, b, RoleAdmin)
	if err != nil {
		s.fail(c, err)
		return
	}
	var req AdminTermRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	state := strings.TrimSpace(c.Param("state"))
	req.Ends = strings.TrimSpace(req.Ends)
	if err := datasets.CheckAdminTerm(state, req.Ends); err != nil {
		s.fail(c, err)
		return
	}
	t := datasets.AdminTerm{State: state, Ends: req.Ends, SetBy: author(tok), SetAt: time.Now().UTC().Truncate(time.Second)}
	s.writeMu.Lock()
	err = datasets.PutAdminTerm(b.Store, t)
	s.writeMu.Unlock()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

func (s *Server) listAdminTerms(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	terms, err := datasets.AdminTerms(b.Store)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := AdminTermList{Terms: []datasets.AdminTerm{}}
	for _, code := range sortedKeys(terms) {
		out.Terms = append(out.Terms, terms[code])
	}
	c.JSON(http.StatusOK, out)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func timeNow() time.Time { return time.Now() }
