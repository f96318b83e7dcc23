package api

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"hermanar/datasets"
	"hermanar/matcher"
)

// stdJSON is what renderMatches wrote before appendResult: encoding/json
// without HTML escaping.
func stdJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func sameJSON(t *testing.T, name string, r *matcher.Result) {
	t.Helper()
	got, ok := appendResult(nil, r)
	want := stdJSON(t, r)
	if !ok || !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(0, i-60)
		t.Errorf("%s: ok %v; differs at byte %d:\n got  …%s\n want …%s", name, ok, i,
			got[lo:min(len(got), i+60)], want[lo:min(len(want), i+60)])
	}
}

// TestMatchJSONAsEncodingJSON: the match answer's encoder writes exactly
// what encoding/json writes, for the real list of every municipality (in
// both languages, and with the existing twins listed) and for made-up
// results that set every optional field and every awkward string and
// number.
func TestMatchJSONAsEncodingJSON(t *testing.T) {
	e := mustEnv(t)
	eng := e.b.Engine
	for i, m := range eng.Snapshot().Municipalities {
		q := matcher.Query{Municipality: m.CVEGEO, K: 10, Lang: "es"}
		if i%7 == 0 {
			q.Lang, q.K = "en", 25
			q.Filter = matcher.Filter{IncludeTwinned: true, Countries: []string{"US", "ES"}, MinPopulation: 1000}
		}
		res, err := eng.Match(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, m.CVEGEO, res)
	}

	one, neg, tiny := 1.0, -0.25, 3e-9
	made := &matcher.Result{
		Query: matcher.QueryEcho{Municipality: "11008", Name: `Manuel "Doblado"`, State: "Guanajuato\\11", K: 3, Lang: "es",
			Filter: matcher.Filter{Countries: []string{"US"}, MinPopulation: 5, MaxPopulation: 9000000000, ExcludeTwinned: true,
				OnlyProfiled: true, IgnoreWishes: true, Traits: []string{"coastal"}, IncludeTwinned: true, NoSizeRule: true, NoDiversity: true},
			Profile: "request", Coverage: []string{}},
		Matches: []matcher.Match{{
			Rank: 1, Place: datasets.PlaceRef{ID: 5278931, Name: "Whitewater <&>", Country: "US", Admin1: "WI", Admin1Name: "Wisconsin",
				Admin2Name: "Walworth\tCounty", Population: 14692, Lat: 42.83362, Lon: -88.73233},
			Score: 0.1 + 0.2, Calibrated: &tiny, CalibratedBasis: "structure",
			Components: []matcher.Component{
				{Name: "diaspora", Value: 1, Weight: 0.3, Contribution: 0.3, Forward: &one, Reverse: &neg,
					Evidence: []string{"línea\u2028separada\u2029", "bad \xff byte", "ctl \x01\x1f\b\f\n\r", "emoji 🙂", ""}, Source: "SRE",
					Parts: []matcher.FeaturePart{{Name: "base", Value: 0.5, Contribution: -1e-9}, {Name: "pop \"x\"", Value: 2, Contribution: 0}}},
				{Name: "structure", Value: 1e21, Weight: 1e-7, Contribution: math.Copysign(0, -1)},
				{Name: "text", Value: 123456789.125, Weight: 5e-324, Contribution: math.MaxFloat64},
			},
			Coverage: 0.5, Twinned: true,
			Categories: []matcher.CategoryRef{{ID: "water", Label: "Agua", Score: 0.75, SDG: []int{6, 11}}, {ID: "x", Label: "y", Score: 0}},
			Terms:      []string{"agua"}, Code: "D+S", Basis: nil,
			Directions: &matcher.Directions{Forward: 0.4, Reverse: 0.2, Combined: 0.26666666666666666, ForwardShare: 1.0 / 3},
			Adjustment: 0.5,
			Partner: &matcher.PartnerNotes{Exchange: []string{"a"}, Wishes: []string{"b"}, WishesUnmet: true, Interest: []string{"c"},
				Contact: "d@e", Adjustment: "×0.5", Provenance: []string{"f"}},
		}, {
			Rank: 2, Place: datasets.PlaceRef{ID: 1, Lat: 1e-7, Lon: float32(math.SmallestNonzeroFloat32)},
			Components: []matcher.Component{}, Basis: []string{}, Partner: &matcher.PartnerNotes{}, Categories: []matcher.CategoryRef{},
		}, {Rank: 3, Place: datasets.PlaceRef{Lat: 3.4e38, Lon: -1e21}}},
		Twinned:    []matcher.Match{{Rank: 1, Code: "T"}},
		Candidates: 182651, Weights: "shipped", Scale: "backtest 2026", WishesHidden: 2, Model: "trees 2026",
	}
	sameJSON(t, "every optional field", made)
	sameJSON(t, "zero result", &matcher.Result{})
	sameJSON(t, "empty lists", &matcher.Result{Matches: []matcher.Match{}, Twinned: []matcher.Match{}})

	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		r := &matcher.Result{Matches: []matcher.Match{{Score: bad}}}
		if _, ok := appendResult(nil, r); ok {
			t.Errorf("score %v: encoded, want refused (encoding/json refuses it)", bad)
		}
	}
}

