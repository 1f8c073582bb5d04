package entity

// ValidateEndpointKey validates a non-UUID URL key against the schema's
// endpoint-key field. It returns the code-10 "invalid unique <field>"
// error with the validator's message, or nil when the value is valid or
// the schema has no endpoint key.
func ValidateEndpointKey(s *Schema, value string) *Error {
	if s == nil || s.EndpointKey == "" {
		return nil
	}
	f := s.Field(s.EndpointKey)
	if f == nil {
		return nil
	}
	var v any = value
	if f.Type != TypeString {
		v = coerceScalar(f.Type, value)
	}
	_, err := checkValue(f, v, OpInsert)
	if err == nil {
		return nil
	}
	msg, ok := err.(string)
	if !ok {
		msg = LuaLiteral(err)
	}
	return &Error{Code: CodeInvalidUnique, Name: "invalid unique " + s.EndpointKey, Message: msg,
		Fields: map[string]any{s.EndpointKey: msg}}
}
