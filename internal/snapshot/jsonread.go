package snapshot

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxExactDigits is the length of the longest number literal that
// always survives a decode into float64 and a re-encode unchanged: a
// longer integer (one above 2^53) may come back rounded.
const maxExactDigits = 15

// jsonReader reads the JSON text of one stored entity in place, so that
// compiling a snapshot takes the few fields it needs without building an
// entity.Object. Strings without escapes are returned as substrings of
// the text, which therefore stays in memory as long as they do (the
// snapshot keeps the text anyway, as the entity JSON plugins log).
//
// Values of an unexpected type read as the zero value (as a failed type
// assertion on a decoded object would); malformed text is an error.
type jsonReader struct {
	s   string
	pos int
	// long is set once a number literal longer than maxExactDigits was
	// read or skipped.
	long bool
}

// syntaxError reports malformed text at the reader's position.
func (r *jsonReader) syntaxError(what string) error {
	return fmt.Errorf("invalid JSON: expected %s at offset %d", what, r.pos)
}

// space skips white space and returns the next byte (0 at the end).
func (r *jsonReader) space() byte {
	if r.pos < len(r.s) && r.s[r.pos] > ' ' {
		return r.s[r.pos] // the common case: no white space
	}
	for r.pos < len(r.s) {
		switch c := r.s[r.pos]; c {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return c
		}
	}
	return 0
}

// object reads an object, calling member with each key; member must read
// the member's value. A null reads as no members.
func (r *jsonReader) object(member func(key string) error) error {
	switch r.space() {
	case 'n':
		return r.literal("null")
	case '{':
	default:
		return r.syntaxError("object")
	}
	r.pos++
	if r.space() == '}' {
		r.pos++
		return nil
	}
	for {
		if r.space() != '"' {
			return r.syntaxError("object key")
		}
		key, err := r.stringValue()
		if err != nil {
			return err
		}
		if r.space() != ':' {
			return r.syntaxError("':'")
		}
		r.pos++
		r.space()
		if err := member(key); err != nil {
			return err
		}
		switch r.space() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return nil
		default:
			return r.syntaxError("',' or '}'")
		}
	}
}

// array reads an array, calling element for each element; element must
// read the value. It reports whether the value was an array; any other
// value is skipped.
func (r *jsonReader) array(element func() error) (bool, error) {
	if r.space() != '[' {
		return false, r.skip()
	}
	r.pos++
	if r.space() == ']' {
		r.pos++
		return true, nil
	}
	for {
		r.space()
		if err := element(); err != nil {
			return true, err
		}
		switch r.space() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return true, nil
		default:
			return true, r.syntaxError("',' or ']'")
		}
	}
}

// str reads a string value; any other value is skipped and reads as "".
func (r *jsonReader) str() (string, error) {
	if r.space() != '"' {
		return "", r.skip()
	}
	return r.stringValue()
}

// isString reports whether the next value is a string.
func (r *jsonReader) isString() bool { return r.space() == '"' }

// strs reads an array of strings as the snapshot's compilers always
// have: nil for anything but an array, and the string elements of an
// array (an empty array gives an empty, non-nil slice).
func (r *jsonReader) strs() ([]string, error) {
	out, isArray, err := r.appendStrs([]string{})
	if !isArray || err != nil {
		return nil, err
	}
	return out, nil
}

// appendStrs appends the string elements of an array to out and reports
// whether the value was an array; any other value is skipped.
func (r *jsonReader) appendStrs(out []string) ([]string, bool, error) {
	isArray, err := r.array(func() error {
		if !r.isString() {
			return r.skip()
		}
		s, err := r.stringValue()
		out = append(out, s)
		return err
	})
	return out, isArray, err
}

// number reads a number; ok is false (and the value skipped) for any
// other value.
func (r *jsonReader) number() (f float64, ok bool, err error) {
	if c := r.space(); c != '-' && (c < '0' || c > '9') {
		return 0, false, r.skip()
	}
	tok := r.numberToken()
	f, err = strconv.ParseFloat(tok, 64)
	if err != nil {
		return 0, false, r.syntaxError("number")
	}
	return f, true, nil
}

// integer reads a number as the snapshot's compilers always have
// (int(f)); anything else reads as 0.
func (r *jsonReader) integer() (int, error) {
	f, _, err := r.number()
	return int(f), err
}

// boolean reads true or false; ok is false (and the value skipped) for
// any other value.
func (r *jsonReader) boolean() (b, ok bool, err error) {
	switch r.space() {
	case 't':
		return true, true, r.literal("true")
	case 'f':
		return false, true, r.literal("false")
	}
	return false, false, r.skip()
}

