package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

// The admin API lets an operator manage tokens and take backups while
// the server runs (the server holds the store; a second process cannot
// open it). Every route needs an admin token.

// TokenRequest is the body of POST /admin/tokens.
type TokenRequest struct {
	Role         string `json:"role"`
	Municipality string `json:"municipality,omitempty"`
	Consulate    string `json:"consulate,omitempty"`
	Note         string `json:"note,omitempty"`
}

// CreatedToken is the answer of POST /admin/tokens: the secret, shown
// once, and the record kept (its hash is the key).
type CreatedToken struct {
	Secret string `json:"token"`
	Token
}

// TokenList is the answer of GET /admin/tokens.
type TokenList struct {
	Tokens []Token `json:"tokens"`
}

func (s *Server) adminRoutes(v1 *gin.RouterGroup) {
	a := v1.Group("/admin")
	a.GET("/tokens", s.listTokens)
	a.POST("/tokens", s.createToken)
	a.DELETE("/tokens/:id", s.revokeToken)
	a.GET("/backup", s.backup)
}

// admin authenticates an admin token, or fails the request.
func (s *Server) admin(c *gin.Context) (*Backend, bool) {
	b := s.ready(c)
	if b == nil {
		return nil, false
	}
	if _, err := s.requireRole(c, b, RoleAdmin); err != nil {
		s.fail(c, err)
		return nil, false
	}
	return b, true
}

func (s *Server) listTokens(c *gin.Context) {
	b, ok := s.admin(c)
	if !ok {
		return
	}
	list, err := b.tokens.List()
	if err != nil {
		s.fail(c, err)
		return
	}
	if list == nil {
		list = []Token{}
	}
	c.JSON(http.StatusOK, TokenList{Tokens: list})
}

func (s *Server) createToken(c *gin.Context) {
	b, ok := s.admin(c)
	if !ok {
		return
	}
	var req TokenRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fieldErrs{}
	switch req.Role {
	case RoleLiaison:
		if datasets.ValidCVEGEO(req.Municipality) {
			if _, ok := b.snap.Municipality(req.Municipality); !ok {
				f.add("municipality", "no existe el municipio %s", "there is no municipality %s", req.Municipality)
			}
		}
	case RoleConsulate:
		if req.Consulate != "" {
			if _, ok := b.Engine.Consulate(req.Consulate); !ok {
				f.add("consulate", "no existe el consulado %q", "there is no consulate %q", req.Consulate)
			}
		}
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	s.writeMu.Lock()
	secret, tok, err := b.tokens.Create(req.Role, req.Municipality, req.Consulate, req.Note)
	s.writeMu.Unlock()
	if err != nil {
		s.fail(c, err)
		return
	}
	s.log.Info("token created", "token", tok.ID, "scope", tok.Scope(), "by", requestToken(c))
	c.JSON(http.StatusCreated, CreatedToken{Secret: secret, Token: tok})
}

func (s *Server) revokeToken(c *gin.Context) {
	b, ok := s.admin(c)
	if !ok {
		return
	}
	s.writeMu.Lock()
	tok, err := b.tokens.Revoke(c.Param("id"))
	s.writeMu.Unlock()
	if err != nil {
		s.fail(c, err)
		return
	}
	// Lookup reads the store on every request, so the token is refused
	// from the next request on.
	s.log.Info("token revoked", "token", tok.ID, "scope", tok.Scope(), "by", requestToken(c))
	c.JSON(http.StatusOK, tok)
}

// backup streams the store as one read transaction sees it; writes go on
// meanwhile. Content-Length is exact, so a client can tell a cut stream.
func (s *Server) backup(c *gin.Context) {
	b, ok := s.admin(c)
	if !ok {
		return
	}
	bk, ok := b.Store.(datasets.Backuper)
	if !ok {
		s.fail(c, errf(EUnavailable, "Este almacén no admite copias en línea.", "This store cannot be backed up online."))
		return
	}
	rc := http.NewResponseController(c.Writer)
	w := &deadlineWriter{w: c.Writer, rc: rc, step: s.cfg.WriteStall}
	name := "hermanar-" + time.Now().UTC().Format("20060102T150405Z") + ".db"
	n, err := bk.Backup(w, func(size int64) {
		c.Header("Content-Type", "application/octet-stream")
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Header("Content-Length", strconv.FormatInt(size, 10))
		c.Header("Cache-Control", "no-store")
		c.Status(http.StatusOK)
	})
	if err != nil {
		s.log.Error("backup failed", "request_id", requestID(c), "bytes", n, "err", err)
		if !c.Writer.Written() {
			s.fail(c, err)
		}
		return
	}
	s.log.Info("backup sent", "bytes", n, "by", requestToken(c))
}

func requestToken(c *gin.Context) string {
	if v, ok := c.Get(principalKey); ok {
		return v.(Token).ID
	}
	return ""
}