// TestMatchJSONKnowsEveryField fails when a type of the match answer
// gains (or loses) a JSON field: appendResult must then be taught it.
func TestMatchJSONKnowsEveryField(t *testing.T) {
	written := map[reflect.Type][]string{
		reflect.TypeFor[matcher.Result]():       {"query", "matches", "already_twinned", "candidates", "weights", "scale", "wishes_hidden", "model"},
		reflect.TypeFor[matcher.QueryEcho]():    {"municipality", "name", "state", "k", "lang", "filter", "profile", "coverage"},
		reflect.TypeFor[matcher.Filter]():       {"countries", "min_population", "max_population", "exclude_twinned", "only_profiled", "ignore_wishes", "traits", "include_twinned", "no_size_rule", "no_diversity"},
		reflect.TypeFor[matcher.Match]():        {"rank", "place", "score", "calibrated", "calibrated_basis", "components", "coverage", "twinned", "categories", "terms", "code", "basis", "directions", "adjustment", "partner"},
		reflect.TypeFor[datasets.PlaceRef]():    {"id", "name", "country", "admin1", "admin1_name", "admin2_name", "population", "lat", "lon"},
		reflect.TypeFor[matcher.Component]():    {"name", "value", "weight", "contribution", "forward", "reverse", "evidence", "source", "parts"},
		reflect.TypeFor[matcher.FeaturePart]():  {"name", "value", "contribution"},
		reflect.TypeFor[matcher.Directions]():   {"forward", "reverse", "combined", "forward_share"},
		reflect.TypeFor[matcher.CategoryRef]():  {"id", "label", "score", "sdg"},
		reflect.TypeFor[matcher.PartnerNotes](): {"exchange", "wishes", "wishes_unmet", "interest", "contact", "adjustment", "provenance"},
	}
	for typ, want := range written {
		var got []string
		for f := range typ.Fields() {
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			got = append(got, name)
			if _, marshals := reflect.PointerTo(f.Type).MethodByName("MarshalJSON"); marshals {
				t.Errorf("%s.%s has its own MarshalJSON, which appendResult does not call", typ, f.Name)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: JSON fields %v, appendResult writes %v (api/matchjson.go)", typ, got, want)
		}
	}
}

// BenchmarkMatchJSON encodes Manuel Doblado's list (k=10) with
// appendResult ("direct") and with encoding/json ("reflect").
func BenchmarkMatchJSON(b *testing.B) {
	e := mustEnv(b)
	res, err := e.b.Engine.Match(context.Background(), matcher.Query{Municipality: manuelDoblado, K: 10, Lang: "es"})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			out, _ := appendResult(buf.AvailableBuffer(), res)
			buf.Write(out)
		}
		b.SetBytes(int64(buf.Len()))
	})
	b.Run("reflect", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(res); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(buf.Len()))
	})
}
