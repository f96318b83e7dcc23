package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
	"hermanar/matcher"
)

// ShortlistItem is one kept candidate with its current explanation.
type ShortlistItem struct {
	Place      datasets.PlaceRef `json:"place"`
	Note       string            `json:"note,omitempty"`
	Areas      []string          `json:"areas"`
	AddedAt    time.Time         `json:"added_at"`
	AddedBy    string            `json:"added_by"`
	Score      float64           `json:"score"`
	Rank       int               `json:"rank"`
	DistanceKm float64           `json:"distance_km"`
	Main       string            `json:"main"` // the component that contributes most
}

// ShortlistView is GET /municipalities/{cvegeo}/shortlist.
type ShortlistView struct {
	Municipality string          `json:"municipality"`
	Name         string          `json:"name"`
	Entries      []ShortlistItem `json:"entries"`
	UpdatedAt    *time.Time      `json:"updated_at,omitempty"`
}

// author is how a token signs the records it writes.
func author(t Token) string { return t.Scope() + " #" + t.ID }

// canWriteMunicipality: the municipality's liaison or an admin keeps its
// shortlist and its processes.
func canWriteMunicipality(t Token, cvegeo string) bool { return canEditProfile(t, cvegeo) }

// canReadMunicipality: besides the writers, analysts read everything.
// Consulates read per place (serves).
func canReadMunicipality(t Token, cvegeo string) bool {
	return canWriteMunicipality(t, cvegeo) || t.Role == RoleAnalyst
}

// serves reports whether a consulate token's jurisdiction covers place.
func (b *Backend) serves(t Token, place int64) bool {
	p, ok := b.snap.Place(place)
	return ok && b.servesPlace(t, p)
}

// servesPlace reports whether t is a consulate token whose jurisdiction
// holds p.
func (b *Backend) servesPlace(t Token, p *datasets.Place) bool {
	if t.Role != RoleConsulate {
		return false
	}
	con, ok := b.Engine.Consulate(t.Consulate)
	return ok && con.Serves(*p)
}

// checkJurisdiction is nil when consulate token t serves p, else the
// refusal that names the place, its state and the consulate.
func (b *Backend) checkJurisdiction(t Token, p *datasets.Place) error {
	if b.servesPlace(t, p) {
		return nil
	}
	return errf(datasets.EForbidden, "%s, %s no está en la circunscripción del consulado %s.",
		"%s, %s is not in the jurisdiction of consulate %s.", p.Name, b.snap.Admin1Name(p), t.Consulate)
}

func (s *Server) requireMunicipalityWriter(c *gin.Context, b *Backend, cvegeo string) (Token, error) {
	tok, err := s.principal(c, b)
	if err != nil {
		return tok, err
	}
	if !canWriteMunicipality(tok, cvegeo) {
		return tok, errf(datasets.EForbidden,
			"Su credencial (%s) no puede modificar la selección ni los procesos de %s; se requiere el enlace de ese municipio.",
			"Your token (%s) cannot change the shortlist or processes of %s; it needs that municipality's liaison.", tok.Scope(), cvegeo)
	}
	return tok, nil
}

// requireMunicipalityReader authenticates a read of a municipality's
// private records. A consulate passes and must then be filtered per place.
func (s *Server) requireMunicipalityReader(c *gin.Context, b *Backend, cvegeo string) (Token, error) {
	tok, err := s.principal(c, b)
	if err != nil {
		return tok, err
	}
	if !canReadMunicipality(tok, cvegeo) && tok.Role != RoleConsulate {
		return tok, errf(datasets.EForbidden,
			"Su credencial (%s) no puede ver los registros de %s.",
			"Your token (%s) cannot see the records of %s.", tok.Scope(), cvegeo)
	}
	return tok, nil
}

// municipalityWriter reads the municipality of the path and authenticates
// a writer of its shortlist and processes (its liaison or an admin); on
// failure the answer is written and ok is false.
func (s *Server) municipalityWriter(c *gin.Context) (b *Backend, m *datasets.Municipality, tok Token, ok bool) {
	if b, m, ok = s.municipalityRequest(c); !ok {
		return nil, nil, tok, false
	}
	tok, err := s.requireMunicipalityWriter(c, b, m.CVEGEO)
	if err != nil {
		s.fail(c, err)
		return nil, nil, tok, false
	}
	return b, m, tok, true
}

// municipalityReader is municipalityWriter for reads of the municipality's
// private records (a consulate passes and is filtered per place).
func (s *Server) municipalityReader(c *gin.Context) (b *Backend, m *datasets.Municipality, tok Token, ok bool) {
	if b, m, ok = s.municipalityRequest(c); !ok {
		return nil, nil, tok, false
	}
	tok, err := s.requireMunicipalityReader(c, b, m.CVEGEO)
	if err != nil {
		s.fail(c, err)
		return nil, nil, tok, false
	}
	return b, m, tok, true
}

