package api

import (
	"bytes"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

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
	if !slices.Equal(enum, matcher.ExplainedComponents) {
		t.Errorf("Component.name enum %v, matcher declares %v", enum, matcher.ExplainedComponents)
	}
	row := doc.Components.Schemas["RankRow"].Value
	for _, c := range matcher.ExplainedComponents {
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

// A component added to matcher's list reaches the spec's enums with no
// edit of openapi.yaml: the spec built for the list plus a fake component
// names it in Component.name and Match.basis, and validates.
func TestOpenAPIEnumsFromTheList(t *testing.T) {
	spec := specWithComponents(openapiSource, append(slices.Clone(matcher.Components), "fake_component"))
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatal(err)
	}
	name := doc.Components.Schemas["Component"].Value.Properties["name"].Value
	basis := doc.Components.Schemas["Match"].Value.Properties["basis"].Value.Items.Value
	for what, s := range map[string]*openapi3.Schema{"Component.name": name, "Match.basis": basis} {
		if !slices.Contains(s.Enum, any("fake_component")) || len(s.Enum) != len(matcher.Components)+1 {
			t.Errorf("%s enum %v lacks the added component", what, s.Enum)
		}
	}
	if bytes.Contains(OpenAPI, []byte("__components__")) {
		t.Error("the served spec still has a placeholder")
	}
}
