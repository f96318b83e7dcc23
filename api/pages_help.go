package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
	"hermanar/matcher"
)

// helpText holds the texts of the help page (/ayuda, /help) and of the
// glossary beside the matches; init adds them to pageText.
var helpText = map[string]T{
	"nav.help":   {ES: "Ayuda", EN: "Help"},
	"help.title": {ES: "Ayuda: cómo leer y usar Hermanar", EN: "Help: how to read and use Hermanar"},
	"help.lead": {ES: "Hermanar propone ciudades extranjeras con las que su municipio puede hermanarse o firmar un acuerdo de cooperación, y explica por qué. Esta página dice qué significa cada número y a quién acudir.",
		EN: "Hermanar proposes foreign cities your municipality may twin with or sign a cooperation agreement with, and says why. This page explains each figure and whom to turn to."},
	"help.score.h": {ES: "Qué significa el puntaje", EN: "What the score means"},
	"help.score": {ES: "El puntaje va de 0 a 1. Es la suma de las razones que tienen datos en los dos lados (su municipio y la ciudad), cada una multiplicada por su peso; las razones sin datos no cuentan y los pesos de las demás se reparten de nuevo. Un puntaje sirve para ordenar: compare ciudades de una misma lista, no listas de municipios distintos. Para comparar entre municipios está la probabilidad calibrada, la cifra grande de cada ciudad: en la prueba con hermanamientos reales, de las ciudades con ese puntaje, la proporción que era la hermana elegida; significa lo mismo para todos los municipios. Cuando ambos lados tienen perfil, cada razón se mide desde el municipio y desde la ciudad, y las dos se combinan con una media armónica, para que la pareja convenga a ambos.",
		EN: "The score runs from 0 to 1. It adds up the reasons that have data on both sides (your municipality and the city), each multiplied by its weight; reasons without data do not count and the others' weights are shared out again. A score is for ordering: compare cities within one list, not lists of different municipalities. To compare across municipalities there is the calibrated probability, the large figure of each city: in the test on real twinnings, the share of the cities with that score that were the chosen twin; it means the same for every municipality. When both sides have profiles, each reason is measured from the municipality and from the city, and the two combine by a harmonic mean, so that the pair must suit both."},
	"help.coverage": {ES: "La cobertura de datos dice qué parte del peso total tuvo datos. Una cobertura baja significa que la lista se apoya en pocas razones: complete el perfil para mejorarla.",
		EN: "Data coverage says what share of the total weight had data. Low coverage means the list rests on few reasons: complete the profile to improve it."},
	"help.components.h": {ES: "Las razones (componentes)", EN: "The reasons (components)"},
	"help.comp." + matcher.CompProblems: {ES: "Los problemas de su perfil y los de la ciudad caen en los mismos temas; también cuenta si una ofrece prácticas para los problemas de la otra.",
		EN: "The problems in your profile and the city's fall under the same topics; it also counts when one offers practices for the other's problems."},
	"help.comp." + matcher.CompAreas: {ES: "Las dos partes dan prioridad a las mismas áreas de cooperación (a–h, abajo).",
		EN: "Both sides give priority to the same cooperation areas (a–h, below)."},
	"help.comp." + matcher.CompDiaspora: {ES: "Personas de su municipio (o de sus localidades) viven en esa ciudad, según los vínculos registrados y su fuente. Es la razón que la SRE destaca para empezar un hermanamiento.",
		EN: "People from your municipality (or its localities) live in that city, according to the recorded ties and their source. The SRE singles this reason out for starting a twinning."},
	"help.comp." + matcher.CompText: {ES: "Las descripciones de los dos perfiles usan palabras en común, en español o en inglés.",
		EN: "The descriptions of both profiles share words, in Spanish or English."},
	"help.comp." + matcher.CompStructure: {ES: "Tamaño de población, altitud, clima y rasgos como costa, frontera o capital parecidos. Las ciudades suelen hermanarse con otras de su tamaño.",
		EN: "Similar population size, elevation, climate and traits such as coast, border or capital. Cities tend to twin with others of their size."},
	"help.comp." + matcher.CompNetwork: {ES: "Lo que dicen los hermanamientos que ya existen: ciudades abiertas a hermanarse, países con los que su estado ya tiene lazos.",
		EN: "What the existing twinnings say: cities open to twinning, countries your state already has links with."},
	"help.areas.h": {ES: "Las áreas de cooperación (a–h)", EN: "The cooperation areas (a–h)"},
	"help.areas": {ES: "Son las áreas del modelo de acuerdo de la SRE. En el perfil, cada área se marca con prioridad alta, media o ninguna.",
		EN: "These are the areas of the SRE's model agreement. In the profile each area is marked high, medium or no priority."},
	"help.token.h": {ES: "Cómo obtener una credencial", EN: "How to get a token"},
	"help.token": {ES: "Para editar el perfil de un municipio o registrar vínculos hace falta una credencial. La entrega la administración de Hermanar: la del enlace municipal sirve para un solo municipio; la de un consulado, para su circunscripción. Pídala a quien administra Hermanar en su dependencia y péguela en «Acceder con credencial»; consultar las listas no la requiere.",
		EN: "Editing a municipality's profile or recording ties needs a token. Hermanar's administrators issue it: a liaison's token is for one municipality, a consulate's for its jurisdiction. Ask whoever runs Hermanar in your office and paste it under \"Sign in with a token\"; reading the lists needs none."},
	"help.sre.h": {ES: "A quién acudir en la SRE", EN: "Whom to ask at the SRE"},
	"help.sre": {ES: "La Dirección General de Coordinación Política (DGCP) de la Secretaría de Relaciones Exteriores es el enlace de la Cancillería con los gobiernos estatales y municipales: orienta sobre hermanamientos, revisa los acuerdos interinstitucionales (que deben notificarse a la SRE según el artículo 7 de la Ley sobre la Celebración de Tratados) y los registra. Para una ciudad concreta, el consulado de México que la atiende puede hacer el primer contacto.",
		EN: "The General Directorate of Political Coordination (DGCP) of the Ministry of Foreign Affairs is the ministry's link with state and municipal governments: it advises on twinnings, reviews inter-institutional agreements (which must be notified to the SRE under article 7 of the Law on the Celebration of Treaties) and registers them. For a given city, the Mexican consulate serving it can make the first contact."},
	"help.glossary.h": {ES: "Glosario", EN: "Glossary"},
	"gl.twinning.t":   {ES: "Hermanamiento", EN: "Twinning"},
	"gl.twinning": {ES: "Acuerdo entre un municipio mexicano y una ciudad extranjera para cooperar en varias áreas durante años.",
		EN: "An agreement between a Mexican municipality and a foreign city to cooperate in several areas over years."},
	"gl.agreement.t": {ES: "Acuerdo interinstitucional", EN: "Inter-institutional agreement"},
	"gl.agreement": {ES: "El documento que formaliza la cooperación; la SRE da su opinión antes de la firma y lo registra después.",
		EN: "The document that formalises the cooperation; the SRE gives its opinion before signing and registers it afterwards."},
	"gl.liaison.t": {ES: "Enlace", EN: "Liaison"},
	"gl.liaison":   {ES: "La persona o el área que el municipio designa para llevar sus relaciones internacionales.", EN: "The person or office the municipality names to handle its international relations."},
	"gl.profile.t": {ES: "Perfil municipal", EN: "Municipal profile"},
	"gl.profile": {ES: "Problemas, prioridades, prácticas que ofrece y destinos de sus migrantes; Hermanar lo llena con datos públicos y el enlace lo completa.",
		EN: "Problems, priorities, practices to offer and where its migrants live; Hermanar prefills it from public data and the liaison completes it."},
	"gl.cvegeo.t":   {ES: "Clave del municipio (CVEGEO)", EN: "Municipality code (CVEGEO)"},
	"gl.cvegeo":     {ES: "Los cinco dígitos del INEGI: estado (2) y municipio (3); 11008 es Manuel Doblado, Guanajuato.", EN: "INEGI's five digits: state (2) and municipality (3); 11008 is Manuel Doblado, Guanajuato."},
	"gl.twinned.t":  {ES: "Ya hermanada", EN: "Already twinned"},
	"gl.twinned":    {ES: "La ciudad ya tiene un hermanamiento registrado con su municipio.", EN: "The city already has a recorded twinning with your municipality."},
	"help.more":     {ES: "Más ayuda", EN: "More help"},
	"help.glossary": {ES: "Términos de esta página", EN: "Terms on this page"},
}

