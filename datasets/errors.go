package datasets

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer; the api package maps them to HTTP
// statuses in one place.
const (
	EInvalid      = "invalid_argument"
	ENotFound     = "not_found"
	EConflict     = "conflict"
	EUnauthorized = "unauthenticated"
	EForbidden    = "permission_denied"
	EInternal     = "internal"
)

// Error is an error with a machine-readable code, a message in both
// languages and, for invalid input, a message per offending field (keyed
// by the field's path, as "areas.a" or "constraints.countries[0]").
type Error struct {
	Code   string
	Msg    Text
	Fields map[string]Text
}

// Error is the English message, for logs and the command line.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Msg.EN
	}
	return fmt.Sprintf("%s (%d field errors)", e.Msg.EN, len(e.Fields))
}

// Errf returns an *Error with the given code; es and en are format strings
// sharing args.
func Errf(code, es, en string, args ...any) *Error {
	return &Error{Code: code, Msg: Textf(es, en, args...)}
}

// ErrorCode returns the code of err, or EInternal for errors without one.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// FieldErrors collects validation messages keyed by field path.
type FieldErrors map[string]Text

// Addf records the message for field unless the field already has one; es
// and en are format strings sharing args.
func (f FieldErrors) Addf(field, es, en string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = Textf(es, en, args...)
	}
}

// AddText records pre-worded messages for field unless the field already
// has one (for when the two languages need different arguments).
func (f FieldErrors) AddText(field, es, en string) {
	if _, ok := f[field]; !ok {
		f[field] = Text{ES: es, EN: en}
	}
}

// AddErr records err's message for field unless the field already has
// one: both languages of an *Error or a *ResolveError, else its English
// text.
func (f FieldErrors) AddErr(field string, err error) {
	if _, ok := f[field]; ok {
		return
	}
	f[field] = TextOf(err)
}

// TextOf is err's message in both languages: an *Error's or a
// *ResolveError's, else err's (English) text alone.
func TextOf(err error) Text {
	var re *ResolveError
	if errors.As(err, &re) {
		return re.Text()
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return Text{EN: err.Error()}
}

// Err returns nil when empty, else an EInvalid *Error carrying the fields
// under the overall message msg.
func (f FieldErrors) Err(msg Text) error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Msg: msg, Fields: map[string]Text(f)}
}
