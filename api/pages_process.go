package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

type kindOption struct{ Code, Label string }

type processesPageView struct {
	Muni      *datasets.Municipality
	Rows      []datasets.ProcessRow
	CanEdit   bool
	Shortlist []slPageItem // cities without a process yet
	Errors    []string
}

func (s *Server) processesPage(c *gin.Context) {
	b, m, tok, ok := s.pageReader(c)
	if !ok {
		return
	}
	s.renderProcesses(c, b, m, tok, http.StatusOK, nil)
}

func (s *Server) renderProcesses(c *gin.Context, b *Backend, m *datasets.Municipality, tok Token, status int, errs []string) {
	lang := langOf(c)
	views, err := s.processesInScope(b, tok, m.CVEGEO, lang)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := processesPageView{Muni: m, CanEdit: canWriteMunicipality(tok, m.CVEGEO), Rows: []datasets.ProcessRow{}, Errors: errs}
	open := map[int64]bool{}
	for _, pv := range views {
		v.Rows = append(v.Rows, processRow(pv))
		open[pv.Place.ID] = true
	}
	datasets.SortProcessRows(v.Rows)
	if v.CanEdit {
		sl, err := datasets.LoadShortlist(b.Store, m.CVEGEO)
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, e := range sl.Entries {
			if p, ok := b.snap.Place(e.Place); ok && !open[e.Place] {
				v.Shortlist = append(v.Shortlist, slPageItem{ShortlistItem: ShortlistItem{Place: placeInfo(b.snap, p).PlaceRef}, CountryName: countryName(p.Country, lang)})
			}
		}
	}
	s.render(c, status, "processes", page{Title: pageText["pr.title"].In(lang) + " " + m.Name, P: v})
}

func (s *Server) processOpenPage(c *gin.Context) {
	b, m, tok, ok := s.municipalityWriter(c)
	if !ok {
		return
	}
	id, perr := strconv.ParseInt(strings.TrimSpace(c.Request.PostForm.Get("place_id")), 10, 64)
	if perr != nil {
		id = 0
	}
	if _, _, err := s.openProcess(b, m.CVEGEO, id, tok); err != nil {
		if errorDetail(err, langOf(c)).Code != datasets.EInvalid {
			s.fail(c, err)
			return
		}
		s.renderProcesses(c, b, m, tok, http.StatusBadRequest, fieldMessages(err, langOf(c)))
		return
	}
	c.Redirect(http.StatusSeeOther, "/municipios/"+m.CVEGEO+"/procesos/"+strconv.FormatInt(id, 10))
}

type processPageView struct {
	ProcessView
	Muni       *datasets.Municipality
	CanEdit    bool
	CanComment bool
	Kinds      []kindOption
	Form       datasets.EventRequest
	Errors     map[string]string // field → message, shown next to the field
	Flash      string
	Today      string
	Statuses   map[string]string
	History    []histRow // every change, worded in the page's language
}

type histRow struct {
	datasets.ProcessChange
	What string
}

func (s *Server) renderProcess(c *gin.Context, b *Backend, m *datasets.Municipality, p datasets.Process, tok Token, status int, form datasets.EventRequest, errs map[string]string, flash string) {
	lang := langOf(c)
	terms, err := datasets.AdminTerms(b.Store)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := processPageView{ProcessView: b.processView(p, terms, lang), Muni: m, CanEdit: canWriteMunicipality(tok, m.CVEGEO),
		CanComment: b.canComment(tok, m.CVEGEO, p.Place), Form: form, Errors: errs, Flash: flash, Today: today().Format(datasets.DateLayout),
		Statuses: map[string]string{}}
	for _, k := range datasets.EventKinds {
		v.Kinds = append(v.Kinds, kindOption{k.Code, k.Label.In(lang)})
	}
	for _, h := range p.History {
		what := pageText["pr.act."+h.Action].In(lang)
		if kind, date, ok := strings.Cut(h.Detail, " "); ok {
			if k, known := datasets.EventKindOf(kind); known {
				what += ": " + k.Label.In(lang) + " (" + date + ")"
			}
		}
		v.History = append(v.History, histRow{ProcessChange: h, What: what})
	}
	for _, st := range []string{datasets.DeadlinePending, datasets.DeadlineMet, datasets.DeadlineOverdue, datasets.DeadlinePassed} {
		v.Statuses[st] = pageText["pr.status."+st].In(lang)
	}
	s.render(c, status, "process", page{Title: m.Name + " – " + v.Place.Name, P: v})
}

// processPageRequest authenticates a process page and loads the process.
func (s *Server) processPageRequest(c *gin.Context) (*Backend, *datasets.Municipality, datasets.Process, Token, bool) {
	b, m, place, ok := s.processRequest(c)
	if !ok {
		return nil, nil, datasets.Process{}, Token{}, false
	}
	tok, ok := s.pageUser(c, b)
	if !ok {
		return nil, nil, datasets.Process{}, Token{}, false
	}
	if !b.canReadProcess(tok, m.CVEGEO, place) {
		s.fail(c, errf(datasets.EForbidden, "Su credencial (%s) no puede ver este proceso.", "Your token (%s) cannot see this process.", tok.Scope()))
		return nil, nil, datasets.Process{}, Token{}, false
	}
	p, ok := s.loadProcessFor(c, b, m, place)
	return b, m, p, tok, ok
}

