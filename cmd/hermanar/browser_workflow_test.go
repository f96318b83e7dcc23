package main

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func (wd *webdriver) attr(el, name string) string {
	s, _ := wd.raw("GET", wd.s("/element/"+el+"/attribute/"+name), nil).(string)
	return s
}

// script runs JavaScript in the page and returns its value.
func (wd *webdriver) script(js string, args ...any) any {
	if args == nil {
		args = []any{}
	}
	return wd.raw("POST", wd.s("/execute/sync"), map[string]any{"script": js, "args": args})
}

// fetchInPage downloads url with the page's own credentials (the sign-in
// cookie), as clicking the link does, and returns the body and its type.
func (wd *webdriver) fetchInPage(t *testing.T, href string) ([]byte, string) {
	t.Helper()
	v := wd.raw("POST", wd.s("/execute/async"), map[string]any{"args": []any{href}, "script": `
const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: "same-origin"}).then(async r => {
  const b = new Uint8Array(await r.arrayBuffer());
  let s = ""; for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192));
  done({status: r.status, type: r.headers.get("Content-Type"), body: btoa(s)});
}).catch(e => done({status: 0, type: String(e), body: ""}));`})
	m, _ := v.(map[string]any)
	body, err := base64.StdEncoding.DecodeString(m["body"].(string))
	if err != nil || m["status"].(float64) != 200 {
		t.Fatalf("download %s: status %v, %v (%v)", href, m["status"], m["type"], err)
	}
	return body, m["type"].(string)
}

