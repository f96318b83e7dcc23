package datasets

import (
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"accents", "San José de Otates", "san jose de otates"},
		{"hyphen", "Saint-Louis", "saint louis"},
		{"apostrophe and dot", "St. John's", "st john s"},
		{"spaces collapse", "  Ciudad   de\tMéxico ", "ciudad de mexico"},
		{"tilde n", "Peñasco", "penasco"},
		{"dieresis", "Itagüí", "itagui"},
		{"dotless i", "Bağcılar", "bagcilar"},
		{"polish l", "Łódź", "lodz"},
		{"eszett", "Straße", "strasse"},
		{"danish", "Ærø", "aero"},
		{"dotted capital I", "İzmir", "izmir"},
		{"full width", "ＭＥＸＩＣＯ", "mexico"},
		{"en dash", "Mexico City – Coyoacán", "mexico city coyoacan"},
		{"parentheses", "Coyoacán (Mexico City)", "coyoacan mexico city"},
		{"digits kept", "Colonia 20 de Noviembre", "colonia 20 de noviembre"},
		{"non latin kept", "Милуоки", "милуоки"},
		{"empty", "", ""},
		{"only punctuation", " - . , ", ""},
		{"invalid utf8", "Le\xffón", "le on"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Fold(tc.in); got != tc.want {
				t.Errorf("%s: Fold(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
			}
		})
	}
}

func TestLatinScript(t *testing.T) {
	cases := []struct {
		name, in string
		want     bool
	}{
		{"ascii", "Milwaukee", true},
		{"spanish accents", "San José de Otates", true},
		{"polish", "Łódź", true},
		{"vietnamese", "Hà Nội", true},
		{"okina", "Hawaiʻi", true},
		{"decomposed accent", "Jose\u0301", true},
		{"digits and punctuation", "Colonia 20 de Noviembre (Centro) – Sur", true},
		{"empty", "", true},
		{"cyrillic", "Милуоки", false},
		{"greek", "Αθήνα", false},
		{"han", "東京", false},
		{"arabic", "القاهرة", false},
		{"mixed", "Mexico Мексика", false},
	}
	for _, tc := range cases {
		if got := LatinScript(tc.in); got != tc.want {
			t.Errorf("%s: LatinScript(%q) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"San José de Otates", "Saint-Louis", "ℌello", "İ", "ß", "ǅ", "\xff\xfe", "ﬁ", "Ⅻ", "㎞", "ᾈ", "ŀ0", "a½b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Fold(s)
		if !utf8.ValidString(once) {
			t.Fatalf("Fold(%q) = %q is not valid UTF-8", s, once)
		}
		if slow := foldSlow(s); foldOnce(s) != slow {
			t.Fatalf("table fold of %q = %q, full normalization gives %q", s, foldOnce(s), slow)
		}
		if twice := Fold(once); twice != once {
			t.Fatalf("Fold not idempotent on %q: %q then %q", s, once, twice)
		}
		if len(once) > 0 && (once[0] == ' ' || once[len(once)-1] == ' ') {
			t.Fatalf("Fold(%q) = %q has outer spaces", s, once)
		}
	})
}

func BenchmarkFold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Fold("San José de Otates")
		Fold("Whitewater, Wisconsin")
	}
}
