package api

import (
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

// cp1252Extra are the characters of Windows-1252 outside Latin-1.
const cp1252Extra = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

// pdfSafe keeps what the PDF core fonts can show (Windows-1252, which
// holds every Spanish letter: á é í ó ú ü ñ ¿ ¡) and writes the rest as
// the nearest Latin letter or a plain sign.
func pdfSafe(s string) string {
	repl := map[rune]string{'≈': "~", '→': "->", '←': "<-", '≤': "<=", '≥': ">=", '−': "-", '⇄': "<->", '\u00a0': " "}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80 || (r >= 0xA0 && r <= 0xFF) || strings.ContainsRune(cp1252Extra, r):
			b.WriteRune(r)
		case repl[r] != "":
			b.WriteString(repl[r])
		default:
			base := ""
			for _, d := range norm.NFD.String(string(r)) {
				if d < 0x80 || (d >= 0xA0 && d <= 0xFF) {
					base += string(d)
				} else if !unicode.Is(unicode.Mn, d) {
					base = ""
					break
				}
			}
			if base == "" {
				base = "?"
			}
			b.WriteString(base)
		}
	}
	return b.String()
}

// WritePDF writes the dossier as a PDF with the core Helvetica font in
// Windows-1252, so accents and ñ come out as text (searchable, copyable).
func WritePDF(w io.Writer, d *Dossier, now time.Time) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(now)
	pdf.SetModificationDate(now)
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AliasNbPages("{nb}")
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	text := func(s string) string { return tr(pdfSafe(s)) }
	pdf.SetTitle(d.Title, true)
	pdf.SetAuthor("Hermanar", true)
	pdf.SetCreator("Hermanar", true)
	page := "Página"
	of := "de"
	if d.Lang == "en" {
		page, of = "Page", "of"
	}
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(0, 5, text(page+" "+strconv.Itoa(pdf.PageNo())+" "+of+" {nb} · "+d.Title), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	for i, bl := range d.Blocks {
		pdf.SetTextColor(29, 36, 51)
		switch bl.Kind {
		case blockBreak:
			if i > 0 {
				pdf.AddPage()
			}
		case blockTitle:
			pdf.SetFont("Helvetica", "B", 17)
			pdf.SetTextColor(11, 110, 79)
			pdf.MultiCell(0, 8, text(bl.Text), "", "L", false)
			pdf.Ln(2)
		case blockSubtitle:
			pdf.SetFont("Helvetica", "I", 10)
			pdf.SetTextColor(93, 102, 120)
			pdf.MultiCell(0, 5, text(bl.Text), "", "L", false)
			pdf.Ln(2)
		case blockH1:
			pdf.SetFont("Helvetica", "B", 14)
			pdf.SetTextColor(11, 110, 79)
			pdf.MultiCell(0, 7, text(bl.Text), "", "L", false)
			pdf.Ln(1)
		case blockH2:
			pdf.Ln(1)
			pdf.SetFont("Helvetica", "B", 11)
			pdf.MultiCell(0, 5.5, text(bl.Text), "", "L", false)
		case blockBullet:
			pdf.SetFont("Helvetica", "", 10)
			x := pdf.GetX()
			pdf.CellFormat(5, 5, text("•"), "", 0, "L", false, 0, "")
			pdf.MultiCell(0, 5, text(bl.Text), "", "L", false)
			pdf.SetX(x)
		default:
			pdf.SetFont("Helvetica", "", 10)
			pdf.MultiCell(0, 5, text(bl.Text), "", "L", false)
			pdf.Ln(1.5)
		}
	}
	return pdf.Output(w)
}
