package api

import (
	"strings"
	"testing"
)

const madison = 5261457

// workflowCases are the requests of TestResponsesMatchOpenAPI for the
// endpoints from shortlist to signed agreement, in an order that builds
// on itself (add, read, compare, remove).
func workflowCases(t *testing.T, e *testEnv) []struct {
	name string
	r    req
	want int
} {
	liaison := e.token(t, RoleLiaison, manuelDoblado, "")
	other := e.token(t, RoleLiaison, "11009", "")
	analyst := e.token(t, RoleAnalyst, "", "")
	consul := e.token(t, RoleConsulate, "", "milwaukee")
	sl := "/api/v1/municipalities/11008/shortlist"
	return []struct {
		name string
		r    req
		want int
	}{
		{"shortlist add", req{method: "POST", path: sl, body: `{"place_id":5278931,"note":"Migrantes de San José de Otates","areas":["b","c","e"]}`, token: liaison}, 201},
		{"shortlist add second", req{method: "POST", path: sl, body: `{"place_id":5261457,"note":"Universidad"}`, token: liaison}, 201},
		{"shortlist re-annotate", req{method: "POST", path: sl, body: `{"place_id":5261457,"note":"Universidad estatal","areas":["e","f"]}`, token: liaison}, 200},
		{"shortlist add no token", req{method: "POST", path: sl, body: `{"place_id":5278931}`}, 401},
		{"shortlist add other liaison", req{method: "POST", path: sl, body: `{"place_id":5278931}`, token: other}, 403},
		{"shortlist add analyst", req{method: "POST", path: sl, body: `{"place_id":5278931}`, token: analyst}, 403},
		{"shortlist add mexican place", req{method: "POST", path: sl, body: `{"place_id":4024473}`, token: liaison}, 400},
		{"shortlist add bad area", req{method: "POST", path: sl, body: `{"place_id":5278931,"areas":["z"]}`, token: liaison}, 400},
		{"shortlist add empty body", req{method: "POST", path: sl, body: ``, token: liaison, header: map[string]string{"Content-Type": "application/json"}}, 400},
		{"shortlist add unknown municipality", req{method: "POST", path: "/api/v1/municipalities/32999/shortlist", body: `{"place_id":5278931}`, token: liaison}, 404},
		{"shortlist add too large", req{method: "POST", path: sl, body: `{"note":"` + strings.Repeat("x", 300<<10) + `"}`, token: liaison}, 413},
		{"shortlist add not json", req{method: "POST", path: sl, body: "place_id=1", token: liaison, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415},
		{"shortlist read", req{path: sl + "?lang=en", token: liaison}, 200},
		{"shortlist read analyst", req{path: sl, token: analyst}, 200},
		{"shortlist read consulate", req{path: sl, token: consul}, 200},
		{"shortlist read no token", req{path: sl}, 401},
		{"shortlist read other liaison", req{path: sl, token: other}, 403},
		{"shortlist read bad municipality", req{path: "/api/v1/municipalities/1/shortlist", token: liaison}, 400},
		{"compare", req{path: "/api/v1/municipalities/11008/compare?places=5278931,5261457"}, 200},
		{"compare one", req{path: "/api/v1/municipalities/11008/compare?places=5278931"}, 400},
		{"compare unknown municipality", req{path: "/api/v1/municipalities/32999/compare?places=5278931,5261457"}, 404},
		{"shortlist remove", req{method: "DELETE", path: sl + "/5261457", token: liaison}, 200},
		{"shortlist remove again", req{method: "DELETE", path: sl + "/5261457", token: liaison}, 404},
		{"shortlist remove bad id", req{method: "DELETE", path: sl + "/x", token: liaison}, 400},
		{"shortlist remove other liaison", req{method: "DELETE", path: sl + "/5278931", token: other}, 403},
		{"shortlist remove no token", req{method: "DELETE", path: sl + "/5278931"}, 401},
	}
}
