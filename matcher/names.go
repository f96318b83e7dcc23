package matcher

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countryName is a country's name in lang (CLDR, through x/text).
func countryName(code, lang string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	n := display.Regions(displayTag(lang)).Name(r)
	if n == "" {
		return code
	}
	return n
}

// languageName is a language's name in lang ("inglés", "English").
func languageName(code, lang string) string {
	b, err := language.ParseBase(code)
	if err != nil {
		return code
	}
	n := display.Languages(displayTag(lang)).Name(b)
	if n == "" {
		return code
	}
	return n
}

func displayTag(lang string) language.Tag {
	if lang == "en" {
		return language.English
	}
	return language.Spanish
}
