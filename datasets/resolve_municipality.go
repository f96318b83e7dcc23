package datasets

import (
	"sort"
	"strings"
)

// muniStopwords carry no meaning when comparing municipality names.
var muniStopwords = map[string]bool{"de": true, "del": true, "la": true, "las": true, "los": true, "el": true, "y": true, "e": true}

// muniHonorifics are prefixes official names carry and everyday ones drop.
var muniHonorifics = []string{"heroica ciudad de ", "heroica villa de ", "heroica ", "h ", "villa de ", "ciudad de ", "ciudad ", "municipio de ", "san juan bautista "}

// muniKeys folds a municipality name to the keys it is indexed under.
func muniKeys(name string) []string {
	k := Fold(name)
	if k == "" {
		return nil
	}
	return []string{k}
}

// looseMuni folds a municipality name and drops stopwords and honorific
// prefixes: "Heroica Ciudad de Juchitán de Zaragoza" → "juchitan zaragoza".
func looseMuni(name string) string {
	k := Fold(name)
	for _, h := range muniHonorifics {
		if strings.HasPrefix(k, h) && len(k) > len(h) {
			k = k[len(h):]
			break
		}
	}
	var out []string
	for _, w := range strings.Fields(k) {
		if !muniStopwords[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// muniAliases are names in official files that no rule maps to the INEGI
// name, by INEGI state: folded alias → folded INEGI name.
var muniAliases = map[string]map[string]string{}

// ResolveMunicipality finds the municipality called name in a Mexican
// state (INEGI code, name or abbreviation). It compares folded names and
// then, each step only when the previous found nothing: known aliases; the
// names without stopwords and honorifics ("Heroica Nogales" = "Nogales");
// one name being the other plus trailing words ("Dolores Hidalgo" =
// "Dolores Hidalgo Cuna de la Independencia Nacional"); the words of one
// being a subset of the other's. A step that finds several municipalities
// makes the answer ambiguous. The names are the snapshot's (INEGI's once
// imported and applied with ApplyMunicipalities).
func (r *Resolver) ResolveMunicipality(state, name string) (*Municipality, error) {
	st, ok := r.State(state)
	if !ok {
		return nil, Errorf(EInvalid, "unknown Mexican state %q", state)
	}
	key := Fold(name)
	if key == "" {
		return nil, Errorf(EInvalid, "empty municipality name")
	}
	label := name + ", " + INEGIStateNames[st]
	inState := r.muniByState[st]
	loose := looseMuni(name)
	looseWords := strings.Fields(loose)
	steps := []func(i int32) bool{
		func(i int32) bool { return r.muniFold[i] == key },
		func(i int32) bool {
			a, ok := muniAliases[st][key]
			return ok && r.muniFold[i] == a
		},
		func(i int32) bool { return r.muniLoose[i] == loose },
		func(i int32) bool {
			mk := r.muniFold[i]
			return strings.HasPrefix(mk, key+" ") || strings.HasPrefix(key, mk+" ")
		},
		func(i int32) bool {
			b := strings.Fields(r.muniLoose[i])
			if len(looseWords) == 0 || len(b) == 0 {
				return false
			}
			return subset(looseWords, b) || subset(b, looseWords)
		},
	}
	for _, match := range steps {
		var found []int32
		for _, i := range inState {
			if match(i) {
				found = append(found, i)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			m := r.snap.Municipalities[found[0]]
			return &m, nil
		default:
			cs := make([]Candidate, 0, len(found))
			for _, i := range found {
				m := &r.snap.Municipalities[i]
				cs = append(cs, Candidate{Name: m.Name, Country: "MX", Admin1Name: m.StateName,
					Municipality: m.CVEGEO, MunicipalityName: m.Name, Population: m.Population, ID: m.SeatPlaceID})
			}
			sort.Slice(cs, func(i, j int) bool { return cs[i].Municipality < cs[j].Municipality })
			return nil, &ResolveError{Query: label, Reason: ReasonAmbiguous, Candidates: cs}
		}
	}
	return nil, &ResolveError{Query: label, Reason: ReasonUnmatched}
}

// subset reports whether every word of a occurs in b.
func subset(a, b []string) bool {
	for _, w := range a {
		found := false
		for _, x := range b {
			if w == x {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
