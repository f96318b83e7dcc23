package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"hermanar/api"
)

// adminClient talks to a running server's admin API, for the commands
// that must work while the server holds the store.
type adminClient struct {
	base, token string
	hc          *http.Client
}

// serverFlags adds --server and --token to fs.
func serverFlags(fs *flag.FlagSet) (server, token *string) {
	server = fs.String("server", os.Getenv("HERMANAR_SERVER"), "URL of a running hermanar serve (e.g. http://127.0.0.1:8080); default $HERMANAR_SERVER; empty: open --data directly (server stopped)")
	token = fs.String("token", "", "admin token for --server (default $HERMANAR_TOKEN)")
	return server, token
}

func newAdminClient(server, token string) (*adminClient, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageErrorf("--server must be http(s)://host:port, got %q", server)
	}
	if token == "" {
		token = os.Getenv("HERMANAR_TOKEN")
	}
	if token == "" {
		return nil, usageErrorf("--server needs an admin token: --token or $HERMANAR_TOKEN")
	}
	return &adminClient{base: strings.TrimRight(server, "/"), token: token, hc: &http.Client{Timeout: 10 * time.Minute}}, nil
}

func (a *adminClient) request(method, path string, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Accept-Language", "en")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("server %s: %w", a.base, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		var eb api.ErrorBody
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if json.Unmarshal(raw, &eb) == nil && eb.Error.Message != "" {
			msg := eb.Error.Message
			for f, m := range eb.Error.Fields {
				msg += fmt.Sprintf("; %s: %s", f, m)
			}
			return nil, fmt.Errorf("server %s: %s (HTTP %d)", a.base, msg, resp.StatusCode)
		}
		return nil, fmt.Errorf("server %s: HTTP %d", a.base, resp.StatusCode)
	}
	return resp, nil
}

// call sends body as JSON and decodes the answer into out.
func (a *adminClient) call(method, path string, body, out any) error {
	resp, err := a.request(method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("server %s: unreadable answer: %w", a.base, err)
	}
	return nil
}
