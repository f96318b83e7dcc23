package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
	"hermanar/matcher"
)

const matchTimeout = 10 * time.Second

func (s *Server) getMatches(c *gin.Context) {
	b, m, ok := s.municipalityRequest(c)
	if !ok {
		return
	}
	p := newParams(c)
	mp := p.match(c)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	gen := s.gen.Load()
	key := m.CVEGEO + "|" + mp.key()
	if s.cache != nil {
		if e, ok := s.cache.get(key, gen); ok {
			s.writeMatches(c, m.CVEGEO, mp, e)
			return
		}
	}
	ctx := c.Request.Context()
	e, err := s.flight.do(key+"|"+strconv.FormatUint(gen, 10), func() (*lruEntry, error) {
		// The computation is shared by every request waiting on it, so it
		// must not die with the first requester's context.
		res, err := s.match(context.WithoutCancel(ctx), b, m.CVEGEO, mp)
		if err != nil {
			return nil, err
		}
		e, err := renderMatches(b.Engine, res, mp)
		if err != nil {
			return nil, err
		}
		e.key, e.gen = key, gen
		if s.cache != nil {
			s.cache.put(e)
		}
		return e, nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeMatches(c, m.CVEGEO, mp, e)
}

// match is the one computation behind the matches page and its JSON and
// CSV: one uncached match per core at a time (waiting requests queue in
// order), bounded by matchTimeout.
func (s *Server) match(ctx context.Context, b *Backend, cvegeo string, mp matchParams) (*matcher.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, matchTimeout)
	defer cancel()
	select {
	case s.matchSem <- struct{}{}:
		defer func() { <-s.matchSem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return b.Engine.Match(ctx, matcher.Query{Municipality: cvegeo, K: mp.K, Lang: mp.Lang, Filter: mp.Filter})
}

func (s *Server) writeMatches(c *gin.Context, cvegeo string, mp matchParams, e *lruEntry) {
	if mp.Format == "csv" {
		c.Header("Content-Disposition", `attachment; filename="hermanar-`+cvegeo+`.csv"`)
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, e.ctyp, e.val)
}

// renderMatches encodes a result once, for the cache.
func renderMatches(eng *matcher.Engine, res *matcher.Result, mp matchParams) (*lruEntry, error) {
	if mp.Format == "csv" {
		var header []string
		if mp.Header == "lang" {
			header = csvTitles(datasets.RankCSVHeader, mp.Lang)
		}
		var buf bytes.Buffer
		if err := writeMatchesCSV(&buf, eng, res, header); err != nil {
			return nil, err
		}
		return &lruEntry{val: buf.Bytes(), ctyp: "text/csv; charset=utf-8"}, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		return nil, err
	}
	return &lruEntry{val: buf.Bytes(), ctyp: "application/json; charset=utf-8"}, nil
}

// writeMatchesCSV writes a match list as CSV under the one schema of every
// Hermanar CSV (datasets.RankCSVHeader, as rank --csv and match --format
// csv), with a UTF-8 BOM for spreadsheets.
func writeMatchesCSV(buf *bytes.Buffer, eng *matcher.Engine, res *matcher.Result, header []string) error {
	w := datasets.NewRankCSVWriter(buf)
	if header != nil {
		w.Header = header
	}
	if err := w.Write(eng.ResultRows(res)...); err != nil {
		return err
	}
	return w.Close()
}

func (s *Server) postMatch(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	p := newParams(c)
	cve := p.str("municipality", 16)
	mp := p.match(c)
	if cve == "" {
		p.errs.add("municipality", "indique el municipio de origen (?municipality=11008)", "name the origin municipality (?municipality=11008)")
	} else if !datasets.ValidCVEGEO(cve) {
		p.errs.add("municipality", "debe ser una clave CVEGEO de 5 dígitos (p. ej. 11008)", "must be a 5-digit CVEGEO (e.g. 11008)")
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	if _, ok := b.snap.Municipality(cve); !ok {
		s.fail(c, errf(datasets.ENotFound, "No existe el municipio %s.", "There is no municipality %s.", cve))
		return
	}
	var prof datasets.Profile
	if err := bindJSON(c, &prof); err != nil {
		s.fail(c, err)
		return
	}
	if err := prof.Validate(s.tax); err != nil {
		s.fail(c, err)
		return
	}
	if err := b.resolver().ResolveDiaspora(&prof); err != nil {
		s.fail(c, err)
		return
	}
	ctx, cancel := requestContext(c, matchTimeout)
	defer cancel()
	res, err := b.Engine.Match(ctx, matcher.Query{Municipality: cve, Profile: &prof, K: mp.K, Lang: mp.Lang, Filter: mp.Filter})
	if err != nil {
		s.fail(c, err)
		return
	}
	e, err := renderMatches(b.Engine, res, mp)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeMatches(c, cve, mp, e)
}
