package api

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hermanar/datasets"
	"hermanar/matcher"
)

// Block kinds of a generated document; the DOCX and PDF writers render
// the same list.
const (
	blockTitle    = "title"
	blockSubtitle = "subtitle"
	blockH1       = "h1"
	blockH2       = "h2"
	blockPara     = "p"
	blockBullet   = "li"
	blockBreak    = "break" // page break before the next block
)

// Block is one paragraph of a document.
type Block struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// Dossier is the generated file set for one (municipality, foreign city):
// letter of intent, profile annex, justification and agreement draft.
type Dossier struct {
	Lang         string   `json:"lang"`
	Title        string   `json:"title"`
	Municipality string   `json:"municipality"`
	Place        int64    `json:"place_id"`
	Areas        []string `json:"areas"`
	Template     bool     `json:"official_template"` // the agreement comes from an admin's template
	Blocks       []Block  `json:"blocks"`
}

// DossierInput is what a dossier is generated from.
type DossierInput struct {
	Engine       *matcher.Engine
	Store        datasets.Store
	Municipality string
	Place        int64
	Lang         string
	Now          time.Time
}

type docBuilder struct {
	lang   string
	blocks []Block
}

func (d *docBuilder) add(kind, text string) {
	if strings.TrimSpace(text) != "" || kind == blockBreak {
		d.blocks = append(d.blocks, Block{Kind: kind, Text: text})
	}
}

// pick chooses the Spanish or English text as it is.
func (d *docBuilder) pick(es, en string) string {
	if d.lang == "en" {
		return en
	}
	return es
}

// tr picks the Spanish or English text and fills it.
func (d *docBuilder) tr(es, en string, args ...any) string {
	if d.lang == "en" {
		return fmt.Sprintf(en, args...)
	}
	return fmt.Sprintf(es, args...)
}

var monthsES = []string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}

func longDate(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("2 January 2006")
	}
	return fmt.Sprintf("%d de %s de %d", t.Day(), monthsES[t.Month()-1], t.Year())
}

// partnerLanguage names the usual official language of the partner's
// country, for the agreement's language clause; empty when Spanish.
func partnerLanguage(country, lang string) string {
	names := map[string][2]string{
		"en": {"inglés", "English"}, "fr": {"francés", "French"}, "de": {"alemán", "German"}, "it": {"italiano", "Italian"},
		"pt": {"portugués", "Portuguese"}, "ja": {"japonés", "Japanese"}, "zh": {"chino", "Chinese"}, "ko": {"coreano", "Korean"},
		"nl": {"neerlandés", "Dutch"}, "pl": {"polaco", "Polish"}, "ru": {"ruso", "Russian"}, "he": {"hebreo", "Hebrew"},
	}
	byCountry := map[string]string{"US": "en", "CA": "en", "GB": "en", "AU": "en", "NZ": "en", "IE": "en", "FR": "fr", "BE": "fr",
		"DE": "de", "AT": "de", "IT": "it", "BR": "pt", "PT": "pt", "JP": "ja", "CN": "zh", "TW": "zh", "KR": "ko", "NL": "nl",
		"PL": "pl", "RU": "ru", "IL": "he"}
	spanish := map[string]bool{"ES": true, "AR": true, "BO": true, "CL": true, "CO": true, "CR": true, "CU": true, "DO": true, "EC": true,
		"SV": true, "GT": true, "HN": true, "NI": true, "PA": true, "PY": true, "PE": true, "PR": true, "UY": true, "VE": true}
	if spanish[country] {
		return ""
	}
	if code, ok := byCountry[country]; ok {
		if lang == "en" {
			return names[code][1]
		}
		return names[code][0]
	}
	if lang == "en" {
		return "[the partner's language]"
	}
	return "[idioma de la contraparte]"
}

