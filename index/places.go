package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"
	"golang.org/x/sync/errgroup"

	"hermanar/datasets"
)

// MappingVersion identifies the place index's mapping, analyzers and
// document layout. Bump it whenever any of them changes: an index built
// under another version is rebuilt at the next Open.
const MappingVersion = 4

// Place document fields.
const (
	fKind       = "kind"       // keyword: "place" or "municipality"
	fCountry    = "country"    // keyword: ISO code, for filtering
	fName       = "name"       // name analyzer: name and ASCII name
	fAlt        = "alt"        // name analyzer: alternate names, de-duplicated after folding
	fAdmin      = "admin"      // name analyzer: admin1 and admin2 names, country code
	fExact      = "exact"      // keyword: each whole name folded by datasets.Fold, one key per name
	fPrefix     = "prefix"     // edge n-grams of name tokens, for the word being typed
	fPopulation = "population" // stored number, not indexed: ranking happens in Go
	fTier       = "tier"       // keyword: "p4", "p5", "p6" for ≥10k, ≥100k, ≥1M inhabitants
	fInitial    = "initial"    // keyword: first letters of the name words of places of ≥ initialMinPop
)

// Hit kinds.
const (
	KindPlace        = "place"
	KindMunicipality = "municipality"
)

const (
	batchSize = 5000
	// initialMinPop: a one-letter query only looks at places this big.
	initialMinPop = 50_000
	metaFile      = "hermanar.json"
	buildingGlob  = placesDir + ".building-*"
)

// PlacesInfo describes the place index: what it was built from and how
// long the build took.
type PlacesInfo struct {
	SnapshotVersion string    `json:"snapshot_version"`
	MappingVersion  int       `json:"mapping_version"`
	Countries       []string  `json:"countries,omitempty"`
	Docs            int       `json:"docs"`
	BuiltAt         time.Time `json:"built_at"`
	BuildSeconds    float64   `json:"build_seconds"`
	// Rebuilt is true when this Open built the index (not stored).
	Rebuilt bool `json:"-"`
}

// DocsPerSecond is the build throughput.
func (p PlacesInfo) DocsPerSecond() float64 {
	if p.BuildSeconds <= 0 {
		return 0
	}
	return float64(p.Docs) / p.BuildSeconds
}

func (p PlacesInfo) sameBuild(q PlacesInfo) bool {
	return p.SnapshotVersion == q.SnapshotVersion && p.MappingVersion == q.MappingVersion &&
		slices.Equal(p.Countries, q.Countries)
}

func wantedPlaces(snap *datasets.Snapshot, opts Options) PlacesInfo {
	cs := make([]string, len(opts.Countries))
	for i, c := range opts.Countries {
		cs[i] = strings.ToUpper(strings.TrimSpace(c))
	}
	slices.Sort(cs)
	return PlacesInfo{SnapshotVersion: snap.Manifest.Version, MappingVersion: MappingVersion, Countries: slices.Compact(cs)}
}

// placeMapping is the mapping of places.bleve. Documents are assembled by
// docBuilder rather than mapped by reflection; this mapping says how the
// same fields are analysed at query time and lets other tools read the
// index.
func placeMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := addAnalyzers(m); err != nil {
		return nil, err
	}
	dm := bleve.NewDocumentStaticMapping()
	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	for field, an := range map[string]string{
		fKind: "keyword", fCountry: "keyword", fTier: "keyword", fInitial: "keyword", fName: AnalyzerName, fAlt: AnalyzerName,
		fAdmin: AnalyzerName, fExact: "keyword", fPrefix: AnalyzerPrefix,
	} {
		dm.AddFieldMappingsAt(field, text(an))
	}
	pop := bleve.NewNumericFieldMapping()
	pop.Index = false
	pop.Store = true
	pop.IncludeInAll = false
	pop.DocValues = false
	dm.AddFieldMappingsAt(fPopulation, pop)
	m.DefaultMapping = dm
	m.DefaultAnalyzer = AnalyzerName
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

