package entity

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// JWTAlgorithms are the signing algorithms a jwt credential may declare.
var JWTAlgorithms = []string{
	"HS256", "HS384", "HS512",
	"RS256", "RS384", "RS512",
	"ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512",
	"EdDSA",
}

// jwtKeyRequired are the algorithms whose credentials must carry a public
// key (Kong requires one for the RSA, RSA-PSS and EdDSA families).
var jwtKeyRequired = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"}

// JWTSecrets is the schema of jwt credentials: a key the token names (by
// default in its iss claim) and the HMAC secret or public key that
// verifies its signature. Key and secret are generated when left out.
var JWTSecrets = &Schema{
	Name:        "jwt_secrets",
	AdminPath:   "jwts",
	NestedName:  "jwt",
	PrimaryKey:  "id",
	EndpointKey: "key",
	NoUpdatedAt: true,
	Fields: []*Field{
		idField(),
		timestampField("created_at"),
		foreignField("consumer", "consumers", Cascade, true),
		{Name: "key", Type: TypeString, Unique: true, Auto: true},
		{Name: "secret", Type: TypeString, Auto: true},
		{Name: "rsa_public_key", Type: TypeString},
		{Name: "algorithm", Type: TypeString, Default: "HS256", OneOf: stringsToAny(JWTAlgorithms)},
		tagsField(),
	},
	Checks: []EntityCheck{
		conditionalCheck("algorithm", valueIn(jwtKeyRequired...), "rsa_public_key", requiredPublicKey, "",
			map[string]any{
				"if_field":   "algorithm",
				"if_match":   map[string]any{"match_any": map[string]any{"patterns": anchoredPatterns(jwtKeyRequired)}},
				"then_field": "rsa_public_key",
				"then_match": map[string]any{"required": true},
			}),
		{Kind: CheckCustom, Fields: []string{"algorithm", "rsa_public_key"},
			JSON:   map[string]any{CheckCustom: map[string]any{"field_sources": []any{"algorithm", "rsa_public_key"}}},
			Custom: checkECDSAKey},
	},
	Shorthands: []func(in Object, op Operation) map[string]any{generateJWTKeyAndSecret},
}

// generateJWTKeyAndSecret fills an absent or null key and secret on
// insert and upsert.
func generateJWTKeyAndSecret(in Object, op Operation) map[string]any {
	if op == OpUpdate {
		return nil
	}
	for _, name := range []string{"key", "secret"} {
		if v, ok := in[name]; !ok || v == nil {
			in[name] = RandomKey()
		}
	}
	return nil
}

// requiredPublicKey is the then-match of algorithms that need a key: the
// key must be present and parse.
func requiredPublicKey(v any) string {
	if v == nil {
		return msgRequired
	}
	return optionalPublicKey(v)
}

// optionalPublicKey accepts null or a parseable PEM public key.
func optionalPublicKey(v any) string {
	s, ok := v.(string)
	if !ok {
		return ""
	}
	if _, err := ParsePublicKeyPEM(s); err != nil {
		return "invalid key"
	}
	return ""
}

// checkECDSAKey requires the key of an ES* credential, when one is
// given, to parse.
func checkECDSAKey(obj Object, _ Operation) map[string]any {
	if !valuePrefix("ES")(obj["algorithm"]) {
		return nil
	}
	if msg := optionalPublicKey(obj["rsa_public_key"]); msg != "" {
		return map[string]any{"rsa_public_key": msg}
	}
	return nil
}

// valuePrefix returns a matcher for string values starting with prefix.
func valuePrefix(prefix string) func(any) bool {
	return func(v any) bool {
		s, _ := v.(string)
		return strings.HasPrefix(s, prefix)
	}
}

func anchoredPatterns(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = "^" + s + "$"
	}
	return out
}

// ParsePublicKeyPEM decodes the first PEM block of s as a public key: a
// PKIX "PUBLIC KEY", a PKCS#1 "RSA PUBLIC KEY", or the key of a
// certificate. It returns *rsa.PublicKey, *ecdsa.PublicKey or
// ed25519.PublicKey.
func ParsePublicKeyPEM(s string) (crypto.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("no PEM data found")
	}
	switch block.Type {
	case "RSA PUBLIC KEY":
		key, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse PKCS#1 public key: %w", err)
		}
		return key, nil
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		return cert.PublicKey, nil
	default:
		key, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse public key: %w", err)
		}
		return key, nil
	}
}
