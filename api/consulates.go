package api

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
	"hermanar/matcher"
)

// ConsulateList is the answer of GET /consulates.
type ConsulateList struct {
	Consulates []datasets.Consulate `json:"consulates"`
}

func (s *Server) listConsulates(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	out := ConsulateList{Consulates: append([]datasets.Consulate{}, b.Engine.Consulates()...)}
	c.JSON(http.StatusOK, out)
}

var consulateIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

func consulateParam(c *gin.Context, b *Backend) (datasets.Consulate, error) {
	id := c.Param("id")
	if !consulateIDRE.MatchString(id) {
		f := fieldErrs{}
		f.add("id", "debe ser el identificador de un consulado (p. ej. milwaukee)", "must be a consulate id (e.g. milwaukee)")
		return datasets.Consulate{}, f.err()
	}
	con, ok := b.Engine.Consulate(id)
	if !ok {
		return con, errf(datasets.ENotFound, "No existe el consulado %s.", "There is no consulate %s.", id)
	}
	return con, nil
}

// ConsulateDetail is the answer of GET /consulates/{id}: the consulate and
// the ties recorded to places in its jurisdiction.
type ConsulateDetail struct {
	datasets.Consulate
	Ties []TieView `json:"ties"`
}

// TieView is a tie with the names a person needs to read it.
type TieView struct {
	datasets.Tie
	MunicipalityName string            `json:"municipality_name"`
	PlaceRef         datasets.PlaceRef `json:"place"`
}

func (s *Server) getConsulate(c *gin.Context) {
	b, con, ok := s.consulateRequest(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, ConsulateDetail{Consulate: con, Ties: b.tiesIn(con)})
}

// tiesIn lists the ties whose destination the consulate serves.
func (b *Backend) tiesIn(con datasets.Consulate) []TieView {
	out := []TieView{}
	for _, list := range b.Engine.AllTies() {
		for _, t := range list {
			p, ok := b.snap.Place(t.Place)
			if !ok || !con.Serves(*p) {
				continue
			}
			v := TieView{Tie: t, PlaceRef: placeInfo(b.snap, p).PlaceRef}
			if m, ok := b.snap.Municipality(t.Municipality); ok {
				v.MunicipalityName = m.Name
			}
			out = append(out, v)
		}
	}
	sortTies(out)
	return out
}

func sortTies(v []TieView) {
	sort.Slice(v, func(i, j int) bool {
		a, b := v[i], v[j]
		if a.Size != b.Size {
			return a.Size > b.Size
		}
		if a.Municipality != b.Municipality {
			return a.Municipality < b.Municipality
		}
		return a.ID < b.ID
	})
}

// OpportunityList is the answer of GET /consulates/{id}/opportunities.
type OpportunityList struct {
	Consulate     ConsulateRef      `json:"consulate"`
	Opportunities []OpportunityView `json:"opportunities"`
}

// OpportunityView is one opportunity with where the consulate has taken it
// ("new" until a status is recorded) and every recorded change.
type OpportunityView struct {
	matcher.Opportunity
	OppStatus
}

// OppStatusRequest is the body of PUT
// /consulates/{id}/opportunities/{cvegeo}/{place}.
type OppStatusRequest struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

func (s *Server) getOpportunities(c *gin.Context) {
	b, con, ok := s.consulateRequest(c)
	if !ok {
		return
	}
	p := newParams(c)
	limit := int(p.int("limit", 100, 1, 1000))
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	ops, err := opportunities(c, b, con, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, OpportunityList{Consulate: ConsulateRef{ID: con.ID, Name: con.Name}, Opportunities: ops})
}

