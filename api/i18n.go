package api

import (
	"strings"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

// T is datasets.Text, the one bilingual text type (errors carry it too),
// under a short name so that the pages' many T{es, en} literals stay
// short.
type T = datasets.Text

const (
	langCookie = "hermanar_lang"
	langKey    = "hermanar.lang"
)

// langOf picks the language of the answer: ?lang= first, then the
// language cookie the pages' switch sets, then Accept-Language, so that a
// browser set to English gets English on the first visit; Spanish when
// nothing says otherwise.
func langOf(c *gin.Context) string {
	if v, ok := c.Get(langKey); ok {
		return v.(string)
	}
	q := queryString(c, "lang")
	h := c.Request.Header
	if q == "" && len(h["Cookie"]) == 0 && len(h["Accept-Language"]) == 0 {
		// Nothing asks for a language (API clients, load tests): Spanish,
		// as pickLang would say, without keeping it in the context's keys
		// (a map made per request) for the next call to find.
		return "es"
	}
	lang := pickLang(q, cookie(c, langCookie), c.GetHeader("Accept-Language"))
	c.Set(langKey, lang)
	return lang
}

func cookie(c *gin.Context, name string) string {
	v, err := c.Cookie(name)
	if err != nil {
		return ""
	}
	return v
}

func pickLang(query, cookie, accept string) string {
	for _, v := range []string{query, cookie} {
		if v = strings.ToLower(strings.TrimSpace(v)); v == "es" || v == "en" {
			return v
		}
	}
	return acceptLanguage(accept)
}

// acceptLanguage returns "en" or "es", whichever Accept-Language prefers
// (by q value, then order); "es" when it names neither.
func acceptLanguage(h string) string {
	best, bestQ := "es", -1.0
	if len(h) > 512 {
		h = h[:512]
	}
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		base, _, _ := strings.Cut(tag, "-")
		if base != "es" && base != "en" {
			continue
		}
		q, ok := headerQuality(params)
		if !ok || q < 0 || q > 1 {
			q = 1
		}
		if q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}
