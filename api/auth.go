package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

// Roles a token can carry.
const (
	RoleAdmin     = "admin"     // everything
	RoleAnalyst   = "analyst"   // bulk ranking
	RoleLiaison   = "liaison"   // one municipality's profile
	RoleConsulate = "consulate" // ties in one consulate's jurisdiction
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleAnalyst, RoleLiaison, RoleConsulate}

// Token is what the store keeps about a bearer token: never the token
// itself, only its SHA-256 (the key) and its scope.
type Token struct {
	ID           string     `json:"id"` // first 12 hex digits of the hash; safe to show and to revoke by
	Role         string     `json:"role"`
	Municipality string     `json:"municipality,omitempty"` // liaison: CVEGEO
	Consulate    string     `json:"consulate,omitempty"`    // consulate: id
	Note         string     `json:"note,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
}

// Revoked reports whether the token was revoked.
func (t Token) Revoked() bool { return t.RevokedAt != nil }

// Scope describes the token for people: "liaison 11008".
func (t Token) Scope() string {
	return strings.TrimSpace(t.Role + " " + t.Municipality + t.Consulate)
}

// Tokens creates, checks and revokes bearer tokens in a store's tokens
// bucket. A token is "hmn_" followed by 32 random bytes in base64url; the
// bucket is keyed by the hex SHA-256 of the whole token.
type Tokens struct{ st datasets.Store }

// NewTokens uses st's datasets.BucketTokens.
func NewTokens(st datasets.Store) *Tokens { return &Tokens{st: st} }

const tokenPrefix = "hmn_"

var tokenRE = regexp.MustCompile(`^hmn_[A-Za-z0-9_-]{43}$`)

func hashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Create stores a new token and returns its secret, shown once. The caller
// checks that the municipality or consulate exists.
func (t *Tokens) Create(role, municipality, consulate, note string) (string, Token, error) {
	fe := datasets.FieldErrors{}
	switch role {
	case RoleAdmin, RoleAnalyst:
		if municipality != "" || consulate != "" {
			fe.Addf("role", "las credenciales %s no llevan municipio ni consulado", "%s tokens take neither a municipality nor a consulate", role)
		}
	case RoleLiaison:
		if !datasets.ValidCVEGEO(municipality) {
			fe.Addf("municipality", "una credencial de enlace necesita una clave CVEGEO de 5 dígitos; se recibió %q", "a liaison token needs a 5-digit CVEGEO, got %q", municipality)
		}
		if consulate != "" {
			fe.Addf("consulate", "una credencial de enlace no lleva consulado", "a liaison token takes no consulate")
		}
	case RoleConsulate:
		if consulate == "" || len(consulate) > 64 {
			fe.Addf("consulate", "una credencial de consulado necesita el id del consulado", "a consulate token needs a consulate id")
		}
		if municipality != "" {
			fe.Addf("municipality", "una credencial de consulado no lleva municipio", "a consulate token takes no municipality")
		}
	default:
		fe.Addf("role", "debe ser uno de %s; se recibió %q", "must be one of %s, got %q", strings.Join(Roles, ", "), role)
	}
	if len(note) > 200 {
		fe.Addf("note", "tiene más de 200 caracteres", "is longer than 200 characters")
	}
	if err := fe.Err(datasets.Text{ES: "Solicitud de credencial no válida.", EN: "invalid token request"}); err != nil {
		return "", Token{}, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Token{}, err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	key := hashToken(secret)
	tok := Token{ID: key[:12], Role: role, Municipality: municipality, Consulate: consulate, Note: note,
		CreatedAt: time.Now().UTC().Truncate(time.Second)}
	b, err := json.Marshal(tok)
	if err != nil {
		return "", Token{}, err
	}
	if err := t.st.Put(datasets.BucketTokens, key, b); err != nil {
		return "", Token{}, fmt.Errorf("store token: %w", err)
	}
	return secret, tok, nil
}

// Lookup returns the token for a secret, or an EUnauthorized error when
// it is malformed, unknown or revoked.
func (t *Tokens) Lookup(secret string) (Token, error) {
	if !tokenRE.MatchString(secret) {
		return Token{}, errf(datasets.EUnauthorized, "La credencial no tiene el formato esperado.", "The token is malformed.")
	}
	b, ok, err := t.st.Get(datasets.BucketTokens, hashToken(secret))
	if err != nil {
		return Token{}, err
	}
	if !ok {
		return Token{}, errf(datasets.EUnauthorized, "La credencial no es válida.", "The token is not valid.")
	}
	var tok Token
	if err := json.Unmarshal(b, &tok); err != nil {
		return Token{}, fmt.Errorf("token record: %w", err)
	}
	if tok.Revoked() {
		return Token{}, errf(datasets.EUnauthorized, "La credencial fue revocada.", "The token was revoked.")
	}
	return tok, nil
}

// List returns every token, newest first.
func (t *Tokens) List() ([]Token, error) {
	var out []Token
	err := t.st.List(datasets.BucketTokens, func(_ string, v []byte) error {
		var tok Token
		if err := json.Unmarshal(v, &tok); err != nil {
			return fmt.Errorf("token record: %w", err)
		}
		out = append(out, tok)
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// Revoke marks the token with the given id (or a unique prefix of at
// least 6 hex digits) revoked. Revoking twice is not an error.
func (t *Tokens) Revoke(id string) (Token, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < 6 || len(id) > 64 || strings.Trim(id, "0123456789abcdef") != "" {
		return Token{}, errf(datasets.EInvalid, "el id de una credencial tiene al menos 6 dígitos hexadecimales; se recibió %q", "a token id is at least 6 hex digits, got %q", id)
	}
	var keys []string
	if err := t.st.List(datasets.BucketTokens, func(k string, _ []byte) error {
		if strings.HasPrefix(k, id) {
			keys = append(keys, k)
		}
		return nil
	}); err != nil {
		return Token{}, err
	}
	switch len(keys) {
	case 0:
		return Token{}, errf(datasets.ENotFound, "no existe la credencial %s", "no token %s", id)
	case 1:
	default:
		return Token{}, errf(datasets.EInvalid, "%d credenciales empiezan por %s; dé más dígitos", "%d tokens start with %s; give more digits", len(keys), id)
	}
	var tok Token
	err := t.st.Update(datasets.BucketTokens, func(b datasets.Bucket) error {
		v := b.Get(keys[0])
		if v == nil {
			return errf(datasets.ENotFound, "no existe la credencial %s", "no token %s", id)
		}
		if err := json.Unmarshal(v, &tok); err != nil {
			return err
		}
		if tok.RevokedAt == nil {
			now := time.Now().UTC().Truncate(time.Second)
			tok.RevokedAt = &now
		}
		nb, err := json.Marshal(tok)
		if err != nil {
			return err
		}
		return b.Put(keys[0], nb)
	})
	return tok, err
}

// tokenCookie keeps a token the pages' sign-in form received.
const tokenCookie = "hermanar_token"

const principalKey = "hermanar.principal"

// bearer returns the token the request carries: the Authorization header,
// or else the pages' cookie.
func bearer(c *gin.Context) string {
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(strings.TrimSpace(h), " ")
		if strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return "\x00invalid-scheme"
	}
	return cookie(c, tokenCookie)
}

// principal authenticates the request: EUnauthorized without a valid token.
func (s *Server) principal(c *gin.Context, b *Backend) (Token, error) {
	if v, ok := c.Get(principalKey); ok {
		return v.(Token), nil
	}
	secret := bearer(c)
	if secret == "" {
		return Token{}, errf(datasets.EUnauthorized,
			"Esta operación requiere una credencial (Authorization: Bearer …).",
			"This operation needs a token (Authorization: Bearer …).")
	}
	if secret == "\x00invalid-scheme" {
		return Token{}, errf(datasets.EUnauthorized, "Use el esquema Bearer en Authorization.", "Use the Bearer scheme in Authorization.")
	}
	tok, err := b.tokens.Lookup(secret)
	if err != nil {
		return Token{}, err
	}
	c.Set(principalKey, tok)
	return tok, nil
}

// optionalPrincipal is the signed-in user for pages, if any.
func (s *Server) optionalPrincipal(c *gin.Context, b *Backend) (Token, bool) {
	if b == nil || bearer(c) == "" {
		return Token{}, false
	}
	tok, err := s.principal(c, b)
	return tok, err == nil
}

// canEditProfile: the municipality's liaison or an admin.
func canEditProfile(t Token, cvegeo string) bool {
	return t.Role == RoleAdmin || (t.Role == RoleLiaison && t.Municipality == cvegeo)
}

// requireProfileEditor authenticates and checks scope for a profile write.
func (s *Server) requireProfileEditor(c *gin.Context, b *Backend, cvegeo string) (Token, error) {
	tok, err := s.principal(c, b)
	if err != nil {
		return tok, err
	}
	if !canEditProfile(tok, cvegeo) {
		return tok, errf(datasets.EForbidden,
			"Su credencial (%s) no puede editar el perfil de %s; se requiere el enlace de ese municipio.",
			"Your token (%s) cannot edit the profile of %s; it needs that municipality's liaison.", tok.Scope(), cvegeo)
	}
	return tok, nil
}

func (s *Server) requireRole(c *gin.Context, b *Backend, roles ...string) (Token, error) {
	tok, err := s.principal(c, b)
	if err != nil {
		return tok, err
	}
	for _, r := range roles {
		if tok.Role == r {
			return tok, nil
		}
	}
	return tok, errf(datasets.EForbidden, "Su credencial (%s) no permite esta operación; se requiere: %s.",
		"Your token (%s) does not allow this; it needs: %s.", tok.Scope(), strings.Join(roles, ", "))
}