func readMeta(path string) (PlacesInfo, bool) {
	b, err := os.ReadFile(filepath.Join(path, metaFile))
	if err != nil {
		return PlacesInfo{}, false
	}
	var p PlacesInfo
	if json.Unmarshal(b, &p) != nil {
		return PlacesInfo{}, false
	}
	return p, true
}

// openPlaces opens path read-only when its meta matches what snap and
// opts want, and otherwise builds it afresh.
func openPlaces(path string, snap *datasets.Snapshot, opts Options) (bleve.Index, PlacesInfo, error) {
	want := wantedPlaces(snap, opts)
	if have, ok := readMeta(path); ok && have.sameBuild(want) {
		idx, err := openReadOnly(path, opts)
		if err == nil {
			return idx, have, nil
		}
		if isLockTimeout(err) {
			return nil, PlacesInfo{}, lockedError(path, err)
		}
		// A damaged index is rebuilt like a stale one.
	}
	info, err := buildPlaces(path, snap, opts, want)
	if err != nil {
		return nil, PlacesInfo{}, err
	}
	idx, err := openReadOnly(path, opts)
	if err != nil {
		return nil, PlacesInfo{}, fmt.Errorf("index: open %s after build: %w", path, err)
	}
	return idx, info, nil
}

// openReadOnly opens the place index with a shared lock: several processes
// may search it at once, and nothing writes to it after the build.
func openReadOnly(path string, opts Options) (bleve.Index, error) {
	return bleve.OpenUsing(path, map[string]any{"read_only": true, "bolt_timeout": opts.boltTimeout()})
}

func isLockTimeout(err error) bool {
	return err != nil && strings.Contains(err.Error(), "timeout")
}

// lockedError reports an index held by another process (bbolt gave up
// after BoltTimeout) as a conflict.
func lockedError(path string, err error) error {
	return datasets.Errf(datasets.EConflict, "el índice %s está bloqueado por otro proceso (%v); deténgalo o use otro directorio de datos", "index %s is locked by another process (%v); stop it or use another data directory", path, err)
}

// buildPlaces indexes every place and municipality into a fresh directory
// beside path and renames it into place only once complete and closed, so
// a crash mid-build never leaves a half index that a later Open would
// trust. The meta file is written inside the new directory before the
// rename, so index and meta appear together.
func buildPlaces(path string, snap *datasets.Snapshot, opts Options, info PlacesInfo) (PlacesInfo, error) {
	parent := filepath.Dir(path)
	removeStaleBuilds(parent)
	tmp, err := os.MkdirTemp(parent, filepath.Base(path)+".building-")
	if err != nil {
		return info, fmt.Errorf("index: %w", err)
	}
	defer os.RemoveAll(tmp)
	tmpIdx := filepath.Join(tmp, placesDir)

	start := time.Now()
	n, err := indexPlaces(tmpIdx, snap, opts)
	if err != nil {
		return info, fmt.Errorf("index: build places: %w", err)
	}
	info.Docs = n
	info.BuiltAt = start.UTC().Truncate(time.Second)
	info.BuildSeconds = time.Since(start).Seconds()
	mb, _ := json.MarshalIndent(info, "", "  ")
	if err := os.WriteFile(filepath.Join(tmpIdx, metaFile), mb, 0o644); err != nil {
		return info, fmt.Errorf("index: %w", err)
	}
	if err := os.RemoveAll(path); err != nil {
		return info, fmt.Errorf("index: remove stale %s: %w", path, err)
	}
	if err := os.Rename(tmpIdx, path); err != nil {
		// Another process may have finished the same build first.
		if have, ok := readMeta(path); ok && have.sameBuild(info) {
			return have, nil
		}
		return info, fmt.Errorf("index: %w", err)
	}
	info.Rebuilt = true
	return info, nil
}

