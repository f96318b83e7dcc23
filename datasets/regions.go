package datasets

import (
	"strings"

	"golang.org/x/text/language"
)

// World regions a partner-seeking city may name, by UN M49 code, with the
// names people use for them in English and Spanish. Membership comes from
// the M49 containment data of golang.org/x/text, so "North America" is
// M49's Northern America (Bermuda, Canada, Greenland, Saint Pierre and
// Miquelon, United States): Mexico is in Central America, within Latin
// America and the Americas.
var regionNames = map[string]string{
	"africa": "002", "africa subsahariana": "202", "sub saharan africa": "202",
	"americas": "019", "america": "019", "the americas": "019", "las americas": "019",
	"north america": "021", "northern america": "021", "norteamerica": "021", "america del norte": "021",
	"latin america": "419", "latin america and the caribbean": "419", "america latina": "419", "latinoamerica": "419",
	"central america": "013", "centroamerica": "013", "america central": "013",
	"south america": "005", "sudamerica": "005", "america del sur": "005", "suramerica": "005",
	"caribbean": "029", "caribe": "029",
	"asia": "142", "east asia": "030", "eastern asia": "030", "asia oriental": "030",
	"southeast asia": "035", "south eastern asia": "035", "sudeste asiatico": "035",
	"europe": "150", "europa": "150", "western europe": "155", "europa occidental": "155",
	"northern europe": "154", "southern europe": "039", "eastern europe": "151",
	"oceania": "009", "australia and new zealand": "053", "australasia": "053",
	"middle east": "145", "western asia": "145", "medio oriente": "145", "oriente medio": "145",
}

// Region resolves a world-region name ("Oceania", "América Latina") to
// its UN M49 code.
func RegionCode(name string) (string, bool) {
	c, ok := regionNames[Fold(name)]
	return c, ok
}

// RegionContains reports whether the M49 region code holds the country
// (ISO 3166 alpha-2).
func RegionContains(code, country string) bool {
	r, err := language.ParseRegion(code)
	if err != nil {
		return false
	}
	c, err := language.ParseRegion(country)
	if err != nil {
		return false
	}
	return r.Contains(c)
}

// RegionName is the English or Spanish name of an M49 region code.
func RegionName(code, lang string) string {
	names := map[string][2]string{
		"002": {"África", "Africa"}, "202": {"África subsahariana", "Sub-Saharan Africa"},
		"019": {"las Américas", "the Americas"}, "021": {"Norteamérica (EE. UU., Canadá)", "Northern America (US, Canada)"},
		"419": {"América Latina", "Latin America"}, "013": {"Centroamérica", "Central America"},
		"005": {"Sudamérica", "South America"}, "029": {"el Caribe", "the Caribbean"},
		"142": {"Asia", "Asia"}, "030": {"Asia oriental", "East Asia"}, "035": {"Sudeste asiático", "Southeast Asia"},
		"150": {"Europa", "Europe"}, "155": {"Europa occidental", "Western Europe"}, "154": {"Europa del norte", "Northern Europe"},
		"039": {"Europa del sur", "Southern Europe"}, "151": {"Europa oriental", "Eastern Europe"},
		"009": {"Oceanía", "Oceania"}, "053": {"Australia y Nueva Zelanda", "Australia and New Zealand"},
		"145": {"Asia occidental (Medio Oriente)", "Western Asia (Middle East)"},
	}
	n, ok := names[code]
	if !ok {
		return code
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

// LikelyLanguage is the language most people speak in a country (CLDR's
// likely subtags, as golang.org/x/text has them): "en" for the United
// States or Australia, "es" for Mexico.
func LikelyLanguage(country string) string {
	b, _ := language.Make("und-" + strings.ToUpper(country)).Base()
	return b.String()
}

// languageWords are the phrases of partner-seeking lists that ask for a
// partner speaking a language.
var languageWords = map[string]string{
	"english speaking": "en", "english speaking country": "en", "english speaking countries": "en",
	"anglophone": "en", "de habla inglesa": "en", "angloparlante": "en", "pais de habla inglesa": "en",
	"spanish speaking": "es", "spanish speaking country": "es", "de habla hispana": "es", "hispanohablante": "es",
	"french speaking": "fr", "francophone": "fr", "de habla francesa": "fr",
	"german speaking": "de", "portuguese speaking": "pt", "lusophone": "pt", "chinese speaking": "zh",
}

// LanguageWish reads "English-speaking" (and the like) as a language code.
func LanguageWish(phrase string) (string, bool) {
	l, ok := languageWords[Fold(phrase)]
	return l, ok
}
