package api

import (
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"hermanar/matcher"
)

// pageText is every fixed text of the pages, in Spanish and English.
var pageText = map[string]T{
	"app.tagline":           {ES: "Ciudades hermanas para municipios de México", EN: "Partner cities for Mexican municipalities"},
	"nav.home":              {ES: "Inicio", EN: "Home"},
	"nav.consulates":        {ES: "Consulados", EN: "Consulates"},
	"nav.api":               {ES: "API", EN: "API"},
	"nav.signin":            {ES: "Acceder con credencial", EN: "Sign in with a token"},
	"nav.signout":           {ES: "Salir", EN: "Sign out"},
	"nav.signedin":          {ES: "Sesión", EN: "Signed in"},
	"lang.switch":           {ES: "English", EN: "Español"},
	"footer.data":           {ES: "Datos geográficos: GeoNames (CC BY 4.0). Hermanar sigue la guía de hermanamientos de la SRE (DGCP).", EN: "Place data: GeoNames (CC BY 4.0). Hermanar follows the SRE (DGCP) twinning guide."},
	"home.title":            {ES: "Encuentre ciudades hermanas para su municipio", EN: "Find partner cities for your municipality"},
	"home.lead":             {ES: "Escriba el nombre de su municipio. En segundos verá una lista de ciudades extranjeras afines y el porqué de cada una: migrantes de su municipio que viven ahí, problemas en común, tamaño y clima parecidos.", EN: "Type your municipality's name. In seconds you will see a shortlist of foreign partner cities and why each one fits: migrants from your municipality who live there, shared problems, similar size and climate."},
	"home.search.label":     {ES: "Municipio", EN: "Municipality"},
	"home.search.ph":        {ES: "p. ej. Manuel Doblado", EN: "e.g. Manuel Doblado"},
	"home.search.button":    {ES: "Buscar", EN: "Search"},
	"home.example":          {ES: "Ejemplo:", EN: "Example:"},
	"home.step1":            {ES: "Busque su municipio", EN: "Find your municipality"},
	"home.step2":            {ES: "Vea las ciudades afines, con la explicación de cada una", EN: "See the partner cities, each one explained"},
	"home.step3":            {ES: "Ajuste el perfil (problemas, prioridades, migrantes) y descargue la lista", EN: "Refine the profile (problems, priorities, migrants) and download the list"},
	"search.title":          {ES: "Resultados de la búsqueda", EN: "Search results"},
	"search.none":           {ES: "No encontramos ningún municipio ni localidad con ese nombre. Revise la ortografía o escriba solo una parte del nombre.", EN: "No municipality or locality matches that name. Check the spelling or type part of the name."},
	"search.municipalities": {ES: "Municipios", EN: "Municipalities"},
	"search.localities":     {ES: "Localidades (se muestran con su municipio)", EN: "Localities (shown with their municipality)"},
	"search.locality.of":    {ES: "localidad de", EN: "locality of"},
	"suggest.none":          {ES: "Ningún municipio ni localidad con ese nombre. Pruebe otra ortografía o solo una parte.", EN: "No municipality or locality with that name. Try another spelling or part of the name."},
	"search.matches":        {ES: "Ver ciudades afines", EN: "See partner cities"},
	"search.profile":        {ES: "Perfil", EN: "Profile"},
	"search.places":         {ES: "Otros lugares con ese nombre", EN: "Other places with that name"},
	"muni.population":       {ES: "Población", EN: "Population"},
	"muni.estimated":        {ES: "estimada a partir de GeoNames; importe los datos del INEGI para la cifra del censo", EN: "estimated from GeoNames; import INEGI's data for the census figure"},
	"muni.population.inegi": {ES: "INEGI, Censo 2020", EN: "INEGI, 2020 Census"},
	"muni.seat":             {ES: "Cabecera", EN: "Seat"},
	"muni.shortlist":        {ES: "Ciudades afines", EN: "Partner cities"},
	"muni.shortlist.all":    {ES: "Ver la lista completa, con filtros y descargas →", EN: "See the full list, with filters and downloads →"},
	"muni.profile":          {ES: "Perfil municipal", EN: "Municipal profile"},
	"muni.profile.prefilled": {ES: "Este perfil se llenó con datos públicos. El enlace del municipio puede completarlo: problemas, prioridades, prácticas que ofrece y destinos de sus migrantes.",
		EN: "This profile was prefilled from public data. The municipality's liaison can complete it: problems, priorities, practices to offer and where its migrants live."},
	"muni.profile.stored":      {ES: "Perfil capturado por el municipio", EN: "Profile entered by the municipality"},
	"muni.profile.edit":        {ES: "Editar el perfil", EN: "Edit the profile"},
	"muni.profile.signin":      {ES: "¿Es el enlace de este municipio? Acceda con su credencial para editar el perfil.", EN: "Are you this municipality's liaison? Sign in with your token to edit the profile."},
	"muni.ties":                {ES: "Vínculos migrantes registrados", EN: "Recorded diaspora ties"},
	"muni.twins":               {ES: "Hermanamientos existentes", EN: "Existing twinnings"},
	"muni.none":                {ES: "Ninguno registrado.", EN: "None recorded."},
	"profile.narrative":        {ES: "Descripción", EN: "Description"},
	"profile.problems":         {ES: "Problemas que quiere atender", EN: "Problems to address"},
	"profile.areas":            {ES: "Áreas prioritarias de cooperación", EN: "Priority cooperation areas"},
	"profile.practices":        {ES: "Prácticas que puede ofrecer", EN: "Practices it can offer"},
	"profile.diaspora":         {ES: "Dónde viven sus migrantes", EN: "Where its migrants live"},
	"profile.constraints":      {ES: "Preferencias", EN: "Preferences"},
	"profile.countries":        {ES: "Países", EN: "Countries"},
	"profile.population":       {ES: "Población de la contraparte", EN: "Counterpart population"},
	"profile.updated":          {ES: "Actualizado", EN: "Updated"},
	"profile.empty":            {ES: "(sin capturar)", EN: "(not entered)"},
	"profile.lang":             {ES: "Idioma del perfil", EN: "Profile language"},
	"edit.title":               {ES: "Editar el perfil de", EN: "Edit the profile of"},
	"edit.help.problems":       {ES: "Un problema por renglón, en sus palabras (p. ej. «escasez de agua en la cabecera»).", EN: "One problem per line, in your own words (e.g. \"water shortage in the town centre\")."},
	"edit.help.practices":      {ES: "Una práctica por renglón: lo que su municipio hace bien y puede compartir.", EN: "One practice per line: what your municipality does well and can share."},
	"edit.d.place":             {ES: "Ciudad", EN: "City"},
	"edit.d.size":              {ES: "Personas", EN: "People"},
	"edit.d.source":            {ES: "Fuente", EN: "Source"},
	"edit.d.add":               {ES: "Añadir otro destino", EN: "Add another destination"},
	"edit.lang.es":             {ES: "Español", EN: "Spanish"},
	"edit.lang.en":             {ES: "Inglés", EN: "English"},
	"edit.count.limit":         {ES: "Caben hasta", EN: "Up to"},
	"edit.count.left":          {ES: "Quedan {n} de {max} caracteres.", EN: "{n} of {max} characters left."},
	"edit.count.over":          {ES: "Se pasa por {n} caracteres: acórtela antes de guardar; nada se recorta.", EN: "{n} characters too many: shorten it before saving; nothing is cut."},
	"edit.blank.title":         {ES: "El formulario está vacío.", EN: "The form is empty."},
	"edit.blank.lead":          {ES: "Si guarda, el perfil del municipio quedará en blanco y las ciudades afines se calcularán solo con datos públicos.", EN: "If you save, the municipality's profile will be blank and partner cities will be computed from public data only."},
	"edit.blank.yes":           {ES: "Sí, dejar el perfil en blanco", EN: "Yes, blank the profile"},
	"edit.blank.no":            {ES: "No, volver al perfil guardado", EN: "No, back to the saved profile"},
	"edit.blank.confirm":       {ES: "El formulario está vacío: al guardar, el perfil quedará en blanco. ¿Continuar?", EN: "The form is empty: saving will blank the profile. Continue?"},
	"edit.other":               {ES: "Otros datos", EN: "Other"},
	"edit.help.diaspora":       {ES: "Un destino por fila: la ciudad (escriba y elija de la lista), cuántas personas y quién lo dice. Solo la ciudad es obligatoria.", EN: "One destination per row: the city (type and pick from the list), how many people and who says so. Only the city is required."},
	"edit.help.countries":      {ES: "Elija uno o varios (Ctrl o ⌘ para varios); ninguno = todos los países.", EN: "Pick one or several (Ctrl or ⌘ for several); none = every country."},
	"edit.priority":            {ES: "prioridad", EN: "priority"},
	"edit.area.0":              {ES: "ninguna", EN: "none"},
	"edit.area.05":             {ES: "media", EN: "medium"},
	"edit.area.1":              {ES: "alta", EN: "high"},
	"edit.save":                {ES: "Guardar el perfil", EN: "Save the profile"},
	"edit.cancel":              {ES: "Cancelar", EN: "Cancel"},
	"edit.saved":               {ES: "Perfil guardado. Las ciudades afines ya lo toman en cuenta.", EN: "Profile saved. The partner cities already take it into account."},
	"edit.errors":              {ES: "Revise estos campos:", EN: "Please check these fields:"},
	"edit.forbidden":           {ES: "Su credencial no permite editar este perfil. Acceda con la credencial del enlace de este municipio.", EN: "Your token cannot edit this profile. Sign in with this municipality's liaison token."},
	"matches.title":            {ES: "Ciudades afines a", EN: "Partner cities for"},
	"matches.lead":             {ES: "Ordenadas por puntaje (0 a 1). Cada barra muestra cuánto aporta cada razón; abajo, la evidencia.", EN: "Ranked by score (0 to 1). Each bar shows how much each reason contributes; below it, the evidence."},
	"matches.filters":          {ES: "Filtros", EN: "Filters"},
	"matches.country":          {ES: "País", EN: "Country"},
	"matches.anycountry":       {ES: "Todos los países", EN: "All countries"},
	"matches.minpop":           {ES: "Población mínima", EN: "Minimum population"},
	"matches.maxpop":           {ES: "Población máxima", EN: "Maximum population"},
	"matches.excludetw":        {ES: "Excluir ciudades con las que ya hay hermanamiento", EN: "Exclude cities already twinned"},
	"matches.includetw":        {ES: "Mezclar en la lista las ciudades ya hermanadas", EN: "Mix already twinned cities into the list"},
	"matches.nodiversity":      {ES: "Orden estricto por puntaje (sin variar países ni reservar lugares por rasgos)", EN: "Strict score order (no variety of countries, no places reserved for traits)"},
	"matches.traits":           {ES: "Solo ciudades con estos rasgos", EN: "Only cities with these traits"},
	"matches.learned":          {ES: "Un modelo aprendido de los hermanamientos registrados ordenó esta lista, porque el municipio ya tiene hermanas: en cada ciudad, su aporte (modelo aprendido) reemplaza al de tamaño, clima y red, y se desglosa por rasgo abajo. Los vínculos migratorios, los problemas y las áreas conservan su peso.", EN: "A model learned from the recorded twinnings ranked this list, because the municipality already has twins: for each city its contribution (learned model) takes the place of size, climate and network, and is broken down by feature below. Migrant ties, problems and areas keep their weight."},
	"matches.structureonly":    {ES: "Esta lista se basa solo en tamaño, clima, altitud y rasgos: no hay perfil, vínculo migratorio ni red de hermanamientos con datos para estas ciudades.", EN: "This list rests on size, climate, elevation and traits alone: no profile, migrant tie or twinning network has data for these cities."},
	"matches.twinnedapart":     {ES: "Ya hermanadas", EN: "Already twinned"},
	"matches.twinnedlead":      {ES: "Ciudades con las que el municipio ya tiene hermanamiento; no se proponen en la lista de arriba.", EN: "Cities the municipality is already twinned with; they are not proposed in the list above."},
	"matches.k":                {ES: "Cuántas", EN: "How many"},
	"matches.apply":            {ES: "Aplicar", EN: "Apply"},
	"matches.download":         {ES: "Descargar", EN: "Download"},
	"matches.none":             {ES: "Ninguna ciudad cumple los filtros. Amplíe el rango de población o quite el país.", EN: "No city passes the filters. Widen the population range or drop the country."},
	"matches.score":            {ES: "Puntaje", EN: "Score"},
	"matches.why":              {ES: "Por qué", EN: "Why"},
	"matches.main":             {ES: "Razón principal", EN: "Main reason"},
	"matches.twinned":          {ES: "Ya hermanada", EN: "Already twinned"},
	"matches.coverage":         {ES: "Cobertura de datos", EN: "Data coverage"},
	"matches.candidates":       {ES: "ciudades evaluadas", EN: "cities scored"},
	"matches.categories":       {ES: "Temas en común", EN: "Shared topics"},
	"matches.terms":            {ES: "Términos en común", EN: "Shared terms"},
	"matches.source":           {ES: "Fuente", EN: "Source"},
	"matches.value":            {ES: "valor", EN: "value"},
	"matches.calibrated":       {ES: "Probabilidad calibrada de ser la hermana elegida", EN: "Calibrated probability of being the chosen twin"},
	"matches.calibrated.short": {ES: "probabilidad calibrada", EN: "calibrated probability"},
	"matches.calibrated.note":  {ES: "La cifra grande de cada ciudad es su probabilidad calibrada: en la prueba con hermanamientos reales, de las ciudades que obtuvieron ese puntaje, la proporción que era la hermana que el municipio eligió. Es la misma escala para todos los municipios. El puntaje, la suma de los aportes, ordena la lista y se explica en cada ciudad.", EN: "The large figure of each city is its calibrated probability: in the test on real twinnings, the share of the cities with that score that were the twin the municipality chose. The scale is the same for every municipality. The score, the sum of the contributions, orders the list and is explained for each city."},
	"matches.fwd":              {ES: "municipio → ciudad", EN: "municipality → city"},
	"matches.rev":              {ES: "ciudad → municipio", EN: "city → municipality"},
	"matches.weight":           {ES: "peso", EN: "weight"},
	"matches.contrib":          {ES: "aporta", EN: "adds"},
	"matches.weights":          {ES: "Pesos", EN: "Weights"},
	"matches.place":            {ES: "Ficha de la ciudad", EN: "City page"},
	"matches.profile":          {ES: "Perfil usado", EN: "Profile used"},
	"place.title":              {ES: "Ficha de", EN: "About"},
	"place.elevation":          {ES: "Altitud", EN: "Elevation"},
	"place.coords":             {ES: "Coordenadas", EN: "Coordinates"},
	"place.ties":               {ES: "Migrantes mexicanos registrados aquí", EN: "Mexican migrants recorded here"},
	"place.consulates":         {ES: "Consulado de México que la atiende", EN: "Mexican consulate serving it"},
	"place.twins":              {ES: "Hermanamientos", EN: "Twinnings"},
	"place.twins.mx":           {ES: "con ciudades mexicanas", EN: "with Mexican cities"},
	"place.twins.all":          {ES: "en total", EN: "in all"},
	"place.municipality":       {ES: "Municipio", EN: "Municipality"},
	"place.notcandidate":       {ES: "Este lugar está en México; no es candidato a ciudad hermana.", EN: "This place is in Mexico; it is not a partner candidate."},
	"consulates.title":         {ES: "Consulados de México", EN: "Mexican consulates"},
	"consulates.none":          {ES: "No hay consulados cargados. Importe la tabla de consulados.", EN: "No consulates loaded. Import the consulates table."},
	"consulate.jurisdiction":   {ES: "Circunscripción", EN: "Jurisdiction"},
	"consulate.opps":           {ES: "Oportunidades de hermanamiento por diáspora", EN: "Diaspora-driven twinning opportunities"},
	"consulate.opps.lead":      {ES: "Municipio de origen → ciudad de la circunscripción donde viven sus migrantes, sin hermanamiento todavía. Primero los vínculos más fuertes.", EN: "Origin municipality → city in the jurisdiction where its migrants live, not yet twinned. Strongest ties first."},
	"consulate.ties":           {ES: "Vínculos registrados en la circunscripción", EN: "Ties recorded in the jurisdiction"},
	"consulate.origin":         {ES: "Origen", EN: "Origin"},
	"consulate.dest":           {ES: "Destino", EN: "Destination"},
	"consulate.people":         {ES: "Personas", EN: "People"},
	"consulate.interest":       {ES: "Interés", EN: "Interest"},
	"consulate.explained":      {ES: "ver explicación", EN: "see explanation"},
	"consulate.record":         {ES: "Para registrar un vínculo use POST /api/v1/ties con la credencial del consulado.", EN: "To record a tie use POST /api/v1/ties with the consulate's token."},
	"signin.title":             {ES: "Acceder", EN: "Sign in"},
	"signin.lead":              {ES: "Pegue la credencial que le entregó la administración de Hermanar. Se guarda en este navegador (cookie segura) y no tendrá que volver a escribirla.", EN: "Paste the token Hermanar's administrators gave you. It is kept in this browser (secure cookie), so you only enter it once."},
	"signin.token":             {ES: "Credencial", EN: "Token"},
	"signin.submit":            {ES: "Acceder", EN: "Sign in"},
	"signin.bad":               {ES: "La credencial no es válida o fue revocada.", EN: "The token is not valid or was revoked."},
	"signin.done":              {ES: "Listo: sesión iniciada como", EN: "Done: signed in as"},
	"starting.title":           {ES: "Hermanar está arrancando", EN: "Hermanar is starting"},
	"starting.lead":            {ES: "Estamos cargando los datos y el índice de búsqueda. La página se actualizará sola en unos segundos.", EN: "Loading the data and the search index. This page refreshes itself in a few seconds."},
	"error.title":              {ES: "Algo no salió bien", EN: "Something went wrong"},
	"error.back":               {ES: "Volver al inicio", EN: "Back to the home page"},
	"yes":                      {ES: "sí", EN: "yes"},
	"no":                       {ES: "no", EN: "no"},
	"people":                   {ES: "personas", EN: "people"},
	"inhabitants":              {ES: "hab.", EN: "inhabitants"},
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
