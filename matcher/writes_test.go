package matcher

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"hermanar/datasets"
)

type recordingIndex struct {
	keys []string
	err  error
}

func (r *recordingIndex) PutProfile(key string, _ datasets.Profile) error {
	r.keys = append(r.keys, key)
	return r.err
}

func mustStore(tb testing.TB) datasets.Store {
	tb.Helper()
	st, err := datasets.OpenStore(tb.TempDir(), time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// TestWritesReachStoreEngineAndIndex: a saved profile is in the store, the
// engine and the text index; a text index that fails is reported, and the
// write still stands (the store is the record).
func TestWritesReachStoreEngineAndIndex(t *testing.T) {
	cases := []struct {
		name    string
		indexer *recordingIndex
		wantLag bool
	}{
		{"index up", &recordingIndex{}, false},
		{"index failing", &recordingIndex{err: errors.New("disk full")}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := mustStore(t)
			var lagged []string
			w := &Writes{Store: st, Engine: mustEngine(t, Inputs{}), Text: tc.indexer,
				Lagging: func(what string, _ error) { lagged = append(lagged, what) }}
			p := datasets.Profile{Lang: "es", Problems: []datasets.Problem{{Text: "escasez de agua"}}}
			if err := w.SaveMunicipalityProfile("11008", p); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if _, ok, err := st.Get(datasets.BucketProfiles, "11008"); err != nil || !ok {
				t.Fatalf("%s: profile not in the store (%v)", tc.name, err)
			}
			if !w.Engine.ProfileIsStored("11008") || w.Engine.Profile("11008").Problems[0].Text != "escasez de agua" {
				t.Errorf("%s: the engine does not hold the saved profile", tc.name)
			}
			if len(tc.indexer.keys) != 1 || tc.indexer.keys[0] != MunicipalityKey("11008") {
				t.Errorf("%s: text index got %v, want [%s]", tc.name, tc.indexer.keys, MunicipalityKey("11008"))
			}
			if got := len(lagged) > 0; got != tc.wantLag {
				t.Errorf("%s: lag reported %v, want %v", tc.name, lagged, tc.wantLag)
			}
		})
	}
}

// TestSaveTieCheck: a tie the check refuses changes neither the store nor
// the engine; an accepted one reaches both, and created tells new from
// replaced.
func TestSaveTieCheck(t *testing.T) {
	st := mustStore(t)
	w := &Writes{Store: st, Engine: mustEngine(t, Inputs{})}
	tie := otatesTie()
	tie.ID = "api-1"
	refuse := errors.New("not yours")
	if _, err := w.SaveTie(tie, func(*datasets.Tie) error { return refuse }); !errors.Is(err, refuse) {
		t.Fatalf("refused tie: got %v, want %v", err, refuse)
	}
	if _, ok, _ := st.Get(datasets.BucketTies, tie.ID); ok || len(w.Engine.Ties("11008")) != 0 {
		t.Fatalf("a refused tie was written: in store %v, engine %v", ok, w.Engine.Ties("11008"))
	}
	var prevs []*datasets.Tie
	check := func(prev *datasets.Tie) error { prevs = append(prevs, prev); return nil }
	for i, wantCreated := range []bool{true, false} {
		tie.Size = int64(100 * (i + 1))
		created, err := w.SaveTie(tie, check)
		if err != nil || created != wantCreated {
			t.Fatalf("save %d: created %v, err %v; want %v", i, created, err, wantCreated)
		}
	}
	if prevs[0] != nil || prevs[1] == nil || prevs[1].Size != 100 {
		t.Errorf("check saw %v then %v, want nil then the first tie", prevs[0], prevs[1])
	}
	var stored datasets.Tie
	if raw, _, err := st.Get(datasets.BucketTies, tie.ID); err != nil || json.Unmarshal(raw, &stored) != nil || stored.Size != 200 {
		t.Errorf("stored tie: %+v, %v", stored, err)
	}
	if ties := w.Engine.Ties("11008"); len(ties) != 1 || ties[0].Size != 200 {
		t.Errorf("engine ties: %+v, want the one replaced tie", ties)
	}
}
