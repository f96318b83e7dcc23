package api

import "testing"

func TestAuthorLabel(t *testing.T) {
	cases := []struct{ by, lang, want string }{
		{"liaison 11008 #a1b2", "es", "enlace de 11008"},
		{"liaison 11008 #a1b2", "en", "liaison of 11008"},
		{"consulate milwaukee #c3", "es", "consulado milwaukee"},
		{"analyst #d4", "es", "analista"},
		{"admin #e5", "en", "administrator"},
		{"cli maria", "es", "línea de comandos (maria)"},
		{"fuzz", "es", "fuzz"},
	}
	for _, tc := range cases {
		if got := authorLabel(tc.by, tc.lang); got != tc.want {
			t.Errorf("%s (%s): got %q, want %q", tc.by, tc.lang, got, tc.want)
		}
	}
}
