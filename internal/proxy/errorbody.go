package proxy

import "strings"

// bodyFormat is one of the error body templates.
type bodyFormat uint8

const (
	formatJSON bodyFormat = iota
	formatPlain
	formatHTML
	formatXML
)

// contentType returns the Content-Type sent with a body of format f.
func (f bodyFormat) contentType() string {
	switch f {
	case formatPlain:
		return "text/plain; charset=utf-8"
	case formatHTML:
		return "text/html; charset=utf-8"
	case formatXML:
		return "application/xml; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

// errorProducer selects how the body format is negotiated.
type errorProducer uint8

const (
	// producerRunloop negotiates from Accept only; no Accept means JSON.
	producerRunloop errorProducer = iota
	// producerServer falls back from Accept to the request Content-Type and
	// then to the configured default type.
	producerServer
)

// negotiateFormat picks the error body format for a request.
func negotiateFormat(p errorProducer, accept, contentType, defaultType string) bodyFormat {
	if p == producerServer && accept == "" {
		accept = contentType
		if accept == "" {
			accept = defaultType
		}
	}
	if accept == "" {
		return formatJSON
	}
	return formatFromAccept(accept)
}

// formatFromAccept returns the format of the media range with the highest
// quality (the first one on ties); unknown types mean JSON.
func formatFromAccept(accept string) bodyFormat {
	best, bestQ := formatJSON, 0.0
	for item := range strings.SplitSeq(accept, ",") {
		mediaType, q, ok := parseMediaRange(item)
		if !ok || q <= bestQ {
			continue
		}
		best, bestQ = formatForMediaType(mediaType), q
	}
	return best
}

// parseMediaRange splits "type/subtype; q=0.5; x=y" into the media type
// and its quality (1 when absent).
func parseMediaRange(item string) (string, float64, bool) {
	item = strings.TrimSpace(item)
	mediaType, params, _ := strings.Cut(item, ";")
	mediaType = strings.TrimSpace(mediaType)
	main, sub, ok := strings.Cut(mediaType, "/")
	if !ok || !validRangeToken(main) || !validRangeToken(sub) {
		return "", 0, false
	}
	q := 1.0
	for param := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(param, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		parsed, ok := parseQuality(strings.TrimSpace(value))
		if !ok {
			return "", 0, false
		}
		q = parsed
	}
	return mediaType, q, true
}

// validRangeToken accepts "*" or a token of at least two characters that
// starts with a letter or digit.
func validRangeToken(s string) bool {
	if s == "*" {
		return true
	}
	if len(s) < 2 || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && !strings.ContainsRune("-!#$&^_+.", rune(c)) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// parseQuality accepts "0", "0.xyz", "1" and "1.000" forms.
func parseQuality(v string) (float64, bool) {
	if v == "" || (v[0] != '0' && v[0] != '1') {
		return 0, false
	}
	q := float64(v[0] - '0')
	if len(v) == 1 {
		return q, true
	}
	if v[1] != '.' || len(v) > 5 {
		return 0, false
	}
	scale := 0.1
	for i := 2; i < len(v); i++ {
		d := v[i]
		if d < '0' || d > '9' || (v[0] == '1' && d != '0') {
			return 0, false
		}
		q += float64(d-'0') * scale
		scale /= 10
	}
	return q, true
}

func formatForMediaType(mediaType string) bodyFormat {
	main, sub, _ := strings.Cut(mediaType, "/")
	if sub == "*" {
		if main == "text" {
			return formatPlain
		}
		return formatJSON
	}
	switch mediaType {
	case "text/plain":
		return formatPlain
	case "text/html":
		return formatHTML
	case "application/xml":
		return formatXML
	}
	return formatJSON
}

// appendErrorBody renders the error template of format f.
func appendErrorBody(dst []byte, f bodyFormat, message, requestID string) []byte {
	switch f {
	case formatPlain:
		dst = append(dst, message...)
		dst = append(dst, "\nrequest_id: "...)
		dst = append(dst, requestID...)
		return append(dst, '\n')
	case formatHTML:
		dst = append(dst, "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n"+
			"    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>"...)
		dst = append(dst, message...)
		dst = append(dst, ".</p>\n    <p>request_id: "...)
		dst = append(dst, requestID...)
		return append(dst, "</p>\n  </body>\n</html>\n"...)
	case formatXML:
		dst = append(dst, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n  <message>"...)
		dst = append(dst, message...)
		dst = append(dst, "</message>\n  <requestid>"...)
		dst = append(dst, requestID...)
		return append(dst, "</requestid>\n</error>\n"...)
	}
	dst = append(dst, "{\n  \"message\":\""...)
	dst = append(dst, message...)
	dst = append(dst, "\",\n  \"request_id\":\""...)
	dst = append(dst, requestID...)
	return append(dst, "\"\n}"...)
}
