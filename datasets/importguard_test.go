package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestHeaderOnlyImportRefused: for every kind, a file with the right
// header and no rows is an error that leaves the table as it was, unless
// AllowEmpty says emptying it is meant.
func TestHeaderOnlyImportRefused(t *testing.T) {
	snap, err := DefaultSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range ImportOrder {
		imp := Importers[kind]
		t.Run(kind, func(t *testing.T) {
			st := mustStore(t, t.TempDir())
			cols := imp.Columns
			want := "--allow-empty"
			if imp.parseFile != nil { // reads its own formats and says so in its own words
				cols, want = []string{"name", "country", "source"}, "line 2:"
			}
			f := writeFile(t, kind+".csv", strings.Join(cols, ",")+"\n")
			_, err := Import(st, snap, kind, f)
			if err == nil || ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), want) {
				t.Fatalf("header-only %s: got %v, want an invalid_argument error mentioning %s", kind, err, want)
			}
			if _, found, _ := st.Table(imp.Table); found {
				t.Errorf("a refused import created table %s", imp.Table)
			}
			if imp.parseFile != nil {
				return // its own format decides whether an empty file means anything
			}
			res, err := ImportWith(st, snap, kind, f, ImportOptions{AllowEmpty: true})
			if err != nil || res.Rows != 0 {
				t.Errorf("with AllowEmpty: %v, %+v", err, res)
			}
		})
	}
}

// TestImportFileErrors: bad files are reported at the line where the bad
// record starts, briefly, and without reading them whole.
func TestImportFileErrors(t *testing.T) {
	snap, err := DefaultSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	header := strings.Join(tieColumns, ",") + "\n"
	row := `11008,,5278931,,10,false,2022,"SRE, DGCP",ok` + "\n"
	var rows strings.Builder
	for i := 0; i < 40; i++ {
		rows.WriteString(row)
	}
	cases := []struct {
		name, content string
		wantLine      string
		wantText      string
	}{
		{"unbalanced quote on line 4", header + row + row + `11008,,5278931,,10,false,2022,"SRE sin cerrar,ok` + "\n" + rows.String(), "line 4:", "unbalanced quote"},
		{"bare quote", header + row + `11008,,5278931,,10,false,2022,SR"E,ok` + "\n", "line 3:", "quote"},
		{"wrong field count", header + row + row + "11008,1\n", "line 4:", "columns"},
		{"huge header", strings.Repeat("col,", (MaxImportLine/4)+10) + "x\n" + row, "line 1:", "longer than"},
		{"too many columns", strings.Repeat("c,", MaxImportColumns+5) + "x\n", "line 1:", "columns"},
		{"missing columns, long header", strings.Repeat("otra_columna_con_nombre_largo,", 200) + "x\n" + "1\n", "line 1:", "missing column"},
		{"invalid UTF-8", header + row + "11008,,5278931,,10,false,2022,M\xe9xico,ok\n", "line 3:", "UTF-8"},
		{"NUL byte", header + row + "11008,\x00\n", "line 3:", "NUL"},
		{"truncated last row", header + row + "11008,,52789", "line 3:", "truncated"},
		{"empty", "", "line 1:", "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := mustStore(t, t.TempDir())
			f := writeFile(t, "ties.csv", tc.content)
			_, err := Import(st, snap, KindTies, f)
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantLine) || !strings.Contains(msg, tc.wantText) {
				t.Errorf("got %q, want %q and %q", msg, tc.wantLine, tc.wantText)
			}
			if len(msg) > 600 {
				t.Errorf("message of %d bytes; cut it to a readable length", len(msg))
			}
		})
	}
}