// processWriter reads the municipality and place of a process path and
// authenticates a writer of the municipality's processes.
func (s *Server) processWriter(c *gin.Context) (b *Backend, m *datasets.Municipality, place int64, tok Token, ok bool) {
	if b, m, place, ok = s.processRequest(c); !ok {
		return nil, nil, 0, tok, false
	}
	tok, err := s.requireMunicipalityWriter(c, b, m.CVEGEO)
	if err != nil {
		s.fail(c, err)
		return nil, nil, 0, tok, false
	}
	return b, m, place, tok, true
}

// processCommenter reads the municipality and place of a process path and
// authenticates someone who may comment on it: the municipality's liaison
// or the consulate of the city's jurisdiction.
func (s *Server) processCommenter(c *gin.Context) (b *Backend, m *datasets.Municipality, place int64, tok Token, ok bool) {
	if b, m, place, ok = s.processRequest(c); !ok {
		return nil, nil, 0, tok, false
	}
	tok, err := s.principal(c, b)
	if err != nil {
		s.fail(c, err)
		return nil, nil, 0, tok, false
	}
	if !b.canComment(tok, m.CVEGEO, place) {
		s.fail(c, errf(datasets.EForbidden, "Su credencial (%s) no puede comentar este proceso; se requiere el enlace del municipio o el consulado de la circunscripción.",
			"Your token (%s) cannot comment on this process; it needs the municipality's liaison or the consulate of the jurisdiction.", tok.Scope()))
		return nil, nil, 0, tok, false
	}
	return b, m, place, tok, true
}

func (b *Backend) isCandidate(id int64) bool {
	_, ok := b.Engine.CandidateIndex(id)
	return ok
}

// shortlistView explains the kept candidates; tok filters for consulates.
func (s *Server) shortlistView(c *gin.Context, b *Backend, m *datasets.Municipality, sl datasets.Shortlist, tok Token) (ShortlistView, error) {
	v := ShortlistView{Municipality: m.CVEGEO, Name: m.Name, Entries: []ShortlistItem{}, UpdatedAt: sl.UpdatedAt}
	var ids []int64
	var entries []datasets.ShortlistEntry
	for _, e := range sl.Entries {
		if !b.isCandidate(e.Place) {
			continue // the snapshot no longer holds it
		}
		if tok.Role == RoleConsulate && !b.serves(tok, e.Place) {
			continue
		}
		ids = append(ids, e.Place)
		entries = append(entries, e)
	}
	if len(ids) == 0 {
		return v, nil
	}
	ctx, cancel := requestContext(c, matchTimeout)
	defer cancel()
	lang := langOf(c)
	ms, err := b.Engine.Explain(ctx, matcher.Query{Municipality: m.CVEGEO, Lang: lang}, ids)
	if err != nil {
		return v, err
	}
	for i, e := range entries {
		it := ShortlistItem{Place: ms[i].Place, Note: e.Note, Areas: e.Areas, AddedAt: e.AddedAt, AddedBy: e.AddedBy,
			Score: ms[i].Score, Rank: ms[i].Rank, DistanceKm: ms[i].DistanceKm, Main: mainComponent(ms[i].Match)}
		if it.Areas == nil {
			it.Areas = []string{}
		}
		v.Entries = append(v.Entries, it)
	}
	return v, nil
}

func mainComponent(m matcher.Match) string {
	best, name := -1.0, ""
	for _, comp := range m.Components {
		if comp.Contribution > best {
			best, name = comp.Contribution, comp.Name
		}
	}
	return name
}

