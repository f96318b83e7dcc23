package api

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"hermanar/matcher"
)

// matchesTruth is what the matches page says about its own data: the
// components no candidate of the list has data for (and how they get
// filled), the taxonomy categories read in the municipality's problems,
// and the cities held back by their stated wishes.
type matchesTruth struct {
	NoData     string
	Categories []problemCategories
	Hidden     string
	HiddenURL  string
}

// problemCategories is one problem of the municipality and the taxonomy
// categories it was read as.
type problemCategories struct {
	Text       string
	Categories []string
}

// profileComponents are the components that need a profile on both sides.
var profileComponents = []string{matcher.CompProblems, matcher.CompAreas, matcher.CompText}

func (s *Server) matchesTruth(b *Backend, cvegeo string, res *matcher.Result, rawQuery url.Values, lang string) *matchesTruth {
	t := &matchesTruth{}
	if len(res.Matches) > 0 {
		var missing []string
		for _, name := range profileComponents {
			has := false
			for _, m := range res.Matches {
				for _, c := range m.Components {
					has = has || c.Name == name
				}
			}
			if !has {
				missing = append(missing, componentLabel(name, lang))
			}
		}
		if len(missing) > 0 {
			t.NoData = fmt.Sprintf(pageText["matches.nodata"].In(lang), strings.Join(missing, ", "))
		}
	}
	prof := b.Engine.Profile(cvegeo)
	for _, p := range prof.Problems {
		pc := problemCategories{Text: i18nText(p.Text, p.I18n, lang)}
		ids := append([]string(nil), p.Tags...)
		if b.Classifier != nil {
			for _, c := range b.Classifier.Classify(p.Text, prof.Lang, 2) {
				if c.Score >= 0.5 && !slices.Contains(ids, c.ID) {
					ids = append(ids, c.ID)
				}
			}
		}
		for _, id := range ids {
			if cat, ok := s.tax.Category(id); ok {
				label := cat.Label.In(lang)
				if len(cat.SDG) > 0 {
					var g []string
					for _, n := range cat.SDG {
						g = append(g, fmt.Sprint(n))
					}
					label += " (" + pageText["sdg.short"].In(lang) + " " + strings.Join(g, ", ") + ")"
				}
				pc.Categories = append(pc.Categories, label)
			}
		}
		t.Categories = append(t.Categories, pc)
	}
	if res.WishesHidden > 0 {
		t.Hidden = fmt.Sprintf(pageText["matches.hidden"].In(lang), res.WishesHidden)
		q := url.Values{}
		for k, v := range rawQuery {
			q[k] = v
		}
		q.Set("ignore_wishes", "true")
		t.HiddenURL = "/municipios/" + cvegeo + "/coincidencias?" + q.Encode()
	}
	return t
}

func init() {
	pageText["sdg.short"] = T{ES: "ODS", EN: "SDG"}
	pageText["edit.saved.profiles"] = T{ES: "Problemas, áreas y texto se comparan con las %d ciudades que tienen perfil registrado; los vínculos migrantes del perfil cuentan ya con todas.",
		EN: "Problems, areas and text are compared with the %d cities that have a recorded profile; the profile's migrant ties already count with every city."}
}

// savedNote says, after a profile is saved, what the save can change.
func savedNote(b *Backend, lang string) string {
	return fmt.Sprintf(pageText["edit.saved.profiles"].In(lang), len(b.Engine.PlaceRecordIDs()))
}
