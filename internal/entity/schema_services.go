package entity

import "strconv"

// Services is the schema of services: where and how to proxy.
var Services = &Schema{
	Name:        "services",
	AdminPath:   "services",
	PrimaryKey:  "id",
	EndpointKey: "name",
	Fields: []*Field{
		idField(),
		timestampField("created_at"),
		timestampField("updated_at"),
		utf8NameField("name"),
		intField("retries", 5, 0, 32767),
		{Name: "protocol", Type: TypeString, Required: true, Default: "http", OneOf: stringsToAny(protocolNames)},
		{Name: "host", Type: TypeString, Required: true, Check: checkHost},
		{Name: "port", Type: TypeInteger, Required: true, Default: float64(80), Between: between(0, 65535)},
		pathField("path"),
		intField("connect_timeout", 60000, 1, 2147483646),
		intField("write_timeout", 60000, 1, 2147483646),
		intField("read_timeout", 60000, 1, 2147483646),
		tagsField(),
		foreignField("client_certificate", "certificates", Restrict, false),
		{Name: "tls_verify", Type: TypeBoolean},
		{Name: "tls_verify_depth", Type: TypeInteger, HasDefault: true, Between: between(0, 64)},
		{Name: "ca_certificates", Type: TypeArray, Elements: &Field{Type: TypeString, UUID: true}},
		{Name: "enabled", Type: TypeBoolean, Required: true, Default: true},
	},
	Checks: []EntityCheck{
		protocolConditional(valueIn("tcp", "tls", "udp", "grpc", "grpcs"), "one_of",
			[]string{"tcp", "tls", "udp", "grpc", "grpcs"}, "path"),
		protocolConditional(valueNotIn("https", "tls"), "not_one_of", []string{"https", "tls"}, "client_certificate"),
		protocolConditional(valueNotIn("https", "tls"), "not_one_of", []string{"https", "tls"}, "tls_verify"),
		protocolConditional(valueNotIn("https", "tls"), "not_one_of", []string{"https", "tls"}, "tls_verify_depth"),
		protocolConditional(valueNotIn("https", "tls"), "not_one_of", []string{"https", "tls"}, "ca_certificates"),
	},
	Shorthands: []func(Object, Operation) map[string]any{serviceURLShorthand},
}

// protocolConditional forbids thenField for the protocols matched.
func protocolConditional(match func(any) bool, matchKind string, protocols []string, thenField string) EntityCheck {
	return conditionalCheck("protocol", match, thenField, mustBeNull, "", map[string]any{
		"if_field":   "protocol",
		"if_match":   map[string]any{matchKind: stringsToAny(protocols)},
		"then_field": thenField,
		"then_match": map[string]any{"eq": nil},
	})
}

// serviceURLShorthand expands the input-only `url` into protocol, host,
// port and path (path null when the URL has none).
func serviceURLShorthand(in Object, _ Operation) map[string]any {
	raw, present := in["url"]
	if !present {
		return nil
	}
	delete(in, "url")
	if raw == nil {
		return nil
	}
	s, ok := raw.(string)
	if !ok {
		return map[string]any{"url": typeMessages[TypeString]}
	}
	if s == "" {
		return map[string]any{"url": "length must be at least 1"}
	}
	u := parseLuaURL(s)
	port, portOK := 0, false
	if u.port != "" && allDigits(u.port) {
		port, _ = strconv.Atoi(u.port)
		portOK = true
	}
	protocol := u.scheme
	if protocol == "" {
		protocol = "http"
		if portOK && port == 443 {
			protocol = "https"
		}
	}
	if !portOK {
		port = 80
		if protocol == "https" {
			port = 443
		}
	}
	in["protocol"] = protocol
	in["port"] = float64(port)
	in["host"] = nilIfEmpty(u.host)
	in["path"] = nilIfEmpty(u.path)
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
