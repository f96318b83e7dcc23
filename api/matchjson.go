package api

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"hermanar/datasets"
	"hermanar/matcher"
)

// The match answer is the largest thing an uncached request encodes, and
// encoding/json's reflection over its nested structs cost about a tenth
// of the server's CPU per request. appendResult writes the same bytes
// (field order, omitempty, number and string forms of encoding/json, with
// HTML escaping off and the Encoder's final newline) straight from the
// fields. TestMatchJSONAsEncodingJSON holds the equality on every
// municipality's list and on hand-made values, and fails when one of
// these types gains a JSON field that is not written here.

// appendResult appends r's JSON, or reports false when a number cannot
// be encoded (NaN or an infinity), for the caller to let encoding/json
// report the error.
func appendResult(b []byte, r *matcher.Result) ([]byte, bool) {
	j := jsonOut{b: b, ok: true}
	j.raw(`{"query":`)
	j.query(&r.Query)
	j.raw(`,"matches":`)
	j.matches(r.Matches)
	if len(r.Twinned) > 0 {
		j.raw(`,"already_twinned":`)
		j.matches(r.Twinned)
	}
	j.raw(`,"candidates":`)
	j.int(int64(r.Candidates))
	j.raw(`,"weights":`)
	j.str(r.Weights)
	if r.Scale != "" {
		j.raw(`,"scale":`)
		j.str(r.Scale)
	}
	if r.WishesHidden != 0 {
		j.raw(`,"wishes_hidden":`)
		j.int(int64(r.WishesHidden))
	}
	if r.Model != "" {
		j.raw(`,"model":`)
		j.str(r.Model)
	}
	j.raw("}\n")
	return j.b, j.ok
}

// jsonOut is the buffer being written; ok turns false at the first
// number JSON cannot hold.
type jsonOut struct {
	b  []byte
	ok bool
}

func (j *jsonOut) raw(s string) { j.b = append(j.b, s...) }

func (j *jsonOut) int(v int64) { j.b = strconv.AppendInt(j.b, v, 10) }

func (j *jsonOut) bool(v bool) { j.b = strconv.AppendBool(j.b, v) }

// float writes f as encoding/json does: the shortest form that reads back
// to the same value of its size (bits 32 or 64), in exponent form below
// 1e-6 and from 1e21, the exponent without a leading zero.
func (j *jsonOut) float(f float64, bits int) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		j.ok = false
		j.b = append(j.b, '0')
		return
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 {
		if bits == 64 && (a < 1e-6 || a >= 1e21) || bits == 32 && (float32(a) < 1e-6 || float32(a) >= 1e21) {
			format = 'e'
		}
	}
	j.b = strconv.AppendFloat(j.b, f, format, -1, bits)
	if n := len(j.b); format == 'e' && n >= 4 && j.b[n-4] == 'e' && j.b[n-3] == '-' && j.b[n-2] == '0' {
		j.b[n-2] = j.b[n-1] // e-07 → e-7
		j.b = j.b[:n-1]
	}
}

// plainASCII marks the bytes a JSON string carries as they are.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// str writes s quoted as encoding/json does without HTML escaping:
// quote and backslash escaped, control characters as \b \f \n \r \t or
// \u00XX, invalid UTF-8 bytes as \ufffd, U+2028 and U+2029 escaped.
func (j *jsonOut) str(s string) {
	if plainString(s) {
		j.b = append(append(append(j.b, '"'), s...), '"')
		return
	}
	b := append(j.b, '"')
	done := 0 // s[:done] is written
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plainASCII[c] {
				i++
				continue
			}
			b = append(b, s[done:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			done = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[done:i]...)
			b = append(b, `\ufffd`...)
			done = i + size
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[done:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			done = i + size
		}
		i += size
	}
	b = append(b, s[done:]...)
	j.b = append(b, '"')
}

// plainString reports whether s is written as it is between quotes:
// valid UTF-8 without control characters, quotes, backslashes, U+2028 or
// U+2029 (most names and evidence lines). Eight bytes are tested at a
// time for the ASCII ones.
func plainString(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		q, bs := x^(ones*'"'), x^(ones*'\\')
		// a byte below 0x20, or equal to '"' or '\\' (a zero byte of q or bs)
		if ((x-ones*0x20)&^x|(q-ones)&^q|(bs-ones)&^bs)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf && !plainASCII[c] {
			return false
		}
	}
	return utf8.ValidString(s) && !strings.Contains(s, "\u2028") && !strings.Contains(s, "\u2029")
}

