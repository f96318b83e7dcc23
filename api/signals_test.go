package api

import (
	"slices"
	"testing"

	"hermanar/datasets"
	"hermanar/matcher"
)

// The spec's component enum and the ranking columns follow matcher's
// declared list: a component added there fails here until openapi.yaml
// names it.
func TestOpenAPIComponentsFollowMatcher(t *testing.T) {
	doc, _ := mustSpec(t)
	comp := doc.Components.Schemas["Component"].Value.Properties["name"].Value
	var enum []string
	for _, v := range comp.Enum {
		enum = append(enum, v.(string))
	}
	if !slices.Equal(enum, matcher.Components) {
		t.Errorf("Component.name enum %v, matcher declares %v", enum, matcher.Components)
	}
	row := doc.Components.Schemas["RankRow"].Value
	for _, c := range matcher.Components {
		for _, col := range []string{c + "_value", c + "_contrib", c + "_present"} {
			if !slices.Contains(row.Required, col) || row.Properties[col] == nil {
				t.Errorf("RankRow lacks %s", col)
			}
			if !slices.Contains(datasets.RankCSVHeader, col) {
				t.Errorf("the ranking CSV header lacks %s", col)
			}
		}
		var r datasets.RankRow
		if _, _, _, ok := r.RankComponent(c); !ok {
			t.Errorf("RankRow has no columns for component %s", c)
		}
		for _, lang := range []string{"es", "en"} {
			if componentLabel(c, lang) == c {
				t.Errorf("component %s has no %s label", c, lang)
			}
		}
	}
}
