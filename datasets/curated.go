package datasets

import (
	"embed"
	"fmt"
	"sync"
)

// Curated facts shipped with the binary, in the project's own ties and
// consulates formats (SCHEMAS.md). They are few and each row cites its
// source; imported and user-entered records add to them.
//
//go:embed curated/ties.csv curated/consulates.csv
var curatedFS embed.FS

// CuratedTies returns the embedded diaspora ties, checked against snap.
func CuratedTies(snap *Snapshot) ([]Tie, error) {
	t, err := curatedTable("curated/ties.csv", tieColumns)
	if err != nil {
		return nil, err
	}
	ties, _, err := parseTies(t, snap, lazyResolver(snap), "curated")
	return ties, err
}

// CuratedConsulates returns the embedded consulates, checked against snap.
func CuratedConsulates(snap *Snapshot) ([]Consulate, error) {
	t, err := curatedTable("curated/consulates.csv", consulateColumns)
	if err != nil {
		return nil, err
	}
	return parseConsulates(t, snap, lazyResolver(snap))
}

func curatedTable(name string, cols []string) (*csvTable, error) {
	b, err := curatedFS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("curated data: %w", err)
	}
	return readCSV("datasets/"+name, b, cols...)
}

// lazyResolver builds a Resolver for snap on the first call only.
func lazyResolver(snap *Snapshot) func() (*Resolver, error) {
	var once sync.Once
	var r *Resolver
	return func() (*Resolver, error) {
		once.Do(func() { r = NewResolver(snap) })
		return r, nil
	}
}
