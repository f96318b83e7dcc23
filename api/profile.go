package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

// profileSource says where a profile shown for a municipality comes from.
func profileSource(b *Backend, cvegeo string) string {
	if b.Engine.ProfileIsStored(cvegeo) {
		return "stored"
	}
	return "prefilled"
}

func (s *Server) getProfile(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	p := b.Engine.Profile(m.CVEGEO)
	c.Header("X-Profile-Source", profileSource(b, m.CVEGEO))
	c.JSON(http.StatusOK, p)
}

func (s *Server) putProfile(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	if _, err := s.requireProfileEditor(c, b, m.CVEGEO); err != nil {
		s.fail(c, err)
		return
	}
	var p datasets.Profile
	if err := bindJSON(c, &p); err != nil {
		s.fail(c, err)
		return
	}
	saved, err := s.saveProfile(b, m.CVEGEO, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("X-Profile-Source", "stored")
	c.JSON(http.StatusOK, saved)
}

// saveProfile validates p, writes it to the store (durable before it
// returns) and then applies it to the live engine and the text index. A
// failure after the store write is logged, not returned: the store is the
// record, and the next start replays it.
func (s *Server) saveProfile(b *Backend, cvegeo string, p datasets.Profile) (datasets.Profile, error) {
	if err := p.Validate(s.tax); err != nil {
		return p, err
	}
	// Each migrant destination becomes a tie of the municipality: it must
	// name one place abroad, as POST /ties requires.
	if err := b.resolver().ResolveDiaspora(&p); err != nil {
		return p, err
	}
	p.UpdatedAt = time.Now().UTC().Format(time.RFC3339)
	if err := b.Writes.SaveMunicipalityProfile(cvegeo, p); err != nil {
		return p, err
	}
	s.invalidate()
	s.log.Info("profile stored", "municipality", cvegeo)
	return p, nil
}
