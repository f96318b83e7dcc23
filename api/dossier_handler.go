package api

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

func (s *Server) getDossier(c *gin.Context) {
	b, m, place, ok := s.processRequest(c)
	if !ok {
		return
	}
	p := newParams(c)
	format := p.oneOf("format", "pdf", "pdf", "docx", "json")
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	tok, err := s.principal(c, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !b.canReadProcess(tok, m.CVEGEO, place) {
		s.fail(c, errf(datasets.EForbidden, "Su credencial (%s) no puede generar el expediente de %s.", "Your token (%s) cannot generate the dossier of %s.", tok.Scope(), m.Name))
		return
	}
	ctx, cancel := requestContext(c, matchTimeout)
	defer cancel()
	lang := langOf(c)
	now := time.Now()
	d, err := BuildDossier(ctx, DossierInput{Engine: b.Engine, Store: b.Store, Municipality: m.CVEGEO, Place: place, Lang: lang, Now: now})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	name := fmt.Sprintf("hermanar-%s-%d-%s", m.CVEGEO, place, lang)
	var buf bytes.Buffer
	switch format {
	case "json":
		c.JSON(http.StatusOK, d)
		return
	case "docx":
		err = WriteDOCX(&buf, d, now)
		name += ".docx"
	default:
		err = WritePDF(&buf, d, now)
		name += ".pdf"
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	ctype := "application/pdf"
	if format == "docx" {
		ctype = mediaDOCX
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, ctype, buf.Bytes())
}

// ErrorText is an error as a person reads it in lang, with the message of
// each offending field (for the command line).
func ErrorText(err error, lang string) string {
	d := errorDetail(err, lang)
	if d.Code == datasets.EInternal {
		return err.Error()
	}
	s := d.Message
	for _, k := range sortedKeys(d.Fields) {
		s += " " + k + ": " + d.Fields[k] + "."
	}
	return s
}
