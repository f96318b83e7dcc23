package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hermanar/datasets"
	"hermanar/index"
)

// server is a running `hermanar serve` child process.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// buildBinary compiles hermanar into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hermanar")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// indexCache is where a built place index is kept between test runs, keyed
// by what the index is built from; a stale copy would only be rebuilt.
// HERMANAR_TEST_INDEX_CACHE=off builds it afresh every time.
func indexCache(t *testing.T) string {
	if os.Getenv("HERMANAR_TEST_INDEX_CACHE") == "off" {
		return ""
	}
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "hermanar-test", fmt.Sprintf("places-%s-m%d.bleve", snap.Manifest.Version, index.MappingVersion))
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

func runBin(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("hermanar %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatalf("hermanar %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// startServer runs `hermanar serve` on a free loopback port and waits
// until it listens (not until it is ready).
func startServer(t *testing.T, bin, data string, extra ...string) *server {
	t.Helper()
	s := &server{stderr: &syncBuffer{}, done: make(chan error, 1)}
	pr, pw := io.Pipe()
	s.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, extra...)...)
	s.cmd.Stderr = io.MultiWriter(s.stderr, pw)
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait(); pw.Close() }()
	t.Cleanup(func() { s.stop() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sent := false
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if !sent && json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case a := <-addr:
		s.url = "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not listen within 30s:\n%s", s.stderr)
	}
	return s
}

// waitReady polls /readyz; it returns how long readiness took from now.
func (s *server) waitReady(t *testing.T, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return time.Since(start)
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("server exited before ready: %v\n%s", err, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("not ready within %v:\n%s", within, e2eTail(s.stderr.String(), 3000))
	return 0
}

func (s *server) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

func (s *server) kill9(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	<-s.done
}

func e2eTail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func e2eCall(t *testing.T, method, url, token, body string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func e2eToken(t *testing.T, out string) string {
	t.Helper()
	var v struct{ Token string }
	if err := json.Unmarshal([]byte(out), &v); err != nil || !strings.HasPrefix(v.Token, "hmn_") {
		t.Fatalf("tokens create --format json printed %q", out)
	}
	return v.Token
}

// TestServeEndToEnd runs the real binary: the first start builds the
// index (or reuses the test cache), a profile PUT and a tie POST are
// answered only once durable, `kill -9` loses neither, and a restart with
// the index in place is ready within a few seconds. The browser subtest
// then drives headless Chromium through the pages.
func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary and the search index; skipped with -short")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	cache := indexCache(t)
	if cache != "" {
		if _, err := os.Stat(cache); err == nil {
			if err := copyDir(cache, filepath.Join(data, "index", "places.bleve")); err != nil {
				t.Logf("index cache not usable: %v", err)
			}
		}
	}
	liaison := e2eToken(t, runBin(t, bin, "tokens", "create", "--role", "liaison", "--municipality", "11008", "--data", data, "--format", "json"))
	otherLiaison := e2eToken(t, runBin(t, bin, "tokens", "create", "--role", "liaison", "--municipality", "11009", "--data", data, "--format", "json"))
	consulate := e2eToken(t, runBin(t, bin, "tokens", "create", "--role", "consulate", "--consulate", "milwaukee", "--data", data, "--format", "json"))
	admin := e2eToken(t, runBin(t, bin, "tokens", "create", "--role", "admin", "--data", data, "--format", "json"))
	victim := e2eToken(t, runBin(t, bin, "tokens", "create", "--role", "liaison", "--municipality", "11010", "--data", data, "--format", "json"))

	s := startServer(t, bin, data)
	if code, _, _ := e2eCall(t, "GET", s.url+"/healthz", "", ""); code != 200 {
		t.Fatalf("healthz right after listening: %d", code)
	}
	first := s.waitReady(t, 10*time.Minute)
	t.Logf("first start: ready after %v (index %s)", first.Round(time.Millisecond), map[bool]string{true: "from cache", false: "built"}[first < 20*time.Second])
	if cache != "" {
		if _, err := os.Stat(cache); err != nil {
			_ = os.MkdirAll(filepath.Dir(cache), 0o755)
			tmp := cache + ".tmp"
			_ = os.RemoveAll(tmp)
			if copyDir(filepath.Join(data, "index", "places.bleve"), tmp) == nil {
				_ = os.Rename(tmp, cache)
			}
		}
	}

	t.Run("writes survive kill -9", func(t *testing.T) {
		profile := `{"lang":"es","narrative":"Prueba de persistencia tras kill -9","problems":[{"text":"escasez de agua"}],"areas":{"b":1}}`
		put := s.url + "/api/v1/municipalities/11008/profile"
		if code, _, body := e2eCall(t, "PUT", put, "", profile); code != 401 {
			t.Errorf("PUT without token: got %d, want 401 (%s)", code, body)
		}
		if code, _, body := e2eCall(t, "PUT", put, otherLiaison, profile); code != 403 {
			t.Errorf("PUT by 11009's liaison: got %d, want 403 (%s)", code, body)
		}
		if code, _, body := e2eCall(t, "PUT", put, liaison, profile); code != 200 {
			t.Fatalf("PUT by 11008's liaison: got %d, want 200 (%s)", code, body)
		}
		tie := `{"municipality":"11009","place":"Madison, Wisconsin","size":77,"source":"e2e"}`
		if code, _, body := e2eCall(t, "POST", s.url+"/api/v1/ties", consulate, tie); code != 201 {
			t.Fatalf("POST tie: got %d, want 201 (%s)", code, body)
		}
		s.kill9(t)

		s2 := startServer(t, bin, data)
		ready := s2.waitReady(t, 60*time.Second)
		_, _, rz := e2eCall(t, "GET", s2.url+"/readyz", "", "")
		t.Logf("restart with the index in place: /readyz 200 after %v (server says %s)", ready.Round(time.Millisecond), rz)
		if ready > 15*time.Second {
			t.Errorf("restart took %v to be ready; the index should have been reused", ready)
		}
		code, h, body := e2eCall(t, "GET", s2.url+"/api/v1/municipalities/11008/profile", "", "")
		if code != 200 || !strings.Contains(body, "Prueba de persistencia tras kill -9") || h.Get("X-Profile-Source") != "stored" {
			t.Errorf("after kill -9 and restart: %d %s %s", code, h.Get("X-Profile-Source"), body)
		}
		_, _, body = e2eCall(t, "GET", s2.url+"/api/v1/municipalities/11009", "", "")
		if !strings.Contains(body, `"source":"e2e"`) {
			t.Errorf("the tie did not survive: %s", body)
		}
		s2.stop()
	})

	s.stop() // already stopped by kill -9 unless that subtest was skipped
	t.Run("process step survives kill -9", func(t *testing.T) { workflowSurvivesKill9(t, bin, data, liaison) })
	t.Run("operating while serving", func(t *testing.T) {
		operateWhileServing(t, bin, data, admin, victim)
	})

	t.Run("browser", func(t *testing.T) {
		s3 := startServer(t, bin, data)
		s3.waitReady(t, 60*time.Second)
		browserTest(t, s3.url, liaison)
		mapsBrowserTest(t, s3.url)
		t.Run("consulate records a city", func(t *testing.T) { consulateBrowserTest(t, s3.url, consulate, liaison) })
		s3.stop()
	})

	t.Run("workflow browser", func(t *testing.T) {
		s4 := startServer(t, bin, data)
		s4.waitReady(t, 60*time.Second)
		workflowBrowserTest(t, s4.url, liaison)
		s4.stop()
	})
}