func (s *Server) getShortlist(c *gin.Context) {
	b, m, tok, ok := s.municipalityReader(c)
	if !ok {
		return
	}
	sl, err := datasets.LoadShortlist(b.Store, m.CVEGEO)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.shortlistView(c, b, m, sl, tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}

// addToShortlist validates and stores; the answer is sent only once the
// write is durable.
func (s *Server) addToShortlist(b *Backend, cvegeo string, req datasets.ShortlistAdd, tok Token) (datasets.Shortlist, bool, error) {
	if err := req.Validate(b.isCandidate); err != nil {
		return datasets.Shortlist{}, false, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	sl, created, err := datasets.AddToShortlist(b.Store, cvegeo, req, author(tok), time.Now())
	if err != nil {
		return sl, false, err
	}
	s.log.Info("shortlist stored", "municipality", cvegeo, "place", req.Place, "created", created)
	return sl, created, nil
}

func (s *Server) postShortlist(c *gin.Context) {
	b, m, tok, ok := s.municipalityWriter(c)
	if !ok {
		return
	}
	var req datasets.ShortlistAdd
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	sl, created, err := s.addToShortlist(b, m.CVEGEO, req, tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.shortlistView(c, b, m, sl, tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, v)
}

// placeIDParam reads a GeoNames id from the path parameter name.
func placeIDParam(c *gin.Context, name string) (int64, error) {
	raw := c.Param(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || len(raw) > 12 {
		f := fieldErrs{}
		f.add(name, "debe ser un id numérico de GeoNames (p. ej. 5278931)", "must be a numeric GeoNames id (e.g. 5278931)")
		return 0, f.err()
	}
	return id, nil
}

func (s *Server) removeFromShortlist(b *Backend, cvegeo string, place int64) (datasets.Shortlist, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	cur, err := datasets.LoadShortlist(b.Store, cvegeo)
	if err != nil {
		return cur, err
	}
	if _, kept := cur.Entry(place); !kept {
		return cur, errf(datasets.ENotFound, "El lugar %d no está en la selección de %s.", "Place %d is not in the shortlist of %s.", place, cvegeo)
	}
	return datasets.RemoveFromShortlist(b.Store, cvegeo, place, time.Now())
}

func (s *Server) deleteShortlist(c *gin.Context) {
	b, m, tok, ok := s.municipalityWriter(c)
	if !ok {
		return
	}
	place, err := placeIDParam(c, "place")
	if err != nil {
		s.fail(c, err)
		return
	}
	sl, err := s.removeFromShortlist(b, m.CVEGEO, place)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.shortlistView(c, b, m, sl, tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// CompareItem is one column of a side-by-side comparison.
type CompareItem struct {
	Place      PlaceInfo           `json:"place"`
	Score      float64             `json:"score"`
	Rank       int                 `json:"rank"`
	DistanceKm float64             `json:"distance_km"`
	Twinned    bool                `json:"twinned"`
	Components []matcher.Component `json:"components"`
	Directions *matcher.Directions `json:"directions,omitempty"` // both sides have profiles
	Adjustment float64             `json:"adjustment,omitempty"` // the city's wishes scaled the score
	Traits     []string            `json:"traits"`
	Twins      TwinCounts          `json:"twins"`
	Ties       []datasets.Tie      `json:"ties"` // the municipality's migrants recorded there
}

// CompareView is GET /municipalities/{cvegeo}/compare.
type CompareView struct {
	Municipality string        `json:"municipality"`
	Name         string        `json:"name"`
	Items        []CompareItem `json:"items"`
}

// compareIDs reads 2–4 distinct candidate ids from ?places=.
func compareIDs(c *gin.Context, b *Backend) ([]int64, error) {
	f := fieldErrs{}
	var ids []int64
	seen := map[int64]bool{}
	raw := strings.Join(c.QueryArray("places"), ",")
	for _, part := range strings.Split(raw, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			f.add("places", "%q no es un id de GeoNames", "%q is not a GeoNames id", part)
			continue
		}
		if !b.isCandidate(id) {
			f.add("places", "el lugar %d no es una ciudad extranjera candidata", "place %d is not a foreign candidate", id)
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(f) == 0 && (len(ids) < 2 || len(ids) > 4) {
		f.add("places", "compare de 2 a 4 ciudades (se recibieron %d)", "compare 2 to 4 cities (got %d)", len(ids))
	}
	return ids, f.err()
}

func (s *Server) compareView(c *gin.Context, b *Backend, m *datasets.Municipality, ids []int64) (CompareView, error) {
	v := CompareView{Municipality: m.CVEGEO, Name: m.Name, Items: []CompareItem{}}
	ctx, cancel := requestContext(c, matchTimeout)
	defer cancel()
	ms, err := b.Engine.Explain(ctx, matcher.Query{Municipality: m.CVEGEO, Lang: langOf(c)}, ids)
	if err != nil {
		return v, err
	}
	ties := b.Engine.Ties(m.CVEGEO)
	reg := b.Engine.Registry()
	for _, pm := range ms {
		p, _ := b.snap.Place(pm.Place.ID)
		it := CompareItem{Place: placeInfo(b.snap, p), Score: pm.Score, Rank: pm.Rank, DistanceKm: pm.DistanceKm, Twinned: pm.Twinned,
			Components: pm.Components, Directions: pm.Directions, Adjustment: pm.Adjustment, Traits: []string{}, Ties: []datasets.Tie{},
			Twins: TwinCounts{Mexican: reg.MexicanTwins(p.ID), All: reg.AllTwins(p.ID)}}
		for _, comp := range pm.Components {
			if comp.Name == "structure" {
				it.Traits = append(it.Traits, comp.Evidence...)
			}
		}
		for _, t := range ties {
			if t.Place == p.ID {
				it.Ties = append(it.Ties, t)
			}
		}
		v.Items = append(v.Items, it)
	}
	return v, nil
}

func (s *Server) getCompare(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	ids, err := compareIDs(c, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.compareView(c, b, m, ids)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
