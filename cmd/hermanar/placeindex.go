package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"hermanar/datasets"
	"hermanar/index"
	"hermanar/matcher"
)

// syncPlaceProfiles keeps the text index's place profiles equal to the
// records the engine starts from. Curated and imported records reach the
// store without a running server, so at start-up the index is brought in
// line when their fingerprint (kept next to the index) changed.
func syncPlaceProfiles(w *matcher.Writes, ix *index.Index, dir string, recs map[int64]datasets.PlaceProfile) error {
	ids := make([]int64, 0, len(recs))
	for id := range recs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	h := sha256.New()
	for _, id := range ids {
		b, err := json.Marshal(recs[id].Profile)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%d\t%s\n", id, b)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	mark := filepath.Join(dir, "place_profiles.sha256")
	if old, err := os.ReadFile(mark); err == nil && string(old) == sum && !ix.ProfilesReset() {
		return nil
	}
	profiles := make(map[int64]datasets.Profile, len(recs))
	for id, r := range recs {
		profiles[id] = r.Profile
	}
	if err := w.Reindex(nil, profiles); err != nil {
		return err
	}
	if err := os.WriteFile(mark, []byte(sum), 0o644); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}
