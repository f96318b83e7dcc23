package datasets

import (
	"errors"
	"sync"
	"testing"
)

var (
	testResolverOnce sync.Once
	testResolver     *Resolver
)

func mustSnapshot(tb testing.TB) *Snapshot {
	tb.Helper()
	s, err := DefaultSnapshot()
	if err != nil {
		tb.Fatalf("snapshot: %v", err)
	}
	return s
}

// mustResolver returns one resolver over the embedded snapshot for every
// test: its name index takes about a second to build.
func mustResolver(tb testing.TB) *Resolver {
	tb.Helper()
	s := mustSnapshot(tb)
	testResolverOnce.Do(func() { testResolver = NewResolver(s) })
	return testResolver
}

func TestResolveUnique(t *testing.T) {
	r := mustResolver(t)
	cases := []struct {
		name, query string
		opts        ResolveOptions
		want        int64
	}{
		{"city and state", "Whitewater, Wisconsin", ResolveOptions{}, WhitewaterID},
		{"no commas, state code", "whitewater wi", ResolveOptions{}, WhitewaterID},
		{"state code and country variant", "Whitewater, WI, USA", ResolveOptions{}, WhitewaterID},
		{"county", "Whitewater, Walworth County", ResolveOptions{}, WhitewaterID},
		{"spanish country", "Whitewater, Wisconsin, Estados Unidos", ResolveOptions{}, WhitewaterID},
		{"option country", "Whitewater", ResolveOptions{Country: "United States", Region: "Wisconsin"}, WhitewaterID},
		{"accents ignored", "san jose de otates", ResolveOptions{}, OtatesID},
		{"locality with state", "San José de Otates, Guanajuato, México", ResolveOptions{}, OtatesID},
		{"largest dominates", "Milwaukee", ResolveOptions{}, 5263045},
		{"municipality seat outweighs villages", "León, Mexico", ResolveOptions{}, 3998655},
		{"municipality name", "Manuel Doblado", ResolveOptions{Country: "MX"}, 4013705},
		{"district in parentheses", "Coyoacán (Mexico City)", ResolveOptions{}, 3530139},
		{"district after a dash", "Mexico City – Coyoacán", ResolveOptions{}, 3530139},
		{"dotted region code", "Washington, D.C.", ResolveOptions{}, 4140963},
		{"alternate names count less", "El Paso, United States", ResolveOptions{}, 5520993},
		{"georgia the state", "Savannah, Georgia", ResolveOptions{}, 4221552},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := r.ResolveUnique(tc.query, tc.opts)
			if err != nil {
				t.Fatalf("%s: ResolveUnique(%q): %v", tc.name, tc.query, err)
			}
			if c.ID != tc.want {
				t.Errorf("%s: ResolveUnique(%q) = %d %s, want %d", tc.name, tc.query, c.ID, c.Label(), tc.want)
			}
		})
	}
}

func TestResolveWhitewaterFacts(t *testing.T) {
	cs, err := mustResolver(t).Resolve("Whitewater, Wisconsin", ResolveOptions{})
	if err != nil || len(cs) == 0 {
		t.Fatalf("Resolve: %v, %d candidates", err, len(cs))
	}
	c := cs[0]
	if c.ID != WhitewaterID || c.Admin1 != "WI" || c.Admin1Name != "Wisconsin" || c.Admin2Name != "Walworth County" || c.Population != 14692 || c.Country != "US" {
		t.Errorf("got %+v, want 5278931 Whitewater, WI Wisconsin, Walworth County, US, 14692", c)
	}
	if c.Match != MatchName {
		t.Errorf("match %q, want %q", c.Match, MatchName)
	}
}

func TestResolveNotUnique(t *testing.T) {
	r := mustResolver(t)
	cases := []struct {
		name, query string
		reason      string
		code        string
	}{
		{"several villages called Otates", "Otates", ReasonAmbiguous, EInvalid},
		{"two big Guadalupes", "Guadalupe, Mexico", ReasonAmbiguous, EInvalid},
		{"two Benito Juárez municipalities", "Benito Juárez, México", ReasonAmbiguous, EInvalid},
		{"Springfields", "Springfield, United States", ReasonAmbiguous, EInvalid},
		{"nothing", "Xyzzyqwv", ReasonUnmatched, ENotFound},
		{"not in that state", "Whitewater, Texas", ReasonUnmatched, ENotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.ResolveUnique(tc.query, ResolveOptions{})
			var re *ResolveError
			if !errors.As(err, &re) {
				t.Fatalf("%s: got %v, want a *ResolveError", tc.name, err)
			}
			if re.Reason != tc.reason {
				t.Errorf("%s: reason %q, want %q", tc.name, re.Reason, tc.reason)
			}
			if tc.reason == ReasonAmbiguous && len(re.Candidates) < 2 {
				t.Errorf("%s: %d candidates, want several", tc.name, len(re.Candidates))
			}
			if got := ErrorCode(err); got != tc.code {
				t.Errorf("%s: code %q, want %q", tc.name, got, tc.code)
			}
		})
	}
}

