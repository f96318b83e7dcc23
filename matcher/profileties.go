package matcher

import (
	"fmt"
	"sort"
	"strings"

	"hermanar/datasets"
)

// ProfileTieID is the id of the tie a municipality's profile records to a
// place: one per (municipality, destination).
func ProfileTieID(cvegeo string, place int64) string {
	return fmt.Sprintf("profile-%s-%d", cvegeo, place)
}

// ProfileRecorder is the RecordedBy of ties taken from a municipality's
// profile: its liaison.
func ProfileRecorder(cvegeo string) string { return "liaison " + cvegeo }

// ProfileTies are the diaspora ties a municipality's profile records: one
// per entry whose destination is resolved (place_id set), recorded by the
// municipality's liaison. Removing the entry from the profile removes the
// tie.
func ProfileTies(cvegeo string, p datasets.Profile) []datasets.Tie {
	var out []datasets.Tie
	seen := map[int64]bool{}
	for _, d := range p.Diaspora {
		if d.PlaceID == 0 || seen[d.PlaceID] {
			continue
		}
		seen[d.PlaceID] = true
		out = append(out, datasets.Tie{ID: ProfileTieID(cvegeo, d.PlaceID), Municipality: cvegeo, Place: d.PlaceID,
			Size: d.Size, Estimated: d.Size == 0, Year: d.Year, Source: d.Source, RecordedBy: ProfileRecorder(cvegeo)})
	}
	return out
}

// echoes reports whether profile tie t only repeats data tie x: the same
// destination with the same source, as a prefilled profile shows it.
func echoes(t, x datasets.Tie) bool { return t.Place == x.Place && t.Source == x.Source }

// mergeProfileTies adds to data the ties of profile p that do not merely
// echo one of them.
func mergeProfileTies(data []datasets.Tie, cvegeo string, p datasets.Profile) []datasets.Tie {
	out := data
	for _, t := range ProfileTies(cvegeo, p) {
		dup := false
		for _, x := range data {
			if echoes(t, x) {
				dup = true
				break
			}
		}
		if !dup {
			if len(out) == len(data) {
				out = append([]datasets.Tie(nil), data...)
			}
			out = append(out, t)
		}
	}
	return out
}

// allTies is every tie of d by origin: recorded ties and those of the
// stored municipal profiles.
func (e *Engine) allTies(d *dynamic) map[string][]datasets.Tie {
	out := make(map[string][]datasets.Tie, len(d.ties)+len(d.muniProfiles))
	for k, v := range d.ties {
		out[k] = v
	}
	keys := make([]string, 0, len(d.muniProfiles))
	for k := range d.muniProfiles {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var ts []datasets.Tie
		for _, t := range mergeProfileTies(out[k], k, d.muniProfiles[k]) {
			if _, ok := e.candIndex[t.Place]; ok {
				ts = append(ts, t)
			}
		}
		if len(ts) > 0 {
			out[k] = ts
		}
	}
	return out
}

// tieSource is the source a tie's evidence cites; a profile entry given
// without one cites the profile and who keeps it.
func tieSource(lang string, t datasets.Tie) string {
	if t.Source != "" {
		return t.SourceIn(lang)
	}
	if strings.HasPrefix(t.RecordedBy, "liaison ") {
		return tr(lang, "perfil del municipio (registrado por su enlace)", "municipal profile (recorded by its liaison)")
	}
	return tr(lang, "sin fuente", "no source")
}
