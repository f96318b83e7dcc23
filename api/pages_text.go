package api

import (
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"hermanar/matcher"
)

// pageText is every fixed text of the pages, in Spanish and English.
var pageText = map[string]T{
	"app.tagline":           {"Ciudades hermanas para municipios de México", "Partner cities for Mexican municipalities"},
	"nav.home":              {"Inicio", "Home"},
	"nav.consulates":        {"Consulados", "Consulates"},
	"nav.api":               {"API", "API"},
	"nav.signin":            {"Acceder con credencial", "Sign in with a token"},
	"nav.signout":           {"Salir", "Sign out"},
	"nav.signedin":          {"Sesión", "Signed in"},
	"lang.switch":           {"English", "Español"},
	"footer.data":           {"Datos geográficos: GeoNames (CC BY 4.0). Hermanar sigue la guía de hermanamientos de la SRE (DGCP).", "Place data: GeoNames (CC BY 4.0). Hermanar follows the SRE (DGCP) twinning guide."},
	"home.title":            {"Encuentre ciudades hermanas para su municipio", "Find partner cities for your municipality"},
	"home.lead":             {"Escriba el nombre de su municipio. En segundos verá una lista de ciudades extranjeras afines y el porqué de cada una: migrantes de su municipio que viven ahí, problemas en común, tamaño y clima parecidos.", "Type your municipality's name. In seconds you will see a shortlist of foreign partner cities and why each one fits: migrants from your municipality who live there, shared problems, similar size and climate."},
	"home.search.label":     {"Municipio", "Municipality"},
	"home.search.ph":        {"p. ej. Manuel Doblado", "e.g. Manuel Doblado"},
	"home.search.button":    {"Buscar", "Search"},
	"home.example":          {"Ejemplo:", "Example:"},
	"home.step1":            {"Busque su municipio", "Find your municipality"},
	"home.step2":            {"Vea las ciudades afines, con la explicación de cada una", "See the partner cities, each one explained"},
	"home.step3":            {"Ajuste el perfil (problemas, prioridades, migrantes) y descargue la lista", "Refine the profile (problems, priorities, migrants) and download the list"},
	"search.title":          {"Resultados de la búsqueda", "Search results"},
	"search.none":           {"No encontramos ningún municipio ni localidad con ese nombre. Revise la ortografía o escriba solo una parte del nombre.", "No municipality or locality matches that name. Check the spelling or type part of the name."},
	"search.municipalities": {"Municipios", "Municipalities"},
	"search.localities":     {"Localidades (se muestran con su municipio)", "Localities (shown with their municipality)"},
	"search.locality.of":    {"localidad de", "locality of"},
	"suggest.none":          {"Ningún municipio ni localidad con ese nombre. Pruebe otra ortografía o solo una parte.", "No municipality or locality with that name. Try another spelling or part of the name."},
	"search.matches":        {"Ver ciudades afines", "See partner cities"},
	"search.profile":        {"Perfil", "Profile"},
	"search.places":         {"Otros lugares con ese nombre", "Other places with that name"},
	"muni.population":       {"Población", "Population"},
	"muni.estimated":        {"estimada a partir de GeoNames; importe los datos del INEGI para la cifra del censo", "estimated from GeoNames; import INEGI's data for the census figure"},
	"muni.population.inegi": {"INEGI, Censo 2020", "INEGI, 2020 Census"},
	"muni.seat":             {"Cabecera", "Seat"},
	"muni.shortlist":        {"Ciudades afines", "Partner cities"},
	"muni.shortlist.all":    {"Ver la lista completa, con filtros y descargas →", "See the full list, with filters and downloads →"},
	"muni.profile":          {"Perfil municipal", "Municipal profile"},
	"muni.profile.prefilled": {"Este perfil se llenó con datos públicos. El enlace del municipio puede completarlo: problemas, prioridades, prácticas que ofrece y destinos de sus migrantes.",
		"This profile was prefilled from public data. The municipality's liaison can complete it: problems, priorities, practices to offer and where its migrants live."},
	"muni.profile.stored":      {"Perfil capturado por el municipio", "Profile entered by the municipality"},
	"muni.profile.edit":        {"Editar el perfil", "Edit the profile"},
	"muni.profile.signin":      {"¿Es el enlace de este municipio? Acceda con su credencial para editar el perfil.", "Are you this municipality's liaison? Sign in with your token to edit the profile."},
	"muni.ties":                {"Vínculos migrantes registrados", "Recorded diaspora ties"},
	"muni.twins":               {"Hermanamientos existentes", "Existing twinnings"},
	"muni.none":                {"Ninguno registrado.", "None recorded."},
	"profile.narrative":        {"Descripción", "Description"},
	"profile.problems":         {"Problemas que quiere atender", "Problems to address"},
	"profile.areas":            {"Áreas prioritarias de cooperación", "Priority cooperation areas"},
	"profile.practices":        {"Prácticas que puede ofrecer", "Practices it can offer"},
	"profile.diaspora":         {"Dónde viven sus migrantes", "Where its migrants live"},
	"profile.constraints":      {"Preferencias", "Preferences"},
	"profile.countries":        {"Países", "Countries"},
	"profile.population":       {"Población de la contraparte", "Counterpart population"},
	"profile.updated":          {"Actualizado", "Updated"},
	"profile.empty":            {"(sin capturar)", "(not entered)"},
	"profile.lang":             {"Idioma del perfil", "Profile language"},
	"edit.title":               {"Editar el perfil de", "Edit the profile of"},
	"edit.help.problems":       {"Un problema por renglón, en sus palabras (p. ej. «escasez de agua en la cabecera»).", "One problem per line, in your own words (e.g. \"water shortage in the town centre\")."},
	"edit.help.practices":      {"Una práctica por renglón: lo que su municipio hace bien y puede compartir.", "One practice per line: what your municipality does well and can share."},
	"edit.d.place":             {"Ciudad", "City"},
	"edit.d.size":              {"Personas", "People"},
	"edit.d.source":            {"Fuente", "Source"},
	"edit.d.add":               {"Añadir otro destino", "Add another destination"},
	"edit.lang.es":             {"Español", "Spanish"},
	"edit.lang.en":             {"Inglés", "English"},
	"edit.count.limit":         {"Caben hasta", "Up to"},
	"edit.count.left":          {"Quedan {n} de {max} caracteres.", "{n} of {max} characters left."},
	"edit.count.over":          {"Se pasa por {n} caracteres: acórtela antes de guardar; nada se recorta.", "{n} characters too many: shorten it before saving; nothing is cut."},
	"edit.blank.title":         {"El formulario está vacío.", "The form is empty."},
	"edit.blank.lead":          {"Si guarda, el perfil del municipio quedará en blanco y las ciudades afines se calcularán solo con datos públicos.", "If you save, the municipality's profile will be blank and partner cities will be computed from public data only."},
	"edit.blank.yes":           {"Sí, dejar el perfil en blanco", "Yes, blank the profile"},
	"edit.blank.no":            {"No, volver al perfil guardado", "No, back to the saved profile"},
	"edit.blank.confirm":       {"El formulario está vacío: al guardar, el perfil quedará en blanco. ¿Continuar?", "The form is empty: saving will blank the profile. Continue?"},
	"edit.other":               {"Otros datos", "Other"},
	"edit.help.diaspora":       {"Un destino por fila: la ciudad (escriba y elija de la lista), cuántas personas y quién lo dice. Solo la ciudad es obligatoria.", "One destination per row: the city (type and pick from the list), how many people and who says so. Only the city is required."},
	"edit.help.countries":      {"Elija uno o varios (Ctrl o ⌘ para varios); ninguno = todos los países.", "Pick one or several (Ctrl or ⌘ for several); none = every country."},
	"edit.priority":            {"prioridad", "priority"},
	"edit.area.0":              {"ninguna", "none"},
	"edit.area.05":             {"media", "medium"},
	"edit.area.1":              {"alta", "high"},
	"edit.save":                {"Guardar el perfil", "Save the profile"},
	"edit.cancel":              {"Cancelar", "Cancel"},
	"edit.saved":               {"Perfil guardado. Las ciudades afines ya lo toman en cuenta.", "Profile saved. The partner cities already take it into account."},
	"edit.errors":              {"Revise estos campos:", "Please check these fields:"},
	"edit.forbidden":           {"Su credencial no permite editar este perfil. Acceda con la credencial del enlace de este municipio.", "Your token cannot edit this profile. Sign in with this municipality's liaison token."},
	"matches.title":            {"Ciudades afines a", "Partner cities for"},
	"matches.lead":             {"Ordenadas por puntaje (0 a 1). Cada barra muestra cuánto aporta cada razón; abajo, la evidencia.", "Ranked by score (0 to 1). Each bar shows how much each reason contributes; below it, the evidence."},
	"matches.filters":          {"Filtros", "Filters"},
	"matches.country":          {"País", "Country"},
	"matches.anycountry":       {"Todos los países", "All countries"},
	"matches.minpop":           {"Población mínima", "Minimum population"},
	"matches.maxpop":           {"Población máxima", "Maximum population"},
	"matches.excludetw":        {"Excluir ciudades con las que ya hay hermanamiento", "Exclude cities already twinned"},
	"matches.includetw":        {"Mezclar en la lista las ciudades ya hermanadas", "Mix already twinned cities into the list"},
	"matches.nodiversity":      {"Orden estricto por puntaje (sin variar países)", "Strict score order (no variety of countries)"},
	"matches.traits":           {"Solo ciudades con estos rasgos", "Only cities with these traits"},
	"matches.structureonly":    {"Esta lista se basa solo en tamaño, clima, altitud y rasgos: no hay perfil, vínculo migratorio ni red de hermanamientos con datos para estas ciudades.", "This list rests on size, climate, elevation and traits alone: no profile, migrant tie or twinning network has data for these cities."},
	"matches.twinnedapart":     {"Ya hermanadas", "Already twinned"},
	"matches.twinnedlead":      {"Ciudades con las que el municipio ya tiene hermanamiento; no se proponen en la lista de arriba.", "Cities the municipality is already twinned with; they are not proposed in the list above."},
	"matches.k":                {"Cuántas", "How many"},
	"matches.apply":            {"Aplicar", "Apply"},
	"matches.download":         {"Descargar", "Download"},
	"matches.none":             {"Ninguna ciudad cumple los filtros. Amplíe el rango de población o quite el país.", "No city passes the filters. Widen the population range or drop the country."},
	"matches.score":            {"Puntaje", "Score"},
	"matches.why":              {"Por qué", "Why"},
	"matches.main":             {"Razón principal", "Main reason"},
	"matches.twinned":          {"Ya hermanada", "Already twinned"},
	"matches.coverage":         {"Cobertura de datos", "Data coverage"},
	"matches.candidates":       {"ciudades evaluadas", "cities scored"},
	"matches.categories":       {"Temas en común", "Shared topics"},
	"matches.terms":            {"Términos en común", "Shared terms"},
	"matches.source":           {"Fuente", "Source"},
	"matches.value":            {"valor", "value"},
	"matches.calibrated":       {"Probabilidad calibrada de ser la hermana elegida", "Calibrated probability of being the chosen twin"},
	"matches.calibrated.short": {"probabilidad calibrada", "calibrated probability"},
	"matches.calibrated.note":  {"La cifra grande de cada ciudad es su probabilidad calibrada: en la prueba con hermanamientos reales, de las ciudades que obtuvieron ese puntaje, la proporción que era la hermana que el municipio eligió. Es la misma escala para todos los municipios. El puntaje, la suma de los aportes, ordena la lista y se explica en cada ciudad.", "The large figure of each city is its calibrated probability: in the test on real twinnings, the share of the cities with that score that were the twin the municipality chose. The scale is the same for every municipality. The score, the sum of the contributions, orders the list and is explained for each city."},
	"matches.fwd":              {"municipio → ciudad", "municipality → city"},
	"matches.rev":              {"ciudad → municipio", "city → municipality"},
	"matches.weight":           {"peso", "weight"},
	"matches.contrib":          {"aporta", "adds"},
	"matches.weights":          {"Pesos", "Weights"},
	"matches.place":            {"Ficha de la ciudad", "City page"},
	"matches.profile":          {"Perfil usado", "Profile used"},
	"place.title":              {"Ficha de", "About"},
	"place.elevation":          {"Altitud", "Elevation"},
	"place.coords":             {"Coordenadas", "Coordinates"},
	"place.ties":               {"Migrantes mexicanos registrados aquí", "Mexican migrants recorded here"},
	"place.consulates":         {"Consulado de México que la atiende", "Mexican consulate serving it"},
	"place.twins":              {"Hermanamientos", "Twinnings"},
	"place.twins.mx":           {"con ciudades mexicanas", "with Mexican cities"},
	"place.twins.all":          {"en total", "in all"},
	"place.municipality":       {"Municipio", "Municipality"},
	"place.notcandidate":       {"Este lugar está en México; no es candidato a ciudad hermana.", "This place is in Mexico; it is not a partner candidate."},
	"consulates.title":         {"Consulados de México", "Mexican consulates"},
	"consulates.none":          {"No hay consulados cargados. Importe la tabla de consulados.", "No consulates loaded. Import the consulates table."},
	"consulate.jurisdiction":   {"Circunscripción", "Jurisdiction"},
	"consulate.opps":           {"Oportunidades de hermanamiento por diáspora", "Diaspora-driven twinning opportunities"},
	"consulate.opps.lead":      {"Municipio de origen → ciudad de la circunscripción donde viven sus migrantes, sin hermanamiento todavía. Primero los vínculos más fuertes.", "Origin municipality → city in the jurisdiction where its migrants live, not yet twinned. Strongest ties first."},
	"consulate.ties":           {"Vínculos registrados en la circunscripción", "Ties recorded in the jurisdiction"},
	"consulate.origin":         {"Origen", "Origin"},
	"consulate.dest":           {"Destino", "Destination"},
	"consulate.people":         {"Personas", "People"},
	"consulate.interest":       {"Interés", "Interest"},
	"consulate.explained":      {"ver explicación", "see explanation"},
	"consulate.record":         {"Para registrar un vínculo use POST /api/v1/ties con la credencial del consulado.", "To record a tie use POST /api/v1/ties with the consulate's token."},
	"signin.title":             {"Acceder", "Sign in"},
	"signin.lead":              {"Pegue la credencial que le entregó la administración de Hermanar. Se guarda en este navegador (cookie segura) y no tendrá que volver a escribirla.", "Paste the token Hermanar's administrators gave you. It is kept in this browser (secure cookie), so you only enter it once."},
	"signin.token":             {"Credencial", "Token"},
	"signin.submit":            {"Acceder", "Sign in"},
	"signin.bad":               {"La credencial no es válida o fue revocada.", "The token is not valid or was revoked."},
	"signin.done":              {"Listo: sesión iniciada como", "Done: signed in as"},
	"starting.title":           {"Hermanar está arrancando", "Hermanar is starting"},
	"starting.lead":            {"Estamos cargando los datos y el índice de búsqueda. La página se actualizará sola en unos segundos.", "Loading the data and the search index. This page refreshes itself in a few seconds."},
	"error.title":              {"Algo no salió bien", "Something went wrong"},
	"error.back":               {"Volver al inicio", "Back to the home page"},
	"yes":                      {"sí", "yes"},
	"no":                       {"no", "no"},
	"people":                   {"personas", "people"},
	"inhabitants":              {"hab.", "inhabitants"},
}

// componentLabel names a score component for people, as matcher declares it.
func componentLabel(name, lang string) string { return matcher.ComponentLabel(name, lang) }

var countryNames sync.Map // lang+code → name

// countryName is the country's name in lang ("Estados Unidos").
func countryName(code, lang string) string {
	key := lang + code
	if v, ok := countryNames.Load(key); ok {
		return v.(string)
	}
	name := code
	if r, err := language.ParseRegion(code); err == nil {
		n := display.Spanish.Regions()
		if lang == "en" {
			n = display.English.Regions()
		}
		if s := n.Name(r); s != "" {
			name = s
		}
	}
	countryNames.Store(key, name)
	return name
}
