package api

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

func init() {
	openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder(mediaDOCX, openapi3filter.FileBodyDecoder)
}

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
	admin := e.token(t, RoleAdmin, "", "")
	sl := "/api/v1/municipalities/11008/shortlist"
	pr := "/api/v1/municipalities/11008/processes"
	ww := pr + "/5278931"
	docx := map[string]string{"Content-Type": mediaDOCX}
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
		{"admin term", req{method: "PUT", path: "/api/v1/states/11/administration", body: `{"ends":"2027-10-09"}`, token: admin}, 200},
		{"admin term bad date", req{method: "PUT", path: "/api/v1/states/11/administration", body: `{"ends":"2027-13-01"}`, token: admin}, 400},
		{"admin term liaison", req{method: "PUT", path: "/api/v1/states/11/administration", body: `{"ends":"2027-10-09"}`, token: liaison}, 403},
		{"admin term no token", req{method: "PUT", path: "/api/v1/states/11/administration", body: `{"ends":"2027-10-09"}`}, 401},
		{"admin term not json", req{method: "PUT", path: "/api/v1/states/11/administration", body: "x", token: admin, header: map[string]string{"Content-Type": "text/plain"}}, 415},
		{"admin term too large", req{method: "PUT", path: "/api/v1/states/11/administration", body: `{"ends":"` + strings.Repeat("x", 300<<10) + `"}`, token: admin}, 413},
		{"admin terms", req{path: "/api/v1/states/administration"}, 200},
		{"process open", req{method: "POST", path: pr, body: `{"place_id":5278931}`, token: liaison}, 201},
		{"process open again", req{method: "POST", path: pr, body: `{"place_id":5278931}`, token: liaison}, 200},
		{"process open other liaison", req{method: "POST", path: pr, body: `{"place_id":5278931}`, token: other}, 403},
		{"process open no token", req{method: "POST", path: pr, body: `{"place_id":5278931}`}, 401},
		{"process open mexican place", req{method: "POST", path: pr, body: `{"place_id":4024473}`, token: liaison}, 400},
		{"process open unknown municipality", req{method: "POST", path: "/api/v1/municipalities/32999/processes", body: `{"place_id":5278931}`, token: liaison}, 404},
		{"process open not json", req{method: "POST", path: pr, body: "x", token: liaison, header: map[string]string{"Content-Type": "text/plain"}}, 415},
		{"process open too large", req{method: "POST", path: pr, body: `{"place_id":` + strings.Repeat("1", 300<<10) + `}`, token: liaison}, 413},
		{"event letter", req{method: "POST", path: ww + "/events", body: `{"kind":"letter_sent","date":"2025-09-01","note":"Carta al alcalde"}`, token: liaison}, 201},
		{"event signed", req{method: "POST", path: ww + "/events?lang=en", body: `{"kind":"signed","date":"2026-01-15"}`, token: liaison}, 201},
		{"event out of order", req{method: "POST", path: ww + "/events", body: `{"kind":"reply_received","date":"2025-08-01"}`, token: liaison}, 400},
		{"event bad date", req{method: "POST", path: ww + "/events", body: `{"kind":"cabildo_approved","date":"2025-02-30"}`, token: liaison}, 400},
		{"event other liaison", req{method: "POST", path: ww + "/events", body: `{"kind":"registered","date":"2026-02-01"}`, token: other}, 403},
		{"event consulate", req{method: "POST", path: ww + "/events", body: `{"kind":"registered","date":"2026-02-01"}`, token: consul}, 403},
		{"event no token", req{method: "POST", path: ww + "/events", body: `{"kind":"registered","date":"2026-02-01"}`}, 401},
		{"event no process", req{method: "POST", path: pr + "/5261457/events", body: `{"kind":"letter_sent","date":"2026-02-01"}`, token: liaison}, 404},
		{"event not json", req{method: "POST", path: ww + "/events", body: "x", token: liaison, header: map[string]string{"Content-Type": "text/plain"}}, 415},
		{"event too large", req{method: "POST", path: ww + "/events", body: `{"note":"` + strings.Repeat("x", 300<<10) + `"}`, token: liaison}, 413},
		{"event registered", req{method: "POST", path: ww + "/events", body: `{"kind":"registered","date":"2026-02-01"}`, token: liaison}, 201},
		{"event remove depended on", req{method: "DELETE", path: ww + "/events/2", token: liaison}, 400},
		{"event remove", req{method: "DELETE", path: ww + "/events/3", token: liaison}, 200},
		{"event remove unknown process", req{method: "DELETE", path: pr + "/5261457/events/1", token: liaison}, 404},
		{"event remove other liaison", req{method: "DELETE", path: ww + "/events/1", token: other}, 403},
		{"event remove no token", req{method: "DELETE", path: ww + "/events/1"}, 401},
		{"comment consulate", req{method: "POST", path: ww + "/comments", body: `{"text":"El alcalde confirmó la visita"}`, token: consul}, 201},
		{"comment empty", req{method: "POST", path: ww + "/comments", body: `{"text":" "}`, token: consul}, 400},
		{"comment other liaison", req{method: "POST", path: ww + "/comments", body: `{"text":"x"}`, token: other}, 403},
		{"comment no token", req{method: "POST", path: ww + "/comments", body: `{"text":"x"}`}, 401},
		{"comment no process", req{method: "POST", path: pr + "/5261457/comments", body: `{"text":"x"}`, token: liaison}, 404},
		{"comment not json", req{method: "POST", path: ww + "/comments", body: "x", token: liaison, header: map[string]string{"Content-Type": "text/plain"}}, 415},
		{"comment too large", req{method: "POST", path: ww + "/comments", body: `{"text":"` + strings.Repeat("x", 300<<10) + `"}`, token: liaison}, 413},
		{"process", req{path: ww + "?lang=en", token: liaison}, 200},
		{"process consulate", req{path: ww, token: consul}, 200},
		{"process other liaison", req{path: ww, token: other}, 403},
		{"process no token", req{path: ww}, 401},
		{"process not open", req{path: pr + "/5261457", token: liaison}, 404},
		{"process bad place", req{path: pr + "/x", token: liaison}, 400},
		{"processes of municipality", req{path: pr, token: liaison}, 200},
		{"processes of municipality csv", req{path: pr + "?format=csv", token: analyst}, 200},
		{"processes of municipality other", req{path: pr, token: other}, 403},
		{"processes of municipality no token", req{path: pr}, 401},
		{"processes of municipality bad", req{path: "/api/v1/municipalities/1/processes", token: liaison}, 400},
		{"processes of unknown municipality", req{path: "/api/v1/municipalities/32999/processes", token: analyst}, 404},
		{"process ics", req{path: ww + "/deadlines.ics", token: liaison}, 200},
		{"process ics other", req{path: ww + "/deadlines.ics", token: other}, 403},
		{"process ics no token", req{path: ww + "/deadlines.ics"}, 401},
		{"process ics not open", req{path: pr + "/5261457/deadlines.ics", token: liaison}, 404},
		{"process ics bad place", req{path: pr + "/0/deadlines.ics", token: liaison}, 400},
		{"municipality ics", req{path: "/api/v1/municipalities/11008/deadlines.ics?lang=en", token: analyst}, 200},
		{"municipality ics other", req{path: "/api/v1/municipalities/11008/deadlines.ics", token: other}, 403},
		{"municipality ics no token", req{path: "/api/v1/municipalities/11008/deadlines.ics"}, 401},
		{"municipality ics bad", req{path: "/api/v1/municipalities/1/deadlines.ics", token: analyst}, 400},
		{"municipality ics unknown", req{path: "/api/v1/municipalities/32999/deadlines.ics", token: analyst}, 404},
		{"overview", req{path: "/api/v1/processes?state=11&stage=implementation", token: analyst}, 200},
		{"overview csv", req{path: "/api/v1/processes?format=csv&lang=en", token: analyst}, 200},
		{"overview parquet", req{path: "/api/v1/processes?format=parquet", token: consul}, 200},
		{"overview bad stage", req{path: "/api/v1/processes?stage=x", token: analyst}, 400},
		{"overview no token", req{path: "/api/v1/processes"}, 401},
		{"dossier pdf", req{path: "/api/v1/municipalities/11008/dossier/5278931", token: liaison}, 200},
		{"dossier docx", req{path: "/api/v1/municipalities/11008/dossier/5278931?format=docx&lang=en", token: consul}, 200},
		{"dossier json", req{path: "/api/v1/municipalities/11008/dossier/5278931?format=json", token: analyst}, 200},
		{"dossier other liaison", req{path: "/api/v1/municipalities/11008/dossier/5278931", token: other}, 403},
		{"dossier no token", req{path: "/api/v1/municipalities/11008/dossier/5278931"}, 401},
		{"dossier mexican place", req{path: "/api/v1/municipalities/11008/dossier/4024473", token: liaison}, 400},
		{"dossier unknown municipality", req{path: "/api/v1/municipalities/32999/dossier/5278931", token: analyst}, 404},
		{"template none", req{path: "/api/v1/dossier/templates/es"}, 404},
		{"template bad lang", req{path: "/api/v1/dossier/templates/fr"}, 400},
		{"template upload", req{method: "PUT", path: "/api/v1/dossier/templates/en", body: string(makeDOCX(t, []string{"AGREEMENT {{mexican_city}} – {{foreign_city}}"})), token: admin, header: docx}, 200},
		{"template", req{path: "/api/v1/dossier/templates/en"}, 200},
		{"template upload bad", req{method: "PUT", path: "/api/v1/dossier/templates/en", body: "PK", token: admin, header: docx}, 400},
		{"template upload liaison", req{method: "PUT", path: "/api/v1/dossier/templates/en", body: "PK", token: liaison, header: docx}, 403},
		{"template upload no token", req{method: "PUT", path: "/api/v1/dossier/templates/en", body: "PK", header: docx}, 401},
		{"template upload json", req{method: "PUT", path: "/api/v1/dossier/templates/en", body: "{}", token: admin}, 415},
		{"template upload too large", req{method: "PUT", path: "/api/v1/dossier/templates/en", body: strings.Repeat("x", 300<<10), token: admin, header: docx}, 413},
		{"template delete", req{method: "DELETE", path: "/api/v1/dossier/templates/en", token: admin}, 204},
		{"template delete again", req{method: "DELETE", path: "/api/v1/dossier/templates/en", token: admin}, 404},
		{"template delete bad lang", req{method: "DELETE", path: "/api/v1/dossier/templates/xx", token: admin}, 400},
		{"template delete liaison", req{method: "DELETE", path: "/api/v1/dossier/templates/en", token: liaison}, 403},
		{"template delete no token", req{method: "DELETE", path: "/api/v1/dossier/templates/en"}, 401},
	}
}
