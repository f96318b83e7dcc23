package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

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

// userError is an error raised by the api package itself, worded in both
// languages so that the renderer can answer in the request's.
type userError struct {
	code   string
	msg    T
	fields map[string]T
}

func (e *userError) Error() string { return e.msg.EN }

// errf builds a userError; es and en are format strings sharing args.
func errf(code, es, en string, args ...any) *userError {
	return &userError{code: code, msg: T{fmt.Sprintf(es, args...), fmt.Sprintf(en, args...)}}
}

// fieldErrs collects bilingual messages per field.
type fieldErrs map[string]T

func (f fieldErrs) add(field, es, en string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = T{fmt.Sprintf(es, args...), fmt.Sprintf(en, args...)}
	}
}

func (f fieldErrs) err() error {
	if len(f) == 0 {
		return nil
	}
	return &userError{code: datasets.EInvalid,
		msg:    T{"La solicitud tiene campos no válidos.", "The request has invalid fields."},
		fields: f}
}

// errorDetail turns any error into what the client sees, in lang. Errors
// without a code are internal: their text is logged, never shown.
func errorDetail(err error, lang string) ErrorDetail {
	var ue *userError
	if errors.As(err, &ue) {
		d := ErrorDetail{Code: ue.code, Message: ue.msg.In(lang)}
		if len(ue.fields) > 0 {
			d.Fields = make(map[string]string, len(ue.fields))
			for k, v := range ue.fields {
				d.Fields[k] = v.In(lang)
			}
		}
		return d
	}
	var de *datasets.Error
	if errors.As(err, &de) {
		d := ErrorDetail{Code: de.Code, Message: translate(de.Message, lang)}
		if d.Message == "" {
			d.Message = defaultMessage(de.Code).In(lang)
		}
		if len(de.Fields) > 0 {
			d.Fields = make(map[string]string, len(de.Fields))
			for k, v := range de.Fields {
				d.Fields[k] = translate(v, lang)
			}
		}
		return d
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrorDetail{Code: EUnavailable, Message: T{"La consulta tardó demasiado; inténtelo de nuevo.",
			"The query took too long; try again."}.In(lang)}
	}
	return ErrorDetail{Code: datasets.EInternal, Message: defaultMessage(datasets.EInternal).In(lang)}
}

func defaultMessage(code string) T {
	switch code {
	case datasets.EInvalid:
		return T{"La solicitud no es válida.", "The request is not valid."}
	case datasets.ENotFound:
		return T{"No existe.", "Not found."}
	case datasets.EUnauthorized:
		return T{"Falta una credencial válida.", "A valid token is required."}
	case datasets.EForbidden:
		return T{"Su credencial no permite esta operación.", "Your token does not allow this."}
	case EUnavailable:
		return T{"El servicio está arrancando; inténtelo en unos segundos.", "The service is starting; try again in a few seconds."}
	}
	return T{"Error interno. Ya quedó registrado.", "Internal error. It has been logged."}
}

