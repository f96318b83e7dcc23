package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hermanar/datasets"
)

// TestCorruptStoreCommands: stats, verify and serve on a damaged store
// end with a clear error naming the file and the way out (exit status 1),
// not a panic.
func TestCorruptStoreCommands(t *testing.T) {
	dir := t.TempDir()
	st, err := datasets.OpenStore(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		if err := st.Put(datasets.BucketProfiles, fmt.Sprintf("key-%04d", i), []byte(strings.Repeat("v", 200))); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	path := filepath.Join(dir, "hermanar.db")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b[:len(b)/3], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"datasets", "stats", "--data", dir},
		{"datasets", "verify", "--data", dir},
		{"serve", "--addr", "127.0.0.1:0", "--data", dir},
	} {
		_, _, err := runCLI(t, args...)
		if err == nil {
			t.Errorf("%s: no error on a truncated store", args[0:2])
			continue
		}
		if exitCode(err) != 1 || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "damaged") ||
			!strings.Contains(err.Error(), "hermanar restore") {
			t.Errorf("%s: exit %d, error %q; want status 1 naming %s, the damage and the recovery", args[0:2], exitCode(err), err, path)
		}
	}
}

// operateWhileServing: with the server running, a token created through
// the admin API works at once and a revoked one is refused at once; an
// online backup taken during writes is a whole store that restores; a
// restore refuses a damaged file and changes nothing.
func operateWhileServing(t *testing.T, bin, data, admin, victim string) {
	s := startServer(t, bin, data)
	s.waitReady(t, 60*time.Second)
	srv := []string{"--server", s.url, "--token", admin}

	// Offline token commands say how to reach the running server.
	if out, err := exec.Command(bin, "tokens", "list", "--data", data).CombinedOutput(); err == nil || !strings.Contains(string(out), "--server") {
		t.Errorf("tokens list on a held store: %v %s; want an error pointing to --server", err, out)
	}
	analyst := e2eToken(t, runBin(t, bin, append([]string{"tokens", "create", "--role", "analyst", "--format", "json"}, srv...)...))
	if code, _, body := e2eCall(t, "POST", s.url+"/api/v1/rank", analyst, `{"municipalities":["11008"],"k":1}`); code != 200 {
		t.Errorf("token created while serving: rank got %d, want 200 (%s)", code, body)
	}
	put := s.url + "/api/v1/municipalities/11010/profile"
	if code, _, body := e2eCall(t, "PUT", put, victim, `{"lang":"es","narrative":"antes de revocar"}`); code != 200 {
		t.Fatalf("victim before revocation: %d %s", code, body)
	}
	out := runBin(t, bin, append([]string{"tokens", "revoke", hashPrefix(victim)}, srv...)...)
	if !strings.Contains(out, "revoked") {
		t.Errorf("tokens revoke printed %q", out)
	}
	if code, _, body := e2eCall(t, "PUT", put, victim, `{"lang":"es","narrative":"después"}`); code != 401 {
		t.Errorf("revoked token, next request: got %d, want 401 (%s)", code, body)
	}
	list := runBin(t, bin, append([]string{"tokens", "list", "--format", "json"}, srv...)...)
	if !strings.Contains(list, hashPrefix(victim)) || !strings.Contains(list, "revoked_at") {
		t.Errorf("tokens list --server does not show the revocation:\n%s", list)
	}

	// Online backup while a writer keeps writing.
	liaison := e2eToken(t, runBin(t, bin, append([]string{"tokens", "create", "--role", "liaison", "--municipality", "11011", "--format", "json"}, srv...)...))
	stop := make(chan struct{})
	wrote := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				wrote <- n
				return
			default:
			}
			body := fmt.Sprintf(`{"lang":"es","narrative":"escritura %d durante la copia"}`, n)
			r, _ := http.NewRequest("PUT", s.url+"/api/v1/municipalities/11011/profile", strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+liaison)
			r.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(r); err == nil {
				resp.Body.Close()
				n++
			}
		}
	}()
	bdir := t.TempDir()
	backup := filepath.Join(bdir, "copia.db")
	out = runBin(t, bin, append([]string{"backup", "--out", backup}, srv...)...)
	close(stop)
	t.Logf("backup during %d concurrent writes: %s", <-wrote, strings.TrimSpace(out))
	s.stop()

	// The backup restores into a fresh data directory and holds what was
	// written before it.
	fresh := t.TempDir()
	runBin(t, bin, "restore", "--from", backup, "--data", fresh)
	st, err := datasets.OpenStore(fresh, time.Second)
	if err != nil {
		t.Fatalf("restored store: %v", err)
	}
	v, ok, err := st.Get(datasets.BucketProfiles, "11010")
	st.Close()
	if err != nil || !ok || !strings.Contains(string(v), "antes de revocar") {
		t.Errorf("restored store lacks the profile written before the backup: %v %v %s", ok, err, v)
	}

	// A damaged backup is refused and the store is left alone.
	b, _ := os.ReadFile(backup)
	bad := filepath.Join(bdir, "rota.db")
	_ = os.WriteFile(bad, b[:len(b)/2], 0o600)
	before, _ := os.ReadFile(filepath.Join(fresh, "hermanar.db"))
	outb, err := exec.Command(bin, "restore", "--from", bad, "--data", fresh).CombinedOutput()
	if err == nil || !strings.Contains(string(outb), "refused") {
		t.Errorf("restore of a truncated backup: %v %s; want it refused", err, outb)
	}
	after, _ := os.ReadFile(filepath.Join(fresh, "hermanar.db"))
	if !bytes.Equal(before, after) {
		t.Errorf("a refused restore changed the store")
	}
}

