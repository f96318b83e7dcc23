package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/parquet-go/parquet-go"

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
	Lang           string   `json:"lang,omitempty"`
}

// RankRow is one municipality × rank: the place, the score and each
// component's value and contribution. The same row is an NDJSON line and
// a Parquet row.
type RankRow struct {
	Municipality         string  `json:"municipality" parquet:"municipality,dict"`
	MunicipalityName     string  `json:"municipality_name" parquet:"municipality_name,dict"`
	State                string  `json:"state" parquet:"state,dict"`
	Rank                 int32   `json:"rank" parquet:"rank"`
	PlaceID              int64   `json:"place_id" parquet:"place_id"`
	PlaceName            string  `json:"place_name" parquet:"place_name"`
	Country              string  `json:"country" parquet:"country,dict"`
	Admin1               string  `json:"admin1" parquet:"admin1,dict"`
	Population           int64   `json:"population" parquet:"population"`
	Score                float64 `json:"score" parquet:"score"`
	Coverage             float64 `json:"coverage" parquet:"coverage"`
	Twinned              bool    `json:"twinned" parquet:"twinned"`
	Code                 string  `json:"code" parquet:"code,dict"`
	ProblemsValue        float64 `json:"problems_value" parquet:"problems_value"`
	ProblemsContribution float64 `json:"problems_contribution" parquet:"problems_contribution"`
	AreasValue           float64 `json:"areas_value" parquet:"areas_value"`
	AreasContribution    float64 `json:"areas_contribution" parquet:"areas_contribution"`
	DiasporaValue        float64 `json:"diaspora_value" parquet:"diaspora_value"`
	DiasporaContribution float64 `json:"diaspora_contribution" parquet:"diaspora_contribution"`
	TextValue            float64 `json:"text_value" parquet:"text_value"`
	TextContribution     float64 `json:"text_contribution" parquet:"text_contribution"`
	StructureValue       float64 `json:"structure_value" parquet:"structure_value"`
	StructureContrib     float64 `json:"structure_contribution" parquet:"structure_contribution"`
	NetworkValue         float64 `json:"network_value" parquet:"network_value"`
	NetworkContribution  float64 `json:"network_contribution" parquet:"network_contribution"`
}

// Ranker ranks many municipalities, handing rows to emit in order
// (municipality, then rank) without holding them all.
type Ranker interface {
	Rank(ctx context.Context, req RankRequest, emit func(RankRow) error) error
}

// RowFromMatch flattens one explained match.
func RowFromMatch(m *datasets.Municipality, x matcher.Match) RankRow {
	r := RankRow{Municipality: m.CVEGEO, MunicipalityName: m.Name, State: m.State, Rank: int32(x.Rank),
		PlaceID: x.Place.ID, PlaceName: x.Place.Name, Country: x.Place.Country, Admin1: x.Place.Admin1,
		Population: x.Place.Population, Score: x.Score, Coverage: x.Coverage, Twinned: x.Twinned, Code: x.Code}
	for _, c := range x.Components {
		switch c.Name {
		case matcher.CompProblems:
			r.ProblemsValue, r.ProblemsContribution = c.Value, c.Contribution
		case matcher.CompAreas:
			r.AreasValue, r.AreasContribution = c.Value, c.Contribution
		case matcher.CompDiaspora:
			r.DiasporaValue, r.DiasporaContribution = c.Value, c.Contribution
		case matcher.CompText:
			r.TextValue, r.TextContribution = c.Value, c.Contribution
		case matcher.CompStructure:
			r.StructureValue, r.StructureContrib = c.Value, c.Contribution
		case matcher.CompNetwork:
			r.NetworkValue, r.NetworkContribution = c.Value, c.Contribution
		}
	}
	return r
}

// matchRanker ranks with Engine.Match, one municipality at a time: the
// rows are exactly those of GET matches.
type matchRanker struct{ e *matcher.Engine }

func (r matchRanker) Rank(ctx context.Context, req RankRequest, emit func(RankRow) error) error {
	snap := r.e.Snapshot()
	for _, cve := range SelectMunicipalities(snap, req) {
		m, _ := snap.Municipality(cve)
		res, err := r.e.Match(ctx, matcher.Query{Municipality: cve, K: req.K, Lang: req.Lang,
			Filter: matcher.Filter{Countries: append([]string(nil), req.Countries...), ExcludeTwinned: req.ExcludeTwinned}})
		if err != nil {
			return err
		}
		for _, x := range res.Matches {
			if err := emit(RowFromMatch(m, x)); err != nil {
				return err
			}
		}
	}
	return nil
}

