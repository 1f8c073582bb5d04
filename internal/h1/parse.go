package h1

import (
	"bytes"
	"encoding/binary"
)

// splitField splits one header line into a token name and a trimmed
// value, rejecting obs-fold, white space before the colon, invalid name
// bytes and control bytes in the value.
func splitField(line []byte) (name, value []byte, err error) {
	if line[0] == ' ' || line[0] == '\t' {
		return nil, nil, errObsFold
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return nil, nil, errHeaderLine
	}
	name = line[:colon]
	if c := name[len(name)-1]; c == ' ' || c == '\t' {
		return nil, nil, errSpaceBeforeColon
	}
	for _, c := range name {
		if !tokenTable[c] {
			return nil, nil, errHeaderName
		}
	}
	value = trimOWS(line[colon+1:])
	if !plainFieldValue(value) {
		for _, c := range value {
			if !validFieldValueByte(c) {
				if c == '\r' {
					return nil, nil, errBareCR
				}
				return nil, nil, errHeaderValue
			}
		}
	}
	return name, value, nil
}

// plainFieldValue reports, eight bytes at a time, that v holds no control
// byte (tab included) and no DEL, so that every byte is valid in a field
// value; false means some byte needs the exact check.
func plainFieldValue(v []byte) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for len(v) >= 8 {
		w := binary.LittleEndian.Uint64(v)
		// A byte below 0x20 (bytes from 0x80 are obs-text and allowed).
		if (w-0x20*ones)&^w&highs != 0 {
			return false
		}
		// A DEL byte.
		if x := w ^ 0x7f*ones; (x-ones)&^x&highs != 0 {
			return false
		}
		v = v[8:]
	}
	for _, c := range v {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// nextLine returns the first line of b without its line ending (CRLF or
// LF) and the rest.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	line, rest = b[:i], b[i+1:]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, rest
}

// framing collects what the header fields say about a message.
type framing struct {
	contentLength int64 // -1 when absent
	clCount       int
	teCount       int
	chunked       bool // single Transfer-Encoding: chunked
	teOther       bool // a Transfer-Encoding other than chunked
	hostCount     int
	host          []byte
	closeConn     bool
	keepAlive     bool
	upgradeToken  bool
	upgradeHeader bool
	expect        []byte
	badCL         bool
}

// parseFields parses the field lines of a head into h and fr. lines ends
// with the head's empty line.
func parseFields(lines []byte, h *Header, maxFields int, fr *framing) error {
	fr.contentLength = -1
	for {
		var line []byte
		line, lines = nextLine(lines)
		if len(line) == 0 {
			return nil
		}
		name, value, err := splitField(line)
		if err != nil {
			return err
		}
		if len(h.fields) >= maxFields {
			return errTooManyHeaders
		}
		h.fields = append(h.fields, Field{Name: name, Value: value})
		fr.note(name, value)
	}
}

// note records the framing-relevant fields.
func (fr *framing) note(name, value []byte) {
	switch len(name) {
	case 4:
		if equalFold(name, "Host") {
			fr.hostCount++
			fr.host = value
		}
	case 6:
		if equalFold(name, "Expect") {
			fr.expect = value
		}
	case 7:
		if equalFold(name, "Upgrade") {
			fr.upgradeHeader = true
		}
	case 10:
		if equalFold(name, "Connection") {
			if hasToken(value, "close") {
				fr.closeConn = true
			}
			if hasToken(value, "keep-alive") {
				fr.keepAlive = true
			}
			if hasToken(value, "upgrade") {
				fr.upgradeToken = true
			}
		}
	case 14:
		if equalFold(name, "Content-Length") {
			n, ok := parseDecimal(value)
			if !ok || (fr.clCount > 0 && n != fr.contentLength) {
				fr.badCL = true
			}
			fr.contentLength = n
			fr.clCount++
		}
	case 17:
		if equalFold(name, "Transfer-Encoding") {
			fr.teCount++
			if equalFold(value, "chunked") {
				fr.chunked = true
			} else {
				fr.teOther = true
			}
		}
	}
}

// limits bound the size of a request head.
type limits struct {
	maxURI    int
	maxFields int
}

// parseRequestHead parses a complete request head into req.
func parseRequestHead(head []byte, req *Request, lim limits) error {
	line, rest := nextLine(head)
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return errRequestLine
	}
	method := line[:sp]
	for _, c := range method {
		if !tokenTable[c] {
			return errMethod
		}
	}
	line = line[sp+1:]
	sp = bytes.IndexByte(line, ' ')
	if sp < 0 {
		if len(line) > lim.maxURI {
			return errURITooLong
		}
		return errRequestLine // HTTP/0.9 or garbage
	}
	target, proto := line[:sp], line[sp+1:]
	if len(target) > lim.maxURI {
		return errURITooLong
	}
	switch string(proto) {
	case "HTTP/1.1":
		req.minor = 1
	case "HTTP/1.0":
		req.minor = 0
	default:
		if len(proto) == 8 && string(proto[:5]) == "HTTP/" && isDigit(proto[5]) && proto[6] == '.' && isDigit(proto[7]) {
			return errVersion
		}
		return errRequestLine
	}
	req.method = method
	if err := req.parseTarget(target); err != nil {
		return err
	}

	var fr framing
	if err := parseFields(rest, &req.header, lim.maxFields, &fr); err != nil {
		return err
	}
	return req.applyFraming(&fr)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// parseTarget splits the request target into path and query and takes