// Spanish forms of the English messages datasets and matcher produce.
// Messages not listed here are shown as they are.
var esPatterns = []struct {
	re *regexp.Regexp
	es string
}{
	{regexp.MustCompile(`^must not be empty$`), "no debe estar vacío"},
	{regexp.MustCompile(`^is not valid UTF-8$`), "no es UTF-8 válido"},
	{regexp.MustCompile(`^is longer than (\d+) characters$`), "tiene más de $1 caracteres"},
	{regexp.MustCompile(`^contains a NUL character$`), "contiene un carácter NUL"},
	{regexp.MustCompile(`^has more than (\d+) (items|tags|countries)$`), "tiene más de $1 elementos"},
	{regexp.MustCompile(`^unknown taxonomy category (.*)$`), "categoría desconocida de la taxonomía: $1"},
	{regexp.MustCompile(`^unknown area; use a–h of the model agreement$`), "área desconocida; use a–h del convenio modelo"},
	{regexp.MustCompile(`^weight must be between 0 and 1$`), "el peso debe estar entre 0 y 1"},
	{regexp.MustCompile(`^name a place or give place_id$`), "indique un lugar o su place_id"},
	{regexp.MustCompile(`^must be between (-?\d+) and (\d+)$`), "debe estar entre $1 y $2"},
	{regexp.MustCompile(`^must be positive$`), "debe ser positivo"},
	{regexp.MustCompile(`^must be a two-letter ISO code in capitals, got (.*)$`), "debe ser un código ISO de dos letras mayúsculas; se recibió $1"},
	{regexp.MustCompile(`^must not be negative$`), "no debe ser negativo"},
	{regexp.MustCompile(`^must be at least min_population$`), "debe ser al menos min_population"},
	{regexp.MustCompile(`^must be "es" or "en", got (.*)$`), `debe ser "es" o "en"; se recibió $1`},
	{regexp.MustCompile(`^the profile has invalid fields$`), "El perfil tiene campos no válidos."},
	{regexp.MustCompile(`^no municipality (.*)$`), "No existe el municipio $1."},
	{regexp.MustCompile(`^no consulate (.*)$`), "No existe el consulado $1."},
	{regexp.MustCompile(`^place (\d+) is not a foreign candidate$`), "El lugar $1 no es una ciudad extranjera candidata."},
	{regexp.MustCompile(`^(.*) matches no place$`), "$1 no corresponde a ningún lugar"},
	{regexp.MustCompile(`^(.*) is ambiguous \((\d+) places: (.*)\); add a region or country$`), "$1 es ambiguo ($2 lugares: $3); añada estado o país"},
	{regexp.MustCompile(`^k is too large$`), "k es demasiado grande"},
	{regexp.MustCompile(`^is not a known place$`), "no es un lugar conocido"},
	{regexp.MustCompile(`^(.*) is in Mexico; a migrant destination is a place abroad$`), "$1 está en México; un destino de migrantes es un lugar en el extranjero"},
	{regexp.MustCompile(`^must be a year from 1900 to next year$`), "debe ser un año entre 1900 y el próximo"},
	{regexp.MustCompile(`^unknown region or country in (.*)$`), "estado o país desconocido en $1"},
	{regexp.MustCompile(`^empty place name$`), "falta el nombre del lugar"},
	{regexp.MustCompile(`^a city's profile records no diaspora; record ties with POST /api/v1/ties$`), "el perfil de una ciudad no lleva diáspora; registre los vínculos con POST /api/v1/ties"},
	{regexp.MustCompile(`^a city's profile has no constraints; state what it asks of a partner in wishes$`), "el perfil de una ciudad no lleva restricciones; indique lo que pide a un socio en wishes"},
	{regexp.MustCompile(`^unknown world region (.*); use a UN M49 code or a name such as Oceania, Europe, Latin America$`), "región del mundo desconocida: $1; use un código M49 de la ONU o un nombre como Oceanía, Europa, América Latina"},
	{regexp.MustCompile(`^must be a two-letter language code such as en, got (.*)$`), "debe ser un código de idioma de dos letras como en; se recibió $1"},
	{regexp.MustCompile(`^is not an e-mail address$`), "no es una dirección de correo"},
	{regexp.MustCompile(`^name the municipality \(CVEGEO\) or the state the city wants to twin with$`), "indique el municipio (CVEGEO) o el estado con el que la ciudad quiere hermanarse"},
	{regexp.MustCompile(`^must be a 5-digit CVEGEO such as 11008$`), "debe ser una clave CVEGEO de 5 dígitos como 11008"},
	{regexp.MustCompile(`^is not a known municipality$`), "no es un municipio conocido"},
	{regexp.MustCompile(`^must be a 2-digit INEGI state code such as 11$`), "debe ser una clave de estado del INEGI de 2 dígitos como 11"},
	{regexp.MustCompile(`^is not the state of municipality (.*)$`), "no es el estado del municipio $1"},
	{regexp.MustCompile(`^must be a date YYYY-MM-DD \(or YYYY-MM, YYYY\) from 1900 to next year$`), "debe ser una fecha AAAA-MM-DD (o AAAA-MM, AAAA) entre 1900 y el año próximo"},
	{regexp.MustCompile(`^the interest has invalid fields$`), "El interés tiene campos no válidos."},
	{regexp.MustCompile(`^municipality must be a 5-digit INEGI CVEGEO such as 11008$`), "El municipio debe ser una clave CVEGEO del INEGI de 5 dígitos, como 11008."},
}

func translate(msg, lang string) string {
	if lang != "es" {
		return msg
	}
	for _, p := range esPatterns {
		if p.re.MatchString(msg) {
			return p.re.ReplaceAllString(msg, p.es)
		}
	}
	return msg
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
	if status >= 500 && d.Code == datasets.EInternal {
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