// putOppStatus records where the consulate has taken one opportunity of
// its jurisdiction: new, contacted, in_progress or dismissed, with a note.
// Only that consulate's token (or an admin's) may; the answer is the
// opportunity's status with its whole history, once it is on disk.
func (s *Server) putOppStatus(c *gin.Context) {
	b, con, tok, ok := s.consulateFormStart(c)
	if !ok {
		return
	}
	place, perr := strconv.ParseInt(c.Param("place"), 10, 64)
	if perr != nil {
		place = -1
	}
	var req OppStatusRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	st, err := s.setOppStatus(b, con, tok, c.Param("cvegeo"), place, req.Status, req.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	if st.History == nil {
		st.History = []OppChange{}
	}
	c.JSON(http.StatusOK, st)
}

// opportunities is the one computation behind the consulate page and
// GET /consulates/{id}/opportunities: the best limit opportunities in the
// request's language, each with where the consulate has taken it, with
// empty lists rather than nulls.
func opportunities(c *gin.Context, b *Backend, con datasets.Consulate, limit int) ([]OpportunityView, error) {
	ctx, cancel := requestContext(c, matchTimeout)
	defer cancel()
	ops, err := b.Engine.Opportunities(ctx, con.ID, langOf(c), limit)
	if err != nil {
		return nil, err
	}
	views := make([]OpportunityView, len(ops))
	for i, o := range ops {
		if o.Evidence == nil {
			o.Evidence = []string{}
		}
		if o.Sources == nil {
			o.Sources = []string{}
		}
		st, _ := b.oppStatusOf(con.ID, o.Municipality, o.Place.ID)
		if st.History == nil {
			st.History = []OppChange{}
		}
		views[i] = OpportunityView{Opportunity: o, OppStatus: st}
	}
	return views, nil
}

// TieRequest is the body of POST /ties: a diaspora tie a consulate
// records. The destination is a GeoNames id (place_id) or a name to
// resolve (place, e.g. "Whitewater, Wisconsin").
type TieRequest struct {
	ID            string `json:"id,omitempty"`
	Municipality  string `json:"municipality"`
	Locality      string `json:"locality,omitempty"`
	LocalityPlace int64  `json:"locality_place_id,omitempty"`
	PlaceID       int64  `json:"place_id,omitempty"`
	Place         string `json:"place,omitempty"`
	Size          int64  `json:"size"`
	Estimated     bool   `json:"estimated,omitempty"`
	Year          int32  `json:"year,omitempty"`
	Source        string `json:"source"`
	Evidence      string `json:"evidence,omitempty"`
	Interest      bool   `json:"interest,omitempty"`
}

var tieIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$`)

func (s *Server) postTie(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	tok, err := s.principal(c, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	if tok.Role != RoleConsulate && tok.Role != RoleAdmin {
		s.fail(c, errf(datasets.EForbidden, "Solo un consulado (o un administrador) registra vínculos; su credencial es %s.",
			"Only a consulate (or an admin) records ties; your token is %s.", tok.Scope()))
		return
	}
	var req TieRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.tieFromRequest(b, req)
	if err != nil {
		s.fail(c, err)
		return
	}
	p, _ := b.snap.Place(t.Place)
	if tok.Role == RoleConsulate {
		if err := b.checkJurisdiction(tok, p); err != nil {
			s.fail(c, err)
			return
		}
		t.RecordedBy = tok.Consulate
	} else {
		t.RecordedBy = "admin"
	}
	if t.ID == "" {
		t.ID = fmt.Sprintf("%s-%s-%d", t.RecordedBy, t.Municipality, t.Place)
	}
	created, err := s.saveTie(b, tok, t)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.Header("Location", "/api/v1/municipalities/"+t.Municipality)
	m, _ := b.snap.Municipality(t.Municipality)
	c.JSON(status, TieView{Tie: t, MunicipalityName: m.Name, PlaceRef: placeInfo(b.snap, p).PlaceRef})
}

func (s *Server) tieFromRequest(b *Backend, req TieRequest) (datasets.Tie, error) {
	f := fieldErrs{}
	text := func(field, v string, max int, required bool) {
		switch {
		case !utf8.ValidString(v):
			f.add(field, "no es UTF-8 válido", "is not valid UTF-8")
		case required && strings.TrimSpace(v) == "":
			f.add(field, "no debe estar vacío", "must not be empty")
		case utf8.RuneCountInString(v) > max:
			f.add(field, "tiene más de %d caracteres", "is longer than %d characters", max)
		case strings.ContainsRune(v, 0):
			f.add(field, "contiene un carácter NUL", "contains a NUL character")
		}
	}
	if req.ID != "" && !tieIDRE.MatchString(req.ID) {
		f.add("id", "use letras, dígitos y . _ : - (hasta 100)", "use letters, digits and . _ : - (up to 100)")
	}
	if !datasets.ValidCVEGEO(req.Municipality) {
		f.add("municipality", "debe ser una clave CVEGEO de 5 dígitos (p. ej. 11008)", "must be a 5-digit CVEGEO (e.g. 11008)")
	} else if _, ok := b.snap.Municipality(req.Municipality); !ok {
		f.add("municipality", "no es un municipio conocido", "is not a known municipality")
	}
	text("locality", req.Locality, datasets.MaxItemText, false)
	text("place", req.Place, datasets.MaxItemText, false)
	text("source", req.Source, datasets.MaxSourceText, true)
	text("evidence", req.Evidence, datasets.MaxNarrative, false)
	if req.Size < 0 || req.Size > datasets.MaxDiasporaSize {
		f.add("size", "debe estar entre 0 y %d", "must be between 0 and %d", datasets.MaxDiasporaSize)
	}
	if req.Year != 0 && (req.Year < 1900 || int(req.Year) > time.Now().Year()+1) {
		f.add("year", "debe ser un año entre 1900 y el próximo", "must be a year from 1900 to next year")
	}
	if req.LocalityPlace < 0 {
		f.add("locality_place_id", "debe ser positivo", "must be positive")
	} else if req.LocalityPlace > 0 {
		if _, ok := b.snap.Place(req.LocalityPlace); !ok {
			f.add("locality_place_id", "no es un lugar conocido", "is not a known place")
		}
	}
	place := req.PlaceID
	switch {
	case req.PlaceID < 0:
		f.add("place_id", "debe ser positivo", "must be positive")
	case req.PlaceID > 0:
		if _, ok := b.Engine.CandidateIndex(req.PlaceID); !ok {
			f.add("place_id", "no es una ciudad extranjera conocida", "is not a known foreign place")
		}
	case strings.TrimSpace(req.Place) == "":
		f.add("place_id", "indique place_id o place", "give place_id or place")
	case utf8.ValidString(req.Place) && utf8.RuneCountInString(req.Place) <= datasets.MaxItemText:
		cand, err := b.resolver().ResolveUnique(req.Place, datasets.ResolveOptions{})
		if err != nil {
			f["place"] = datasets.TextOf(err)
		} else if _, ok := b.Engine.CandidateIndex(cand.ID); !ok {
			f.add("place", "%s no es una ciudad extranjera", "%s is not a foreign place", cand.Label())
		} else {
			place = cand.ID
		}
	}
	if err := f.err(); err != nil {
		return datasets.Tie{}, err
	}
	return datasets.Tie{ID: req.ID, Municipality: req.Municipality, Locality: strings.TrimSpace(req.Locality),
		LocalityPlace: req.LocalityPlace, Place: place, Size: req.Size, Estimated: req.Estimated || req.Size == 0,
		Year: req.Year, Source: strings.TrimSpace(req.Source), Evidence: strings.TrimSpace(req.Evidence),
		Interest: req.Interest}, nil
}

// tieOwner says whether tok may write a tie with id t.ID, given the tie
// the engine already knows by that id (curated, imported or entered
// through the API, in any municipality). Curated and imported ties belong
// to their files: no token may replace them through the API, or a
// consulate could erase the SRE-documented evidence with one request. A
// tie another consulate recorded stays theirs; a consulate may not touch
// a tie whose destination lies outside its jurisdiction.
func (b *Backend) tieOwner(tok Token, t datasets.Tie) error {
	var prev *datasets.Tie
	for _, list := range b.Engine.AllTies() {
		for i := range list {
			if list[i].ID == t.ID {
				prev = &list[i]
				break
			}
		}
		if prev != nil {
			break
		}
	}
	if prev == nil {
		return nil
	}
	switch prev.RecordedBy {
	case "curated", "import", "":
		return errf(datasets.EConflict,
			"El vínculo %s proviene de un archivo curado o importado y no se puede reemplazar por la API; use otro id.",
			"Tie %s comes from a curated or imported file and cannot be replaced through the API; use another id.", t.ID)
	}
	if tok.Role == RoleAdmin {
		return nil
	}
	if p, ok := b.snap.Place(prev.Place); ok {
		if !b.servesPlace(tok, p) {
			return errf(datasets.EForbidden, "El vínculo %s está fuera de la circunscripción del consulado %s.",
				"Tie %s is outside the jurisdiction of consulate %s.", t.ID, tok.Consulate)
		}
	}
	if prev.Municipality != t.Municipality {
		// The engine keys ties by origin; moving one would leave the old
		// entry scored until the next start.
		return errf(datasets.EConflict, "El vínculo %s es del municipio %s; registre uno nuevo con otro id.",
			"Tie %s belongs to municipality %s; record a new one with another id.", t.ID, prev.Municipality)
	}
	if prev.RecordedBy != t.RecordedBy {
		return errf(datasets.EConflict, "El vínculo %s lo registró %s.", "Tie %s was recorded by %s.", t.ID, prev.RecordedBy)
	}
	return nil
}

// saveTie writes the tie to the store (durable on return), then to the
// live engine, after checking that tok may write that id. It reports
// whether the tie is new.
func (s *Server) saveTie(b *Backend, tok Token, t datasets.Tie) (bool, error) {
	// The check runs under the write lock, where the engine holds every
	// tie written so far, so it cannot race another write of the same id.
	created, err := b.Writes.SaveTie(t, func(prev *datasets.Tie) error {
		if err := b.tieOwner(tok, t); err != nil {
			return err
		}
		if prev != nil && prev.RecordedBy != t.RecordedBy && t.RecordedBy != "admin" {
			return errf(datasets.EConflict, "El vínculo %s lo registró %s.", "Tie %s was recorded by %s.", t.ID, prev.RecordedBy)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	s.invalidate()
	s.log.Info("tie stored", "tie", t.ID, "municipality", t.Municipality, "place", t.Place)
	return created, nil
}