// the authority of absolute-form and authority-form targets.
func (req *Request) parseTarget(t []byte) error {
	if len(t) == 0 {
		return errTarget
	}
	for _, c := range t {
		if !validTargetByte(c) {
			return errTarget
		}
	}
	req.target = t
	switch {
	case t[0] == '/':
	case string(req.method) == "CONNECT":
		if !validHost(t) {
			return errTarget
		}
		req.authority = t
		return nil
	case len(t) == 1 && t[0] == '*':
		if string(req.method) != "OPTIONS" {
			return errTarget
		}
		req.path = t
		return nil
	default:
		var rest []byte
		switch {
		case len(t) > 7 && equalFold(t[:7], "http://"):
			rest = t[7:]
		case len(t) > 8 && equalFold(t[:8], "https://"):
			rest = t[8:]
		default:
			return errTarget
		}
		end := len(rest)
		for i, c := range rest {
			if c == '/' || c == '?' {
				end = i
				break
			}
		}
		if end == 0 || !validHost(rest[:end]) {
			return errTarget
		}
		req.authority = rest[:end]
		req.absolute = true
		t = rest[end:]
		if len(t) == 0 || t[0] == '?' {
			req.path = slashPath
			if len(t) > 0 {
				req.query, req.hasQuery = t[1:], true
			}
			return nil
		}
	}
	if q := bytes.IndexByte(t, '?'); q >= 0 {
		req.path, req.query, req.hasQuery = t[:q], t[q+1:], true
	} else {
		req.path = t
	}
	return nil
}

// slashPath is the path of an absolute-form target without one. It is
// never written to.
var slashPath = []byte{'/'}

func validHost(h []byte) bool {
	for _, c := range h {
		if !hostTable[c] {
			return false
		}
	}
	return true
}

// applyFraming validates Host and the body framing of a request.
func (req *Request) applyFraming(fr *framing) error {
	switch {
	case fr.hostCount > 1:
		return errMultipleHost
	case fr.hostCount == 0 && req.minor == 1:
		return errMissingHost
	case fr.hostCount == 1 && !validHost(fr.host):
		return errInvalidHost
	}
	req.host = fr.host
	if req.authority != nil {
		req.host = req.authority
	}
	if fr.badCL {
		return errBadContentLength
	}
	if fr.teCount > 0 {
		switch {
		case fr.clCount > 0:
			return errCLAndTE
		case req.minor == 0:
			return errTEHTTP10
		case fr.teCount > 1:
			return errMultipleTE
		case fr.teOther:
			return errUnsupportedTE
		}
		req.chunked = true
		req.contentLength = -1
	} else if fr.clCount > 0 {
		req.contentLength = fr.contentLength
	}
	if req.minor == 1 {
		req.keepAlive = !fr.closeConn
	} else {
		req.keepAlive = fr.keepAlive && !fr.closeConn
	}
	req.upgrade = fr.upgradeToken && fr.upgradeHeader
	if len(fr.expect) > 0 && req.minor == 1 {
		if !equalFold(fr.expect, "100-continue") {
			return errExpectation
		}
		req.expectContinue = true
	}
	return nil
}

// parseResponseHead parses a complete response head into resp.
func parseResponseHead(head []byte, resp *Response, maxFields int) error {
	line, rest := nextLine(head)
	if len(line) < 12 || string(line[:7]) != "HTTP/1." || line[8] != ' ' {
		return errRespStatusLine
	}
	switch line[7] {
	case '0':
		resp.minor = 0
	case '1':
		resp.minor = 1
	default:
		return errRespStatusLine
	}
	code := line[9:12]
	if !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) || code[0] == '0' {
		return errRespStatusLine
	}
	resp.status = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	reason := line[12:]
	if len(reason) > 0 {
		if reason[0] != ' ' {
			return errRespStatusLine
		}
		reason = reason[1:]
		for _, c := range reason {
			if !validFieldValueByte(c) {
				return errRespStatusLine
			}
		}
	}
	resp.reason = reason

	var fr framing
	if err := parseFields(rest, &resp.header, maxFields, &fr); err != nil {
		return err
	}
	if fr.badCL {
		return errBadContentLength
	}
	if fr.teCount > 0 {
		if fr.clCount > 0 {
			return errRespCLAndTE
		}
		if fr.teCount > 1 || fr.teOther {
			return errRespTE
		}
		resp.chunked = true
	}
	resp.contentLength = -1
	if !resp.chunked && fr.clCount > 0 {
		resp.contentLength = fr.contentLength
	}
	if resp.minor == 1 {
		resp.keepAlive = !fr.closeConn
	} else {
		resp.keepAlive = fr.keepAlive && !fr.closeConn
	}
	return nil
}
