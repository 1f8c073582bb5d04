package entity

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Type error messages.
const (
	msgRequired     = "required field missing"
	msgUnknownField = "unknown field"
	msgMissingPK    = "missing primary key"
	msgInvalidUUID  = "expected a valid UUID"
)

var typeMessages = map[Type]string{
	TypeString:  "expected a string",
	TypeInteger: "expected an integer",
	TypeNumber:  "expected a number",
	TypeBoolean: "expected a boolean",
	TypeArray:   "expected an array",
	TypeSet:     "expected a set",
	TypeMap:     "expected a map",
	TypeRecord:  "expected a record",
}

// checkValue validates v against f. It returns the normalized value (sets
// de-duplicated, records completed with defaults, foreign keys reduced to
// {"id":...}) and an error tree: nil, a message, a map or a []any.
func checkValue(f *Field, v any, op Operation) (any, any) {
	if v == nil {
		if f.Required {
			return nil, msgRequired
		}
		return nil, nil
	}
	switch f.Type {
	case TypeString:
		s, ok := v.(string)
		if !ok {
			return v, typeMessages[TypeString]
		}
		return s, checkValidators(f, s)
	case TypeInteger, TypeNumber:
		n, ok := toFloat(v)
		if !ok || math.IsNaN(n) || (f.Type == TypeInteger && (n != math.Trunc(n) || math.IsInf(n, 0))) {
			return v, typeMessages[f.Type]
		}
		return n, checkValidators(f, n)
	case TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return v, typeMessages[TypeBoolean]
		}
		return b, checkValidators(f, b)
	case TypeArray, TypeSet:
		return checkList(f, v, op)
	case TypeMap:
		return checkMap(f, v, op)
	case TypeRecord:
		return checkRecord(f, v, op)
	case TypeForeign:
		return checkForeign(v)
	}
	return v, nil
}

func checkList(f *Field, v any, op Operation) (any, any) {
	list, ok := v.([]any)
	if !ok {
		if ss, isStrings := v.([]string); isStrings {
			list = deepCopy(ss).([]any)
		} else {
			return v, typeMessages[f.Type]
		}
	}
	out := make([]any, 0, len(list))
	var errs []any
	for i, e := range list {
		var ev, eerr any = e, nil
		if f.Elements != nil {
			if e == nil {
				eerr = msgRequired
			} else {
				ev, eerr = checkValue(f.Elements, e, op)
			}
		}
		if eerr != nil {
			if errs == nil {
				errs = make([]any, len(list))
			}
			errs[i] = eerr
		}
		out = append(out, ev)
	}
	if errs != nil {
		return out, errs
	}
	if f.Type == TypeSet {
		out = dedupe(out)
	}
	return out, checkValidators(f, out)
}

func dedupe(list []any) []any {
	out := list[:0]
	for _, e := range list {
		dup := false
		for _, seen := range out {
			if sameValue(seen, e) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, e)
		}
	}
	return out
}

// checkMap validates keys and values; like Kong it reports only the first
// failure (in key order) as the field's message.
func checkMap(f *Field, v any, op Operation) (any, any) {
	m, ok := v.(map[string]any)
	if !ok {
		return v, typeMessages[TypeMap]
	}
	out := make(map[string]any, len(m))
	for _, k := range sortedKeys(m) {
		e := m[k]
		if f.Keys != nil {
			if _, kerr := checkValue(required(f.Keys), k, op); kerr != nil {
				return m, kerr
			}
		}
		if f.Values != nil {
			ev, eerr := checkValue(required(f.Values), e, op)
			if eerr != nil {
				return m, eerr
			}
			e = ev
		}
		out[k] = e
	}
	return out, checkValidators(f, out)
}

// required returns f marked as required (map keys/values, elements).
func required(f *Field) *Field {
	if f.Required {
		return f
	}
	c := *f
	c.Required = true
	return &c
}

func checkRecord(f *Field, v any, op Operation) (any, any) {
	m, ok := v.(map[string]any)
	if !ok {
		return v, typeMessages[TypeRecord]
	}
	if f.Abstract && f.Fields == nil {
		return deepCopy(m), nil
	}
	out, errs := checkFields(f.Fields, m, op)
	runChecks(f.Checks, out, errs, op)
	if len(errs) > 0 {
		return out, errs
	}
	if f.Check != nil {
		// A record's Check is Kong's custom_validator: it sees the
		// validated record and its message is the record's error.
		if msg := f.Check(out); msg != "" {
			return out, msg
		}
	}
	return out, nil
}

