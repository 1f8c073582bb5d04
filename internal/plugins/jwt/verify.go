package jwt

import (
	"crypto"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/straitgw/strait/internal/plugins/authn"
)

// methods maps the algorithms Kong's jwt plugin supports to their
// verifiers. It is built once so that lookups take no lock.
var methods = map[string]jwtlib.SigningMethod{
	"HS256": jwtlib.SigningMethodHS256,
	"HS384": jwtlib.SigningMethodHS384,
	"HS512": jwtlib.SigningMethodHS512,
	"RS256": jwtlib.SigningMethodRS256,
	"RS384": jwtlib.SigningMethodRS384,
	"RS512": jwtlib.SigningMethodRS512,
	"ES256": jwtlib.SigningMethodES256,
	"ES384": jwtlib.SigningMethodES384,
	"ES512": jwtlib.SigningMethodES512,
	"PS256": jwtlib.SigningMethodPS256,
	"PS384": jwtlib.SigningMethodPS384,
	"PS512": jwtlib.SigningMethodPS512,
	"EdDSA": jwtlib.SigningMethodEdDSA,
}

// isHMAC reports whether alg is one of the HS algorithms.
func isHMAC(alg string) bool { return len(alg) > 2 && alg[:2] == "HS" }

// verificationKey returns the key that verifies cred's tokens: the HMAC
// secret for HS algorithms, the public key otherwise, each in its
// base64-decoded form when secretIsBase64 is set. ok is false when the
// credential has no usable key.
func verificationKey(cred *authn.JWTCredential, secretIsBase64 bool) (key any, ok bool) {
	if isHMAC(cred.Algorithm) {
		secret := cred.Secret
		if secretIsBase64 {
			secret = cred.SecretBase64
		}
		return secret, secret != nil
	}
	var pub crypto.PublicKey = cred.PublicKey
	if secretIsBase64 {
		pub = cred.PublicKeyBase64
	}
	return pub, pub != nil
}

// signatureValid verifies the token's signature with key. The HS
// verifiers compare MACs in constant time (hmac.Equal).
func signatureValid(tok *decoded, key any) bool {
	m := methods[tok.alg]
	return m != nil && m.Verify(tok.signingInput, tok.signature, key) == nil
}
