package api

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// paramValues are what a route's parameters are filled with: valid ids,
// unknown ids, malformed and invalid UTF-8 ones.
var paramValues = map[string][]string{
	"cvegeo": {"11008", "11009", "14039", "32999", "abc", "%ff", "1", strings.Repeat("9", 600), "%00", "11008%20"},
	"place":  {"5278931", "4887398", "4024473", "-1", "99999999999999999999", "x", "%c3%28"},
	"id":     {"milwaukee", "atlantis", "5278931", "1", "abcdef123456", "zz", "%ff", "..%2f..%2fetc"},
	"lang":   {"es", "en", "fr", "%ff"},
	"state":  {"11", "99", "x"},
	"path":   {"app.css", "app.js", "", "%ff", "../../server.go", "a/%c3%28.css", "web"},
}

var queryValues = []string{"", "", "k=3", "k=-1", "k=99999999999", "lang=fr", "lang=en", "q=%ff", "q=whitewater", "format=csv",
	"format=parquet", "format=json", "country=US", "country=USA", "limit=abc", "municipality=11008", "municipality=x",
	"state=11", "min_population=9&max_population=1", "next=%2F%09%2Fevil.example", "guardado=1", "place=5278931"}

var bodyValues = []string{
	"",
	`{"lang":"es","narrative":"Municipio agrícola","problems":[{"text":"escasez de agua"}],"areas":{"a":0.5}}`,
	`{"municipality":"11009","place":"Madison, Wisconsin","size":3,"source":"ataque"}`,
	`{"municipalities":["11008"],"k":1}`,
	`{"text":"inundaciones","lang":"es","k":2}`,
	`{"place_id":5278931,"note":"x"}`,
	`{"place_id":5278931}`,
	`{"kind":"letter_sent","date":"2026-01-15","note":"x"}`,
	`{"role":"analyst","note":"ataque"}`,
	`{"Narrative":"mayúsculas"}`,
	`{"narrative":`,
	"\xff\xfe\xfd",
	`[1,2,3]`,
	`null`,
	`{"areas":{"a":"mucho","b":1e400}}`,
	`{"diaspora":[{"place":"Whitewater, Wisconsin","size":-5}]}`,
	"narrative=hola&problems=agua%0Aempleo&area_a=0.5&diaspora=Whitewater|abc|x",
	"token=hmn_" + strings.Repeat("A", 43) + "&next=//evil.example",
	"note=x&place_id=5278931&kind=letter_sent&date=2026-13-45",
	strings.Repeat("a", 300<<10),
}

type attackRoute struct{ method, pattern string }

// expand fills a route pattern's parameters.
func expand(pattern string, rng *rand.Rand) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if len(p) > 0 && (p[0] == ':' || p[0] == '*') {
			vals := paramValues[p[1:]]
			if len(vals) == 0 {
				vals = paramValues["id"]
			}
			parts[i] = vals[rng.IntN(len(vals))]
		}
	}
	return strings.Join(parts, "/")
}