// hashPrefix is a token's id (the first hex digits of its SHA-256).
func hashPrefix(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])[:12]
}

// TestImportGarbageBounded runs the real binary on 1 GB of garbage in
// three shapes: it must fail within 5 s with a peak RSS of at most 200 MB
// (the kernel's own count of the child's maximum resident set, the number
// /usr/bin/time -v prints).
func TestImportGarbageBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1 GB of garbage to a temporary file")
	}
	const timeBin = "/usr/bin/time" // Debian package time, installed by .ci/run
	if _, err := os.Stat(timeBin); err != nil {
		t.Skip("/usr/bin/time not installed (apt-get install time)")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	garbage := filepath.Join(t.TempDir(), "garbage.csv")
	block := make([]byte, 1<<20)
	cc := rand.NewChaCha8([32]byte{7})
	rng := rand.New(cc)
	cases := []struct {
		name   string
		prefix string
		fill   func(b []byte)
	}{
		{"random bytes", "", func(b []byte) { _, _ = cc.Read(b) }},
		{"one endless line", "", func(b []byte) {
			for i := range b {
				b[i] = 'a' + byte(rng.IntN(26))
			}
		}},
		{"header, then an unbalanced quote", strings.Join([]string{"municipality", "locality", "place", "place_name", "size", "estimated", "year", "source", "evidence"}, ",") + "\n11008,\"", func(b []byte) {
			for i := range b {
				b[i] = 'a' + byte(rng.IntN(26))
				if i%80 == 79 {
					b[i] = '\n'
				}
			}
		}},
		{"header, then rows of the right width", strings.Join([]string{"municipality", "locality", "place", "place_name", "size", "estimated", "year", "source", "evidence"}, ",") + "\n", func(b []byte) {
			for i := range b {
				switch {
				case i%64 == 63:
					b[i] = '\n'
				case i%64%7 == 6 && i%64 < 56:
					b[i] = ','
				default:
					b[i] = 'a' + byte(rng.IntN(26))
				}
			}
		}},
	}
	for _, tc := range cases {
		tc.fill(block)
		f, err := os.Create(garbage)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.WriteString(tc.prefix)
		for i := 0; i < 1024; i++ {
			if _, err := f.Write(block); err != nil {
				t.Fatal(err)
			}
		}
		f.Close()
		// Through /usr/bin/time: a child forked straight from this test
		// process would report this process's resident set as its own peak.
		cmd := exec.Command(timeBin, "-v", bin, "datasets", "import", "ties", garbage, "--data", data)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		err = cmd.Run()
		elapsed := time.Since(start)
		var rss int64 // KiB
		if m := regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`).FindStringSubmatch(stderr.String()); m != nil {
			rss, _ = strconv.ParseInt(m[1], 10, 64)
		} else {
			t.Fatalf("no peak RSS in /usr/bin/time's output:\n%s", stderr.String())
		}
		msg, _, _ := strings.Cut(stderr.String(), "\tCommand being timed")
		t.Logf("%s: exit %d after %v, peak RSS %d MiB: %s", tc.name, cmd.ProcessState.ExitCode(), elapsed.Round(time.Millisecond), rss>>10, strings.TrimSpace(msg))
		if err == nil || cmd.ProcessState.ExitCode() == 0 {
			t.Errorf("%s: accepted 1 GB of garbage", tc.name)
		}
		// Wall time is measured on a machine the whole test suite shares;
		// the CPU time /usr/bin/time reports is what the import itself cost.
		cpu := 0.0
		for _, k := range []string{"User time (seconds): ", "System time (seconds): "} {
			if i := strings.Index(stderr.String(), k); i >= 0 {
				var v float64
				fmt.Sscan(stderr.String()[i+len(k):], &v)
				cpu += v
			}
		}
		t.Logf("%s: %.2f s of CPU", tc.name, cpu)
		if cpu > 5 || elapsed > 20*time.Second {
			t.Errorf("%s: took %v (%.2f s CPU), want ≤ 5 s", tc.name, elapsed, cpu)
		}
		if rss > 200<<10 {
			t.Errorf("%s: peak RSS %d MiB, want ≤ 200 MiB", tc.name, rss>>10)
		}
		if len(msg) > 1000 {
			t.Errorf("%s: error message of %d bytes", tc.name, len(msg))
		}
	}
	os.Remove(garbage)
}
