package datasets

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countryVariants are names people and the Wikipedia twinning lists use
// that CLDR's English and Spanish display names do not cover.
var countryVariants = map[string]string{
	"usa": "US", "u s a": "US", "u s": "US", "united states of america": "US", "america": "US",
	"estados unidos de america": "US", "ee uu": "US", "eeuu": "US", "eua": "US", "e u a": "US",
	"uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
	"wales": "GB", "northern ireland": "GB", "gran bretana": "GB", "inglaterra": "GB", "escocia": "GB",
	"gales": "GB", "irlanda del norte": "GB",
	"south korea": "KR", "korea south": "KR", "republic of korea": "KR", "korea": "KR", "corea": "KR",
	"north korea": "KP", "korea north": "KP", "democratic people s republic of korea": "KP",
	"czech republic": "CZ", "republica checa": "CZ", "czechia": "CZ",
	"republic of ireland": "IE", "eire": "IE",
	"georgia country":    "GE",
	"russian federation": "RU",
	"ivory coast":        "CI", "costa de marfil": "CI",
	"cape verde": "CV", "cabo verde": "CV",
	"east timor": "TL", "timor leste": "TL", "timor oriental": "TL",
	"north macedonia": "MK", "macedonia del norte": "MK", "republic of macedonia": "MK",
	"moldavia": "MD", "republic of moldova": "MD",
	"palestine": "PS", "state of palestine": "PS", "palestina": "PS", "west bank": "PS", "gaza strip": "PS",
	"kosovo":          "XK",
	"northern cyprus": "CY", "turkish republic of northern cyprus": "CY",
	"taiwan": "TW", "republic of china": "TW",
	"people s republic of china": "CN", "prc": "CN",
	"vietnam": "VN", "viet nam": "VN",
	"eswatini": "SZ", "swaziland": "SZ", "esuatini": "SZ",
	"burma": "MM", "myanmar": "MM", "birmania": "MM",
	"congo": "CG", "republic of the congo": "CG", "congo brazzaville": "CG",
	"democratic republic of the congo": "CD", "dr congo": "CD", "drc": "CD", "congo kinshasa": "CD",
	"federated states of micronesia": "FM",
	"bosnia and hercegovina":         "BA", "bosnia": "BA",
	"surinam":    "SR",
	"madagaskar": "MG",
	"hong kong":  "HK", "macau": "MO", "macao": "MO",
	"the netherlands": "NL", "holland": "NL", "holanda": "NL",
	"the bahamas": "BS", "the gambia": "GM",
	"vatican": "VA", "vatican city": "VA", "holy see": "VA",
	"laos": "LA", "brunei darussalam": "BN", "syria": "SY", "iran": "IR", "turkiye": "TR",
	"sao tome and principe": "ST", "saint kitts and nevis": "KN", "saint lucia": "LC",
	"saint vincent and the grenadines": "VC", "antigua and barbuda": "AG", "trinidad and tobago": "TT",
	"mexico": "MX", "mejico": "MX",
}

// buildCountries maps folded country names (English and Spanish display
// names, ISO 3166 alpha-2 and alpha-3 codes, and countryVariants) to the
// GeoNames country codes present in the snapshot.
func buildCountries(codes map[string]bool) map[string]string {
	out := make(map[string]string, len(codes)*6)
	add := func(name, code string) {
		for _, k := range nameKeys(name) {
			if _, ok := out[k]; !ok && k != "" {
				out[k] = code
			}
		}
	}
	for code := range codes {
		out[strings.ToLower(code)] = code
	}
	for code := range codes {
		r, err := language.ParseRegion(code)
		if err != nil {
			continue
		}
		if iso3 := r.ISO3(); iso3 != "" && iso3 != "ZZZ" {
			add(iso3, code)
		}
		add(display.English.Regions().Name(r), code)
		add(display.Spanish.Regions().Name(r), code)
	}
	for k, code := range countryVariants {
		if codes[code] || len(codes) == 0 {
			out[k] = code
		}
	}
	return out
}

// nameKeys folds a display name and its common spellings: "&" as "and"/"y",
// "St." as "Saint", and without a parenthesised part ("Myanmar (Burma)").
func nameKeys(name string) []string {
	if name == "" {
		return nil
	}
	keys := []string{Fold(name)}
	if strings.Contains(name, "&") {
		keys = append(keys, Fold(strings.ReplaceAll(name, "&", " and ")), Fold(strings.ReplaceAll(name, "&", " y ")))
	}
	if i := strings.IndexByte(name, '('); i > 0 {
		keys = append(keys, Fold(name[:i]))
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "st ") {
			keys = append(keys, "saint "+k[3:])
		}
	}
	return keys
}

// KnownCountry says whether code is an ISO 3166 alpha-2 country code
// ("US", "ES"), so that a filter on "ZZ" or "XX" is refused instead of
// silently matching nothing. Kosovo's XK, which GeoNames uses, counts.
func KnownCountry(code string) bool {
	if code == "XK" {
		return true
	}
	if len(code) != 2 || code == "UK" { // the ISO code of the United Kingdom is GB
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && r.String() == code
}
