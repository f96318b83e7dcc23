package api

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// docxText unzips a DOCX, checks that word/document.xml is well-formed
// XML and returns its text.
func docxText(t *testing.T, raw []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("the DOCX does not unzip: %v", err)
	}
	names := map[string]bool{}
	var doc []byte
	for _, f := range zr.File {
		names[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
		}
		if f.Name == "word/document.xml" {
			doc = b
		}
	}
	for _, n := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml"} {
		if !names[n] {
			t.Errorf("the DOCX lacks %s", n)
		}
	}
	var sb strings.Builder
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if cd, ok := tok.(xml.CharData); ok {
			sb.Write(cd)
		}
		if el, ok := tok.(xml.EndElement); ok && el.Name.Local == "p" {
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

// pdfText extracts a PDF's text with poppler's pdftotext.
func pdfText(t *testing.T, raw []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("HERMANAR_REQUIRE_BROWSER") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext not installed (Debian: poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "d.pdf")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func mustDossier(t *testing.T, e *testEnv, token, query string) *httptest.ResponseRecorder {
	t.Helper()
	w := e.do(t, req{path: "/api/v1/municipalities/11008/dossier/5278931?" + query, token: token})
	if w.Code != 200 {
		t.Fatalf("dossier %s: %d %s", query, w.Code, w.Body)
	}
	return w
}

func TestDossierDocxAndPDF(t *testing.T) {
	e := mustEnv(t)
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	other := e.token(t, RoleLiaison, "11009", "")
	sl := "/api/v1/municipalities/11008/shortlist"
	for _, body := range []string{`{"place_id":5278931,"note":"La mayoría de los mexicanos de Whitewater vienen de San José de Otates","areas":["b","c","e"]}`,
		`{"place_id":5261457,"note":"Universidad de Wisconsin"}`} {
		if w := e.do(t, req{method: "POST", path: sl, body: body, token: liaison}); w.Code != 201 {
			t.Fatalf("shortlist: %d %s", w.Code, w.Body)
		}
	}
	w := mustDossier(t, e, liaison, "format=docx&lang=es")
	if ct := w.Header().Get("Content-Type"); ct != mediaDOCX || !strings.Contains(w.Header().Get("Content-Disposition"), ".docx") {
		t.Errorf("docx headers: %q %q", ct, w.Header().Get("Content-Disposition"))
	}
	text := docxText(t, w.Body.Bytes())
	for _, want := range []string{"Whitewater", "Manuel Doblado", "Madison", "Carta de intención", "Anexo: perfil municipal",
		"Justificación de la elección", "Alternativas consideradas", "San José de Otates", "Fuente: Oficio DEP-0121/22 de la SRE (DGCP)",
		"b) Cultura", "c) Turismo", "e) Educación", "Artículo I. Objeto", "Artículo XIV. Disposiciones finales",
		"sesenta (60) días", "cinco (5) años", "español e inglés"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Spanish DOCX lacks %q", want)
		}
	}
	if strings.Contains(text, "a) Negocios") {
		t.Errorf("an area the liaison did not choose is in the draft")
	}
	pdf := pdfText(t, mustDossier(t, e, liaison, "format=pdf&lang=es").Body.Bytes())
	for _, want := range []string{"Whitewater", "Manuel Doblado", "Carta de intención", "Justificación", "e) Educación", "Artículo XIV", "Página 1 de"} {
		if !strings.Contains(pdf, want) {
			t.Errorf("the Spanish PDF's text lacks %q", want)
		}
	}
	en := docxText(t, mustDossier(t, e, liaison, "format=docx&lang=en").Body.Bytes())
	for _, want := range []string{"Letter of Intent", "Justification of the choice", "e) Education", "Article XIV. Final provisions", "Spanish and English"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English DOCX lacks %q", want)
		}
	}
	for _, es := range []string{"Carta de intención", "Artículo", "Fuente:", "habitantes"} {
		if strings.Contains(en, es) {
			t.Errorf("the English DOCX carries Spanish %q", es)
		}
	}
	if w := e.do(t, req{path: "/api/v1/municipalities/11008/dossier/5278931?format=pdf", token: other}); w.Code != 403 {
		t.Errorf("another municipality's liaison: %d", w.Code)
	}
	if w := e.do(t, req{path: "/api/v1/municipalities/11008/dossier/4024473?format=pdf", token: liaison}); w.Code != 400 {
		t.Errorf("a Mexican place: %d", w.Code)
	}
}

