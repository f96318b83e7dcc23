package matcher

import "strings"

// learnedLabel names the learned component (ComponentLabel, ComponentShort).
var (
	learnedLabel = Label{"Modelo aprendido (tamaño, rasgos y red)", "Learned model (size, traits and network)"}
	learnedShort = Label{"modelo", "model"}
	traitsLabel  = Label{"Rasgos en común", "Shared traits"}
	traitsShort  = Label{"rasgos", "traits"}
)

// rerankFeatureLabels name the second stage's raw features (those after
// the signals) for people, in both languages.
var rerankFeatureLabels = map[string]Label{
	RerankBase:          {"Punto de partida del modelo", "The model's starting point"},
	"first_stage":       {"Puntaje de la primera etapa", "First-stage score"},
	"log_mx_twins":      {"Hermanas mexicanas de la ciudad", "The city's Mexican twins"},
	"log_all_twins":     {"Hermanas de la ciudad en total", "The city's twins in all"},
	"log_my_twins":      {"Hermanas del municipio", "The municipality's twins"},
	"country_share":     {"Parte de mis hermanas en su país", "Share of my twins in its country"},
	"country_count":     {"Mis hermanas en su país", "My twins in its country"},
	"region_share":      {"Parte de mis hermanas en su región", "Share of my twins in its region"},
	"co_twins":          {"Mis hermanas hermanadas con ella", "My twins twinned with it"},
	"log_pop_me":        {"Población del municipio", "The municipality's population"},
	"dlog_pop":          {"Diferencia de tamaño con el municipio (log)", "Size difference from the municipality (log)"},
	"dlog_pop_twins":    {"Diferencia de tamaño con mis hermanas (log)", "Size difference from my twins (log)"},
	"log_km":            {"Distancia", "Distance"},
	"ptype":             {"Tipo de localidad (código)", "Settlement type (code)"},
	"is_us":             {"En Estados Unidos", "In the United States"},
	"delev_km":          {"Diferencia de altitud (km)", "Elevation difference (km)"},
	"emigration":        {"Hogares con emigrantes en el municipio (%)", "Households with emigrants in the municipality (%)"},
	"log_state_twins":   {"Municipios de mi estado hermanados con ella", "Municipalities of my state twinned with it"},
	"cand_latam_share":  {"Parte de sus hermanas en países hispanohablantes o latinoamericanos", "Share of its twins in Spanish-speaking or Latin-American countries"},
	"cand_my_countries": {"Sus hermanas en los países de mis hermanas", "Its twins in the countries of my twins"},
	"cand_abroad_share": {"Parte de sus hermanas fuera de su país", "Share of its twins outside its country"},
}

// FeatureLabel names a second-stage feature (or RerankBase) for people;
// an unknown name is returned as it is.
func FeatureLabel(name, lang string) string {
	if s, ok := strings.CutPrefix(name, "sig_"); ok {
		for i := range signalList {
			if signalList[i].Name == s {
				return tr(lang, "Señal: ", "Signal: ") + signalList[i].Label.In(lang)
			}
		}
	}
	if l, ok := rerankFeatureLabels[name]; ok {
		return l.In(lang)
	}
	return name
}
