package hmacauth

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"regexp"
	"strings"

	"github.com/straitgw/strait/internal/plugin"
)

// hashes are the hash functions of the algorithms.
var hashes = map[string]func() hash.Hash{
	"hmac-sha1":   sha1.New,
	"hmac-sha256": sha256.New,
	"hmac-sha384": sha512.New384,
	"hmac-sha512": sha512.New,
}

// authorizationPattern is Kong's pattern for the signature parameters.
var authorizationPattern = regexp.MustCompile(
	`\s*[Hh]mac\s*username="(.+)",\s*algorithm="(.+)",\s*headers="(.+)",\s*signature="(.+)"`)

// params are the signature parameters of an Authorization value.
type params struct {
	username, algorithm, signature string
	headers                        []string
}

// parseAuthorization extracts the parameters; ok is false when the value
// does not have the hmac form.
func parseAuthorization(v string) (params, bool) {
	if v == "" {
		return params{}, false
	}
	m := authorizationPattern.FindStringSubmatch(v)
	if m == nil {
		return params{}, false
	}
	return params{username: m[1], algorithm: m[2], headers: strings.Split(m[3], " "), signature: m[4]}, true
}

// RequestLiner is implemented by engine requests that can report the
// request line as received: the raw request target and the HTTP version
// ("1.1"). Without it the plugin rebuilds the target from the path and
// query and assumes HTTP/1.1.
type RequestLiner interface {
	RequestURI() string
	ProtoVersion() string
}

// requestLines returns the request-line candidates Kong accepts: with the
// raw request target, then (deprecated) with the normalized path.
func requestLines(req plugin.Request) (raw, normalized string) {
	target, version := "", "1.1"
	if rl, ok := req.(RequestLiner); ok {
		target, version = rl.RequestURI(), rl.ProtoVersion()
	} else {
		target = req.Path()
		if q := req.RawQuery(); q != "" {
			target += "?" + q
		}
	}
	suffix := " HTTP/" + version
	return req.Method() + " " + target + suffix, req.Method() + " " + req.Path() + suffix
}

// signingString builds the string the client signed: one line per listed
// header, "name: value", the request line for "request-line", and
// "name:" for headers the request lacks.
func signingString(req plugin.Request, headers []string, requestLine string) string {
	var b strings.Builder
	for i, name := range headers {
		if i > 0 {
			b.WriteByte('\n')
		}
		value := req.Header(name)
		switch {
		case value != "":
			b.WriteString(name)
			b.WriteString(": ")
			b.WriteString(value)
		case name == "request-line":
			b.WriteString(requestLine)
		default:
			b.WriteString(name)
			b.WriteByte(':')
		}
	}
	return b.String()
}

// sign computes the HMAC of s with secret by algorithm.
func sign(algorithm string, secret []byte, s string) []byte {
	mac := hmac.New(hashes[algorithm], secret)
	mac.Write([]byte(s))
	return mac.Sum(nil)
}

// signatureMatches reports whether p's signature is valid for req, with
// the raw request target or, as Kong still accepts, the normalized path.
// Signatures are compared in constant time.
func signatureMatches(req plugin.Request, p params, secret []byte) bool {
	given, err := base64.StdEncoding.DecodeString(p.signature)
	if err != nil {
		if given, err = base64.RawStdEncoding.DecodeString(p.signature); err != nil {
			return false
		}
	}
	raw, normalized := requestLines(req)
	if hmac.Equal(sign(p.algorithm, secret, signingString(req, p.headers, raw)), given) {
		return true
	}
	return raw != normalized && hmac.Equal(sign(p.algorithm, secret, signingString(req, p.headers, normalized)), given)
}

// digestMatches checks the Digest header against the body: absent, the
// body must be empty; present, it must be "SHA-256=" and the base64
// SHA-256 of the body. A body too large to read never matches.
func digestMatches(req plugin.Request) bool {
	body, err := req.Body()
	if err != nil {
		return false
	}
	digest := req.Header("Digest")
	if digest == "" {
		return len(body) == 0
	}
	sum := sha256.Sum256(body)
	want := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
	return hmac.Equal([]byte(want), []byte(digest))
}