// makeDOCX builds a minimal DOCX whose paragraphs are given as runs, so a
// placeholder can be split across runs the way Word does it.
func makeDOCX(t *testing.T, paras ...[]string) []byte {
	t.Helper()
	var body strings.Builder
	for _, runs := range paras {
		body.WriteString(`<w:p>`)
		for _, r := range runs {
			body.WriteString(`<w:r><w:t xml:space="preserve">` + r + `</w:t></w:r>`)
		}
		body.WriteString(`</w:p>`)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("word/document.xml")
	io.WriteString(f, `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`+body.String()+`</w:body></w:document>`)
	f, _ = zw.Create("[Content_Types].xml")
	io.WriteString(f, `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	zw.Close()
	return buf.Bytes()
}

func TestOfficialTemplateReplacesDraft(t *testing.T) {
	e := mustEnv(t)
	admin := e.token(t, RoleAdmin, "", "")
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	put := func(token string, body []byte) (int, ErrorBody) {
		hr := httptest.NewRequest("PUT", "/api/v1/dossier/templates/es?lang=en", bytes.NewReader(body))
		hr.Header.Set("Content-Type", mediaDOCX)
		hr.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, hr)
		var eb ErrorBody
		if w.Code != 200 {
			eb = mustJSON[ErrorBody](t, w)
		}
		return w.Code, eb
	}
	good := makeDOCX(t, []string{"CONVENIO OFICIAL ENTRE {{mexican_city}} Y {{foreign_", "city}}"},
		[]string{"Áreas: {{areas}}. Firmado en {{languages}}."})
	truncated := good[:len(good)/2]
	for _, tc := range []struct {
		name string
		body []byte
		want string // in the template field's message
	}{
		{"empty", nil, "empty"},
		{"not a zip", []byte("hello"), "valid DOCX"},
		{"truncated", truncated, "valid DOCX"},
		{"bad xml", makeDOCX(t, []string{"<unclosed"}), "well-formed"},
		{"unknown placeholder", makeDOCX(t, []string{"{{mayor_name}}"}), "{{mayor_name}}"},
		{"no placeholder", makeDOCX(t, []string{"plain text"}), "no placeholders"},
	} {
		code, eb := put(admin, tc.body)
		if code != 400 || !strings.Contains(eb.Error.Fields["template"], tc.want) {
			t.Errorf("%s: got %d %v, want 400 with %q", tc.name, code, eb.Error.Fields, tc.want)
		}
	}
	if w := e.do(t, req{path: "/api/v1/dossier/templates/es"}); w.Code != 404 {
		t.Errorf("no template yet: %d", w.Code)
	}
	if code, _ := put(liaison, good); code != 403 {
		t.Errorf("liaison upload: %d", code)
	}
	if code, eb := put(admin, good); code != 200 {
		t.Fatalf("admin upload: %d %v", code, eb)
	}
	if w := e.do(t, req{method: "POST", path: "/api/v1/municipalities/11008/shortlist", body: `{"place_id":5278931,"areas":["b","g"]}`, token: liaison}); w.Code != 201 {
		t.Fatal(w.Code)
	}
	text := docxText(t, mustDossier(t, e, liaison, "format=docx&lang=es").Body.Bytes())
	for _, want := range []string{"CONVENIO OFICIAL ENTRE Manuel Doblado Y Whitewater", "Áreas: Cultura y Medio ambiente. Firmado en español e inglés.", "plantilla oficial"} {
		if !strings.Contains(text, want) {
			t.Errorf("the dossier with the official template lacks %q", want)
		}
	}
	if strings.Contains(text, "Artículo XIV") {
		t.Errorf("the built-in draft is still there")
	}
	if en := docxText(t, mustDossier(t, e, liaison, "format=docx&lang=en").Body.Bytes()); !strings.Contains(en, "Article XIV") {
		t.Errorf("the English dossier should keep the built-in draft (the template is Spanish)")
	}
	if w := e.do(t, req{method: "DELETE", path: "/api/v1/dossier/templates/es", token: admin}); w.Code != 204 {
		t.Errorf("delete: %d", w.Code)
	}
	if text := docxText(t, mustDossier(t, e, liaison, "format=docx&lang=es").Body.Bytes()); !strings.Contains(text, "Artículo XIV") {
		t.Errorf("after removing the template the built-in draft should be back")
	}
}