// strs writes a string list; nil is null, as encoding/json writes it.
func (j *jsonOut) strs(v []string) {
	if v == nil {
		j.raw("null")
		return
	}
	j.b = append(j.b, '[')
	for i, s := range v {
		if i > 0 {
			j.b = append(j.b, ',')
		}
		j.str(s)
	}
	j.b = append(j.b, ']')
}

func (j *jsonOut) query(q *matcher.QueryEcho) {
	j.raw(`{"municipality":`)
	j.str(q.Municipality)
	j.raw(`,"name":`)
	j.str(q.Name)
	j.raw(`,"state":`)
	j.str(q.State)
	j.raw(`,"k":`)
	j.int(int64(q.K))
	j.raw(`,"lang":`)
	j.str(q.Lang)
	j.raw(`,"filter":`)
	j.filter(&q.Filter)
	j.raw(`,"profile":`)
	j.str(q.Profile)
	j.raw(`,"coverage":`)
	j.strs(q.Coverage)
	j.b = append(j.b, '}')
}

// key writes an object's key k and its colon, after a comma unless *first
// (the object's first key so far), for objects whose fields are omitempty.
func (j *jsonOut) key(first *bool, k string) {
	if !*first {
		j.b = append(j.b, ',')
	}
	*first = false
	j.str(k)
	j.b = append(j.b, ':')
}

// filter writes a Filter, every field of which is omitempty.
func (j *jsonOut) filter(f *matcher.Filter) {
	j.b = append(j.b, '{')
	first := true
	key := func(k string) { j.key(&first, k) }
	if len(f.Countries) > 0 {
		key("countries")
		j.strs(f.Countries)
	}
	if f.MinPopulation != 0 {
		key("min_population")
		j.int(f.MinPopulation)
	}
	if f.MaxPopulation != 0 {
		key("max_population")
		j.int(f.MaxPopulation)
	}
	for _, b := range [...]struct {
		name string
		v    bool
	}{{"exclude_twinned", f.ExcludeTwinned}, {"only_profiled", f.OnlyProfiled}, {"ignore_wishes", f.IgnoreWishes}} {
		if b.v {
			key(b.name)
			j.bool(true)
		}
	}
	if len(f.Traits) > 0 {
		key("traits")
		j.strs(f.Traits)
	}
	for _, b := range [...]struct {
		name string
		v    bool
	}{{"include_twinned", f.IncludeTwinned}, {"no_size_rule", f.NoSizeRule}, {"no_diversity", f.NoDiversity}} {
		if b.v {
			key(b.name)
			j.bool(true)
		}
	}
	j.b = append(j.b, '}')
}

func (j *jsonOut) matches(ms []matcher.Match) {
	if ms == nil {
		j.raw("null")
		return
	}
	j.b = append(j.b, '[')
	for i := range ms {
		if i > 0 {
			j.b = append(j.b, ',')
		}
		j.match(&ms[i])
	}
	j.b = append(j.b, ']')
}

func (j *jsonOut) match(m *matcher.Match) {
	j.raw(`{"rank":`)
	j.int(int64(m.Rank))
	j.raw(`,"place":`)
	j.place(&m.Place)
	j.raw(`,"score":`)
	j.float(m.Score, 64)
	if m.Calibrated != nil {
		j.raw(`,"calibrated":`)
		j.float(*m.Calibrated, 64)
	}
	if m.CalibratedBasis != "" {
		j.raw(`,"calibrated_basis":`)
		j.str(m.CalibratedBasis)
	}
	j.raw(`,"components":`)
	if m.Components == nil {
		j.raw("null")
	} else {
		j.b = append(j.b, '[')
		for i := range m.Components {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			j.component(&m.Components[i])
		}
		j.b = append(j.b, ']')
	}
	j.raw(`,"coverage":`)
	j.float(m.Coverage, 64)
	j.raw(`,"twinned":`)
	j.bool(m.Twinned)
	if len(m.Categories) > 0 {
		j.raw(`,"categories":[`)
		for i := range m.Categories {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			j.category(&m.Categories[i])
		}
		j.b = append(j.b, ']')
	}
	if len(m.Terms) > 0 {
		j.raw(`,"terms":`)
		j.strs(m.Terms)
	}
	j.raw(`,"code":`)
	j.str(m.Code)
	j.raw(`,"basis":`)
	j.strs(m.Basis)
	if d := m.Directions; d != nil {
		j.raw(`,"directions":{"forward":`)
		j.float(d.Forward, 64)
		j.raw(`,"reverse":`)
		j.float(d.Reverse, 64)
		j.raw(`,"combined":`)
		j.float(d.Combined, 64)
		j.raw(`,"forward_share":`)
		j.float(d.ForwardShare, 64)
		j.b = append(j.b, '}')
	}
	if m.Adjustment != 0 {
		j.raw(`,"adjustment":`)
		j.float(m.Adjustment, 64)
	}
	if m.Partner != nil {
		j.raw(`,"partner":`)
		j.partner(m.Partner)
	}
	j.b = append(j.b, '}')
}

