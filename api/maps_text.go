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
	"map.twins.outside":   {"Hermanamientos existentes fuera de esta vista: %d; la tabla los lista todos.", "Existing twinnings outside this view: %d; the table lists them all."},
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
	"nav.analysis":        {"Análisis", "Analysis"},
	"an.title":            {"Panorama para analistas", "Overview for analysts"},
	"an.lead":             {"Las %d mejores ciudades afines de cada uno de los %s municipios, calculadas con los pesos de política y los datos cargados, el %s UTC. Cada mapa tiene al lado una tabla con lo mismo.", "The best %d partner cities of each of the %s municipalities, computed with the policy weights and the data loaded, on %s UTC. Each map has a table beside it that says the same."},
	"an.countries.h":      {"Países de las ciudades afines", "Countries of the partner cities"},
	"an.countries.aria":   {"Mapa del mundo: cuántas ciudades afines hay en cada país", "World map: how many partner cities each country holds"},
	"an.countries.note":   {"Cada país se colorea por el número de lugares que ocupa en las listas de todos los municipios (escala de raíz cuadrada). Proyección Equal Earth.", "Each country is coloured by how many places it takes in the lists of all municipalities (square-root scale). Equal Earth projection."},
	"an.countries.chart":  {"Los países con más ciudades afines", "The countries with the most partner cities"},
	"an.country":          {"País", "Country"},
	"an.slots":            {"Ciudades afines", "Partner cities"},
	"an.share":            {"Parte", "Share"},
	"an.none":             {"ninguna", "none"},
	"an.states.h":         {"Hermanamientos por estado de México", "Twinnings by Mexican state"},
	"an.states.aria":      {"Mapa de México: cuántos hermanamientos con ciudades extranjeras tienen los municipios de cada estado", "Map of Mexico: how many twinnings with foreign cities the municipalities of each state have"},
	"an.states.note":      {"Hermanamientos registrados entre municipios del estado y ciudades extranjeras (escala de raíz cuadrada). El dibujo de los estados es de MapSVG (CC BY 4.0).", "Recorded twinnings between the state's municipalities and foreign cities (square-root scale). The state outlines are MapSVG's (CC BY 4.0)."},
	"an.states.empty":     {"No hay hermanamientos cargados: importe la lista de hermanamientos (hermanar datasets import twinnings) para llenar este mapa.", "No twinnings are loaded: import the twinning list (hermanar datasets import twinnings) to fill this map."},
	"an.state":            {"Estado", "State"},
	"an.twinnings":        {"Hermanamientos", "Twinnings"},
	"an.twinnings.n":      {"hermanamientos", "twinnings"},
	"an.twinned":          {"Municipios con alguno", "Municipalities with one"},
	"an.scores.h":         {"Distribución de los puntajes", "Distribution of the scores"},
	"an.scores.aria":      {"Histograma del puntaje de la mejor ciudad afín de cada municipio", "Histogram of the score of each municipality's best partner city"},
	"an.scores.note":      {"Cuántos municipios tienen su mejor ciudad afín en cada franja de puntaje.", "How many municipalities have their best partner city in each score band."},
	"an.scores.x":         {"puntaje de la mejor ciudad afín", "score of the best partner city"},
	"an.band":             {"Franja de puntaje", "Score band"},
	"an.munis":            {"Municipios", "Municipalities"},
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