func init() {
	for k, v := range helpText {
		pageText[k] = v
	}
}

// helpComponent is one reason as the help page explains it.
type helpComponent struct{ Name, Label, Text string }

// helpArea is one of the model agreement's areas.
type helpArea struct{ Code, Label string }

type helpView struct {
	Components []helpComponent
	Areas      []helpArea
}

// helpPage answers /ayuda (Spanish unless the visitor chose English) and
// /help (English unless ?lang=es).
func (s *Server) helpPage(lang string) gin.HandlerFunc {
	return func(c *gin.Context) {
		// /help is the English address: English unless the visitor chose
		// Spanish; /ayuda follows the usual choice (Spanish by default).
		if lang == "en" && c.Query("lang") == "" && cookie(c, langCookie) == "" {
			c.Set(langKey, lang)
		}
		l := langOf(c)
		var v helpView
		for _, name := range matcher.Components {
			v.Components = append(v.Components, helpComponent{Name: name, Label: componentLabel(name, l), Text: helpText["help.comp."+name].In(l)})
		}
		for _, code := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
			v.Areas = append(v.Areas, helpArea{Code: code, Label: datasets.AreaLabel(code, l)})
		}
		s.render(c, http.StatusOK, "help", page{Title: pageText["help.title"].In(l), P: v})
	}
}
