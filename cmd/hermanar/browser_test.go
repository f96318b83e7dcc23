package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Where Debian's chromium and chromium-driver put their binaries; the
// HERMANAR_CHROMIUM and HERMANAR_CHROMEDRIVER variables override them.
const (
	defaultChromium     = "/usr/bin/chromium"
	defaultChromedriver = "/usr/bin/chromedriver"
)

// elementKey is the W3C WebDriver name of an element reference.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// webdriver speaks the W3C WebDriver protocol to chromedriver over plain
// HTTP: enough to open pages, type, click, read text and take screenshots.
type webdriver struct {
	t       *testing.T
	base    string // chromedriver URL
	session string
	cmd     *exec.Cmd
}

func startWebdriver(t *testing.T) *webdriver {
	t.Helper()
	chromium, driver := envOr("HERMANAR_CHROMIUM", defaultChromium), envOr("HERMANAR_CHROMEDRIVER", defaultChromedriver)
	for _, p := range []string{chromium, driver} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("HERMANAR_REQUIRE_BROWSER") != "" {
				t.Fatalf("browser test required (HERMANAR_REQUIRE_BROWSER) but %s is missing", p)
			}
			t.Skipf("browser test skipped: %s not found (install Debian's chromium and chromium-driver, as .ci/run does)", p)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	wd := &webdriver{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	wd.cmd = exec.Command(driver, fmt.Sprintf("--port=%d", port), "--allowed-ips=127.0.0.1")
	var logs bytes.Buffer
	wd.cmd.Stdout, wd.cmd.Stderr = &logs, &logs
	if err := wd.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if wd.session != "" {
			wd.do("DELETE", "/session/"+wd.session, nil)
		}
		_ = wd.cmd.Process.Kill()
		_ = wd.cmd.Wait()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(wd.base + "/status")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": chromium,
			"args": []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
				"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
				"--window-size=1280,1400", "--user-data-dir=" + t.TempDir()},
		},
	}}}
	v := wd.do("POST", "/session", caps)
	wd.session, _ = v["sessionId"].(string)
	if wd.session == "" {
		t.Fatalf("no WebDriver session: %v", v)
	}
	return wd
}

// do sends one command and returns its "value" (as a map when it is one).
func (wd *webdriver) do(method, path string, body any) map[string]any {
	wd.t.Helper()
	raw := wd.raw(method, path, body)
	m, _ := raw.(map[string]any)
	return m
}

func (wd *webdriver) raw(method, path string, body any) any {
	wd.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r, _ := http.NewRequest(method, wd.base+path, rd)
	r.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		wd.t.Fatalf("webdriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out struct {
		Value     any    `json:"value"`
		SessionID string `json:"sessionId"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		wd.t.Fatalf("webdriver %s %s: %v", method, path, err)
	}
	if m, ok := out.Value.(map[string]any); ok {
		if e, ok := m["error"]; ok && e != nil {
			return map[string]any{"error": e, "message": m["message"]}
		}
		if out.SessionID != "" {
			m["sessionId"] = out.SessionID
		}
	}
	return out.Value
}

func (wd *webdriver) s(path string) string { return "/session/" + wd.session + path }

func (wd *webdriver) open(url string) { wd.do("POST", wd.s("/url"), map[string]any{"url": url}) }

func (wd *webdriver) url() string {
	u, _ := wd.raw("GET", wd.s("/url"), nil).(string)
	return u
}

// find waits up to 10 s for an element matching css.
func (wd *webdriver) find(css string) string {
	wd.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v := wd.do("POST", wd.s("/element"), map[string]any{"using": "css selector", "value": css})
		if id, ok := v[elementKey].(string); ok {
			return id
		}
		if time.Now().After(deadline) {
			wd.screenshot("/tmp/hermanar-browser-failure.png")
			wd.t.Fatalf("no element %q on %s (%v); screenshot in /tmp/hermanar-browser-failure.png", css, wd.url(), v["message"])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (wd *webdriver) text(el string) string {
	s, _ := wd.raw("GET", wd.s("/element/"+el+"/text"), nil).(string)
	return s
}

func (wd *webdriver) click(el string) { wd.do("POST", wd.s("/element/"+el+"/click"), map[string]any{}) }

func (wd *webdriver) typeText(el, text string) {
	wd.do("POST", wd.s("/element/"+el+"/value"), map[string]any{"text": text})
}

func (wd *webdriver) screenshot(path string) {
	b64, _ := wd.raw("GET", wd.s("/screenshot"), nil).(string)
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(png) == 0 {
		wd.t.Logf("screenshot failed: %v", err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		wd.t.Logf("screenshot: %v", err)
	}
}

// waitURL waits until the page's URL contains part.
func (wd *webdriver) waitURL(part string) {
	wd.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(wd.url(), part) {
		if time.Now().After(deadline) {
			wd.t.Fatalf("still on %s, want a URL with %q", wd.url(), part)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// browserTest is what a liaison officer does the first time: open the
// home page, type the municipality, pick it from the suggestions, open the
// partner cities and read why the first one fits. Screenshots go to /tmp.
func browserTest(t *testing.T, base string) {
	wd := startWebdriver(t)
	start := time.Now()
	wd.open(base + "/")
	q := wd.find("#q")
	wd.typeText(q, "Manuel Doblado")
	sugg := wd.find("#suggestions li a.suggestion")
	if txt := wd.text(sugg); !strings.Contains(txt, "Manuel Doblado") {
		t.Fatalf("first suggestion is %q, want Manuel Doblado", txt)
	}
	wd.screenshot("/tmp/hermanar-home.png")
	wd.click(sugg)
	wd.waitURL("/municipios/11008")
	wd.screenshot("/tmp/hermanar-municipality.png")
	wd.click(wd.find("#all-matches"))
	wd.waitURL("/municipios/11008/coincidencias")
	first := wd.find("ol.matches > li.match")
	name := wd.text(wd.find("ol.matches > li.match .place-name"))
	if name != "Whitewater" {
		t.Errorf("first match is %q, want Whitewater", name)
	}
	body := wd.text(first)
	for _, want := range []string{"Migrantes del municipio", "San José de Otates", "DEP-0121/22"} {
		if !strings.Contains(body, want) {
			t.Errorf("the first match's explanation lacks %q:\n%s", want, body)
		}
	}
	wd.screenshot("/tmp/hermanar-matches.png")
	t.Logf("home → explained shortlist in %v (screenshots: /tmp/hermanar-home.png, /tmp/hermanar-municipality.png, /tmp/hermanar-matches.png)",
		time.Since(start).Round(time.Millisecond))
}