func (s *Server) processPage(c *gin.Context) {
	b, m, p, tok, ok := s.processPageRequest(c)
	if !ok {
		return
	}
	flash := ""
	if c.Query("guardado") == "1" {
		flash = pageText["pr.saved"].In(langOf(c))
	}
	s.renderProcess(c, b, m, p, tok, http.StatusOK, datasets.EventRequest{}, nil, flash)
}

func (s *Server) processEventPage(c *gin.Context) {
	b, m, place, tok, ok := s.processWriter(c)
	if !ok {
		return
	}
	form := c.Request.PostForm
	req := datasets.EventRequest{Kind: form.Get("kind"), Date: form.Get("date"), Note: form.Get("note")}
	_, err := s.recordEvent(b, m.CVEGEO, place, req, tok)
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/municipios/"+m.CVEGEO+"/procesos/"+strconv.FormatInt(place, 10)+"?guardado=1#deadlines")
		return
	}
	d := errorDetail(err, langOf(c))
	if d.Code != datasets.EInvalid {
		s.fail(c, err)
		return
	}
	p, ok := s.loadProcessFor(c, b, m, place)
	if !ok {
		return
	}
	s.renderProcess(c, b, m, p, tok, http.StatusBadRequest, req, d.Fields, "")
}

func (s *Server) processEventRemovePage(c *gin.Context) {
	b, m, place, tok, ok := s.processWriter(c)
	if !ok {
		return
	}
	id, _ := strconv.Atoi(c.Param("id"))
	s.writeMu.Lock()
	_, err := datasets.UpdateProcess(b.Store, m.CVEGEO, place, func(p *datasets.Process, found bool) error {
		if !found {
			return errf(datasets.ENotFound, "%s no tiene un proceso abierto con el lugar %d.", "%s has no open process with place %d.", m.Name, place)
		}
		return p.RemoveEvent(id, author(tok), timeNow())
	})
	s.writeMu.Unlock()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/municipios/"+m.CVEGEO+"/procesos/"+strconv.FormatInt(place, 10))
}

func (s *Server) processCommentPage(c *gin.Context) {
	b, m, place, tok, ok := s.processCommenter(c)
	if !ok {
		return
	}
	if _, err := s.addProcessComment(b, m.CVEGEO, place, c.Request.PostForm.Get("text"), tok); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/municipios/"+m.CVEGEO+"/procesos/"+strconv.FormatInt(place, 10)+"#comments")
}

// summaryRow counts one state's processes per stage.
type summaryRow struct {
	State, StateName string
	Counts           []int // by datasets.Stages
	Overdue          int
}

type overviewView struct {
	Summary         []summaryRow
	Rows            []datasets.ProcessRow
	State, Stage    string
	Stages          []kindOption
	CSVURL, ParqURL string
	Errors          []string
}

func (s *Server) overviewPage(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	tok, ok := s.pageUser(c, b)
	if !ok {
		return
	}
	lang := langOf(c)
	p := newParams(c)
	state := strings.TrimSpace(p.str("state", 2))
	stage := p.oneOf("stage", "", datasets.Stages...)
	v := overviewView{State: state, Stage: stage, Rows: []datasets.ProcessRow{}}
	for _, st := range datasets.Stages {
		v.Stages = append(v.Stages, kindOption{st, datasets.StageLabel(st, lang)})
	}
	if state != "" && (len(state) != 2 || state < "01" || state > "32") {
		p.add("state", "use la clave INEGI de dos dígitos (01–32)", "use the two-digit INEGI code (01–32)")
	}
	status := http.StatusOK
	if err := p.err(); err != nil {
		v.Errors = fieldMessages(err, lang)
		state, stage, status = "", "", http.StatusBadRequest
	}
	cvegeo := ""
	if tok.Role == RoleLiaison {
		cvegeo = tok.Municipality
	}
	views, err := s.processesInScope(b, tok, cvegeo, lang)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, pv := range views {
		if (state == "" || pv.State == state) && (stage == "" || pv.Stage == stage) {
			v.Rows = append(v.Rows, processRow(pv))
		}
	}
	datasets.SortProcessRows(v.Rows)
	byState := map[string]*summaryRow{}
	for _, r := range v.Rows {
		sr := byState[r.State]
		if sr == nil {
			sr = &summaryRow{State: r.State, StateName: r.StateName, Counts: make([]int, len(datasets.Stages))}
			byState[r.State] = sr
		}
		for i, st := range datasets.Stages {
			if st == r.Stage {
				sr.Counts[i]++
			}
		}
		if r.Overdue > 0 {
			sr.Overdue++
		}
	}
	for _, k := range sortedKeys(byState) {
		v.Summary = append(v.Summary, *byState[k])
	}
	q := "?lang=" + lang + "&state=" + state + "&stage=" + stage
	v.CSVURL, v.ParqURL = "/api/v1/processes"+q+"&format=csv", "/api/v1/processes"+q+"&format=parquet"
	s.render(c, status, "overview", page{Title: pageText["ov.title"].In(lang), P: v})
}
