package api

// mapText is every fixed text of the maps, in Spanish and English; it
// joins pageText at start-up (one table for the "t" function).
var mapText = map[string]T{
	"map.matches.title":   {ES: "Mapa de las ciudades afines", EN: "Map of the partner cities"},
	"map.matches.aria":    {ES: "Mapa: el municipio, sus ciudades afines coloreadas por puntaje, sus hermanamientos y sus vínculos migrantes", EN: "Map: the municipality, its partner cities coloured by score, its twinnings and its diaspora ties"},
	"map.consulate.title": {ES: "Mapa de la circunscripción", EN: "Map of the jurisdiction"},
	"map.consulate.aria":  {ES: "Mapa: los estados de la circunscripción del consulado, con sus oportunidades y vínculos migrantes", EN: "Map: the states the consulate serves, with its opportunities and diaspora ties"},
	"map.table":           {ES: "Lo mismo que muestra el mapa, en tabla", EN: "What the map shows, as a table"},
	"map.kind":            {ES: "Qué", EN: "What"},
	"map.place":           {ES: "Lugar", EN: "Place"},
	"map.value":           {ES: "Puntaje o personas", EN: "Score or people"},
	"map.muni":            {ES: "Municipio", EN: "Municipality"},
	"map.candidate":       {ES: "Ciudad afín", EN: "Partner city"},
	"map.twin":            {ES: "Hermanamiento existente", EN: "Existing twinning"},
	"map.tie":             {ES: "Vínculo migrante", EN: "Diaspora tie"},
	"map.score":           {ES: "puntaje", EN: "score"},
	"map.people":          {ES: "personas", EN: "people"},
	"map.score.range":     {ES: "puntaje %s–%s", EN: "score %s–%s"},
	"map.twins.outside":   {ES: "Hermanamientos existentes fuera de esta vista: %d; la tabla los lista todos.", EN: "Existing twinnings outside this view: %d; the table lists them all."},
	"map.tie.legend":      {ES: "vínculo migrante (grosor: personas)", EN: "diaspora tie (width: people)"},
	"map.note.matches":    {ES: "Proyección Equal Earth, ajustada a los lugares mostrados. Pase el cursor o el foco del teclado sobre un punto para ver su nombre y puntaje; al hacer clic se abre la ciudad.", EN: "Equal Earth projection, zoomed to the places shown. Hover or tab to a dot to see its name and score; click it to open the city."},
	"map.note.consulate":  {ES: "Proyección Equal Earth. El tamaño de cada punto sigue el número de personas; su color, el mejor puntaje. Al hacer clic se abre la explicación.", EN: "Equal Earth projection. Each dot's size follows the number of people; its colour, the best score. Click a dot to open the explanation."},
	"map.consulate":       {ES: "Sede del consulado", EN: "Consulate"},
	"map.juris":           {ES: "estado de la circunscripción", EN: "state in the jurisdiction"},
	"map.juris.part":      {ES: "estado con condados de la circunscripción", EN: "state with counties in the jurisdiction"},
	"map.dest":            {ES: "Destino", EN: "Destination"},
	"map.origins":         {ES: "Municipios de origen", EN: "Origin municipalities"},
	"map.best":            {ES: "Mejor puntaje", EN: "Best score"},
	"map.credit.world":    {ES: "Natural Earth", EN: "Natural Earth"},
	"map.credit.us":       {ES: "Censo de EE. UU. · Natural Earth", EN: "US Census · Natural Earth"},
	"map.credit.mx":       {ES: "MapSVG (CC BY 4.0)", EN: "MapSVG (CC BY 4.0)"},
	"nav.analysis":        {ES: "Análisis", EN: "Analysis"},
	"an.title":            {ES: "Panorama para analistas", EN: "Overview for analysts"},
	"an.lead":             {ES: "Las %d mejores ciudades afines de cada uno de los %s municipios, calculadas con los pesos de política y los datos cargados, el %s UTC. Cada mapa tiene al lado una tabla con lo mismo.", EN: "The best %d partner cities of each of the %s municipalities, computed with the policy weights and the data loaded, on %s UTC. Each map has a table beside it that says the same."},
	"an.countries.h":      {ES: "Países de las ciudades afines", EN: "Countries of the partner cities"},
	"an.countries.aria":   {ES: "Mapa del mundo: cuántas ciudades afines hay en cada país", EN: "World map: how many partner cities each country holds"},
	"an.countries.note":   {ES: "Cada país se colorea por el número de lugares que ocupa en las listas de todos los municipios (escala de raíz cuadrada). Proyección Equal Earth.", EN: "Each country is coloured by how many places it takes in the lists of all municipalities (square-root scale). Equal Earth projection."},
	"an.countries.chart":  {ES: "Los países con más ciudades afines", EN: "The countries with the most partner cities"},
	"an.country":          {ES: "País", EN: "Country"},
	"an.slots":            {ES: "Ciudades afines", EN: "Partner cities"},
	"an.share":            {ES: "Parte", EN: "Share"},
	"an.none":             {ES: "ninguna", EN: "none"},
	"an.states.h":         {ES: "Hermanamientos por estado de México", EN: "Twinnings by Mexican state"},
	"an.states.aria":      {ES: "Mapa de México: cuántos hermanamientos con ciudades extranjeras tienen los municipios de cada estado", EN: "Map of Mexico: how many twinnings with foreign cities the municipalities of each state have"},
	"an.states.note":      {ES: "Hermanamientos registrados entre municipios del estado y ciudades extranjeras (escala de raíz cuadrada). El dibujo de los estados es de MapSVG (CC BY 4.0).", EN: "Recorded twinnings between the state's municipalities and foreign cities (square-root scale). The state outlines are MapSVG's (CC BY 4.0)."},
	"an.states.empty":     {ES: "No hay hermanamientos cargados: importe la lista de hermanamientos (hermanar datasets import twinnings) para llenar este mapa.", EN: "No twinnings are loaded: import the twinning list (hermanar datasets import twinnings) to fill this map."},
	"an.state":            {ES: "Estado", EN: "State"},
	"an.twinnings":        {ES: "Hermanamientos", EN: "Twinnings"},
	"an.twinnings.n":      {ES: "hermanamientos", EN: "twinnings"},
	"an.twinned":          {ES: "Municipios con alguno", EN: "Municipalities with one"},
	"an.scores.h":         {ES: "Distribución de los puntajes", EN: "Distribution of the scores"},
	"an.scores.aria":      {ES: "Histograma del puntaje de la mejor ciudad afín de cada municipio", EN: "Histogram of the score of each municipality's best partner city"},
	"an.scores.note":      {ES: "Cuántos municipios tienen su mejor ciudad afín en cada franja de puntaje.", EN: "How many municipalities have their best partner city in each score band."},
	"an.scores.x":         {ES: "puntaje de la mejor ciudad afín", EN: "score of the best partner city"},
	"an.band":             {ES: "Franja de puntaje", EN: "Score band"},
	"an.munis":            {ES: "Municipios", EN: "Municipalities"},
	"map.sources":         {ES: "Mapas: Natural Earth (dominio público); estados de EE. UU.: Oficina del Censo de EE. UU. (dominio público); estados de México: MapSVG (CC BY 4.0).", EN: "Maps: Natural Earth (public domain); US states: US Census Bureau (public domain); Mexican states: MapSVG (CC BY 4.0)."},
}

func init() {
	for k, v := range mapText {
		if _, dup := pageText[k]; dup {
			panic("api: map text " + k + " is defined twice")
		}
		pageText[k] = v
	}
}
