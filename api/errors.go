package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

// Codes that only exist at the HTTP edge; the rest are datasets' codes.
const (
	ETooLarge      = "payload_too_large"
	EUnsupported   = "unsupported_media_type"
	ENotAcceptable = "not_acceptable"
	EUnavailable   = "unavailable"
	EMethod        = "method_not_allowed"
	EBusy          = "resource_exhausted"
	EStorageFull   = "insufficient_storage"
)

// statusOf is the one place where an error code becomes an HTTP status.
func statusOf(code string) int {
	switch code {
	case datasets.EInvalid:
		return http.StatusBadRequest
	case datasets.EUnauthorized:
		return http.StatusUnauthorized
	case datasets.EForbidden:
		return http.StatusForbidden
	case datasets.ENotFound:
		return http.StatusNotFound
	case datasets.EConflict:
		return http.StatusConflict
	case EMethod:
		return http.StatusMethodNotAllowed
	case ENotAcceptable:
		return http.StatusNotAcceptable
	case ETooLarge:
		return http.StatusRequestEntityTooLarge
	case EUnsupported:
		return http.StatusUnsupportedMediaType
	case EBusy:
		return http.StatusTooManyRequests
	case EUnavailable:
		return http.StatusServiceUnavailable
	case EStorageFull:
		return http.StatusInsufficientStorage
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the error itself: a code for programs, a message in the
// request's language for people and, for invalid input, one message per
// offending field.
type ErrorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// errf builds the *datasets.Error the api package raises itself; es and
// en are format strings sharing args.
func errf(code, es, en string, args ...any) *datasets.Error {
	return datasets.Errf(code, es, en, args...)
}

// fieldErrs collects bilingual messages per field.
type fieldErrs datasets.FieldErrors

func (f fieldErrs) add(field, es, en string, args ...any) {
	datasets.FieldErrors(f).Addf(field, es, en, args...)
}

func (f fieldErrs) err() error {
	return datasets.FieldErrors(f).Err(datasets.Text{ES: "La solicitud tiene campos no válidos.", EN: "The request has invalid fields."})
}

// errorDetail turns any error into what the client sees, in lang: the
// message the error was raised with, in that language. Errors without a
// code are internal: their text is logged, never shown.
func errorDetail(err error, lang string) ErrorDetail {
	var de *datasets.Error
	if errors.As(err, &de) {
		d := ErrorDetail{Code: de.Code, Message: de.Msg.In(lang)}
		if d.Message == "" {
			d.Message = defaultMessage(de.Code).In(lang)
		}
		if len(de.Fields) > 0 {
			d.Fields = make(map[string]string, len(de.Fields))
			for k, v := range de.Fields {
				d.Fields[k] = v.In(lang)
			}
		}
		return d
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		// The store refused the write before acknowledging it: nothing
		// was saved, and the operator has a disk to free.
		return ErrorDetail{Code: EStorageFull, Message: T{ES: "El disco del servidor está lleno; no se guardó nada. Avise a la administración e inténtelo más tarde.",
			EN: "The server's disk is full; nothing was saved. Tell the administrators and try again later."}.In(lang)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrorDetail{Code: EUnavailable, Message: T{ES: "La consulta tardó demasiado; inténtelo de nuevo.",
			EN: "The query took too long; try again."}.In(lang)}
	}
	return ErrorDetail{Code: datasets.EInternal, Message: defaultMessage(datasets.EInternal).In(lang)}
}

func defaultMessage(code string) T {
	switch code {
	case datasets.EInvalid:
		return T{ES: "La solicitud no es válida.", EN: "The request is not valid."}
	case datasets.ENotFound:
		return T{ES: "No existe.", EN: "Not found."}
	case datasets.EUnauthorized:
		return T{ES: "Falta una credencial válida.", EN: "A valid token is required."}
	case datasets.EForbidden:
		return T{ES: "Su credencial no permite esta operación.", EN: "Your token does not allow this."}
	case EUnavailable:
		return T{ES: "El servicio está arrancando; inténtelo en unos segundos.", EN: "The service is starting; try again in a few seconds."}
	}
	return T{ES: "Error interno. Ya quedó registrado.", EN: "Internal error. It has been logged."}
}

// bindError explains why a JSON body could not be decoded, naming the
// field where the decoder knows it.
func bindError(err error) error {
	var (
		syn   *json.SyntaxError
		typ   *json.UnmarshalTypeError
		tooBy *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooBy):
		return errf(ETooLarge, "El cuerpo de la solicitud supera %d bytes.", "The request body exceeds %d bytes.", tooBy.Limit)
	case errors.Is(err, io.EOF):
		return errf(datasets.EInvalid, "El cuerpo de la solicitud está vacío; se esperaba JSON.", "The request body is empty; JSON was expected.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errf(datasets.EInvalid, "El JSON está incompleto.", "The JSON is truncated.")
	case errors.As(err, &syn):
		return errf(datasets.EInvalid, "JSON mal formado en el byte %d.", "Malformed JSON at byte %d.", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		f := fieldErrs{}
		f.add(field, "tipo incorrecto: se esperaba %s, se recibió %s", "wrong type: expected %s, got %s", jsonType(typ.Type.String()), typ.Value)
		return f.err()
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		f := fieldErrs{}
		f.add(strings.Trim(name, `"`), "campo desconocido", "unknown field")
		return f.err()
	}
	if strings.HasPrefix(msg, "json: ") || strings.HasPrefix(msg, "invalid character") {
		return errf(datasets.EInvalid, "JSON no válido: %s", "Invalid JSON: %s", strings.TrimPrefix(msg, "json: "))
	}
	return errf(datasets.EInvalid, "No se pudo leer el cuerpo de la solicitud.", "The request body could not be read.")
}

func jsonType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"), strings.HasPrefix(goType, "float"):
		return "number"
	case goType == "string":
		return "string"
	case goType == "bool":
		return "boolean"
	case strings.HasPrefix(goType, "[]"):
		return "array"
	}
	return "object"
}

// fail renders err for the client (JSON under /api, an HTML page
// elsewhere unless the client asked for JSON) and aborts the chain.
func (s *Server) fail(c *gin.Context, err error) {
	lang := langOf(c)
	d := errorDetail(err, lang)
	d.RequestID = requestID(c)
	status := statusOf(d.Code)
	if status >= 500 && (d.Code == datasets.EInternal || d.Code == EStorageFull) {
		s.log.ErrorContext(c.Request.Context(), "request failed", "request_id", d.RequestID, "path", c.Request.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="hermanar"`)
	}
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "2")
	}
	c.Abort()
	if wantsHTML(c) {
		s.renderErrorPage(c, status, d)
		return
	}
	c.JSON(status, ErrorBody{Error: d})
}

// isPage reports whether the request is for a web page rather than the
// JSON API or the probes.
func isPage(c *gin.Context) bool {
	p := c.Request.URL.Path
	return !strings.HasPrefix(p, "/api/") && p != "/healthz" && p != "/readyz"
}

func wantsHTML(c *gin.Context) bool {
	if !isPage(c) {
		return false
	}
	acc := c.GetHeader("Accept")
	return acc == "" || strings.Contains(acc, "text/html") || !strings.Contains(acc, "json")
}

// isFieldError tells whether err is a validation error that names fields
// (what a form shows again next to its fields, rather than an error page).
func isFieldError(err error) bool {
	var e *datasets.Error
	return errors.As(err, &e) && len(e.Fields) > 0
}