// removeStaleBuilds deletes build directories left by crashed builds. A
// build younger than an hour may belong to a live process and is kept.
func removeStaleBuilds(parent string) {
	old, _ := filepath.Glob(filepath.Join(parent, buildingGlob))
	for _, d := range old {
		if st, err := os.Stat(d); err == nil && time.Since(st.ModTime()) > time.Hour {
			_ = os.RemoveAll(d)
		}
	}
}

// indexPlaces writes the documents in batches. Workers (both cores by
// default) assemble documents and each submits its own batches, so one
// worker builds a segment while the other prepares documents; Bleve's
// analysis queue spreads the analysis over the cores too.
func indexPlaces(path string, snap *datasets.Snapshot, opts Options) (int, error) {
	m, err := placeMapping()
	if err != nil {
		return 0, err
	}
	// unsafe_batch lets a batch return once it is searchable in memory, so
	// the persister can merge several batches before each fsync; every
	// batch carries a persisted callback and the build waits for all of
	// them before compacting and closing.
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, map[string]any{
		"bolt_timeout":           opts.boltTimeout(),
		"unsafe_batch":           true,
		"asyncErrorCallbackName": asyncErrorCallback,
		// No merging while building: compact merges every segment once at
		// the end, instead of tier by tier as they arrive.
		"scorchMergePlanOptions": map[string]any{
			"MaxSegmentsPerTier":   1000,
			"SegmentsPerMergeTask": 1000,
		},
	})
	if err != nil {
		return 0, err
	}
	an, err := resolveAnalyzers(m)
	if err != nil {
		_ = idx.Close()
		return 0, err
	}
	b := &docBuilder{snap: snap, an: an}

	// Building allocates hundreds of MB of short-lived postings; a laxer
	// GC target for the build's duration cuts its time by about a third.
	if old := debug.SetGCPercent(400); old > 400 || old < 0 {
		debug.SetGCPercent(old)
	} else {
		defer debug.SetGCPercent(old)
	}

	var countries map[string]bool
	if cs := wantedPlaces(snap, opts).Countries; len(cs) > 0 {
		countries = map[string]bool{}
		for _, c := range cs {
			countries[c] = true
		}
	}
	var placeIdx []int32
	for i := range snap.Places {
		if countries == nil || countries[snap.Places[i].Country] {
			placeIdx = append(placeIdx, int32(i))
		}
	}
	total := len(placeIdx) + len(snap.Municipalities)
	var (
		progressMu sync.Mutex
		done       int
	)
	report := func(n int) {
		if opts.Progress == nil {
			return
		}
		progressMu.Lock()
		defer progressMu.Unlock()
		done += n
		opts.Progress(done, total)
	}
	report(0)

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		pending sync.WaitGroup // batches not yet persisted
		failure firstError     // of the persist callbacks, which run after Batch returns
	)
	// A background persist error (a full disk) ends the build: the
	// batches it holds will never report back.
	asyncFailed := make(chan struct{})
	stopWatch := watchAsyncErrors(path, func(err error) {
		failure.set(fmt.Errorf("write the index: %w", err))
		close(asyncFailed)
	})
	defer stopWatch()
	g, gctx := errgroup.WithContext(context.Background())
	g.SetLimit(workers)
	for lo := 0; lo < total && gctx.Err() == nil && failure.get() == nil; lo += batchSize {
		c := [2]int{lo, min(lo+batchSize, total)}
		g.Go(func() error {
			batch := idx.NewBatch()
			for k := c[0]; k < c[1]; k++ {
				var doc *document.Document
				if k < len(placeIdx) {
					doc = b.place(&snap.Places[placeIdx[k]])
				} else {
					doc = b.municipality(&snap.Municipalities[k-len(placeIdx)])
				}
				if err := batch.IndexAdvanced(doc); err != nil {
					return err
				}
			}
			pending.Add(1)
			var once sync.Once
			persisted := func(err error) {
				once.Do(func() {
					failure.set(err)
					pending.Done()
				})
			}
			batch.SetPersistedCallback(persisted)
			if err := idx.Batch(batch); err != nil {
				persisted(err)
				return err
			}
			report(c[1] - c[0])
			return nil
		})
	}
	failure.set(g.Wait())
	if failure.get() == nil {
		persisted := make(chan struct{})
		go func() { pending.Wait(); close(persisted) }()
		select {
		case <-persisted:
		case <-asyncFailed:
		}
	}
	if failure.get() == nil {
		failure.set(compact(idx, path, asyncFailed))
	}
	return total, errors.Join(failure.get(), idx.Close())
}

