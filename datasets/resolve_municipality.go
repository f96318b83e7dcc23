package datasets

import (
	"sort"
	"strings"
)

// muniStopwords carry no meaning when comparing municipality names.
var muniStopwords = map[string]bool{"de": true, "del": true, "la": true, "las": true, "los": true, "el": true, "y": true, "e": true}

// muniHonorifics are prefixes official names carry and everyday ones drop.
var muniHonorifics = []string{"heroica ciudad de ", "heroica villa de ", "heroica ", "h ", "villa de ", "ciudad de ", "ciudad ", "municipio de ", "san juan bautista "}

// muniAbbrev spells out the abbreviations of official lists ("Dr. Arroyo",
// "Gral. Escobedo", "Dolores Hidalgo Cuna de la Independencia Nal.").
var muniAbbrev = map[string]string{"dr": "doctor", "gral": "general", "nal": "nacional", "sta": "santa",
	"sto": "santo", "cd": "ciudad", "distr": "distrito", "dto": "distrito", "ma": "maria", "pte": "poniente", "ote": "oriente"}

// muniKey folds a municipality name and spells out abbreviations.
func muniKey(name string) string {
	k := Fold(name)
	if !strings.Contains(k, " ") && muniAbbrev[k] == "" {
		return k
	}
	words := strings.Fields(k)
	for i, w := range words {
		if full, ok := muniAbbrev[w]; ok {
			words[i] = full
		}
	}
	return strings.Join(words, " ")
}

// muniKeys are the keys a municipality name is indexed under.
func muniKeys(name string) []string {
	if k := muniKey(name); k != "" {
		return []string{k}
	}
	return nil
}

// looseMuni folds a municipality name and drops stopwords and honorific
// prefixes: "Heroica Ciudad de Juchitán de Zaragoza" → "juchitan zaragoza".
func looseMuni(name string) string {
	k := muniKey(name)
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
// name, by INEGI state: muniKey of the alias → CVEGEO. Oaxaca has two San
// Juan Mixtepec and two San Pedro Mixtepec, told apart by their judicial
// district; San Mateo Yucutindoo was Zapotitlán del Río; INEGI's catalogue
// names Solidaridad (Quintana Roo) after its seat, Playa del Carmen.
var muniAliases = map[string]map[string]string{
	"20": {
		"san juan mixtepec distrito 08": "20208", "san juan mixtepec distrito 26": "20209",
		"san pedro mixtepec distrito 22": "20318", "san pedro mixtepec distrito 26": "20319",
		"zapotitlan del rio": "20566",
	},
	"23": {"solidaridad": "23008", "playa del carmen": "23008"},
}

// ResolveMunicipality finds the municipality called name in a Mexican
// state (INEGI code, name or abbreviation). It compares folded names with
// abbreviations spelled out ("Gral." = "General") and then, each step only
// when the previous found nothing: known aliases (muniAliases); the
// names without stopwords and honorifics ("Heroica Nogales" = "Nogales");
// one name being the other plus trailing words ("Dolores Hidalgo" =
// "Dolores Hidalgo Cuna de la Independencia Nacional"); the words of one
// being a subset of the other's. A step that finds several municipalities
// makes the answer ambiguous. The names are the snapshot's (INEGI's once
// imported and applied with ApplyMunicipalities).
func (r *Resolver) ResolveMunicipality(state, name string) (*Municipality, error) {
	st, ok := r.State(state)
	if !ok {
		return nil, Errf(EInvalid, "estado de México desconocido: %q", "unknown Mexican state %q", state)
	}
	key := muniKey(name)
	if key == "" {
		return nil, Errf(EInvalid, "falta el nombre del municipio", "empty municipality name")
	}
	label := name + ", " + INEGIStateNames[st]
	inState := r.muniByState[st]
	loose := looseMuni(name)
	looseWords := strings.Fields(loose)
	steps := []func(i int32) bool{
		func(i int32) bool { return r.muniFold[i] == key },
		func(i int32) bool {
			cve, ok := muniAliases[st][key]
			return ok && r.snap.Municipalities[i].CVEGEO == cve
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
			return nil, &ResolveError{Query: label, Reason: ReasonAmbiguous, Candidates: cs, What: "municipality"}
		}
	}
	return nil, &ResolveError{Query: label, Reason: ReasonUnmatched, What: "municipality"}
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
