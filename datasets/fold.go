package datasets

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the key under which names are compared: accents, case and
// punctuation do not count. It decomposes s (NFKD, so that ligatures and
// full-width forms fold too), drops combining marks, lower-cases, spells
// out the Latin letters that have no decomposition (ß, æ, ø, ł, ı, đ, þ,
// œ), turns every character that is neither a letter nor a digit into a
// space and collapses runs of spaces:
//
//	Fold("San José de Otates") == "san jose de otates"
//	Fold("Saint-Louis")        == "saint louis"
//	Fold("St. John's")         == "st john s"
//
// Fold never fails: invalid UTF-8 counts as punctuation. Fold(Fold(s)) ==
// Fold(s).
func Fold(s string) string {
	if isPlainASCII(s) {
		return foldASCII(s)
	}
	out := foldOnce(s)
	// A few letters lower-case or decompose into forms that fold further
	// (ℌ → H → h); settle them so that Fold is idempotent.
	for i := 0; i < 3 && !isPlainASCII(out); i++ {
		next := foldOnce(out)
		if next == out {
			break
		}
		out = next
	}
	return out
}

// LatinScript reports whether s is written in the Latin alphabet: every
// letter in it belongs to the Latin script, accented or not (ñ, ł, ộ), or to
// no script in particular (the ʻokina of Hawaiʻi). Digits, punctuation and
// combining accents do not count. Queries come in Spanish and English, so
// the resolver and the place index keep only such alternate names.
func LatinScript(s string) bool {
	for _, r := range s {
		// Everything below U+0250 (Basic Latin to Latin Extended-B) is Latin
		// or common to all scripts.
		if r >= latinLimit && unicode.IsLetter(r) && !unicode.In(r, unicode.Latin, unicode.Common) {
			return false
		}
	}
	return true
}

// foldOnce is one pass of Fold over arbitrary UTF-8. Latin text (every
// rune below U+0250, which covers nearly all gazetteer names) folds rune
// by rune from a table; anything else goes through full normalization.
func foldOnce(s string) string {
	for _, r := range s {
		if r >= latinLimit || latinFold[r] == slowRune {
			return foldSlow(s)
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		f := latinFold[r]
		if f == "" {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(f)
	}
	return b.String()
}

const latinLimit = 0x250

// latinFold holds foldSlow of every rune below latinLimit; "" means the
// rune separates words, slowRune that it both separates and spells letters
// ("ŀ" is "l·") and must go the slow way.
var latinFold = func() (t [latinLimit]string) {
	for r := rune(0); r < latinLimit; r++ {
		f := foldSlow(string(r))
		want := "a" + f + "a"
		if f == "" {
			want = "a a"
		}
		if foldSlow("a"+string(r)+"a") != want {
			f = slowRune
		}
		t[r] = f
	}
	return t
}()

const slowRune = "\x00"

// foldSlow folds by full Unicode normalization.
func foldSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a separator is pending
	// Lower-case after compatibility decomposition and decompose again:
	// lower-casing may yield precomposed letters.
	d := norm.NFD.String(strings.ToLower(norm.NFKD.String(strings.ToValidUTF8(s, "\uFFFD"))))
	for _, r := range d {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
			// accents and other combining marks: dropped
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			if rep, ok := foldSpecial[r]; ok {
				b.WriteString(rep)
				continue
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// foldSpecial spells Latin letters that NFKD leaves whole.
var foldSpecial = map[rune]string{
	'ß': "ss", 'æ': "ae", 'ø': "o", 'ł': "l", 'ı': "i", 'đ': "d", 'ð': "d",
	'þ': "th", 'œ': "oe", 'ħ': "h", 'ŀ': "l", 'ŧ': "t", 'ĸ': "k", 'ſ': "s",
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldASCII is Fold for ASCII input, without allocation-heavy normalization.
func foldASCII(s string) string {
	buf := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			if space && len(buf) > 0 {
				buf = append(buf, ' ')
			}
			space = false
			buf = append(buf, c)
		default:
			space = true
		}
	}
	return string(buf)
}
