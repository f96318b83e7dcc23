package matcher

import (
	"fmt"
	"sort"
	"strings"

	"hermanar/datasets"
)

// PartnerNotes explain what is known about the foreign city beyond the
// components: what each side offers the other, the city's stated wishes
// (and whether the municipality meets them), its stated interest, a
// contact, and who recorded each field, when and from what source.
type PartnerNotes struct {
	Exchange    []string `json:"exchange,omitempty"` // "Whitewater ofrece …", "Manuel Doblado ofrece …"
	Wishes      []string `json:"wishes,omitempty"`
	WishesUnmet bool     `json:"wishes_unmet,omitempty"`
	Interest    []string `json:"interest,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Adjustment  string   `json:"adjustment,omitempty"` // how wishes and interest changed the score
	Provenance  []string `json:"provenance,omitempty"`
}

// maxOffers is how many practices of each side an explanation names.
const maxOffers = 4

// itemText is a problem's or practice's text in lang when it has one.
func itemText(text string, i18n map[string]string, lang string) string {
	if t, ok := i18n[lang]; ok && strings.TrimSpace(t) != "" {
		return t
	}
	return text
}

func offerList(ps []datasets.Practice, lang string) string {
	var out []string
	for i, p := range ps {
		if i == maxOffers {
			out = append(out, tr(lang, "y más", "and more"))
			break
		}
		out = append(out, itemText(p.Text, p.I18n, lang))
	}
	return strings.Join(out, "; ")
}

// exchangeLines say what each side offers the other: the city's practices
// and the municipality's, each side's own words, in lang where given.
func (e *Engine) exchangeLines(qs *queryState, c int32) []string {
	lang := qs.lang
	cp, ok := qs.dyn.placeProfiles[e.ids[c]]
	if !ok {
		return nil
	}
	var out []string
	if len(cp.Practices) > 0 {
		out = append(out, fmt.Sprintf(tr(lang, "%s ofrece: %s", "%s offers: %s"), e.placeName(e.ids[c]), offerList(cp.Practices, lang)))
	}
	if len(qs.prof.Practices) > 0 {
		out = append(out, fmt.Sprintf(tr(lang, "%s ofrece: %s", "%s offers: %s"), qs.muni.Name, offerList(qs.prof.Practices, lang)))
	}
	if len(cp.Problems) > 0 {
		var ps []string
		for i, p := range cp.Problems {
			if i == maxOffers {
				break
			}
			ps = append(ps, itemText(p.Text, p.I18n, lang))
		}
		out = append(out, fmt.Sprintf(tr(lang, "%s busca: %s", "%s seeks: %s"), e.placeName(e.ids[c]), strings.Join(ps, "; ")))
	}
	return out
}

// partnerNotes gathers the notes of candidate c, or nil when the city has
// no record.
func (e *Engine) partnerNotes(qs *queryState, c int32) *PartnerNotes {
	id := e.ids[c]
	rec := qs.dyn.placeRecs[id]
	_, hasProfile := qs.dyn.placeProfiles[id]
	if rec == nil && !hasProfile {
		return nil
	}
	lang := qs.lang
	n := &PartnerNotes{Exchange: e.exchangeLines(qs, c)}
	if rec == nil {
		return n
	}
	w := e.checkWishes(qs, rec)
	n.Wishes = append(append(append(n.Wishes, w.unmet...), w.soft...), w.met...)
	n.Wishes = append(n.Wishes, w.traits...)
	n.WishesUnmet = len(w.unmet) > 0 && !w.muniHit
	if n.WishesUnmet {
		n.Wishes = append(n.Wishes, tr(lang, "Se muestra solo porque la consulta pidió incluir ciudades cuyos deseos no se cumplen; su puntaje se redujo a la mitad.",
			"Shown only because the query asked to include cities whose wishes are not met; its score was halved."))
	}
	for _, in := range rec.Interests {
		n.Interest = append(n.Interest, e.interestLine(qs, rec.PlaceID, in))
	}
	if base, final := e.scorePair(qs, c, nil), e.adjustForWishes(qs, rec, e.scorePair(qs, c, nil)); final >= 0 && round6(final) != round6(base) {
		n.Adjustment = fmt.Sprintf(tr(lang, "Los deseos e interés declarados por la ciudad llevan el puntaje de %.3f a %.3f.",
			"The city's stated wishes and interest take the score from %.3f to %.3f."), base, final)
	}
	if ct := rec.Contact; ct != nil {
		n.Contact = strings.Join(nonEmpty(ct.Name, itemText(ct.Role, ct.RoleI18n, lang), ct.Organisation, ct.Email, ct.Phone,
			viaText(lang, ct.Via), speaks(lang, ct.Languages)), " · ")
	}
	fields := make([]string, 0, len(rec.Provenance))
	for f := range rec.Provenance {
		fields = append(fields, f)
	}
	sort.Slice(fields, func(i, j int) bool { return fieldOrder(fields[i]) < fieldOrder(fields[j]) })
	for _, f := range fields {
		p := rec.Provenance[f]
		n.Provenance = append(n.Provenance, fmt.Sprintf(tr(lang, "%s: registrado por %s el %s; fuente: %s",
			"%s: recorded by %s on %s; source: %s"), fieldLabel(f, lang), recorderOf(lang, p.By), day(p.At), p.Source))
	}
	return n
}

func (e *Engine) interestLine(qs *queryState, place int64, in datasets.Interest) string {
	lang := qs.lang
	var target string
	if in.Municipality != "" {
		target = in.Municipality
		if m, ok := e.in.Snap.Municipality(in.Municipality); ok {
			target = m.Name + ", " + m.StateName
		}
		if in.Locality != "" {
			target = in.Locality + " (" + target + ")"
		}
	} else {
		target = tr(lang, "el estado ", "the state ") + in.State
		for _, m := range e.in.Snap.Municipalities {
			if m.CVEGEO[:2] == in.State {
				target = m.StateName
				break
			}
		}
	}
	line := fmt.Sprintf(tr(lang, "%s manifestó interés en hermanarse con %s (%s); fuente: %s; registrado por %s",
		"%s stated an interest in twinning with %s (%s); source: %s; recorded by %s"),
		e.placeName(place), target, in.Date, in.Source, recorderOf(lang, in.RecordedBy))
	if note := itemText(in.Note, in.NoteI18n, lang); note != "" {
		line += ". " + note
	}
	return line
}

func viaText(lang, via string) string {
	if via == "" {
		return ""
	}
	return tr(lang, "por medio de ", "through ") + via
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			out = append(out, x)
		}
	}
	return out
}

func day(ts string) string {
	if len(ts) >= 10 {
		return ts[:10]
	}
	return ts
}

func fieldOrder(f string) int {
	for i, x := range datasets.PlaceProfileFields {
		if x == f {
			return i
		}
	}
	return len(datasets.PlaceProfileFields)
}

func fieldLabel(f, lang string) string {
	l := map[string]Label{
		"narrative": {"Descripción", "Description"}, "problems": {"Lo que busca", "What it seeks"},
		"practices": {"Lo que ofrece", "What it offers"}, "areas": {"Áreas", "Areas"},
		"wishes": {"Deseos sobre el socio", "Wishes for a partner"}, "contact": {"Contacto", "Contact"},
	}[f]
	if l.ES == "" {
		return f
	}
	return l.In(lang)
}

// recorderOf names who recorded a place's field: a role and scope
// ("consulate milwaukee", "analyst", "import FILE", "curated").
func recorderOf(lang, by string) string {
	switch {
	case by == "" || by == "curated":
		return tr(lang, "los datos curados de Hermanar", "Hermanar's curated data")
	case strings.HasPrefix(by, "consulate "):
		return tr(lang, "el consulado ", "the consulate ") + strings.TrimPrefix(by, "consulate ")
	case strings.HasPrefix(by, "import "):
		return tr(lang, "la importación de ", "the import of ") + strings.TrimPrefix(by, "import ")
	case by == "analyst":
		return tr(lang, "un analista de la DGCP", "a DGCP analyst")
	case by == "admin":
		return tr(lang, "un administrador", "an administrator")
	}
	return by
}

// speaks names the languages of a contact ("es, en" → "habla español e inglés").
func speaks(lang, codes string) string {
	var names []string
	for _, c := range strings.Split(codes, ",") {
		if c = strings.TrimSpace(c); c != "" {
			names = append(names, languageName(c, lang))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return tr(lang, "habla ", "speaks ") + strings.Join(names, tr(lang, " y ", " and "))
}

// RecorderName names who recorded a field or an interest ("consulate
// milwaukee", "analyst", "import FILE", "curated") for people, in lang.
func RecorderName(lang, by string) string { return recorderOf(lang, by) }
