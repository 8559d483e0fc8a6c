package server

import (
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	pg "github.com/unicri/partnergraph"
)

// JWTOptions configure the verification of bearer tokens. Set HS256Secret, PublicKeys (RSA or
// ECDSA, for RS256/ES256) or JWKS (a JSON Web Key Set document); Issuer and Audience, when set,
// must match the token's iss and aud. exp is required; nbf is checked when present.
type JWTOptions struct {
	HS256Secret []byte
	PublicKeys  []crypto.PublicKey
	JWKS        []byte
	Issuer      string
	Audience    string
}

// Claims are the token claims partnergraph reads: the standard ones and the caller's role
// (anonymous, analyst, editor or admin).
type Claims struct {
	Role string `json:"role"`
	jwt.RegisteredClaims
}

// Authenticator finds the caller of a request from its bearer credential: an API key (compared
// by SHA-256 in constant time) or a signed JWT.
type Authenticator struct {
	keys   []APIKey
	parser *jwt.Parser
	keyFor jwt.Keyfunc
}

// NewAuthenticator checks the JWT options and returns an authenticator.
func NewAuthenticator(keys []APIKey, o JWTOptions) (*Authenticator, error) {
	a := &Authenticator{keys: keys}
	var methods []string
	var jwks jwt.Keyfunc
	switch {
	case len(o.JWKS) > 0:
		k, err := keyfunc.NewJWKSetJSON(json.RawMessage(o.JWKS))
		if err != nil {
			return nil, fmt.Errorf("JWKS: %w", err)
		}
		jwks, methods = k.Keyfunc, []string{"RS256", "ES256"}
	case len(o.PublicKeys) > 0:
		methods = []string{"RS256", "ES256"}
	case len(o.HS256Secret) > 0:
		if len(o.HS256Secret) < 32 {
			return nil, errors.New("the JWT HS256 secret must be at least 32 bytes")
		}
		methods = []string{"HS256"}
	default:
		return a, nil // API keys only
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods(methods), jwt.WithExpirationRequired(), jwt.WithLeeway(30 * time.Second)}
	if o.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(o.Issuer))
	}
	if o.Audience != "" {
		opts = append(opts, jwt.WithAudience(o.Audience))
	}
	a.parser = jwt.NewParser(opts...)
	a.keyFor = func(t *jwt.Token) (any, error) {
		switch {
		case jwks != nil:
			return jwks(t)
		case len(o.PublicKeys) > 0:
			keys := make([]jwt.VerificationKey, len(o.PublicKeys))
			for i, k := range o.PublicKeys {
				keys[i] = k
			}
			return jwt.VerificationKeySet{Keys: keys}, nil
		}
		return o.HS256Secret, nil
	}
	return a, nil
}

// Authenticate returns the caller: anonymous without an Authorization header, the key's or
// token's access otherwise. A credential that is present but not valid is an error (never a
// silent downgrade to anonymous).
func (a *Authenticator) Authenticate(r *http.Request) (pg.Caller, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return pg.Caller{Access: pg.AccessAnonymous}, nil
	}
	secret, found := strings.CutPrefix(h, "Bearer ")
	if !found || secret == "" {
		return pg.Caller{}, pg.Errorf(pg.EUNAUTHORIZED, "use Authorization: Bearer <API key or token>")
	}
	if a.parser != nil && strings.Count(secret, ".") == 2 {
		return a.token(secret)
	}
	sum := sha256.Sum256([]byte(secret))
	for _, k := range a.keys {
		if subtle.ConstantTimeCompare(sum[:], k.SHA256[:]) == 1 {
			return pg.Caller{Access: k.Access, Subject: "key:" + k.Name}, nil
		}
	}
	return pg.Caller{}, pg.Errorf(pg.EUNAUTHORIZED, "the API key or token is not valid")
}

func (a *Authenticator) token(raw string) (pg.Caller, error) {
	var c Claims
	if _, err := a.parser.ParseWithClaims(raw, &c, a.keyFor); err != nil {
		msg := "the token is not valid"
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "the token has expired"
		} else if errors.Is(err, jwt.ErrTokenNotValidYet) {
			msg = "the token is not valid yet"
		}
		return pg.Caller{}, pg.Errorf(pg.EUNAUTHORIZED, "%s", msg)
	}
	access := pg.Access(strings.ToUpper(c.Role))
	if _, ok := accessLevels[access]; !ok {
		return pg.Caller{}, pg.Errorf(pg.EUNAUTHORIZED, "the token has no valid role claim")
	}
	caller := pg.Caller{Access: access, Subject: "jwt:" + c.Subject}
	if c.ExpiresAt != nil {
		caller.Expires = c.ExpiresAt.Time
	}
	return caller, nil
}

var accessLevels = map[pg.Access]bool{pg.AccessAnonymous: true, pg.AccessAnalyst: true, pg.AccessEditor: true, pg.AccessAdmin: true}

// MintToken signs an HS256 token for a role, for development (`partnergraph token`).
func MintToken(o JWTOptions, role pg.Access, subject string, ttl time.Duration) (string, error) {
	if len(o.HS256Secret) < 32 {
		return "", errors.New("set JWT_HS256_SECRET (32 bytes or more) to mint tokens")
	}
	if _, ok := accessLevels[role]; !ok {
		return "", fmt.Errorf("unknown role %q: use ANALYST, EDITOR or ADMIN", role)
	}
	now := time.Now()
	c := Claims{Role: strings.ToLower(string(role)), RegisteredClaims: jwt.RegisteredClaims{
		Subject: subject, Issuer: o.Issuer, IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	if o.Audience != "" {
		c.Audience = jwt.ClaimStrings{o.Audience}
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(o.HS256Secret)
}
