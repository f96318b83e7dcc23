package api

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

// BucketTemplates holds the official agreement templates admins upload,
// keyed "agreement_es" and "agreement_en".
const BucketTemplates = "dossier_templates"

// MaxTemplateXML bounds the unpacked word/document.xml of a template.
const MaxTemplateXML = 8 << 20

// Placeholders an official template may use, written {{name}}.
var templatePlaceholders = []string{"mexican_city", "mexican_state", "foreign_city", "foreign_state", "foreign_country",
	"areas", "mexican_office", "foreign_office", "languages", "date"}

var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.-]*)\s*\}\}`)

// TemplateParagraph is one paragraph of an official template.
type TemplateParagraph struct {
	Heading bool   `json:"heading,omitempty"`
	Text    string `json:"text"`
}

// AgreementTemplate is an uploaded official template, reduced to its
// paragraphs (the dossier sets them in its own layout).
type AgreementTemplate struct {
	Lang         string              `json:"lang"`
	SHA256       string              `json:"sha256"`
	Bytes        int                 `json:"bytes"`
	UploadedAt   time.Time           `json:"uploaded_at"`
	UploadedBy   string              `json:"uploaded_by"`
	Placeholders []string            `json:"placeholders"`
	Paragraphs   []TemplateParagraph `json:"paragraphs"`
}

func templateKey(lang string) string { return "agreement_" + lang }

// LoadAgreementTemplate returns the template for lang, if an admin set one.
func LoadAgreementTemplate(st datasets.Store, lang string) (AgreementTemplate, bool, error) {
	var t AgreementTemplate
	raw, ok, err := st.Get(BucketTemplates, templateKey(lang))
	if err != nil || !ok {
		return t, false, err
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return t, false, fmt.Errorf("stored template %s: %w", lang, err)
	}
	return t, true, nil
}

func templateErr(es, en string, args ...any) error {
	f := fieldErrs{}
	f.add("template", es, en, args...)
	return f.err()
}

// ParseAgreementTemplate reads a DOCX: a ZIP holding a well-formed
// word/document.xml whose placeholders are all known. Empty, truncated or
// foreign files are field errors.
func ParseAgreementTemplate(docx []byte, lang string) (AgreementTemplate, error) {
	t := AgreementTemplate{Lang: lang, Bytes: len(docx), Placeholders: []string{}}
	if len(docx) == 0 {
		return t, templateErr("el archivo está vacío; envíe un DOCX", "the file is empty; send a DOCX")
	}
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		return t, templateErr("no es un DOCX válido (ZIP ilegible o truncado): %v", "is not a valid DOCX (unreadable or truncated ZIP): %v", err)
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
		}
	}
	if doc == nil {
		return t, templateErr("el DOCX no contiene word/document.xml", "the DOCX holds no word/document.xml")
	}
	rc, err := doc.Open()
	if err != nil {
		return t, templateErr("no se pudo abrir word/document.xml: %v", "word/document.xml cannot be opened: %v", err)
	}
	defer rc.Close()
	xmlBytes, err := io.ReadAll(io.LimitReader(rc, MaxTemplateXML+1))
	if err != nil {
		return t, templateErr("word/document.xml está dañado: %v", "word/document.xml is damaged: %v", err)
	}
	if len(xmlBytes) > MaxTemplateXML {
		return t, templateErr("word/document.xml supera %d bytes", "word/document.xml exceeds %d bytes", MaxTemplateXML)
	}
	paras, err := docxParagraphs(xmlBytes)
	if err != nil {
		return t, templateErr("word/document.xml no es XML bien formado: %v", "word/document.xml is not well-formed XML: %v", err)
	}
	known := map[string]bool{}
	for _, p := range templatePlaceholders {
		known[p] = true
	}
	found := map[string]bool{}
	var unknown []string
	for _, p := range paras {
		for _, m := range placeholderRE.FindAllStringSubmatch(p.Text, -1) {
			if !known[m[1]] {
				unknown = append(unknown, "{{"+m[1]+"}}")
			}
			found[m[1]] = true
		}
	}
	if len(unknown) > 0 {
		return t, templateErr("marcadores desconocidos: %s; use: %s", "unknown placeholders: %s; use: %s",
			strings.Join(unknown, ", "), "{{"+strings.Join(templatePlaceholders, "}}, {{")+"}}")
	}
	if len(found) == 0 {
		return t, templateErr("la plantilla no tiene marcadores como {{mexican_city}}", "the template has no placeholders such as {{mexican_city}}")
	}
	for p := range found {
		t.Placeholders = append(t.Placeholders, p)
	}
	sort.Strings(t.Placeholders)
	t.Paragraphs = paras
	h := sha256.Sum256(docx)
	t.SHA256 = hex.EncodeToString(h[:])
	return t, nil
}

// docxParagraphs collects the text of every w:p (runs, tabs and breaks);
// a paragraph styled as a title or heading is marked.
func docxParagraphs(data []byte) ([]TemplateParagraph, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		out     []TemplateParagraph
		cur     *TemplateParagraph
		buf     strings.Builder
		inText  bool
		sawRoot bool
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			sawRoot = true
			switch el.Name.Local {
			case "p":
				cur = &TemplateParagraph{}
				buf.Reset()
			case "pStyle":
				for _, a := range el.Attr {
					if a.Name.Local == "val" && cur != nil {
						v := strings.ToLower(a.Value)
						cur.Heading = strings.HasPrefix(v, "heading") || strings.HasPrefix(v, "title") || strings.HasPrefix(v, "ttulo")
					}
				}
			case "t":
				inText = true
			case "tab":
				buf.WriteString("\t")
			case "br", "cr":
				buf.WriteString("\n")
			}
		case xml.EndElement:
			switch el.Name.Local {
			case "t":
				inText = false
			case "p":
				if cur != nil {
					cur.Text = buf.String()
					out = append(out, *cur)
					cur = nil
				}
			}
		case xml.CharData:
			if inText && cur != nil {
				buf.Write(el)
			}
		}
	}
	if !sawRoot {
		return nil, errors.New("no elements")
	}
	return out, nil
}

// templateAgreement sets the official template's paragraphs, placeholders
// filled, as section 4.
func (x *dossierCtx) templateAgreement(t AgreementTemplate) {
	a := x.parties()
	values := map[string]string{"mexican_city": a.MexCity, "mexican_state": a.MexState, "foreign_city": a.ForCity, "foreign_state": a.ForState,
		"foreign_country": a.ForCountry, "areas": a.Areas, "mexican_office": a.MexOffice, "foreign_office": a.ForOffice,
		"languages": a.Languages, "date": longDate(x.in.Now, x.lang)}
	x.add(blockBreak, "")
	x.add(blockH1, x.tr("4. Acuerdo interinstitucional (plantilla oficial)", "4. Inter-institutional agreement (official template)"))
	for _, p := range t.Paragraphs {
		text := placeholderRE.ReplaceAllStringFunc(p.Text, func(m string) string {
			return values[placeholderRE.FindStringSubmatch(m)[1]]
		})
		kind := blockPara
		if p.Heading {
			kind = blockH2
		}
		x.add(kind, text)
	}
}

// ---- admin endpoints ----

func templateLang(c *gin.Context) (string, error) {
	lang := c.Param("lang")
	if lang != "es" && lang != "en" {
		f := fieldErrs{}
		f.add("lang", `debe ser "es" o "en"`, `must be "es" or "en"`)
		return "", f.err()
	}
	return lang, nil
}

func (s *Server) putTemplate(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	tok, err := s.requireRole(c, b, RoleAdmin)
	if err != nil {
		s.fail(c, err)
		return
	}
	lang, err := templateLang(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ct := c.ContentType(); ct != mediaDOCX && ct != "application/octet-stream" {
		s.fail(c, errf(EUnsupported, "Envíe el DOCX con Content-Type: %s, no %s.", "Send the DOCX with Content-Type: %s, not %s.", mediaDOCX, ct))
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		s.fail(c, bindError(err))
		return
	}
	t, err := ParseAgreementTemplate(body, lang)
	if err != nil {
		s.fail(c, err)
		return
	}
	t.UploadedAt, t.UploadedBy = time.Now().UTC().Truncate(time.Second), author(tok)
	if err := SaveAgreementTemplate(b.Store, t); err != nil {
		s.fail(c, err)
		return
	}
	s.log.Info("agreement template stored", "lang", lang, "sha256", t.SHA256)
	c.JSON(http.StatusOK, templateSummary(t))
}

// SaveAgreementTemplate stores a parsed template (durable on return).
func SaveAgreementTemplate(st datasets.Store, t AgreementTemplate) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return st.Put(BucketTemplates, templateKey(t.Lang), raw)
}

// TemplateSummary is what the API says about a stored template.
type TemplateSummary struct {
	Lang         string    `json:"lang"`
	SHA256       string    `json:"sha256"`
	Bytes        int       `json:"bytes"`
	UploadedAt   time.Time `json:"uploaded_at"`
	UploadedBy   string    `json:"uploaded_by"`
	Placeholders []string  `json:"placeholders"`
	Paragraphs   int       `json:"paragraphs"`
}

func templateSummary(t AgreementTemplate) TemplateSummary {
	return TemplateSummary{Lang: t.Lang, SHA256: t.SHA256, Bytes: t.Bytes, UploadedAt: t.UploadedAt, UploadedBy: t.UploadedBy,
		Placeholders: t.Placeholders, Paragraphs: len(t.Paragraphs)}
}

func (s *Server) getTemplate(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	lang, err := templateLang(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	t, ok, err := LoadAgreementTemplate(b.Store, lang)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !ok {
		s.fail(c, errf(datasets.ENotFound, "No hay plantilla oficial en %s; los expedientes usan el borrador de Hermanar.", "There is no official template in %s; dossiers use Hermanar's draft.", lang))
		return
	}
	c.JSON(http.StatusOK, templateSummary(t))
}

func (s *Server) deleteTemplate(c *gin.Context) {
	b := s.ready(c)
	if b == nil {
		return
	}
	if _, err := s.requireRole(c, b, RoleAdmin); err != nil {
		s.fail(c, err)
		return
	}
	lang, err := templateLang(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, ok, err := LoadAgreementTemplate(b.Store, lang); err != nil || !ok {
		if err == nil {
			err = errf(datasets.ENotFound, "No hay plantilla oficial en %s.", "There is no official template in %s.", lang)
		}
		s.fail(c, err)
		return
	}
	if err := b.Store.Delete(BucketTemplates, templateKey(lang)); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