func (wd *webdriver) waitText(css, want string) string {
	wd.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		txt := wd.text(wd.find(css))
		if strings.Contains(txt, want) {
			return txt
		}
		if time.Now().After(deadline) {
			wd.screenshot("/tmp/hermanar-browser-failure.png")
			wd.t.Fatalf("%s reads %q, want %q", css, txt, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// workflowBrowserTest: a liaison of 11008 keeps Whitewater and a second
// city, notes why and picks areas, compares them, downloads the dossier
// as DOCX and PDF, opens the process, is refused a step out of order,
// records the signing on 2026-01-15 and reads the deadlines it sets.
// Each step leaves a screenshot in /tmp/hermanar-wf-*.png.
func workflowBrowserTest(t *testing.T, base, liaison string) {
	wd := startWebdriver(t)
	shot := func(n int, name string) {
		wd.screenshot(filepath.Join(os.TempDir(), "hermanar-wf-"+string(rune('0'+n/10))+string(rune('0'+n%10))+"-"+name+".png"))
	}

	// The pages follow the browser's language; this liaison reads Spanish
	// (?lang=es sets the language cookie).
	wd.open(base + "/acceso?lang=es&next=" + url.QueryEscape("/municipios/11008/coincidencias?k=10"))
	wd.typeText(wd.find("input[name=token]"), liaison)
	wd.click(wd.find("form.signin button[type=submit]"))
	wd.waitURL("/municipios/11008/coincidencias")
	shot(1, "signed-in-matches")
	// On paper, ten explained matches (and their map) take two A4 pages.
	if n, text := wd.printPages(t); n > 3 || strings.Contains(text, "Guardar en la selección") || strings.Contains(text, "Aplicar") {
		t.Errorf("the matches page prints on %d pages (want at most 3), buttons or filters included:\n%.500s", n, text)
	} else {
		t.Logf("ten matches print on %d A4 pages", n)
	}

	// 1. Keep Whitewater and the second match.
	wd.click(wd.find(`li.match[data-place="5278931"] .keep-btn`))
	wd.waitText(`li.match[data-place="5278931"] .keep`, "selección")
	second := wd.find("ol.matches > li.match:nth-child(2)")
	secondID, secondName := wd.attr(second, "data-place"), wd.text(wd.find("ol.matches > li.match:nth-child(2) .place-name"))
	if secondID == "" || secondID == "5278931" {
		t.Fatalf("second match id %q", secondID)
	}
	wd.click(wd.find("ol.matches > li.match:nth-child(2) .keep-btn"))
	wd.waitText(`li.match[data-place="`+secondID+`"] .keep`, "selección")
	shot(2, "kept")

	// 2. The shortlist: a note and the areas for Whitewater.
	wd.open(base + "/municipios/11008/seleccion")
	card := `li.sl-card[data-place="5278931"]`
	wd.typeText(wd.find(card+" textarea[name=note]"), "La mayoría de los mexicanos de Whitewater vienen de San José de Otates")
	for _, a := range []string{"b", "c", "e"} {
		wd.click(wd.find(card + ` input[name=areas][value="` + a + `"]`))
	}
	wd.click(wd.find(card + " .save-entry"))
	wd.waitText("#flash", "guardada")
	shot(3, "shortlist")

	// 3. Compare both.
	wd.click(wd.find(`input[name=places][value="5278931"]`))
	wd.click(wd.find(`input[name=places][value="` + secondID + `"]`))
	wd.click(wd.find("#compare"))
	wd.waitURL("/municipios/11008/comparar")
	cmp := wd.waitText("#comparison", "Whitewater")
	for _, want := range []string{secondName, "Migrantes del municipio", "San José de Otates", "14,692"} {
		if !strings.Contains(cmp, want) {
			t.Errorf("the comparison lacks %q:\n%s", want, cmp)
		}
	}
	shot(4, "compare")

	// 4. The dossier, as the download links give it.
	wd.open(base + "/municipios/11008/seleccion")
	docxHref := wd.attr(wd.find(card+" a.dl-docx"), "href")
	pdfHref := wd.attr(wd.find(card+" a.dl-pdf"), "href")
	shot(5, "dossier-links")
	docx, ctype := wd.fetchInPage(t, docxHref)
	if !strings.Contains(ctype, "wordprocessingml") {
		t.Errorf("DOCX content type %q", ctype)
	}
	doc := docxDocumentXML(t, docx)
	for _, want := range []string{"Whitewater", "Manuel Doblado", secondName, "b) Cultura", "c) Turismo", "e) Educación"} {
		if !strings.Contains(doc, want) {
			t.Errorf("word/document.xml lacks %q", want)
		}
	}
	pdf, ctype := wd.fetchInPage(t, pdfHref)
	if ctype != "application/pdf" {
		t.Errorf("PDF content type %q", ctype)
	}
	text := pdftotext(t, pdf)
	for _, want := range []string{"Whitewater", "Manuel Doblado", "Carta de intención", "Justificación", "e) Educación", "San José de Otates"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}

	// 5. Open the process.
	wd.click(wd.find(card + " .open-process"))
	wd.waitURL("/municipios/11008/procesos/5278931")
	shot(6, "process-opened")

	// A step out of order is refused next to its field, and nothing changes.
	wd.click(wd.find(`#kind option[value="registered"]`))
	wd.script(`document.getElementById("date").value = arguments[0]`, "2026-01-10")
	wd.click(wd.find("#record"))
	if msg := wd.text(wd.find("#err-kind")); !strings.Contains(msg, "Acuerdo firmado") {
		t.Errorf("the refused step says %q", msg)
	}
	if got := wd.script(`return document.querySelectorAll("#events tr").length`); got != float64(0) {
		t.Errorf("after a refused step the events table has %v rows", got)
	}
	shot(7, "refused-out-of-order")

	// 6. Signed on 2026-01-15.
	wd.click(wd.find(`#kind option[value="signed"]`))
	wd.script(`document.getElementById("date").value = arguments[0]`, "2026-01-15")
	wd.click(wd.find("#record"))
	wd.waitText("#flash", "registrado")
	if got := wd.text(wd.find(`tr[data-kind="first_aap"] .due`)); got != "2026-03-16" {
		t.Errorf("first AAP due %q, want 2026-03-16", got)
	}
	if got := wd.text(wd.find(`tr[data-kind="expiry-1"] .due`)); got != "2031-01-15" {
		t.Errorf("expiry %q, want 2031-01-15", got)
	}
	if st := wd.text(wd.find("#stage")); st != "Implementación" {
		t.Errorf("stage %q", st)
	}
	shot(8, "signed-deadlines")
	if n, text := wd.printPages(t); strings.Contains(text, "Registrar un paso") || !strings.Contains(text, "2031-01-15") {
		t.Errorf("the process page on paper (%d pages) shows its form or lacks the deadlines:\n%.800s", n, text)
	}
	t.Logf("workflow screenshots: %s", filepath.Join(os.TempDir(), "hermanar-wf-*.png"))
}

// printPages prints the current page as Chromium does for paper (A4, the
// print stylesheet applied) and returns its page count and text.
func (wd *webdriver) printPages(t *testing.T) (int, string) {
	t.Helper()
	b64, _ := wd.raw("POST", wd.s("/print"), map[string]any{"page": map[string]any{"width": 21.0, "height": 29.7}, "background": false}).(string)
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(pdf) == 0 {
		t.Fatalf("print: %v", err)
	}
	text := pdftotext(t, pdf)
	return strings.Count(text, "\f"), text
}

func docxDocumentXML(t *testing.T, raw []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("the DOCX does not unzip: %v", err)
	}
	for _, f := range zr.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		dec := xml.NewDecoder(bytes.NewReader(b))
		var text strings.Builder
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				return text.String()
			}
			if err != nil {
				t.Fatalf("word/document.xml is not well-formed: %v", err)
			}
			if cd, ok := tok.(xml.CharData); ok {
				text.Write(cd)
			}
		}
	}
	t.Fatal("the DOCX has no word/document.xml")
	return ""
}

func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("HERMANAR_REQUIRE_BROWSER") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext not installed (Debian: poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "dossier.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