// firstError keeps the first non-nil error reported by any goroutine.
type firstError struct {
	mu  sync.Mutex
	err error
}

func (f *firstError) set(err error) {
	f.mu.Lock()
	if f.err == nil {
		f.err = err
	}
	f.mu.Unlock()
}

func (f *firstError) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// compact leaves one segment, so that fuzzy and prefix expansions walk
// one term dictionary per query and Open maps one file. A merge pass
// merges at most SegmentsPerMergeTask segments per task, hence the loop.
// Scorch deletes the merged-away files only when its persister idles
// after persisting a newer snapshot, so compact then nudges it with tiny
// internal writes until the store holds a single segment file.
func compact(idx bleve.Index, path string, asyncFailed <-chan struct{}) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	for range 5 {
		n, err := segmentCount(s)
		if err != nil || n <= 1 {
			break
		}
		opts := mergeplan.SingleSegmentMergePlanOptions
		opts.SegmentsPerMergeTask = max(opts.SegmentsPerMergeTask, n)
		if err := s.ForceMerge(context.Background(), &opts); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		files, _ := filepath.Glob(filepath.Join(path, "store", "*.zap"))
		if len(files) <= 1 {
			return nil
		}
		done := make(chan error, 1)
		b := idx.NewBatch()
		b.SetInternal([]byte("hermanar_compacted"), []byte(fmt.Sprint(i)))
		b.SetPersistedCallback(func(err error) { done <- err })
		if err := idx.Batch(b); err != nil {
			return err
		}
		select {
		case err := <-done:
			if err != nil {
				return err
			}
		case <-asyncFailed:
			return nil // the caller reports the error
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil // leftover files cost disk space, not correctness
}

func segmentCount(s *scorch.Scorch) (int, error) {
	r, err := s.Reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, nil
	}
	return len(snap.Segments()), nil
}

// docBuilder assembles place documents directly (no reflection); the
// fields and analyzers mirror placeMapping.
type docBuilder struct {
	snap *datasets.Snapshot
	an   *analyzers
}

const (
	termVectorOpts = bindex.IncludeTermVectors
	textOpts       = bindex.IndexField
	keywordOpts    = bindex.IndexField
	storeOpts      = bindex.StoreField
)