// checkFields validates the fields of a record or entity: unknown keys are
// rejected, absent fields take their default, every field is validated.
func checkFields(fields []*Field, in map[string]any, op Operation) (map[string]any, map[string]any) {
	out := make(map[string]any, len(fields))
	errs := map[string]any{}
	for k := range in {
		if findField(fields, k) == nil {
			errs[k] = msgUnknownField
		}
	}
	for _, f := range fields {
		v, present := in[f.Name]
		if !present {
			v = defaultValue(f)
		}
		nv, err := checkValue(f, v, op)
		out[f.Name] = nv
		if err != nil {
			errs[f.Name] = err
		}
	}
	return out, errs
}

func findField(fields []*Field, name string) *Field {
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// defaultValue is the value an absent field takes: a copy of its default;
// for a required record without one, the record of its sub-field
// defaults; otherwise null.
func defaultValue(f *Field) any {
	if f.Default != nil {
		return deepCopy(f.Default)
	}
	if f.HasDefault {
		return nil
	}
	if f.Type == TypeRecord && f.Required {
		if f.Abstract || f.Fields == nil {
			return map[string]any{}
		}
		out := make(map[string]any, len(f.Fields))
		for _, sub := range f.Fields {
			out[sub.Name] = defaultValue(sub)
		}
		return out
	}
	return nil
}

func checkForeign(v any) (any, any) {
	m, ok := v.(map[string]any)
	if !ok {
		return v, map[string]any{"id": msgMissingPK}
	}
	id, present := m["id"]
	if !present || id == nil {
		return v, map[string]any{"id": msgMissingPK}
	}
	s, ok := id.(string)
	if !ok {
		return v, map[string]any{"id": typeMessages[TypeString]}
	}
	if !IsUUID(s) {
		return v, map[string]any{"id": msgInvalidUUID}
	}
	return map[string]any{"id": strings.ToLower(s)}, nil
}

// checkValidators runs the declarative validators of f in Kong's order.
func checkValidators(f *Field, v any) any {
	if f.OneOf != nil && !inList(f.OneOf, v) {
		return "expected one of: " + joinValues(f.OneOf)
	}
	if n, isNum := v.(float64); isNum {
		if f.Gt != nil && !(n > *f.Gt) {
			return "value must be greater than " + FormatNumber(*f.Gt)
		}
		if f.Between != nil && (n < f.Between[0] || n > f.Between[1]) {
			return "value should be between " + FormatNumber(f.Between[0]) + " and " + FormatNumber(f.Between[1])
		}
	}
	if s, isStr := v.(string); isStr {
		if f.UUID && !IsUUID(s) {
			return msgInvalidUUID
		}
		if msg := checkLength(f, utf8.RuneCountInString(s), true); msg != "" {
			return msg
		}
		if f.StartsWith != "" && !strings.HasPrefix(s, f.StartsWith) {
			return "should start with: " + f.StartsWith
		}
	}
	if l, isList := v.([]any); isList {
		if msg := checkLength(f, len(l), false); msg != "" {
			return msg
		}
	}
	if f.Check != nil {
		if msg := f.Check(v); msg != "" {
			return msg
		}
	}
	return nil
}

func checkLength(f *Field, n int, isString bool) string {
	minLen := f.LenMin
	if minLen == 0 && isString {
		minLen = 1
	}
	if minLen > 0 && n < minLen {
		return "length must be at least " + itoa(minLen)
	}
	if f.LenMax > 0 && n > f.LenMax {
		return "length must be at most " + itoa(f.LenMax)
	}
	return ""
}

func itoa(n int) string { return FormatNumber(float64(n)) }

func inList(list []any, v any) bool {
	for _, e := range list {
		if sameValue(e, v) {
			return true
		}
	}
	return false
}

func joinValues(list []any) string {
	parts := make([]string, len(list))
	for i, e := range list {
		switch t := e.(type) {
		case string:
			parts[i] = t
		default:
			if n, ok := toFloat(t); ok {
				parts[i] = FormatNumber(n)
			} else {
				parts[i] = LuaLiteral(t)
			}
		}
	}
	return strings.Join(parts, ", ")
}
