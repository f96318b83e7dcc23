package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// DataVersion is a digest of what a store holds that scores read: every
// imported table (kind, row count and the sha256 of its source file) and
// every user-entered profile and tie. Two stores with the same version
// give the same rankings and backtests on the same snapshot, so a report
// that records it can be checked ("same seed, same numbers"). Tokens are
// left out: they change no number.
func DataVersion(s Store) (string, error) {
	h := sha256.New()
	tables, err := s.Tables()
	if err != nil {
		return "", err
	}
	for _, t := range tables {
		fmt.Fprintf(h, "table %s %d %s\n", t.Kind, t.Rows, t.SHA256)
	}
	for _, b := range []string{BucketProfiles, BucketTies, BucketPlaceProfiles} {
		n := 0
		err := s.List(b, func(key string, value []byte) error {
			n++
			fmt.Fprintf(h, "%s %q %d\n", b, key, len(value))
			h.Write(value)
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("data version: %s: %w", b, err)
		}
		fmt.Fprintf(h, "%s: %d records\n", b, n)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16], nil
}
