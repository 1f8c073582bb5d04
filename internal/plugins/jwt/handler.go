package jwt

import (
	"bytes"
	"encoding/json"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugins/authn"
)

// SharedTokenKey is the per-request key under which the verified token is
// stored for later plugins (Kong's kong.ctx.shared.authenticated_jwt_token).
const SharedTokenKey = "authenticated_jwt_token"

// Handler is one configured jwt instance.
type Handler struct {
	cfg       Config
	anonymous string
	// challenge is the WWW-Authenticate value when no token was sent,
	// challengeInvalid the one for a token that was rejected.
	challenge        string
	challengeInvalid string
	bodies           bodies
}

// bodies are the precomputed {"message":...} bodies of the fixed
// failures.
type bodies struct {
	unauthorized, multiple, unrecognizable         []byte
	noKeyClaim, emptyKeyClaim, noCredentials       []byte
	invalidAlgorithm, invalidKey, invalidSignature []byte
	bad                                            map[string][]byte
}

func newBodies(claim string) bodies {
	b := bodies{
		unauthorized:     plugin.MessageBody("Unauthorized"),
		multiple:         plugin.MessageBody("Multiple tokens provided"),
		unrecognizable:   plugin.MessageBody("Unrecognizable token"),
		noKeyClaim:       plugin.MessageBody("No mandatory '" + claim + "' in claims"),
		emptyKeyClaim:    plugin.MessageBody("Invalid '" + claim + "' in claims"),
		noCredentials:    plugin.MessageBody("No credentials found for given '" + claim + "'"),
		invalidAlgorithm: plugin.MessageBody("Invalid algorithm"),
		invalidKey:       plugin.MessageBody("Invalid key/secret"),
		invalidSignature: plugin.MessageBody("Invalid signature"),
		bad:              map[string][]byte{},
	}
	for _, reason := range []string{badJSON, badAlg, badClaims, badSignature} {
		b.bad[reason] = plugin.MessageBody("Bad token; " + reason)
	}
	return b
}

// failure is a rejected request: the body to send and whether the token
// itself was at fault (which selects the WWW-Authenticate value).
type failure struct {
	body    []byte
	invalid bool
}

// Access implements plugin.Accesser.
func (h *Handler) Access(ctx plugin.Context) {
	if !h.cfg.RunOnPreflight && ctx.Request().Method() == "OPTIONS" {
		return
	}
	if h.anonymous != "" && authn.AlreadyAuthenticated(ctx) {
		return
	}
	fail := h.authenticate(ctx)
	if fail == nil {
		return
	}
	if h.anonymous != "" {
		authn.UseAnonymous(ctx, h.anonymous)
		return
	}
	challenge := h.challenge
	if fail.invalid {
		challenge = h.challengeInvalid
	}
	ctx.Exit(401, fail.body,
		plugin.Header{Name: "Content-Type", Value: plugin.ContentTypeJSON},
		plugin.Header{Name: "WWW-Authenticate", Value: challenge})
}

// authenticate finds and verifies the token and records the consumer; it
// returns nil on success.
func (h *Handler) authenticate(ctx plugin.Context) *failure {
	found := h.findTokens(ctx.Request())
	switch {
	case found.count() == 0:
		return &failure{body: h.bodies.unauthorized}
	case found.count() > 1:
		return &failure{body: h.bodies.multiple, invalid: true}
	case !found.found:
		return &failure{body: h.bodies.unrecognizable, invalid: true}
	}
	token := found.first
	tok, reason := decodeToken(token)
	if tok == nil {
		return &failure{body: h.bodies.bad[reason], invalid: true}
	}
	key, fail := h.keyClaim(tok)
	if fail != nil {
		return fail
	}
	cred := authn.DirectoryOf(ctx).JWT(key)
	if cred == nil {
		return &failure{body: h.bodies.noCredentials, invalid: true}
	}
	// The token's alg must be the credential's: this is what defeats
	// "none" and HS/RS confusion.
	if tok.alg != cred.Algorithm {
		return &failure{body: h.bodies.invalidAlgorithm, invalid: true}
	}
	verifyKey, ok := verificationKey(cred, h.cfg.SecretIsBase64)
	if !ok {
		return &failure{body: h.bodies.invalidKey, invalid: true}
	}
	if !signatureValid(tok, verifyKey) {
		return &failure{body: h.bodies.invalidSignature, invalid: true}
	}
	if errs := h.claimErrors(tok.claims, ctx.Now().Unix()); errs != nil {
		return &failure{body: errs, invalid: true}
	}
	authn.SetConsumer(ctx, cred.Consumer, &cred.Credential, cred.Key)
	ctx.Set(SharedTokenKey, token)
	return nil
}

// keyClaim returns the credential key the token names: the configured
// claim, else the header parameter of that name.
func (h *Handler) keyClaim(tok *decoded) (string, *failure) {
	v, ok := tok.claims[h.cfg.KeyClaimName]
	if !ok || v == false {
		v, ok = tok.header[h.cfg.KeyClaimName]
	}
	if !ok || v == false {
		return "", &failure{body: h.bodies.noKeyClaim, invalid: true}
	}
	s, isString := v.(string)
	switch {
	case !isString:
		// Not a string: no credential key can equal it.
		return "", &failure{body: h.bodies.noCredentials, invalid: true}
	case s == "":
		return "", &failure{body: h.bodies.emptyKeyClaim, invalid: true}
	}
	return s, nil
}

// claimErrors checks the registered claims listed in claims_to_verify,
// then the maximum expiration, at unix time now. It returns the JSON
// errors object Kong sends as the body, or nil.
func (h *Handler) claimErrors(claims map[string]any, now int64) []byte {
	var errs [][2]string
	for _, name := range h.cfg.ClaimsToVerify {
		v, isNumber := claims[name].(float64)
		switch {
		case !isNumber:
			errs = append(errs, [2]string{name, "must be a number"})
		case name == "exp" && v <= float64(now):
			errs = append(errs, [2]string{name, "token expired"})
		case name == "nbf" && v > float64(now):
			errs = append(errs, [2]string{name, "token not valid yet"})
		}
	}
	if errs == nil && h.cfg.MaximumExpiration > 0 {
		exp, isNumber := claims["exp"].(float64)
		if !isNumber || exp-float64(now) > h.cfg.MaximumExpiration {
			errs = append(errs, [2]string{"exp", "exceeds maximum allowed expiration"})
		}
	}
	if errs == nil {
		return nil
	}
	return errorsBody(errs)
}

// errorsBody renders {"claim":"message",...} in the order given.
func errorsBody(errs [][2]string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range errs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e[0])
		v, _ := json.Marshal(e[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// NonBlocking implements plugin.NonBlocking: tokens are verified in memory against the compiled configuration.
func (h *Handler) NonBlocking() bool { return true }