func (b *docBuilder) place(p *datasets.Place) *document.Document {
	d := document.NewDocument(placeID(p.ID))
	b.common(d, KindPlace, p.Country, p.Population)
	// The ASCII name only counts when folding the name does not already
	// give it ("San José" and "San Jose" are one spelling to the name
	// analyzer); indexing both would halve the field norm of every
	// accented name.
	seen := map[string]bool{}
	exact := make([]string, 0, 4)
	names := make([]string, 0, 2)
	for _, n := range []string{p.Name, p.ASCIIName} {
		if k := b.exactKey(n); k != "" && !seen[k] {
			seen[k] = true
			exact = append(exact, k)
			names = append(names, n)
		}
	}
	b.text(d, fName, strings.Join(names, " "), b.an.name)
	b.text(d, fPrefix, strings.Join(names, " "), b.an.prefix)
	b.initials(d, names, p.Population)

	// Alternate names: keep one spelling per folded form, and none that
	// repeats the main name, so a city with sixty spellings of "Mexico"
	// neither bloats the index nor dilutes its field norm. Names in other
	// scripts (a third of them, and most of a big city's) are left out:
	// Hermanar's users write Spanish and English.
	var alts []string
	for a := range strings.SplitSeq(b.snap.PlaceAltNames(p), ",") {
		a = strings.TrimSpace(a)
		if a == "" || !datasets.LatinScript(a) {
			continue
		}
		k := b.exactKey(a)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		exact = append(exact, k)
		alts = append(alts, a)
	}
	if len(alts) > 0 {
		b.text(d, fAlt, strings.Join(alts, ", "), b.an.name)
	}
	for i, k := range exact {
		d.AddField(document.NewTextFieldCustom(fExact, []uint64{uint64(i)}, []byte(k), textOpts, b.an.keyword))
	}
	admin := []string{p.Country}
	if a1 := b.snap.Admin1Name(p); a1 != "" {
		admin = append(admin, a1)
	}
	if a2 := b.snap.Admin2Name(p); a2 != "" {
		admin = append(admin, a2)
	}
	b.text(d, fAdmin, strings.Join(admin, ", "), b.an.name)
	return d
}

func (b *docBuilder) municipality(m *datasets.Municipality) *document.Document {
	d := document.NewDocument(municipalityID(m.CVEGEO))
	b.common(d, KindMunicipality, "MX", m.Population)
	b.text(d, fName, m.Name, b.an.name)
	b.text(d, fPrefix, m.Name, b.an.prefix)
	b.initials(d, []string{m.Name}, m.Population)
	if k := b.exactKey(m.Name); k != "" {
		d.AddField(document.NewTextFieldCustom(fExact, nil, []byte(k), textOpts, b.an.keyword))
	}
	b.text(d, fAdmin, "MX, "+m.StateName, b.an.name)
	return d
}

func (b *docBuilder) common(d *document.Document, kind, country string, pop int64) {
	d.AddField(document.NewTextFieldCustom(fKind, nil, []byte(kind), keywordOpts, b.an.keyword))
	d.AddField(document.NewTextFieldCustom(fCountry, nil, []byte(country), keywordOpts, b.an.keyword))
	d.AddField(document.NewNumericFieldWithIndexingOptions(fPopulation, nil, float64(pop), storeOpts))
	// Population tiers let retrieval favour big places among thousands of
	// equal name matches without a numeric field in Bleve.
	for i, t := range []struct {
		min  int64
		tier string
	}{{10_000, "p4"}, {100_000, "p5"}, {1_000_000, "p6"}} {
		if pop >= t.min {
			d.AddField(document.NewTextFieldCustom(fTier, []uint64{uint64(i)}, []byte(t.tier), keywordOpts, b.an.keyword))
		}
	}
}

// initials indexes the first letter of each name word of big places.
func (b *docBuilder) initials(d *document.Document, names []string, pop int64) {
	if pop < initialMinPop {
		return
	}
	var seen []string
	for _, n := range names {
		for _, t := range b.an.name.Analyze([]byte(n)) {
			r, _ := utf8.DecodeRune(t.Term)
			if i := string(r); !slices.Contains(seen, i) {
				seen = append(seen, i)
				d.AddField(document.NewTextFieldCustom(fInitial, []uint64{uint64(len(seen) - 1)}, []byte(i), keywordOpts, b.an.keyword))
			}
		}
	}
}

func (b *docBuilder) text(d *document.Document, field, value string, a analysis.Analyzer) {
	d.AddField(document.NewTextFieldCustom(field, nil, []byte(value), textOpts, a))
}

// exactKey is the whole-name key of the exact field: datasets.Fold, the
// same folding the ranking uses (accents, case and punctuation dropped).
func (b *docBuilder) exactKey(s string) string { return datasets.Fold(s) }

func placeID(id int64) string { return fmt.Sprint(id) }

func municipalityID(cvegeo string) string { return "mun:" + cvegeo }
