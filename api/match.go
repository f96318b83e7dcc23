package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
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
	var kb [160]byte
	kbytes := mp.appendKey(kb[:0], m.CVEGEO)
	if s.cache != nil {
		if e, ok := s.cache.get(kbytes, gen); ok {
			s.writeMatches(c, m.CVEGEO, mp, e, true)
			return
		}
	}
	key := string(kbytes)
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
	s.writeMatches(c, m.CVEGEO, mp, e, false)
}

// match is the one computation behind the matches page and its JSON and
// CSV.
func (s *Server) match(ctx context.Context, b *Backend, cvegeo string, mp matchParams) (*matcher.Result, error) {
	return s.admitMatch(ctx, b, matcher.Query{Municipality: cvegeo, K: mp.K, Lang: mp.Lang, Filter: mp.Filter})
}

// admitMatch runs one uncached match when its turn comes (at most
// Config.MaxConcurrentMatches at once, waiting requests queue in order),
// bounded by matchTimeout.
func (s *Server) admitMatch(ctx context.Context, b *Backend, q matcher.Query) (*matcher.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, matchTimeout)
	defer cancel()
	if s.matchSem != nil {
		select {
		case s.matchSem <- struct{}{}:
			defer func() { <-s.matchSem }()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return b.Engine.Match(ctx, q)
}

// writeMatches answers with a rendered list: 304 when the client's
// If-None-Match names it, else the body in one write with its length,
// gzip-compressed where the client accepts it and the list is served
// again (hit: it came from the cache; see gzip.go).
func (s *Server) writeMatches(c *gin.Context, cvegeo string, mp matchParams, e *lruEntry, hit bool) {
	h := c.Writer.Header()
	if mp.Format == "csv" {
		h["Content-Disposition"] = []string{`attachment; filename="hermanar-` + cvegeo + `.csv"`}
	}
	// no-cache: a browser keeps the list but asks again before using it;
	// the ETag lets that second ask be answered 304 without the body.
	h["Cache-Control"] = hdrNoCache
	h["Vary"] = hdrVaryEncoding
	if inm := c.Request.Header["If-None-Match"]; len(inm) > 0 && c.Request.Method == http.MethodGet {
		// Either encoding's tag names this list: 304 with the tag the
		// client holds.
		var tag []string
		switch {
		case etagListed(inm, e.etag):
			tag = e.etagHdr
		case etagListed(inm, e.gzEtag):
			tag = []string{e.gzEtag}
		}
		if tag != nil {
			h["Etag"] = tag
			c.Status(http.StatusNotModified)
			c.Writer.WriteHeaderNow()
			return
		}
	}
	val, etagHdr, lenHdr := e.val, e.etagHdr, e.lenHdr
	var gz *gzipRep
	if ae := c.Request.Header["Accept-Encoding"]; len(ae) > 0 && acceptsGzip(ae) {
		if gz = e.gz.Load(); gz == nil && hit {
			gz = s.cache.gzipped(e)
		}
		if gz != nil {
			val, etagHdr, lenHdr = gz.val, gz.etagHdr, gz.lenHdr
		}
	}
	h["Etag"] = etagHdr
	h["Content-Type"] = e.ctyp
	if gz != nil {
		h["Content-Encoding"] = hdrGzip
	}
	h["Content-Length"] = lenHdr
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(val)
}

// etagListed reports whether an If-None-Match header names tag (a strong
// tag "…"), by the weak comparison RFC 9110 asks of If-None-Match: W/"x"
// and "x" are the same tag; * matches any.
func etagListed(headers []string, tag string) bool {
	for _, h := range headers {
		for h != "" {
			h = strings.TrimLeft(h, " \t,")
			if h == "" {
				break
			}
			if h[0] == '*' {
				return true
			}
			h = strings.TrimPrefix(h, "W/")
			if h == "" || h[0] != '"' {
				return false // not an entity tag: ignore the header
			}
			end := strings.IndexByte(h[1:], '"')
			if end < 0 {
				return false
			}
			if h[:end+2] == tag {
				return true
			}
			h = h[end+2:]
		}
	}
	return false
}

// renderBufs are the encoding buffers of match lists: a list is encoded
// into a pooled buffer that has already grown to a list's size, then
// copied once into a slice of its exact length, which the cache keeps.
var renderBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderMatches encodes a result once, for the cache, with its ETag.
func renderMatches(eng *matcher.Engine, res *matcher.Result, mp matchParams) (*lruEntry, error) {
	buf := renderBufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 4<<20 { // keep big CSVs (k=500) from pinning memory
			buf.Reset()
			renderBufs.Put(buf)
		}
	}()
	buf.Reset()
	e := &lruEntry{ctyp: hdrJSONType}
	if mp.Format == "csv" {
		var header []string
		if mp.Header == "lang" {
			header = csvTitles(datasets.RankCSVHeader, mp.Lang)
		}
		if err := writeMatchesCSV(buf, eng, res, header); err != nil {
			return nil, err
		}
		e.ctyp = hdrCSVType
	} else if b, ok := appendResult(buf.AvailableBuffer(), res); ok {
		buf.Write(b)
	} else {
		// A number JSON cannot hold: encoding/json says which.
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(res); err != nil {
			return nil, err
		}
	}
	e.val = bytes.Clone(buf.Bytes())
	sum := sha256.Sum256(e.val)
	e.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
	e.etagHdr, e.lenHdr = []string{e.etag}, []string{strconv.Itoa(len(e.val))}
	e.gzEtag = gzipEtag(e.etag)
	return e, nil
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
		p.add("municipality", "indique el municipio de origen (?municipality=11008)", "name the origin municipality (?municipality=11008)")
	} else if !datasets.ValidCVEGEO(cve) {
		p.add("municipality", "debe ser una clave CVEGEO de 5 dígitos (p. ej. 11008)", "must be a 5-digit CVEGEO (e.g. 11008)")
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
	res, err := s.admitMatch(c.Request.Context(), b, matcher.Query{Municipality: cve, Profile: &prof, K: mp.K, Lang: mp.Lang, Filter: mp.Filter})
	if err != nil {
		s.fail(c, err)
		return
	}
	e, err := renderMatches(b.Engine, res, mp)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeMatches(c, cve, mp, e, false)
}
