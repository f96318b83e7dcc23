package api

import (
	"net/http"
	"testing"
)

// A match list carries a strong ETag of its bytes: asking again with it
// in If-None-Match is answered 304 without a body, until a write changes
// the list.
func TestMatchesETag(t *testing.T) {
	e := mustEnv(t)
	const path = "/api/v1/municipalities/" + manuelDoblado + "/matches?k=3"
	first := e.do(t, req{path: path})
	tag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || len(tag) < 3 || tag[0] != '"' || tag[len(tag)-1] != '"' {
		t.Fatalf("first answer: status %d, ETag %q", first.Code, tag)
	}
	if got := first.Header().Get("Content-Length"); got != itoa(first.Body.Len()) {
		t.Errorf("Content-Length %q, body %d bytes", got, first.Body.Len())
	}
	cases := []struct {
		name, inm string
		method    string
		want      int
	}{
		{"the same tag", tag, "", http.StatusNotModified},
		{"the tag marked weak", "W/" + tag, "", http.StatusNotModified},
		{"the tag among others", `"x", ` + tag, "", http.StatusNotModified},
		{"any tag", "*", "", http.StatusNotModified},
		{"HEAD with the same tag", tag, http.MethodHead, http.StatusNotModified},
		{"another tag", `"0123"`, "", http.StatusOK},
		{"no tag", "", "", http.StatusOK},
		{"not an entity tag", "abc", "", http.StatusOK},
		{"csv with the json tag", tag, "csv", http.StatusOK},
	}
	for _, tc := range cases {
		r := req{path: path, method: tc.method}
		if tc.method == "csv" {
			r = req{path: path + "&format=csv"}
		}
		if tc.inm != "" {
			r.header = map[string]string{"If-None-Match": tc.inm}
		}
		w := e.do(t, r)
		if w.Code != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, w.Code, tc.want)
			continue
		}
		if tc.want == http.StatusNotModified {
			if w.Body.Len() != 0 || w.Header().Get("ETag") != tag {
				t.Errorf("%s: 304 with %d body bytes, ETag %q (want %q)", tc.name, w.Body.Len(), w.Header().Get("ETag"), tag)
			}
		} else if tc.method == "" && w.Body.String() != first.Body.String() {
			t.Errorf("%s: a different body for the same list", tc.name)
		}
	}

	// A stored profile changes the list, so the old tag no longer matches.
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	put := e.do(t, req{method: http.MethodPut, path: "/api/v1/municipalities/" + manuelDoblado + "/profile", token: liaison,
		body: `{"lang":"es","problems":[{"text":"escasez de agua"}],"diaspora":[{"place":"Whitewater, Wisconsin","size":900,"source":"SRE"}]}`})
	if put.Code != http.StatusOK {
		t.Fatalf("profile write: %d %s", put.Code, put.Body)
	}
	after := e.do(t, req{path: path, header: map[string]string{"If-None-Match": tag}})
	if after.Code != http.StatusOK || after.Header().Get("ETag") == tag {
		t.Errorf("after a write: status %d, ETag %q (old %q)", after.Code, after.Header().Get("ETag"), tag)
	}
}