// literal consumes the keyword lit.
func (r *jsonReader) literal(lit string) error {
	if len(r.s)-r.pos < len(lit) || r.s[r.pos:r.pos+len(lit)] != lit {
		return r.syntaxError(lit)
	}
	r.pos += len(lit)
	return nil
}

// numberToken consumes the characters of a number literal.
func (r *jsonReader) numberToken() string {
	start := r.pos
	for r.pos < len(r.s) {
		switch c := r.s[r.pos]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			r.pos++
			continue
		}
		break
	}
	tok := r.s[start:r.pos]
	if len(tok) > maxExactDigits {
		r.long = true
	}
	return tok
}

// stringValue reads the string at the reader's position (which holds
// '"'). A string without escapes is returned as a substring of the text;
// one with escapes is decoded. Strings read exactly as encoding/json
// reads them, invalid UTF-8 included.
func (r *jsonReader) stringValue() (string, error) {
	start := r.pos
	i := start + 1
	ascii := true
	for {
		for i < len(r.s) && !stringStop[r.s[i]] {
			i++
		}
		if i == len(r.s) || r.s[i] < utf8.RuneSelf {
			break
		}
		ascii = false
		i++
	}
	switch {
	case i == len(r.s):
		r.pos = i
		return "", r.syntaxError("end of string")
	case r.s[i] == '"':
		s := r.s[start+1 : i]
		if !ascii && !utf8.ValidString(s) {
			return r.escapedString(start)
		}
		r.pos = i + 1
		return s, nil
	case r.s[i] == '\\':
		return r.escapedString(start)
	}
	r.pos = i
	return "", r.syntaxError("string character")
}

// stringStop marks the bytes that end the plain ASCII run of a string:
// the closing quote, a backslash, the control characters JSON forbids
// and the bytes of multi-byte UTF-8 sequences.
var stringStop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// escapedString decodes the string starting at start, which holds
// escapes (or invalid UTF-8). The one-character escapes of ASCII text
// are decoded here; anything else goes through encoding/json.
func (r *jsonReader) escapedString(start int) (string, error) {
	if err := r.skipString(start); err != nil {
		return "", err
	}
	raw := r.s[start+1 : r.pos-1]
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= utf8.RuneSelf:
			return r.decodeString(start)
		case c < 0x20:
			r.pos = start + 1 + i
			return "", r.syntaxError("string character")
		case c != '\\':
			b = append(b, c)
			continue
		}
		i++
		if i == len(raw) {
			return r.decodeString(start)
		}
		switch raw[i] {
		case '"', '\\', '/':
			b = append(b, raw[i])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			// A code point outside the surrogates (\u003c for '<': the
			// encoder escapes HTML characters); surrogate pairs and
			// malformed escapes go through encoding/json.
			if i+4 >= len(raw) {
				return r.decodeString(start)
			}
			v, err := strconv.ParseUint(raw[i+1:i+5], 16, 32)
			if err != nil || utf16.IsSurrogate(rune(v)) {
				return r.decodeString(start)
			}
			b = utf8.AppendRune(b, rune(v))
			i += 4
		default: // invalid escapes
			return r.decodeString(start)
		}
	}
	return string(b), nil
}

// decodeString decodes the string from start to the reader's position
// with encoding/json.
func (r *jsonReader) decodeString(start int) (string, error) {
	var s string
	if err := json.Unmarshal([]byte(r.s[start:r.pos]), &s); err != nil {
		return "", fmt.Errorf("invalid JSON string at offset %d: %w", start, err)
	}
	return s, nil
}

// skipString moves past the string starting at start.
func (r *jsonReader) skipString(start int) error {
	for i := start + 1; i < len(r.s); i++ {
		for i < len(r.s) && !stringStop[r.s[i]] {
			i++
		}
		if i == len(r.s) {
			break
		}
		switch r.s[i] {
		case '"':
			r.pos = i + 1
			return nil
		case '\\':
			i++
		}
	}
	r.pos = len(r.s)
	return r.syntaxError("end of string")
}

// skip moves past one value of any type.
func (r *jsonReader) skip() error {
	switch c := r.space(); {
	case c == '"':
		return r.skipString(r.pos)
	case c == '{':
		return r.object(func(string) error { return r.skip() })
	case c == '[':
		_, err := r.array(r.skip)
		return err
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		if r.numberToken() == "" {
			return r.syntaxError("value")
		}
		return nil
	}
	return r.syntaxError("value")
}

// end checks that nothing but white space follows the value read.
func (r *jsonReader) end() error {
	if r.space() != 0 {
		return r.syntaxError("end of text")
	}
	return nil
}
