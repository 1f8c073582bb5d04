package proxy

import (
	"net/http"
	"strings"
)

// hopByHopRequest lists request headers that never travel upstream as
// sent by the client (Proxy is dropped to defeat httpoxy; Expect is
// answered by the gateway itself).
var hopByHopRequest = map[string]bool{
	"Connection":         true,
	"Keep-Alive":         true,
	"Proxy-Connection":   true,
	"Proxy":              true,
	"Te":                 true,
	"Trailer":            true,
	"Transfer-Encoding":  true,
	"Upgrade":            true,
	"Expect":             true,
	"Host":               true,
	"X-Forwarded-For":    true,
	"X-Forwarded-Proto":  true,
	"X-Forwarded-Host":   true,
	"X-Forwarded-Port":   true,
	"X-Forwarded-Path":   true,
	"X-Forwarded-Prefix": true,
	"X-Real-Ip":          true,
	"Via":                true,
	"X-Kong-Request-Id":  true,
}

// forwardedValues are the gateway-computed values of the request headers
// sent upstream (section 8.1 of the contract).
type forwardedValues struct {
	For, Proto, Host, Port, Path, Prefix, RealIP, Via, RequestID string
	// TE is "trailers" when the client accepts trailers.
	TE string
	// Upgrade is the protocol of a websocket upgrade, "" otherwise.
	Upgrade string
}

// connectionTokens calls fn with every header name listed in the
// Connection header lines, canonicalised.
func connectionTokens(h http.Header, fn func(name string)) {
	for _, v := range h["Connection"] {
		for tok := range strings.SplitSeq(v, ",") {
			tok = strings.TrimSpace(tok)
			if tok != "" {
				fn(http.CanonicalHeaderKey(tok))
			}
		}
	}
}

// buildUpstreamHeader fills dst with the headers sent upstream: the
// client headers minus hop-by-hop and Connection-listed ones, then the
// gateway's own headers. The gateway headers are written last so that no
// client header can remove or shadow them. Value slices of src are shared,
// never appended to.
func buildUpstreamHeader(dst, src http.Header, fv *forwardedValues, sendRequestID bool) {
	for k, vv := range src {
		if !hopByHopRequest[k] {
			dst[k] = vv
		}
	}
	connectionTokens(src, func(name string) { delete(dst, name) })
	if _, ok := dst["User-Agent"]; !ok {
		// Present but empty: the transport then sends no User-Agent.
		dst["User-Agent"] = nil
	}

	dst["X-Forwarded-For"] = []string{fv.For}
	dst["X-Forwarded-Proto"] = []string{fv.Proto}
	dst["X-Forwarded-Host"] = []string{fv.Host}
	dst["X-Forwarded-Port"] = []string{fv.Port}
	dst["X-Forwarded-Path"] = []string{fv.Path}
	if fv.Prefix != "" {
		dst["X-Forwarded-Prefix"] = []string{fv.Prefix}
	}
	dst["X-Real-Ip"] = []string{fv.RealIP}
	dst["Via"] = []string{fv.Via}
	if sendRequestID {
		dst["X-Kong-Request-Id"] = []string{fv.RequestID}
	} else if vv, ok := src["X-Kong-Request-Id"]; ok {
		dst["X-Kong-Request-Id"] = vv
	}
	if fv.TE != "" {
		dst["Te"] = []string{fv.TE}
	}
	if fv.Upgrade != "" {
		dst["Connection"] = []string{"Upgrade"}
		dst["Upgrade"] = []string{fv.Upgrade}
	}
}

// joinValues joins the lines of a list header with ", ".
func joinValues(vv []string) string {
	if len(vv) == 1 {
		return vv[0]
	}
	return strings.Join(vv, ", ")
}

// headerHasToken reports whether any comma-separated element of the
// header lines equals token (case-insensitively).
func headerHasToken(vv []string, token string) bool {
	for _, v := range vv {
		for tok := range strings.SplitSeq(v, ",") {
			if t, _, _ := strings.Cut(tok, ";"); strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
