package jwt

import (
	"encoding/json"
	"strings"

	"github.com/straitgw/strait/internal/plugins/authn"
)

// Decoding failures, worded as Kong's token parser words them (the
// message is "Bad token; " followed by one of these).
const (
	badJSON      = "invalid JSON"
	badAlg       = "invalid alg"
	badClaims    = "invalid claims"
	badSignature = "invalid signature"
)

// decoded is a parsed token.
type decoded struct {
	// signingInput is "<header>.<claims>" exactly as received.
	signingInput string
	header       map[string]any
	claims       map[string]any
	signature    []byte
	alg          string
}

// decodeToken splits and decodes a compact JWS: three dot-separated parts
// (a fourth dot belongs to the signature part, which then fails to
// decode). It returns one of the bad* reasons on failure.
func decodeToken(token string) (*decoded, string) {
	headerB64, rest, ok := strings.Cut(token, ".")
	if !ok {
		return nil, badJSON
	}
	claimsB64, sigB64, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, badJSON
	}
	headerJSON, ok := authn.DecodeBase64Lenient(headerB64)
	if !ok {
		return nil, badJSON
	}
	claimsJSON, ok := authn.DecodeBase64Lenient(claimsB64)
	if !ok {
		return nil, badJSON
	}
	var header, claims any
	if json.Unmarshal(headerJSON, &header) != nil || json.Unmarshal(claimsJSON, &claims) != nil {
		return nil, badJSON
	}
	signature, sigOK := authn.DecodeBase64Lenient(sigB64)
	hm, _ := header.(map[string]any)
	alg, _ := hm["alg"].(string)
	if _, known := methods[alg]; !known {
		return nil, badAlg
	}
	cm, ok := claims.(map[string]any)
	if !ok {
		return nil, badClaims
	}
	if !sigOK {
		return nil, badSignature
	}
	return &decoded{
		signingInput: token[:len(headerB64)+1+len(claimsB64)],
		header:       hm,
		claims:       cm,
		signature:    signature,
		alg:          alg,
	}, ""
}