func (j *jsonOut) place(p *datasets.PlaceRef) {
	j.raw(`{"id":`)
	j.int(p.ID)
	j.raw(`,"name":`)
	j.str(p.Name)
	j.raw(`,"country":`)
	j.str(p.Country)
	j.raw(`,"admin1":`)
	j.str(p.Admin1)
	if p.Admin1Name != "" {
		j.raw(`,"admin1_name":`)
		j.str(p.Admin1Name)
	}
	if p.Admin2Name != "" {
		j.raw(`,"admin2_name":`)
		j.str(p.Admin2Name)
	}
	j.raw(`,"population":`)
	j.int(p.Population)
	j.raw(`,"lat":`)
	j.float(float64(p.Lat), 32)
	j.raw(`,"lon":`)
	j.float(float64(p.Lon), 32)
	j.b = append(j.b, '}')
}

func (j *jsonOut) component(c *matcher.Component) {
	j.raw(`{"name":`)
	j.str(c.Name)
	j.raw(`,"value":`)
	j.float(c.Value, 64)
	j.raw(`,"weight":`)
	j.float(c.Weight, 64)
	j.raw(`,"contribution":`)
	j.float(c.Contribution, 64)
	if c.Forward != nil {
		j.raw(`,"forward":`)
		j.float(*c.Forward, 64)
	}
	if c.Reverse != nil {
		j.raw(`,"reverse":`)
		j.float(*c.Reverse, 64)
	}
	if len(c.Evidence) > 0 {
		j.raw(`,"evidence":`)
		j.strs(c.Evidence)
	}
	if c.Source != "" {
		j.raw(`,"source":`)
		j.str(c.Source)
	}
	if len(c.Parts) > 0 {
		j.raw(`,"parts":[`)
		for i := range c.Parts {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			p := &c.Parts[i]
			j.raw(`{"name":`)
			j.str(p.Name)
			j.raw(`,"value":`)
			j.float(p.Value, 64)
			j.raw(`,"contribution":`)
			j.float(p.Contribution, 64)
			j.b = append(j.b, '}')
		}
		j.b = append(j.b, ']')
	}
	j.b = append(j.b, '}')
}

func (j *jsonOut) category(c *matcher.CategoryRef) {
	j.raw(`{"id":`)
	j.str(c.ID)
	j.raw(`,"label":`)
	j.str(c.Label)
	j.raw(`,"score":`)
	j.float(c.Score, 64)
	if len(c.SDG) > 0 {
		j.raw(`,"sdg":[`)
		for i, g := range c.SDG {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			j.int(int64(g))
		}
		j.b = append(j.b, ']')
	}
	j.b = append(j.b, '}')
}

// partner writes PartnerNotes, every field of which is omitempty.
func (j *jsonOut) partner(p *matcher.PartnerNotes) {
	j.b = append(j.b, '{')
	first := true
	key := func(k string) { j.key(&first, k) }
	list := func(k string, v []string) {
		if len(v) > 0 {
			key(k)
			j.strs(v)
		}
	}
	text := func(k, v string) {
		if v != "" {
			key(k)
			j.str(v)
		}
	}
	list("exchange", p.Exchange)
	list("wishes", p.Wishes)
	if p.WishesUnmet {
		key("wishes_unmet")
		j.bool(true)
	}
	list("interest", p.Interest)
	text("contact", p.Contact)
	text("adjustment", p.Adjustment)
	list("provenance", p.Provenance)
	j.b = append(j.b, '}')
}