// chosenAreas: the liaison's choice for this city, else the profile's
// priority areas, else the areas of the problem categories both share.
func chosenAreas(entry datasets.ShortlistEntry, prof datasets.Profile, m matcher.Match, tax *datasets.Taxonomy) []string {
	if len(entry.Areas) > 0 {
		return entry.Areas
	}
	var out []string
	for _, code := range datasets.AreaCodes {
		if prof.Areas[code] > 0 {
			out = append(out, code)
		}
	}
	if len(out) > 0 || tax == nil {
		return out
	}
	seen := map[string]bool{}
	for _, cat := range m.Categories {
		if c, ok := tax.Category(cat.ID); ok {
			for _, a := range c.Areas {
				seen[a] = true
			}
		}
	}
	for _, code := range datasets.AreaCodes {
		if seen[code] {
			out = append(out, code)
		}
	}
	return out
}

// BuildDossier generates the dossier from the stored or prefilled
// profile, the explanation of the pair and the municipality's shortlist.
func BuildDossier(ctx context.Context, in DossierInput) (*Dossier, error) {
	if in.Lang != "en" {
		in.Lang = "es"
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	snap := in.Engine.Snapshot()
	m, ok := snap.Municipality(in.Municipality)
	if !ok {
		return nil, errf(datasets.ENotFound, "No existe el municipio %s.", "There is no municipality %s.", in.Municipality)
	}
	p, ok := snap.Place(in.Place)
	if _, cand := in.Engine.CandidateIndex(in.Place); !ok || !cand {
		f := fieldErrs{}
		f.add("place", "el lugar %d no es una ciudad extranjera candidata", "place %d is not a foreign candidate", in.Place)
		return nil, f.err()
	}
	sl, err := datasets.LoadShortlist(in.Store, m.CVEGEO)
	if err != nil {
		return nil, err
	}
	entry, _ := sl.Entry(p.ID)
	ids := []int64{p.ID}
	for _, e := range sl.Entries {
		if e.Place != p.ID {
			if _, cand := in.Engine.CandidateIndex(e.Place); cand {
				ids = append(ids, e.Place)
			}
		}
	}
	ms, err := in.Engine.Explain(ctx, matcher.Query{Municipality: m.CVEGEO, Lang: in.Lang}, ids)
	if err != nil {
		return nil, err
	}
	prof := in.Engine.Profile(m.CVEGEO)
	tax := datasets.DefaultTaxonomy()
	areas := chosenAreas(entry, prof, ms[0].Match, tax)
	tmpl, hasTmpl, err := LoadAgreementTemplate(in.Store, in.Lang)
	if err != nil {
		return nil, err
	}
	x := &dossierCtx{docBuilder: docBuilder{lang: in.Lang}, in: in, m: m, p: p, snap: snap, prof: prof, entry: entry,
		match: ms[0], alts: ms[1:], areas: areas, eng: in.Engine, shortlist: sl}
	x.country = countryName(p.Country, in.Lang)
	x.placeState = snap.Admin1Name(p)
	x.cover()
	x.letter()
	x.annex()
	x.justification()
	if hasTmpl {
		x.templateAgreement(tmpl)
	} else {
		x.agreement()
	}
	return &Dossier{Lang: in.Lang, Title: x.title(), Municipality: m.CVEGEO, Place: p.ID, Areas: areas, Template: hasTmpl, Blocks: x.blocks}, nil
}

type dossierCtx struct {
	docBuilder
	in         DossierInput
	m          *datasets.Municipality
	p          *datasets.Place
	snap       *datasets.Snapshot
	prof       datasets.Profile
	entry      datasets.ShortlistEntry
	match      matcher.PairMatch
	alts       []matcher.PairMatch
	areas      []string
	eng        *matcher.Engine
	shortlist  datasets.Shortlist
	country    string
	placeState string
}

func (x *dossierCtx) title() string {
	return x.tr("Expediente de hermanamiento: %s, %s – %s, %s (%s)", "Twinning dossier: %s, %s – %s, %s (%s)",
		x.m.Name, x.m.StateName, x.p.Name, x.placeState, x.country)
}

func (x *dossierCtx) ties() []datasets.Tie {
	var out []datasets.Tie
	for _, t := range x.eng.Ties(x.m.CVEGEO) {
		if t.Place == x.p.ID {
			out = append(out, t)
		}
	}
	return out
}

func (x *dossierCtx) cover() {
	x.add(blockTitle, x.title())
	x.add(blockSubtitle, x.tr("Borrador generado por Hermanar el %s a partir del perfil municipal, la explicación de la afinidad entre ambas ciudades y la selección del municipio. Revíselo y complételo antes de enviarlo o firmarlo.",
		"Draft generated by Hermanar on %s from the municipal profile, the explanation of the fit between both cities and the municipality's shortlist. Review and complete it before sending or signing it.",
		longDate(x.in.Now, x.lang)))
	x.add(blockPara, x.tr("Contenido: 1. Carta de intención · 2. Anexo: perfil municipal · 3. Justificación de la elección · 4. Borrador del acuerdo interinstitucional.",
		"Contents: 1. Letter of Intent · 2. Annex: municipal profile · 3. Justification of the choice · 4. Draft inter-institutional agreement."))
}

func (x *dossierCtx) areaList() []string {
	var out []string
	for _, a := range x.areas {
		out = append(out, datasets.AreaLabel(a, x.lang))
	}
	return out
}

func joinAnd(items []string, lang string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	and := " y "
	if lang == "en" {
		and = " and "
	}
	return strings.Join(items[:len(items)-1], ", ") + and + items[len(items)-1]
}

func (x *dossierCtx) letter() {
	x.add(blockBreak, "")
	x.add(blockH1, x.tr("1. Carta de intención", "1. Letter of Intent"))
	x.add(blockPara, x.tr("%s, %s, México, a %s", "%s, %s, Mexico, %s", x.m.Name, x.m.StateName, longDate(x.in.Now, x.lang)))
	x.add(blockPara, x.tr("A la persona titular de la alcaldía de %s, %s, %s", "To the Mayor of %s, %s, %s", x.p.Name, x.placeState, x.country))
	x.add(blockPara, x.tr("Por medio de esta carta, el Ayuntamiento de %s, %s, manifiesta su intención de establecer con %s un hermanamiento formalizado mediante un acuerdo interinstitucional, con proyectos concretos de cooperación que beneficien a ambas comunidades.",
		"With this letter, the Town Council of %s, %s, states its intention to establish with %s a twinning formalized through an inter-institutional agreement, with concrete cooperation projects that benefit both communities.",
		x.m.Name, x.m.StateName, x.p.Name))
	// Motivations: people first, then shared problems, then the profile.
	var motives []string
	for _, t := range x.ties() {
		who := x.m.Name
		if t.Locality != "" {
			who = t.Locality + " (" + x.m.Name + ")"
		}
		size := ""
		if t.Size > 0 {
			approx := ""
			if t.Estimated {
				approx = x.tr("unas ", "about ")
			}
			size = x.tr(" —%s%s personas—", " (%s%s people)", approx, matcher.Thousands(t.Size))
		}
		motives = append(motives, x.tr("Familias originarias de %s viven hoy en %s%s; esa comunidad ya une a las dos ciudades.",
			"Families from %s live today in %s%s; that community already joins both cities.", who, x.p.Name, size))
		if t.Interest {
			motives = append(motives, x.tr("Consta que %s ha expresado interés en este hermanamiento.", "%s is on record as interested in this twinning.", x.p.Name))
		}
	}
	var cats []string
	for _, c := range x.match.Categories {
		cats = append(cats, c.Label)
	}
	if len(cats) > 0 {
		motives = append(motives, x.tr("Ambas ciudades enfrentan retos parecidos (%s); compartir lo que cada una ha aprendido puede acelerar soluciones.",
			"Both cities face similar challenges (%s); sharing what each has learned can speed up solutions.", strings.Join(cats, "; ")))
	}
	if x.prof.Narrative != "" {
		motives = append(motives, x.tr("Sobre nuestro municipio: %s", "About our municipality: %s", x.prof.Narrative))
	}
	if len(motives) > 0 {
		x.add(blockH2, x.tr("Motivos", "Motivations"))
		for _, s := range motives {
			x.add(blockBullet, s)
		}
	}
	x.add(blockH2, x.tr("Intereses y objetivos", "Interests and objectives"))
	if areas := x.areaList(); len(areas) > 0 {
		x.add(blockBullet, x.tr("Cooperar en: %s.", "To cooperate on: %s.", joinAnd(areas, x.lang)))
	}
	var probs []string
	for _, pr := range x.prof.Problems {
		probs = append(probs, pr.Text)
	}
	if len(probs) > 0 {
		x.add(blockBullet, x.tr("Atender, con el intercambio de experiencias, estos problemas locales: %s.", "To address, through the exchange of experience, these local problems: %s.", strings.Join(probs, "; ")))
	}
	var prac []string
	for _, pr := range x.prof.Practices {
		prac = append(prac, pr.Text)
	}
	if len(prac) > 0 {
		x.add(blockBullet, x.tr("Ofrecer a %s lo que nuestro municipio sabe hacer: %s.", "To offer %s what our municipality does well: %s.", x.p.Name, strings.Join(prac, "; ")))
	} else {
		x.add(blockBullet, x.tr("Ofrecer a %s nuestras propias prácticas y conocimientos: el intercambio será en ambos sentidos.", "To offer %s our own practices and knowledge: the exchange will run both ways.", x.p.Name))
	}
	x.add(blockPara, x.tr("Adjuntamos el perfil de nuestro municipio. Proponemos una primera reunión, presencial o virtual, para acordar los siguientes pasos; la Secretaría de Relaciones Exteriores de México y su red consular acompañarán el proceso.",
		"We enclose our municipality's profile. We propose a first meeting, in person or online, to agree on the next steps; Mexico's Ministry of Foreign Affairs (SRE) and its consular network will accompany the process."))
	x.add(blockPara, x.tr("Atentamente,", "Sincerely,"))
	x.add(blockPara, x.tr("[Nombre]\nPresidente(a) Municipal de %s, %s", "[Name]\nMunicipal President of %s, %s", x.m.Name, x.m.StateName))
}

func (x *dossierCtx) annex() {
	x.add(blockBreak, "")
	x.add(blockH1, x.tr("2. Anexo: perfil municipal de %s", "2. Annex: municipal profile of %s", x.m.Name))
	pop := x.tr("%s habitantes", "%s inhabitants", matcher.Thousands(x.m.Population))
	if x.m.PopulationEstimated {
		pop += x.tr(" (estimada)", " (estimated)")
	}
	src := x.m.PopulationSource
	if strings.HasPrefix(src, "sum of GeoNames places") {
		src = x.tr("suma de los lugares de GeoNames con 500 habitantes o más", "sum of the GeoNames places with 500 inhabitants or more")
	}
	x.add(blockBullet, x.tr("Municipio: %s, %s (clave INEGI %s)", "Municipality: %s, %s (INEGI key %s)", x.m.Name, x.m.StateName, x.m.CVEGEO))
	x.add(blockBullet, x.tr("Población: %s. Fuente: %s", "Population: %s. Source: %s", pop, src))
	if x.m.SeatName != "" {
		x.add(blockBullet, x.tr("Cabecera municipal: %s", "Municipal seat: %s", x.m.SeatName))
	}
	x.add(blockH2, x.tr("Economía y migración", "Economy and migration"))
	if v, ok := x.eng.Emigration(x.m.CVEGEO); ok {
		x.add(blockBullet, x.tr("Hogares con emigrantes: %s%% (CONAPO, índice de intensidad migratoria).", "Households with emigrants: %s%% (CONAPO, migration intensity index).", strconv.FormatFloat(v, 'f', 1, 64)))
	}
	x.add(blockBullet, x.tr("[Complete con las actividades económicas principales del municipio y su Plan Municipal de Desarrollo.]",
		"[Complete with the municipality's main economic activities and its Municipal Development Plan.]"))
	if x.prof.Narrative != "" {
		x.add(blockH2, x.tr("Descripción", "Description"))
		x.add(blockPara, x.prof.Narrative)
	}
	x.add(blockH2, x.tr("Prioridades de cooperación", "Cooperation priorities"))
	n := 0
	for _, code := range datasets.AreaCodes {
		if w := x.prof.Areas[code]; w > 0 {
			level := x.tr("alta", "high")
			if w < 0.75 {
				level = x.tr("media", "medium")
			}
			x.add(blockBullet, x.tr("%s) %s — prioridad %s", "%s) %s — %s priority", code, datasets.AreaLabel(code, x.lang), level))
			n++
		}
	}
	if n == 0 {
		x.add(blockPara, x.tr("El perfil aún no indica áreas prioritarias.", "The profile names no priority areas yet."))
	}
	x.add(blockH2, x.tr("Problemas que quiere atender", "Problems to address"))
	if len(x.prof.Problems) == 0 {
		x.add(blockPara, x.tr("El perfil aún no describe problemas.", "The profile describes no problems yet."))
	}
	for _, pr := range x.prof.Problems {
		x.add(blockBullet, pr.Text)
	}
	x.add(blockH2, x.tr("Lo que ofrece", "What it offers"))
	if len(x.prof.Practices) == 0 {
		x.add(blockPara, x.tr("[Describa las prácticas, programas o conocimientos que el municipio puede compartir.]", "[Describe the practices, programmes or know-how the municipality can share.]"))
	}
	for _, pr := range x.prof.Practices {
		x.add(blockBullet, pr.Text)
	}
	x.add(blockH2, x.tr("Dónde viven sus migrantes", "Where its migrants live"))
	ties := x.eng.Ties(x.m.CVEGEO)
	if len(ties) == 0 && len(x.prof.Diaspora) == 0 {
		x.add(blockPara, x.tr("No hay vínculos migrantes registrados.", "No diaspora ties are recorded."))
	}
	for _, t := range ties {
		dest := strconv.FormatInt(t.Place, 10)
		if pl, ok := x.snap.Place(t.Place); ok {
			dest = pl.Name + ", " + x.snap.Admin1Name(pl) + " (" + countryName(pl.Country, x.lang) + ")"
		}
		line := dest
		if t.Locality != "" {
			line = t.Locality + " → " + dest
		}
		if t.Size > 0 {
			line += x.tr(": %s personas", ": %s people", matcher.Thousands(t.Size))
		}
		if t.Source != "" {
			line += x.tr(". Fuente: %s", ". Source: %s", t.Source)
		}
		x.add(blockBullet, line)
	}
	twins := x.eng.Registry().Twins(x.m.CVEGEO)
	x.add(blockH2, x.tr("Hermanamientos existentes", "Existing twinnings"))
	if len(twins) == 0 {
		x.add(blockPara, x.tr("Ninguno registrado.", "None recorded."))
	}
	for _, id := range twins {
		if pl, ok := x.snap.Place(id); ok {
			x.add(blockBullet, pl.Name+", "+x.snap.Admin1Name(pl)+" ("+countryName(pl.Country, x.lang)+")")
		}
	}
}

func (x *dossierCtx) componentLine(c matcher.Component) string {
	return x.tr("%s: valor %.2f × peso %.2f = %.3f", "%s: value %.2f × weight %.2f = %.3f", componentLabel(c.Name, x.lang), c.Value, c.Weight, c.Contribution)
}

func (x *dossierCtx) justification() {
	x.add(blockBreak, "")
	x.add(blockH1, x.tr("3. Justificación de la elección", "3. Justification of the choice"))
	x.add(blockPara, x.tr("Para el cabildo de %s y para la revisión de la Secretaría de Relaciones Exteriores.", "For the town council (cabildo) of %s and for the review by the Ministry of Foreign Affairs (SRE).", x.m.Name))
	pm := x.match
	x.add(blockPara, x.tr("%s, %s (%s) ocupa el lugar %d entre %s ciudades candidatas para %s, con una puntuación de %.3f. Está a %s km y tiene %s habitantes (GeoNames).",
		"%s, %s (%s) ranks %d among %s candidate cities for %s, with a score of %.3f. It lies %s km away and has %s inhabitants (GeoNames).",
		x.p.Name, x.placeState, x.country, pm.Rank, matcher.Thousands(int64(x.eng.Candidates())), x.m.Name, pm.Score,
		matcher.Thousands(int64(pm.DistanceKm+0.5)), matcher.Thousands(x.p.Population)))
	if pm.Twinned {
		x.add(blockPara, x.tr("Atención: el registro ya muestra un hermanamiento entre ambas ciudades.", "Note: the registry already shows a twinning between both cities."))
	}
	reg := x.eng.Registry()
	x.add(blockPara, x.tr("%s tiene %d hermanamientos registrados, %d de ellos con lugares de México.", "%s has %d recorded twinnings, %d of them with places in Mexico.",
		x.p.Name, reg.AllTwins(x.p.ID), reg.MexicanTwins(x.p.ID)))
	x.add(blockH2, x.tr("Cada componente, con su evidencia y su fuente", "Each component, with its evidence and source"))
	for _, c := range pm.Components {
		x.add(blockBullet, x.componentLine(c))
		for _, ev := range c.Evidence {
			x.add(blockPara, "    "+ev)
		}
		if c.Source != "" {
			x.add(blockPara, x.tr("    Fuente: %s", "    Source: %s", c.Source))
		}
	}
	if len(pm.Categories) > 0 {
		var cats []string
		for _, c := range pm.Categories {
			s := c.Label
			if len(c.SDG) > 0 {
				var g []string
				for _, n := range c.SDG {
					g = append(g, strconv.Itoa(n))
				}
				s += x.tr(" (ODS %s)", " (SDG %s)", strings.Join(g, ", "))
			}
			cats = append(cats, s)
		}
		x.add(blockPara, x.tr("Problemas compartidos: %s.", "Shared problems: %s.", strings.Join(cats, "; ")))
	}
	if x.entry.Note != "" {
		x.add(blockH2, x.tr("Nota del enlace municipal", "The municipal liaison's note"))
		x.add(blockPara, x.entry.Note)
	}
	if areas := x.areaList(); len(areas) > 0 {
		x.add(blockPara, x.tr("Áreas de cooperación propuestas: %s.", "Proposed areas of cooperation: %s.", joinAnd(areas, x.lang)))
	}
	x.add(blockH2, x.tr("Alternativas consideradas", "Alternatives considered"))
	if len(x.alts) == 0 {
		x.add(blockPara, x.tr("La selección del municipio no tiene otras ciudades.", "The municipality's shortlist holds no other city."))
	}
	for _, a := range x.alts {
		pl, _ := x.snap.Place(a.Place.ID)
		line := x.tr("%s, %s (%s): lugar %d, puntuación %.3f; razón principal: %s", "%s, %s (%s): rank %d, score %.3f; main reason: %s",
			a.Place.Name, x.snap.Admin1Name(pl), countryName(a.Place.Country, x.lang), a.Rank, a.Score, componentLabel(mainComponent(a.Match), x.lang))
		if e, ok := x.shortlist.Entry(a.Place.ID); ok && e.Note != "" {
			line += x.tr(". Nota: %s", ". Note: %s", e.Note)
		}
		x.add(blockBullet, line)
	}
	x.add(blockH2, x.tr("Método", "Method"))
	x.add(blockPara, x.tr("Hermanar califica a cada ciudad extranjera con componentes explicados: migrantes del municipio que viven ahí, problemas y áreas en común, relevancia de los textos de ambos perfiles, estructura (tamaño, tipo de asentamiento, altitud, clima) y red de hermanamientos. Solo cuenta un componente cuando ambas partes tienen datos; los pesos se reparten entre los que cuentan. Datos geográficos: GeoNames (CC BY 4.0).",
		"Hermanar scores each foreign city with explained components: migrants from the municipality who live there, problems and areas in common, relevance between both profiles' texts, structure (size, settlement type, elevation, climate) and the twinning network. A component counts only where both sides have data; the weights are shared among those that count. Place data: GeoNames (CC BY 4.0)."))
}
