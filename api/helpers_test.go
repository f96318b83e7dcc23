package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"hermanar/datasets"
	"hermanar/index"
	"hermanar/matcher"
)

const (
	manuelDoblado = "11008"
	whitewater    = 5278931
)

var (
	dataOnce sync.Once
	testData *datasets.Data
	dataErr  error
)

func mustData(tb testing.TB) *datasets.Data {
	tb.Helper()
	dataOnce.Do(func() {
		snap, err := datasets.DefaultSnapshot()
		if err != nil {
			dataErr = err
			return
		}
		testData, dataErr = datasets.LoadData(nil, snap)
	})
	if dataErr != nil {
		tb.Fatal(dataErr)
	}
	return testData
}

// testEnv is a server over the embedded data with its own store, so each
// test can write without affecting the others.
type testEnv struct {
	srv   *Server
	b     *Backend
	store datasets.Store
	h     http.Handler
	log   *bytes.Buffer
}

func mustEnv(tb testing.TB) *testEnv {
	tb.Helper()
	return mustEnvWith(tb)
}

// mustEnvWith is mustEnv with more consulates than the curated ones.
func mustEnvWith(tb testing.TB, extra ...datasets.Consulate) *testEnv {
	tb.Helper()
	d := mustData(tb)
	st, err := datasets.OpenStore(tb.TempDir(), time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	cls, err := index.NewClassifier(datasets.DefaultTaxonomy())
	if err != nil {
		tb.Fatal(err)
	}
	cons := append(append([]datasets.Consulate{}, d.Consulates...), extra...)
	recs, err := datasets.LoadPlaceProfiles(nil, d.Snapshot)
	if err != nil {
		tb.Fatal(err)
	}
	eng, err := matcher.NewEngine(matcher.Inputs{Snap: d.Snapshot, Ties: d.Ties, Consulates: cons,
		Twinnings: d.Twinnings, Classifier: cls, PlaceRecords: recs})
	if err != nil {
		tb.Fatal(err)
	}
	var logs bytes.Buffer
	srv, err := New(Config{Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs}, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	b := &Backend{Engine: eng, Store: st, Search: fakeSearch{d.Snapshot}, Classifier: cls}
	if err := srv.SetBackend(b); err != nil {
		tb.Fatal(err)
	}
	return &testEnv{srv: srv, b: b, store: st, h: srv.Handler(), log: &logs}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// fakeSearch stands in for the Bleve index: folded substring matching
// over municipality and place names, biggest first.
type fakeSearch struct{ snap *datasets.Snapshot }

func (f fakeSearch) SearchPlaces(q string, pf index.PlaceFilter) ([]index.Hit, error) {
	fq := datasets.Fold(q)
	if fq == "" {
		return nil, nil
	}
	limit := pf.Limit
	if limit <= 0 {
		limit = 10
	}
	var hits []index.Hit
	if pf.Kind != index.KindPlace && (pf.Country == "" || pf.Country == "MX") {
		for _, m := range f.snap.Municipalities {
			if strings.Contains(datasets.Fold(m.Name), fq) {
				hits = append(hits, index.Hit{ID: "mun:" + m.CVEGEO, Kind: index.KindMunicipality, Name: m.Name,
					Country: "MX", Admin1: m.StateName, Population: m.Population, Score: 1})
			}
		}
	}
	if pf.Kind != index.KindMunicipality {
		for i := range f.snap.Places {
			p := &f.snap.Places[i]
			if (pf.Country == "" || p.Country == pf.Country) && strings.Contains(datasets.Fold(p.Name), fq) {
				hits = append(hits, index.Hit{ID: itoa(int(p.ID)), Kind: index.KindPlace, Name: p.Name, Country: p.Country,
					Admin1: f.snap.Admin1Name(p), Population: p.Population, Score: 0.5})
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Population > hits[j].Population })
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

// req is one request in a table of cases.
type req struct {
	method, path, body string
	token              string
	header             map[string]string
}

func (e *testEnv) do(tb testing.TB, r req) *httptest.ResponseRecorder {
	tb.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	if r.method == "" {
		r.method = http.MethodGet
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, hr)
	return w
}

// httptestRequest builds a request from a raw target (the path may hold
// escapes that url.Parse keeps, such as %ff).
func httptestRequest(method, target string) *http.Request {
	return httptest.NewRequest(method, target, nil)
}

// serve runs one prepared request.
func (e *testEnv) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func (e *testEnv) token(tb testing.TB, role, muni, consulate string) string {
	tb.Helper()
	secret, _, err := NewTokens(e.store).Create(role, muni, consulate, "test")
	if err != nil {
		tb.Fatal(err)
	}
	return secret
}

func mustJSON[T any](tb testing.TB, w *httptest.ResponseRecorder) T {
	tb.Helper()
	var v T
	if _, isErr := any(v).(ErrorBody); !isErr && (w.Code < 200 || w.Code > 299) {
		// An error answer (a timeout under load, say) would decode into
		// an empty value and fail later for the wrong reason.
		tb.Fatalf("decode %T: status %d\n%s", v, w.Code, w.Body.String())
	}
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		tb.Fatalf("decode %T: %v\n%s", v, err, w.Body.String())
	}
	return v
}

// wantAnswer fails the test unless w has the status code and, when field
// is not empty, an error message for that field.
func wantAnswer(t *testing.T, name string, w *httptest.ResponseRecorder, code int, field string) {
	t.Helper()
	if w.Code != code {
		t.Errorf("%s: got %d, want %d\n%.300s", name, w.Code, code, w.Body)
		return
	}
	if field != "" {
		if d := mustJSON[ErrorBody](t, w); d.Error.Fields[field] == "" {
			t.Errorf("%s: no message for field %s: %s", name, field, w.Body)
		}
	}
}
