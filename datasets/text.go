package datasets

import (
	"fmt"
	"strings"
)

// Text is a short text in Spanish and English: labels, notes and error
// messages. Renderers pick the language; nothing translates after the fact.
type Text struct {
	ES string `json:"es"`
	EN string `json:"en"`
}

// Textf formats es and en with the same arguments (use explicit indexes,
// %[2]s, where the two languages order them differently).
func Textf(es, en string, args ...any) Text {
	return Text{ES: fmt.Sprintf(es, args...), EN: fmt.Sprintf(en, args...)}
}

// In returns the English text for lang "en" and the Spanish text for any
// other lang; when the chosen one is empty it falls back to the other (an
// error from outside the project, such as a parser's, has English alone).
func (t Text) In(lang string) string {
	first, second := t.ES, t.EN
	if lang == "en" {
		first, second = t.EN, t.ES
	}
	if strings.TrimSpace(first) == "" {
		return second
	}
	return first
}
