package api

// mapText is every fixed text of the maps, in Spanish and English; it
// joins pageText at start-up (one table for the "t" function).
var mapText = map[string]T{
	"map.matches.title":   {"Mapa de las ciudades afines", "Map of the partner cities"},
	"map.matches.aria":    {"Mapa: el municipio, sus ciudades afines coloreadas por puntaje, sus hermanamientos y sus vínculos migrantes", "Map: the municipality, its partner cities coloured by score, its twinnings and its diaspora ties"},
	"map.consulate.title": {"Mapa de la circunscripción", "Map of the jurisdiction"},
	"map.consulate.aria":  {"Mapa: los estados de la circunscripción del consulado, con sus oportunidades y vínculos migrantes", "Map: the states the consulate serves, with its opportunities and diaspora ties"},
	"map.table":           {"Lo mismo que muestra el mapa, en tabla", "What the map shows, as a table"},
	"map.kind":            {"Qué", "What"},
	"map.place":           {"Lugar", "Place"},
	"map.value":           {"Puntaje o personas", "Score or people"},
	"map.muni":            {"Municipio", "Municipality"},
	"map.candidate":       {"Ciudad afín", "Partner city"},
	"map.twin":            {"Hermanamiento existente", "Existing twinning"},
	"map.tie":             {"Vínculo migrante", "Diaspora tie"},
	"map.score":           {"puntaje", "score"},
	"map.people":          {"personas", "people"},
	"map.score.range":     {"puntaje %s–%s", "score %s–%s"},
	"map.tie.legend":      {"vínculo migrante (grosor: personas)", "diaspora tie (width: people)"},
	"map.note.matches":    {"Proyección Equal Earth, ajustada a los lugares mostrados. Pase el cursor o el foco del teclado sobre un punto para ver su nombre y puntaje; al hacer clic se abre la ciudad.", "Equal Earth projection, zoomed to the places shown. Hover or tab to a dot to see its name and score; click it to open the city."},
	"map.note.consulate":  {"Proyección Equal Earth. El tamaño de cada punto sigue el número de personas; su color, el mejor puntaje. Al hacer clic se abre la explicación.", "Equal Earth projection. Each dot's size follows the number of people; its colour, the best score. Click a dot to open the explanation."},
	"map.consulate":       {"Sede del consulado", "Consulate"},
	"map.juris":           {"estado de la circunscripción", "state in the jurisdiction"},
	"map.juris.part":      {"estado con condados de la circunscripción", "state with counties in the jurisdiction"},
	"map.dest":            {"Destino", "Destination"},
	"map.origins":         {"Municipios de origen", "Origin municipalities"},
	"map.best":            {"Mejor puntaje", "Best score"},
	"map.credit.world":    {"Natural Earth", "Natural Earth"},
	"map.credit.us":       {"Censo de EE. UU. · Natural Earth", "US Census · Natural Earth"},
	"map.credit.mx":       {"MapSVG (CC BY 4.0)", "MapSVG (CC BY 4.0)"},
	"map.sources":         {"Mapas: Natural Earth (dominio público); estados de EE. UU.: Oficina del Censo de EE. UU. (dominio público); estados de México: MapSVG (CC BY 4.0).", "Maps: Natural Earth (public domain); US states: US Census Bureau (public domain); Mexican states: MapSVG (CC BY 4.0)."},
}

func init() {
	for k, v := range mapText {
		if _, dup := pageText[k]; dup {
			panic("api: map text " + k + " is defined twice")
		}
		pageText[k] = v
	}
}
