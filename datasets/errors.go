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

// Error is an error with a machine-readable code, a human message and,
// for invalid input, a message per offending field.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	return fmt.Sprintf("%s (%d field errors)", e.Message, len(e.Fields))
}

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
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
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (f FieldErrors) Add(field, format string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = fmt.Sprintf(format, args...)
	}
}

// Err returns nil when empty, else an EInvalid *Error carrying the fields.
func (f FieldErrors) Err(message string) error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: message, Fields: map[string]string(f)}
}
