package api

import (
	"strings"
	"testing"
)

// TestErrorsSpeakTheRequestLanguage sends bad requests whose errors are
// raised in datasets, matcher and api, once in Spanish and once in English,
// and checks that each answer speaks one language: the message and every
// field message differ between the two (an error raised in one language
// only would show the same English text on both), and the Spanish ones
// carry no English marker words.
func TestErrorsSpeakTheRequestLanguage(t *testing.T) {
	e := mustEnv(t)
	analyst := e.token(t, RoleAnalyst, "", "")
	liaison := e.token(t, RoleLiaison, "11008", "")
	badProfile := `{"lang":"fr","narrative":"\u0000","problems":[{"text":"","tags":["no-such-category"]}],` +
		`"areas":{"z":1,"a":2},"diaspora":[{"place":"","size":-1,"place_id":-3}],` +
		`"constraints":{"countries":["usa"],"min_population":-1,"max_population":-2}}`
	cases := []struct {
		name   string
		r      req
		fields []string // fields that must carry a message
	}{
		{"profile validation (datasets)", req{method: "PUT", path: "/api/v1/municipalities/11008/profile", body: badProfile, token: liaison},
			[]string{"lang", "narrative", "problems[0].tags[0]", "areas.z", "areas.a", "diaspora[0].size",
				"diaspora[0].place_id", "constraints.countries[0]", "constraints.min_population", "constraints.max_population"}},
		{"unknown municipality (matcher)", req{path: "/api/v1/municipalities/32999/matches"}, nil},
		{"rank with a bad state (matcher)", req{method: "POST", path: "/api/v1/rank", body: `{"state":"99","k":3}`, token: analyst}, []string{"state"}},
		{"rank with state and municipalities (matcher)", req{method: "POST", path: "/api/v1/rank", body: `{"state":"11","municipalities":["11008"],"k":3}`, token: analyst}, []string{"state"}},
		{"unknown consulate (matcher)", req{path: "/api/v1/consulates/atlantis/opportunities"}, nil},
		{"query parameters (api)", req{path: "/api/v1/municipalities/11008/matches?k=0&country=USA"}, []string{"k", "country"}},
	}
	englishWords := []string{" must ", " is not ", " unknown ", " matches no ", " the ", " has more than "}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			answers := map[string]ErrorDetail{}
			for _, lang := range []string{"es", "en"} {
				r := tc.r
				sep := "?"
				if strings.Contains(r.path, "?") {
					sep = "&"
				}
				r.path += sep + "lang=" + lang
				w := e.do(t, r)
				if w.Code < 400 || w.Code >= 500 {
					t.Fatalf("%s (%s): got %d, want a 4xx\n%s", tc.name, lang, w.Code, w.Body)
				}
				answers[lang] = mustJSON[ErrorBody](t, w).Error
			}
			es, en := answers["es"], answers["en"]
			if es.Message == "" || es.Message == en.Message {
				t.Errorf("%s: message es %q, en %q; want two different texts", tc.name, es.Message, en.Message)
			}
			for _, f := range tc.fields {
				if es.Fields[f] == "" || en.Fields[f] == "" {
					t.Errorf("%s: field %s: es %q, en %q; want a message in both", tc.name, f, es.Fields[f], en.Fields[f])
				}
			}
			for f, m := range es.Fields {
				if m == en.Fields[f] {
					t.Errorf("%s: field %s says %q in both languages", tc.name, f, m)
				}
				for _, w := range englishWords {
					if strings.Contains(" "+m+" ", w) {
						t.Errorf("%s: Spanish message for %s contains English %q: %q", tc.name, f, w, m)
					}
				}
			}
		})
	}
}
