package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
	"hermanar/matcher"
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
	raw, err := json.Marshal(p)
	if err != nil {
		return p, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := b.Store.Put(datasets.BucketProfiles, cvegeo, raw); err != nil {
		return p, fmt.Errorf("store profile %s: %w", cvegeo, err)
	}
	b.Engine.SetMunicipalityProfile(cvegeo, p)
	if b.Profiles != nil {
		if err := b.Profiles.PutProfile(matcher.MunicipalityKey(cvegeo), p); err != nil {
			s.log.Error("text index lags the store", "municipality", cvegeo, "err", err)
		}
	}
	s.invalidate()
	s.log.Info("profile stored", "municipality", cvegeo)
	return p, nil
}
