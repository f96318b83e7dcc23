package datasets

import (
	"fmt"
	"sort"
	"strings"
)

// vulnerabilityTags maps INECC vulnerability types to taxonomy categories.
var vulnerabilityTags = map[string]string{
	"asentamientos humanos expuestos a deslaves":     "disaster-risk",
	"asentamientos humanos expuestos a inundaciones": "urban-flooding",
	"poblacion expuesta al dengue":                   "vector-diseases",
	"produccion forrajera en estres hidrico":         "drought",
	"produccion ganadera en estres hidrico":          "livestock",
	"produccion ganadera en inundaciones":            "livestock",
}

// vulnerabilityEN names the INECC vulnerability types in English.
var vulnerabilityEN = map[string]string{
	"asentamientos humanos expuestos a deslaves":     "Settlements exposed to landslides",
	"asentamientos humanos expuestos a inundaciones": "Settlements exposed to floods",
	"poblacion expuesta al dengue":                   "Population exposed to dengue",
	"produccion forrajera en estres hidrico":         "Fodder production under water stress",
	"produccion ganadera en estres hidrico":          "Livestock production under water stress",
	"produccion ganadera en inundaciones":            "Livestock production under floods",
}

// levelEN turns an official level ("Muy alto", "5 Muy Alto") into English.
func levelEN(level string) string {
	f := Fold(level)
	for _, l := range []struct{ es, en string }{{"muy alto", "very high"}, {"muy bajo", "very low"}, {"alto", "high"}, {"bajo", "low"}, {"medio", "medium"}} {
		if strings.Contains(f, l.es) {
			return l.en
		}
	}
	return level
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// DataProblems derives problem statements for every municipality from the
// official indicators that were imported: high or very high climate
// vulnerability (INECC), long severe drought (CONAGUA, D2 or worse for 90
// days or more) and high migration intensity (CONAPO). They prefill a
// municipality's profile until its liaison writes one.
func (d *Data) DataProblems() map[string][]Problem {
	out := map[string][]Problem{}
	add := func(cve, tag, text, textEN string) {
		for _, p := range out[cve] {
			if len(p.Tags) == 1 && p.Tags[0] == tag {
				return
			}
		}
		out[cve] = append(out[cve], Problem{Text: text, I18n: map[string]string{"en": textEN}, Tags: []string{tag}})
	}
	for cve, vs := range d.Vulnerability {
		for _, v := range vs {
			level := Fold(v.Current)
			if level != "alto" && level != "muy alto" {
				continue
			}
			if tag, ok := vulnerabilityTags[Fold(v.Type)]; ok {
				add(cve, tag, fmt.Sprintf("%s: vulnerabilidad %s (INECC, ANVCC)", v.Type, feminine(strings.ToLower(v.Current))),
					fmt.Sprintf("%s: %s vulnerability (INECC, ANVCC)", vulnerabilityEN[Fold(v.Type)], levelEN(v.Current)))
			}
		}
	}
	for cve, ds := range d.Drought {
		for _, x := range ds {
			if (x.Category == "D2" || x.Category == "D3" || x.Category == "D4") && x.Days >= 90 {
				add(cve, "drought", fmt.Sprintf("Sequía %s durante %d días (%s a %s; CONAGUA, Monitor de Sequía)", x.Category, x.Days, x.Start, x.End),
					fmt.Sprintf("Drought %s for %d days (%s to %s; CONAGUA, Drought Monitor)", x.Category, x.Days, x.Start, x.End))
			}
		}
	}
	for cve, m := range d.Migration {
		if m.GradeLevel >= 4 {
			add(cve, "migration-remittances", fmt.Sprintf("Intensidad migratoria %s: %.1f%% de hogares con emigrantes a Estados Unidos (CONAPO 2010)", feminine(strings.ToLower(m.Grade)), m.EmigrantPct),
				fmt.Sprintf("%s migration intensity: %.1f%% of households with emigrants to the United States (CONAPO 2010)", capitalize(levelEN(m.Grade)), m.EmigrantPct))
		}
	}
	for cve := range out {
		ps := out[cve]
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].Tags[0] < ps[j].Tags[0] })
	}
	return out
}

// feminine agrees a level ("alto", "muy bajo", "medio") with a feminine
// noun such as vulnerabilidad or intensidad: "alta", "muy baja", "media".
func feminine(level string) string {
	words := strings.Fields(level)
	for i, w := range words {
		switch w {
		case "alto", "bajo", "medio":
			words[i] = strings.TrimSuffix(w, "o") + "a"
		}
	}
	return strings.Join(words, " ")
}
