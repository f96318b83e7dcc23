package datasets

import (
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	cases := []struct {
		name, in string
		wantErr  string // "" for success
		rows     int
	}{
		{"ok", "a,b\n1,2\n3,4\n", "", 2},
		{"crlf and bom", "\xef\xbb\xbfa,b\r\n1,2\r\n", "", 1},
		{"quoted comma", "a,b\n\"x, y\",2\n", "", 1},
		{"header only", "a,b\n", "", 0},
		{"empty", "", "line 1: the file is empty", 0},
		{"missing column", "a,c\n1,2\n", "line 1: missing column(s) b", 0},
		{"duplicate column", "a,b,a\n1,2,3\n", "line 1: column \"a\" appears twice", 0},
		{"short row", "a,b\n1,2\n3\n", "line 3: 1 columns, the header has 2", 0},
		{"long row", "a,b\n1,2,3\n", "line 2: 3 columns, the header has 2", 0},
		{"no final newline", "a,b\n1,2\n3,4", "line 3: the last row has no line end", 0},
		{"invalid utf8", "a,b\n1,2\n\xff,4\n", "line 3: invalid UTF-8", 0},
		{"bare quote", "a,b\n1,x\"y\n", "line 2:", 0},
		{"unterminated quote", "a,b\n1,\"2\n", "line 2:", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := readCSV("f.csv", []byte(tc.in), "a", "b")
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("%s: %v", tc.name, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("%s: error %v, want one containing %q", tc.name, err, tc.wantErr)
			case tc.wantErr != "" && ErrorCode(err) != EInvalid:
				t.Errorf("%s: code %s, want %s", tc.name, ErrorCode(err), EInvalid)
			case tc.wantErr != "":
				wantBilingual(t, tc.name, err)
			case err == nil && len(tab.rows) != tc.rows:
				t.Errorf("%s: %d rows, want %d", tc.name, len(tab.rows), tc.rows)
			}
		})
	}
}

func TestRowReader(t *testing.T) {
	tab, err := readCSV("f.csv", []byte("n,f,b,c\n12,1.5,sí,7\nx,NaN,maybe,1234\n"), "n")
	if err != nil {
		t.Fatal(err)
	}
	r := tab.reader(tab.rows[0])
	if r.int("n") != 12 || r.float("f") != 1.5 || !r.bool("b") || r.code("c", 2, true) != "07" || r.err != nil {
		t.Errorf("good row: %v", r.err)
	}
	for _, read := range []func(r *rowReader){
		func(r *rowReader) { r.int("n") },
		func(r *rowReader) { r.float("f") },
		func(r *rowReader) { r.bool("b") },
		func(r *rowReader) { r.code("c", 2, true) },
		func(r *rowReader) { r.req("missing") },
	} {
		r := tab.reader(tab.rows[1])
		read(r)
		if r.err == nil || !strings.Contains(r.err.Error(), "f.csv line 3: ") {
			t.Errorf("bad row read: %v, want an error on line 3", r.err)
		}
		wantBilingual(t, "bad row", r.err)
	}
	r = tab.reader(tab.rows[1])
	r.int("n")
	if got, want := TextOf(r.err).ES, `f.csv línea 3: columna n: "x" no es un entero`; got != want {
		t.Errorf("Spanish message: got %q, want %q", got, want)
	}
}

// wantBilingual holds an import error to DESIGN's rule: raised with its
// Spanish and English messages, both naming the file and the line.
func wantBilingual(t *testing.T, name string, err error) {
	t.Helper()
	m := TextOf(err)
	if !strings.HasPrefix(m.ES, "f.csv línea ") || !strings.HasPrefix(m.EN, "f.csv line ") || m.ES == m.EN {
		t.Errorf("%s: got es %q / en %q, want both languages naming file and line", name, m.ES, m.EN)
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a,b\r\n\"x\"\"y\",2\r\n", "a\n\"\n", "a,b\n1,2", "\xef\xbb\xbfa,b\n,\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := readCSV("f.csv", data, "a")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.csv line ") && !strings.HasPrefix(err.Error(), "f.csv: ") {
				t.Fatalf("error without file and line: %v", err)
			}
			return
		}
		for _, row := range tab.rows {
			if len(row.fields) != len(tab.header) || row.line < 2 {
				t.Fatalf("row %+v does not fit header %v", row, tab.header)
			}
		}
	})
}

func FuzzResolve(f *testing.F) {
	r := mustResolver(f)
	for _, s := range []string{"Whitewater, Wisconsin", "whitewater wi", "Coyoacán (Mexico City)", "Mexico City – Coyoacán", "(", ") (", " - ", ",,,", "a (b (c))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		cs, err := r.Resolve(q, ResolveOptions{Limit: 5})
		if err != nil && ErrorCode(err) != EInvalid {
			t.Fatalf("Resolve(%q): unexpected error %v", q, err)
		}
		if len(cs) > 5 {
			t.Fatalf("Resolve(%q): %d candidates over the limit", q, len(cs))
		}
		if _, err := r.ResolveUnique(q, ResolveOptions{}); err != nil && ErrorCode(err) == EInternal {
			t.Fatalf("ResolveUnique(%q): %v", q, err)
		}
		r.ResolveMunicipality("Guanajuato", q)
	})
}