func TestResolveRanking(t *testing.T) {
	cs, err := mustResolver(t).Resolve("Otates", ResolveOptions{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(cs); i++ {
		a, b := cs[i-1], cs[i]
		if a.tier > b.tier || (a.tier == b.tier && a.weight < b.weight) {
			t.Errorf("candidate %d (%s, %s) ranks before %d (%s, %s)", i-1, a.Label(), a.Match, i, b.Label(), b.Match)
		}
	}
}

func TestResolveInvalid(t *testing.T) {
	r := mustResolver(t)
	for _, q := range []struct{ name, query, country string }{
		{"empty", "  ", ""},
		{"punctuation only", ",,", ""},
		{"unknown region", "Paris, Narnia", ""},
		{"unknown country option", "Paris", "Atlantis"},
	} {
		_, err := r.Resolve(q.query, ResolveOptions{Country: q.country})
		if ErrorCode(err) != EInvalid {
			t.Errorf("%s: Resolve(%q) error %v, want %s", q.name, q.query, err, EInvalid)
		}
	}
}

func TestCountry(t *testing.T) {
	r := mustResolver(t)
	cases := map[string]string{
		"United States": "US", "USA": "US", "Estados Unidos": "US", "EE. UU.": "US", "us": "US",
		"UK": "GB", "United Kingdom": "GB", "England": "GB", "Reino Unido": "GB",
		"South Korea": "KR", "Corea del Sur": "KR", "Czech Republic": "CZ", "Czechia": "CZ",
		"Alemania": "DE", "Germany": "DE", "México": "MX", "Mexico": "MX", "Republic of Ireland": "IE",
		"Georgia (country)": "GE", "Ivory Coast": "CI", "Côte d’Ivoire": "CI", "Japón": "JP", "FRA": "FR",
	}
	for in, want := range cases {
		if got, ok := r.Country(in); !ok || got != want {
			t.Errorf("Country(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got, ok := r.Country("Narnia"); ok {
		t.Errorf("Country(Narnia) = %q, want none", got)
	}
}

func TestState(t *testing.T) {
	r := mustResolver(t)
	cases := map[string]string{
		"Guanajuato": "11", "Gto.": "11", "11": "11", "5": "05", "Coahuila": "05",
		"Coahuila de Zaragoza": "05", "Chiapas": "07", "Estado de México": "15", "México": "15",
		"CDMX": "09", "Ciudad de México": "09", "Michoacán": "16", "Veracruz": "30", "Nuevo León": "19",
	}
	for in, want := range cases {
		if got, ok := r.State(in); !ok || got != want {
			t.Errorf("State(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestResolveMunicipality(t *testing.T) {
	r := mustResolver(t)
	cases := []struct {
		name, state, muni string
		want              string // CVEGEO, or a reason
	}{
		{"exact", "Guanajuato", "Manuel Doblado", "11008"},
		{"state code, no accents", "11", "leon", "11020"},
		{"abbreviated general", "Nuevo León", "Gral. Escobedo", "19021"},
		{"abbreviated doctor", "Nuevo León", "Dr. Arroyo", "19014"},
		{"judicial district", "Oaxaca", "San Juan Mixtepec - Distr. 08 -", "20208"},
		{"twin names", "Oaxaca", "San Juan Mixtepec", ReasonAmbiguous},
		{"unknown", "Jalisco", "Narnia", ReasonUnmatched},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := r.ResolveMunicipality(tc.state, tc.muni)
			got := ""
			var re *ResolveError
			switch {
			case err == nil:
				got = m.CVEGEO
			case errors.As(err, &re):
				got = re.Reason
			default:
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got != tc.want {
				t.Errorf("%s: ResolveMunicipality(%q, %q) = %q, want %q", tc.name, tc.state, tc.muni, got, tc.want)
			}
		})
	}
	if _, err := r.ResolveMunicipality("Narnia", "x"); ErrorCode(err) != EInvalid {
		t.Errorf("unknown state: got %v, want %s", err, EInvalid)
	}
}

// With INEGI names applied, the long official names match their short
// forms ("Dolores Hidalgo Cuna de la Independencia Nacional").
func TestResolveMunicipalityINEGINames(t *testing.T) {
	s := mustSnapshot(t).ApplyMunicipalities([]Municipality{
		{CVEGEO: "11014", State: "11", StateName: "Guanajuato", Name: "Dolores Hidalgo Cuna de la Independencia Nacional", Population: 163038, PopulationSource: SourceINEGICenso2020},
		{CVEGEO: "23008", State: "23", StateName: "Quintana Roo", Name: "Playa del Carmen", Population: 333800, PopulationSource: SourceINEGICenso2020},
	})
	r := NewResolver(s)
	for _, tc := range []struct{ state, name, want string }{
		{"Guanajuato", "Dolores Hidalgo", "11014"},
		{"Guanajuato", "Dolores Hidalgo Cuna de la Independencia Nal.", "11014"},
		{"Quintana Roo", "Solidaridad", "23008"},
	} {
		m, err := r.ResolveMunicipality(tc.state, tc.name)
		if err != nil || m.CVEGEO != tc.want {
			t.Errorf("ResolveMunicipality(%q, %q) = %v, %v; want %s", tc.state, tc.name, m, err, tc.want)
		}
	}
}

func BenchmarkResolve(b *testing.B) {
	r := mustResolver(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ResolveUnique("Whitewater, Wisconsin", ResolveOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