// TestBoundedAttack sends ≥ 10,000 generated requests over every route of
// the router (methods right and wrong, every role, cookie writes from this
// and other origins, malformed ids and queries, bad and huge bodies, bodies
// cut short and chunked bodies cut short, over a real loopback socket) and
// requires no 5xx answer and no panic. Bounded: loopback only, a fixed
// number of requests, a deadline.
func TestBoundedAttack(t *testing.T) {
	total := 10_500
	if testing.Short() {
		total = 1_000
	}
	e := mustEnv(t)
	e.b.resolver()
	toks := []string{"", "", e.token(t, RoleAdmin, "", ""), e.token(t, RoleLiaison, manuelDoblado, ""),
		e.token(t, RoleConsulate, "", "milwaukee"), e.token(t, RoleAnalyst, "", ""), "hmn_" + strings.Repeat("Z", 43), "nope"}
	var routes []attackRoute
	for _, r := range e.srv.engine.Routes() {
		routes = append(routes, attackRoute{r.Method, r.Path})
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].pattern+routes[i].method < routes[j].pattern+routes[j].method })
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	host := ts.Listener.Addr().String()
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		failures []string
		perRoute = map[string]int{}
		modes    [4]atomic.Int64
		sent     atomic.Int64
	)
	deadline := time.Now().Add(4 * time.Minute)
	record := func(code int, desc string, route string) {
		mu.Lock()
		defer mu.Unlock()
		statuses[code]++
		perRoute[route]++
		if code >= 500 && len(failures) < 20 {
			failures = append(failures, fmt.Sprintf("%d %s", code, desc))
		}
	}
	worker := func(seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 99))
		for sent.Add(1) <= int64(total) && time.Now().Before(deadline) {
			rt := routes[rng.IntN(len(routes))]
			method := rt.method
			switch rng.IntN(10) {
			case 0:
				method = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}[rng.IntN(7)]
			}
			target := expand(rt.pattern, rng)
			if q := queryValues[rng.IntN(len(queryValues))]; q != "" {
				target += "?" + q
			}
			body := bodyValues[rng.IntN(len(bodyValues))]
			if strings.HasSuffix(rt.pattern, "/rank") && body != "" && len(body) < 1000 {
				body = `{"municipalities":["11008"],"k":1}` // a whole-country ranking is slow, not wrong
			}
			hdr := http.Header{}
			switch {
			case strings.HasPrefix(body, "{") || strings.HasPrefix(body, "[") || body == "null":
				hdr.Set("Content-Type", "application/json")
			case body != "":
				hdr.Set("Content-Type", []string{"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"}[rng.IntN(3)])
			}
			tok := toks[rng.IntN(len(toks))]
			if tok != "" {
				if rng.IntN(3) == 0 {
					hdr.Set("Cookie", tokenCookie+"="+tok)
					hdr.Set("Origin", []string{"http://" + host, "http://evil.example", "https://" + host, ""}[rng.IntN(4)])
				} else {
					hdr.Set("Authorization", "Bearer "+tok)
				}
			} else if strings.HasPrefix(rt.pattern, "/municipios") || rt.pattern == "/acceso" || rt.pattern == "/salir" {
				hdr.Set("Origin", "http://"+host)
			}
			hdr.Set("Accept", []string{"", "application/json", "text/html", "application/vnd.apache.parquet", "text/csv"}[rng.IntN(5)])
			mode := rng.IntN(4) // 0 whole, 1 chunked, 2 cut short, 3 chunked and cut short
			if body == "" {
				mode = 0
			}
			modes[mode].Add(1)
			desc := fmt.Sprintf("%s %s mode %d body %.60q", method, target, mode, body)
			code, err := attackOne(client, host, method, target, hdr, body, mode)
			if err != nil {
				if mode >= 2 {
					record(0, desc, rt.method+" "+rt.pattern) // the server may just close a cut request
					continue
				}
				mu.Lock()
				if len(failures) < 20 {
					failures = append(failures, fmt.Sprintf("transport error %v: %s", err, desc))
				}
				mu.Unlock()
				continue
			}
			record(code, desc, rt.method+" "+rt.pattern)
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() { defer wg.Done(); worker(uint64(w + 1)) }()
	}
	wg.Wait()
	n := 0
	for _, c := range statuses {
		n += c
	}
	t.Logf("%d requests in %v over %d routes; modes whole/chunked/cut/chunked-cut = %d/%d/%d/%d; statuses %v",
		n, time.Since(start).Round(time.Millisecond), len(perRoute), modes[0].Load(), modes[1].Load(), modes[2].Load(), modes[3].Load(), statuses)
	if n < total {
		t.Errorf("only %d of %d requests answered before the deadline", n, total)
	}
	if len(perRoute) < len(routes) {
		t.Errorf("reached %d of %d routes", len(perRoute), len(routes))
	}
	for _, f := range failures {
		t.Errorf("%s", f)
	}
	if strings.Contains(e.log.String(), `"msg":"panic"`) {
		t.Errorf("a handler panicked:\n%.2000s", e.log.String()[strings.Index(e.log.String(), `"msg":"panic"`):])
	}
}

// attackOne sends one request; modes 2 and 3 go over a raw socket so the
// body can be cut short, as a dropped client would.
func attackOne(client *http.Client, host, method, target string, hdr http.Header, body string, mode int) (int, error) {
	if mode <= 1 {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
			if mode == 1 {
				rd = io.MultiReader(strings.NewReader(body)) // no Len: sent chunked
			}
		}
		req, err := http.NewRequest(method, "http://"+host+target, rd)
		if err != nil {
			return 0, err
		}
		for k, v := range hdr {
			req.Header[k] = v
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	conn, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, target, host)
	for k, v := range hdr {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v[0])
	}
	half := body[:len(body)/2]
	if mode == 2 {
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), half)
	} else {
		fmt.Fprintf(&b, "Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(half), half)
	}
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return 0, err
	}
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}
