package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
	"hermanar/matcher"
)

// RankRequest is the body of POST /rank: which municipalities to rank
// (all by default, or one state, or a list) and how.
type RankRequest struct {
	K              int      `json:"k"`
	State          string   `json:"state,omitempty"`
	Municipalities []string `json:"municipalities,omitempty"`
	Countries      []string `json:"countries,omitempty"`
	ExcludeTwinned bool     `json:"exclude_twinned,omitempty"`
	IncludeTwinned bool     `json:"include_twinned,omitempty"`
	Traits         []string `json:"traits,omitempty"`
}

// Ranker ranks many municipalities, handing rows to emit in order
// (municipality, then rank) without holding them all; *matcher.Engine is
// one.
type Ranker interface {
	Rank(ctx context.Context, req matcher.RankRequest, emit func(datasets.RankRow) error) (matcher.RankStats, error)
	RankTargets(req matcher.RankRequest) ([]string, error)
}

const maxRankList = 3000

// validate checks the request field by field and turns it into the
// matcher's request and its list of municipalities.
func (req *RankRequest) validate(r Ranker) (matcher.RankRequest, []string, error) {
	f := fieldErrs{}
	if req.K == 0 {
		req.K = matcher.DefaultRankK
	}
	if req.K < 1 || req.K > matcher.MaxK {
		f.add("k", "debe estar entre 1 y %d", "must be between 1 and %d", matcher.MaxK)
	}
	if req.State != "" {
		if _, ok := datasets.INEGIStateNames[req.State]; !ok {
			f.add("state", "debe ser una clave de estado del INEGI de 2 dígitos (01–32)", "must be a 2-digit INEGI state code (01–32)")
		}
	}
	if len(req.Municipalities) > maxRankList {
		f.add("municipalities", "admite a lo más %d municipios", "takes at most %d municipalities", maxRankList)
	} else {
		for i, m := range req.Municipalities {
			if !datasets.ValidCVEGEO(m) {
				f.add("municipalities["+itoa(i)+"]", "debe ser una clave CVEGEO de 5 dígitos", "must be a 5-digit CVEGEO")
			}
		}
	}
	if req.State != "" && len(req.Municipalities) > 0 {
		f.add("state", "use state o municipalities, no ambos", "use state or municipalities, not both")
	}
	if len(req.Countries) > datasets.MaxCountries {
		f.add("countries", "admite a lo más %d países", "takes at most %d countries", datasets.MaxCountries)
	}
	for i, c := range req.Countries {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !isCountryCode(c) {
			f.add("countries["+itoa(i)+"]", "use códigos ISO de dos letras", "use two-letter ISO codes")
		}
		req.Countries[i] = c
	}
	if _, err := matcher.ParseTraits("traits", req.Traits); err != nil {
		f.add("traits", "rasgo desconocido; use uno de: %s", "unknown trait; use one of: %s", strings.Join(matcher.TraitNames(), ", "))
	}
	if err := f.err(); err != nil {
		return matcher.RankRequest{}, nil, err
	}
	mr := matcher.RankRequest{Municipalities: req.Municipalities, State: req.State, K: req.K,
		Filter: matcher.Filter{Countries: req.Countries, ExcludeTwinned: req.ExcludeTwinned,
			IncludeTwinned: req.IncludeTwinned, Traits: req.Traits}}
	targets, err := r.RankTargets(mr)
	if err != nil {
		// An unknown municipality in the body is a bad field, not a
		// missing resource.
		var de *datasets.Error
		if errors.As(err, &de) && de.Code == datasets.ENotFound {
			return mr, nil, &datasets.Error{Code: datasets.EInvalid, Msg: de.Msg, Fields: de.Fields}
		}
		return mr, nil, err
	}
	return mr, targets, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// Media types POST /rank can stream.
const (
	mediaNDJSON  = "application/x-ndjson"
	mediaParquet = "application/vnd.apache.parquet"
)

func rankFormat(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaNDJSON, true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case mediaNDJSON, "application/jsonl", "application/json", "*/*", "application/*":
			return mediaNDJSON, true
		case mediaParquet, "application/x-parquet", "application/parquet":
			return mediaParquet, true
		}
	}
	return "", false
}

func (s *Server) postRank(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	if _, err := s.requireRole(c, b, RoleAnalyst, RoleAdmin); err != nil {
		s.fail(c, err)
		return
	}
	format, ok := rankFormat(c.GetHeader("Accept"))
	if !ok {
		s.fail(c, errf(ENotAcceptable, "POST /rank responde %s o %s.", "POST /rank answers %s or %s.", mediaNDJSON, mediaParquet))
		return
	}
	var req RankRequest
	if c.Request.ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			s.fail(c, err)
			return
		}
	}
	mr, targets, err := req.validate(b.Ranker)
	if err != nil {
		s.fail(c, err)
		return
	}
	select {
	case s.rankSem <- struct{}{}:
		defer func() { <-s.rankSem }()
	default:
		c.Header("Retry-After", "10")
		s.fail(c, errf(EBusy, "Ya hay una clasificación masiva en curso; inténtelo más tarde.", "A bulk ranking is already running; try again later."))
		return
	}
	// A full ranking may outlast the server's write timeout: each write
	// pushes the deadline one step on instead, so a client that stops
	// reading loses the stream (and frees the slot) after one step.
	dw := &deadlineWriter{w: c.Writer, rc: http.NewResponseController(c.Writer), step: s.cfg.WriteStall}
	_ = dw.rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteStall))
	c.Header("X-Municipalities", itoa(len(targets)))
	c.Header("Cache-Control", "no-store")
	var enc interface {
		Write(rows ...datasets.RankRow) error
		Flush() error
		Close() error
	}
	if format == mediaParquet {
		c.Header("Content-Disposition", `attachment; filename="hermanar-rank.parquet"`)
		enc = datasets.NewRankWriter(dw)
	} else {
		enc = datasets.NewRankNDJSONWriter(dw)
	}
	c.Header("Content-Type", format)
	c.Status(http.StatusOK)
	ctx := c.Request.Context()
	last := time.Now()
	st, err := b.Ranker.Rank(ctx, mr, func(row datasets.RankRow) error {
		if err := enc.Write(row); err != nil {
			return err
		}
		// Push rows to the client as they come, not only at the end.
		if format == mediaNDJSON && time.Since(last) > 200*time.Millisecond {
			last = time.Now()
			if err := enc.Flush(); err != nil {
				return err
			}
			if err := dw.Flush(); err != nil {
				return err
			}
		}
		return nil
	})
	s.log.Info("rank streamed", "request_id", requestID(c), "format", format, "municipalities", st.Municipalities,
		"rows", st.Rows, "seconds", st.Elapsed.Seconds(), "err", err)
	if err != nil {
		if format == mediaParquet || ctx.Err() != nil {
			// A Parquet file without its footer is unreadable, which is the
			// right signal; cut the connection so the client sees a failure.
			panic(http.ErrAbortHandler)
		}
		// The status is sent; the error goes in-band as the last line.
		_ = enc.Flush()
		_ = json.NewEncoder(c.Writer).Encode(ErrorBody{Error: errorDetail(err, langOf(c))})
		c.Writer.Flush()
		return
	}
	if err := enc.Close(); err != nil {
		panic(http.ErrAbortHandler)
	}
	c.Writer.Flush()
}