// SelectMunicipalities lists the CVEGEOs a validated request covers, sorted.
func SelectMunicipalities(snap *datasets.Snapshot, req RankRequest) []string {
	var out []string
	if len(req.Municipalities) > 0 {
		out = append(out, req.Municipalities...)
	} else {
		for _, m := range snap.Municipalities {
			if req.State == "" || m.State == req.State {
				out = append(out, m.CVEGEO)
			}
		}
	}
	sort.Strings(out)
	return out
}

const maxRankList = 3000

func (req *RankRequest) validate(snap *datasets.Snapshot, lang string) error {
	f := fieldErrs{}
	if req.K == 0 {
		req.K = 50
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
		seen := map[string]bool{}
		uniq := req.Municipalities[:0]
		for i, m := range req.Municipalities {
			if _, ok := snap.Municipality(m); !ok || !datasets.ValidCVEGEO(m) {
				f.add("municipalities["+itoa(i)+"]", "no es un municipio conocido", "is not a known municipality")
				continue
			}
			if !seen[m] {
				seen[m] = true
				uniq = append(uniq, m)
			}
		}
		req.Municipalities = uniq
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
	switch req.Lang {
	case "":
		req.Lang = lang
	case "es", "en":
	default:
		f.add("lang", `debe ser "es" o "en"`, `must be "es" or "en"`)
	}
	return f.err()
}

func itoa(i int) string { return string(appendInt(nil, i)) }

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}

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
	if err := req.validate(b.snap, langOf(c)); err != nil {
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
	// A full ranking takes longer than the server's write timeout.
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(30 * time.Minute))
	ctx := c.Request.Context()
	n := len(SelectMunicipalities(b.snap, req))
	c.Header("X-Municipalities", itoa(n))
	c.Header("Cache-Control", "no-store")
	start := time.Now()
	var rows int
	var err error
	if format == mediaParquet {
		rows, err = streamParquet(ctx, c, b.Ranker, req)
	} else {
		rows, err = streamNDJSON(ctx, c, b.Ranker, req, langOf(c))
	}
	s.log.Info("rank streamed", "request_id", requestID(c), "format", format, "municipalities", n,
		"rows", rows, "seconds", time.Since(start).Seconds(), "err", err)
}

func streamNDJSON(ctx context.Context, c *gin.Context, r Ranker, req RankRequest, lang string) (int, error) {
	c.Header("Content-Type", mediaNDJSON)
	c.Status(http.StatusOK)
	w := bufio.NewWriterSize(c.Writer, 64<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	rows := 0
	last := time.Now()
	err := r.Rank(ctx, req, func(row RankRow) error {
		rows++
		if err := enc.Encode(row); err != nil {
			return err
		}
		if time.Since(last) > 200*time.Millisecond {
			last = time.Now()
			if err := w.Flush(); err != nil {
				return err
			}
			c.Writer.Flush()
		}
		return ctx.Err()
	})
	if err != nil && ctx.Err() == nil {
		// The status is sent; the error goes in-band as the last line.
		_ = enc.Encode(ErrorBody{Error: errorDetail(err, lang)})
	}
	_ = w.Flush()
	c.Writer.Flush()
	return rows, err
}

func streamParquet(ctx context.Context, c *gin.Context, r Ranker, req RankRequest) (int, error) {
	c.Header("Content-Type", mediaParquet)
	c.Header("Content-Disposition", `attachment; filename="hermanar-rank.parquet"`)
	c.Status(http.StatusOK)
	pw := parquet.NewGenericWriter[RankRow](c.Writer, parquet.Compression(&parquet.Zstd))
	buf := make([]RankRow, 0, 4096)
	rows := 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if _, err := pw.Write(buf); err != nil {
			return err
		}
		buf = buf[:0]
		return nil
	}
	err := r.Rank(ctx, req, func(row RankRow) error {
		rows++
		buf = append(buf, row)
		if len(buf) == cap(buf) {
			if err := flush(); err != nil {
				return err
			}
			if rows%(64*1024) < cap(buf) {
				// One row group per ~64k rows keeps memory bounded.
				if err := pw.Flush(); err != nil {
					return err
				}
				c.Writer.Flush()
			}
		}
		return ctx.Err()
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		// A Parquet file without its footer is unreadable, which is the
		// right signal; cut the connection so the client sees a failure.
		panic(http.ErrAbortHandler)
	}
	if err := pw.Close(); err != nil {
		return rows, err
	}
	c.Writer.Flush()
	return rows, errors.Join(err)
}
