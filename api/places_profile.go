package api

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

// PlaceProfileView is the answer of GET and PUT /places/{id}/profile: the
// stored record and the place it describes.
type PlaceProfileView struct {
	datasets.PlaceProfile
	PlaceRef datasets.PlaceRef `json:"place"`
}

func (b *Backend) placeProfileView(rec datasets.PlaceProfile) PlaceProfileView {
	v := PlaceProfileView{PlaceProfile: rec}
	if p, ok := b.snap.Place(rec.PlaceID); ok {
		v.PlaceRef = placeInfo(b.snap, p).PlaceRef
	}
	return v
}

// foreignPlaceParam is the {id} of a foreign candidate place.
func foreignPlaceParam(c *gin.Context, b *Backend) (*datasets.Place, error) {
	p, err := placeParam(c, b)
	if err != nil {
		return nil, err
	}
	if !b.Engine.IsCandidate(p.ID) {
		return nil, errf(datasets.EInvalid, "%s está en México: solo las ciudades extranjeras tienen perfil de socio.",
			"%s is in Mexico: only foreign cities have a partner profile.", p.Name)
	}
	return p, nil
}

func (s *Server) getPlaceProfile(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	p, err := foreignPlaceParam(c, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	rec, ok := b.Engine.PlaceRecord(p.ID)
	if !ok {
		s.fail(c, errf(datasets.ENotFound, "Nadie ha registrado aún el perfil de %s; lo registra el consulado de su circunscripción o un analista.",
			"No one has recorded the profile of %s yet; the consulate of its jurisdiction or an analyst records it.", p.Name))
		return
	}
	c.JSON(http.StatusOK, b.placeProfileView(rec))
}

// requirePlaceEditor admits the consulate whose jurisdiction holds p, an
// analyst or an admin, and returns who they are for provenance.
func (s *Server) requirePlaceEditor(c *gin.Context, b *Backend, p *datasets.Place) (string, error) {
	tok, err := s.principal(c, b)
	if err != nil {
		return "", err
	}
	switch tok.Role {
	case RoleAdmin, RoleAnalyst:
		return tok.Role, nil
	case RoleConsulate:
		if err := b.checkJurisdiction(tok, p); err != nil {
			return "", err
		}
		return "consulate " + tok.Consulate, nil
	}
	return "", errf(datasets.EForbidden, "Su credencial (%s) no registra datos de ciudades extranjeras; lo hacen el consulado de la circunscripción, un analista o un administrador.",
		"Your token (%s) does not record foreign cities' data; the consulate of the jurisdiction, an analyst or an admin does.", tok.Scope())
}

// placeEdit is the preamble of a write to a foreign city's record: the
// place of the path, an editor for it (requirePlaceEditor) and the JSON
// body decoded into body, in that order; on failure the answer is written
// and ok is false.
func (s *Server) placeEdit(c *gin.Context, body any) (b *Backend, p *datasets.Place, who string, ok bool) {
	if b = s.ready(c); b == nil {
		return nil, nil, "", false
	}
	p, err := foreignPlaceParam(c, b)
	if err == nil {
		who, err = s.requirePlaceEditor(c, b, p)
	}
	if err == nil {
		err = bindJSON(c, body)
	}
	if err != nil {
		s.fail(c, err)
		return nil, nil, "", false
	}
	return b, p, who, true
}

func (s *Server) putPlaceProfile(c *gin.Context) {
	var u datasets.PlaceProfileUpdate
	b, p, who, ok := s.placeEdit(c, &u)
	if !ok {
		return
	}
	rec, err := s.savePlaceProfile(b, p.ID, u, who)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, b.placeProfileView(rec))
}

// savePlaceProfile validates u, applies it to the place's current record
// (who and now become the provenance of what changed), and stores it.
func (s *Server) savePlaceProfile(b *Backend, id int64, u datasets.PlaceProfileUpdate, who string) (datasets.PlaceProfile, error) {
	if err := u.Validate(s.tax); err != nil {
		return datasets.PlaceProfile{}, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	base, _ := b.Engine.PlaceRecord(id)
	rec := u.Apply(base, who, time.Now())
	rec.PlaceID = id
	if err := s.storePlaceRecord(b, rec); err != nil {
		return rec, err
	}
	s.log.Info("place profile stored", "place", id, "by", who)
	return rec, nil
}

// storePlaceRecord writes rec (durable on return), then applies it to the
// engine and the text index, through the one write path. The caller holds
// writeMu.
func (s *Server) storePlaceRecord(b *Backend, rec datasets.PlaceProfile) error {
	if err := b.Writes.SavePlaceRecord(rec); err != nil {
		return err
	}
	s.invalidate()
	return nil
}

func (s *Server) postPlaceInterest(c *gin.Context) {
	var in datasets.Interest
	b, p, who, ok := s.placeEdit(c, &in)
	if !ok {
		return
	}
	rec, created, err := s.addInterest(b, p.ID, in, who)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.Header("Location", fmt.Sprintf("/api/v1/places/%d/profile", p.ID))
	c.JSON(status, b.placeProfileView(rec))
}

// addInterest records a city's stated interest; the same interest (same
// municipality or state, date and source) recorded again replaces the
// first, so a retried request adds nothing.
func (s *Server) addInterest(b *Backend, id int64, in datasets.Interest, who string) (datasets.PlaceProfile, bool, error) {
	if err := in.Validate(func(cve string) bool { _, ok := b.snap.Municipality(cve); return ok }); err != nil {
		return datasets.PlaceProfile{}, false, err
	}
	in.RecordedBy = who
	in.RecordedAt = time.Now().UTC().Format(time.RFC3339)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	rec, _ := b.Engine.PlaceRecord(id)
	rec.PlaceID = id
	rec.Interests = slices.Clone(rec.Interests)
	created := true
	for i, x := range rec.Interests {
		if x.Municipality == in.Municipality && x.State == in.State && x.Date == in.Date && x.Source == in.Source {
			rec.Interests[i] = in
			created = false
		}
	}
	if created {
		rec.Interests = append(rec.Interests, in)
	}
	if err := s.storePlaceRecord(b, rec); err != nil {
		return rec, false, err
	}
	s.log.Info("place interest stored", "place", id, "by", who, "municipality", in.Municipality, "state", in.State)
	return rec, created, nil
}
