package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDossierCommand: `hermanar dossier` writes dossier.docx and
// dossier.pdf from the shortlist kept with `hermanar shortlist add`.
func TestDossierCommand(t *testing.T) {
	data, out := t.TempDir(), t.TempDir()
	if _, stderr, err := runCLI(t, "shortlist", "add", "--municipality", "11008", "--place", "5278931", "--areas", "b,g", "--note", "Otates", "--data", data); err != nil {
		t.Fatalf("shortlist add: %v %s", err, stderr)
	}
	if _, _, err := runCLI(t, "shortlist", "add", "--municipality", "11008", "--place", "5278931", "--areas", "z", "--data", data); err == nil || !strings.Contains(err.Error(), "--areas") {
		t.Errorf("a bad area: %v", err)
	}
	stdout, stderr, err := runCLI(t, "dossier", "--municipality", "11008", "--place", "5278931", "--lang", "es", "--out", out, "--data", data)
	if err != nil {
		t.Fatalf("dossier: %v %s", err, stderr)
	}
	for _, name := range []string{"dossier.docx", "dossier.pdf"} {
		if !strings.Contains(stdout, filepath.Join(out, name)) {
			t.Errorf("stdout does not name %s: %q", name, stdout)
		}
	}
	docx, err := os.ReadFile(filepath.Join(out, "dossier.docx"))
	if err != nil {
		t.Fatal(err)
	}
	doc := docxDocumentXML(t, docx)
	for _, want := range []string{"Whitewater", "Manuel Doblado", "b) Cultura", "g) Medio ambiente", "Otates"} {
		if !strings.Contains(doc, want) {
			t.Errorf("dossier.docx lacks %q", want)
		}
	}
	pdf, err := os.ReadFile(filepath.Join(out, "dossier.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	text := pdftotext(t, pdf)
	for _, want := range []string{"Whitewater", "Manuel Doblado", "Carta de intención", "g) Medio ambiente"} {
		if !strings.Contains(text, want) {
			t.Errorf("dossier.pdf's text lacks %q", want)
		}
	}
	for _, args := range [][]string{
		{"dossier", "--municipality", "11008", "--out", out},
		{"dossier", "--municipality", "1", "--place", "5278931", "--out", out},
		{"dossier", "--municipality", "11008", "--place", "5278931"},
	} {
		if _, _, err := runCLI(t, append(args, "--data", data)...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
	if _, _, err := runCLI(t, "dossier", "--municipality", "11008", "--place", "4024473", "--out", out, "--data", data); err == nil || !strings.Contains(err.Error(), "not a foreign candidate") {
		t.Errorf("a Mexican place: %v", err)
	}
}

func TestProcessCommand(t *testing.T) {
	data := t.TempDir()
	base := []string{"--municipality", "11008", "--place", "5278931", "--data", data}
	if _, stderr, err := runCLI(t, append([]string{"process", "open"}, base...)...); err != nil {
		t.Fatalf("open: %v %s", err, stderr)
	}
	// The refusal names the flag and speaks the command's --lang (Spanish
	// by default), in the words the domain raised it with.
	for _, tc := range []struct{ lang, want string }{
		{"es", `--date: "2026-02-30" no es una fecha válida`},
		{"en", `--date: "2026-02-30" is not a valid date`},
	} {
		args := append([]string{"process", "event", "--kind", "signed", "--date", "2026-02-30", "--lang", tc.lang}, base...)
		if _, _, err := runCLI(t, args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("an invalid date, --lang %s: got %v, want %q", tc.lang, err, tc.want)
		}
	}
	stdout, stderr, err := runCLI(t, append([]string{"process", "event", "--kind", "signed", "--date", "2026-01-15", "--lang", "en"}, base...)...)
	if err != nil {
		t.Fatalf("signed: %v %s", err, stderr)
	}
	for _, want := range []string{"2026-03-16  First Annual Action Programme", "2031-01-15  Agreement expires"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("process event output lacks %q:\n%s", want, stdout)
		}
	}
	ics := filepath.Join(t.TempDir(), "d.ics")
	if _, stderr, err := runCLI(t, "process", "ics", "--municipality", "11008", "--out", ics, "--data", data); err != nil {
		t.Fatalf("ics: %v %s", err, stderr)
	}
	raw, _ := os.ReadFile(ics)
	if n := strings.Count(string(raw), "BEGIN:VEVENT"); n != 7 || !strings.Contains(string(raw), "DTSTART;VALUE=DATE:20310115") {
		t.Errorf("%d events in the calendar:\n%s", n, raw)
	}
}
