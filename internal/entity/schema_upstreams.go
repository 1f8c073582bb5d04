package entity

import "strings"

var hashOnValues = []string{"none", "consumer", "ip", "header", "cookie", "path", "query_arg", "uri_capture"}

// Upstreams is the schema of upstreams: virtual hostnames balanced over
// targets.
var Upstreams = &Schema{
	Name:        "upstreams",
	AdminPath:   "upstreams",
	PrimaryKey:  "id",
	EndpointKey: "name",
	Fields: []*Field{
		idField(),
		timestampField("created_at"),
		timestampField("updated_at"),
		{Name: "name", Type: TypeString, Required: true, Unique: true, Check: checkUpstreamName},
		{Name: "algorithm", Type: TypeString, Default: "round-robin",
			OneOf: []any{"consistent-hashing", "least-connections", "round-robin", "latency"}},
		{Name: "hash_on", Type: TypeString, Default: "none", OneOf: stringsToAny(hashOnValues)},
		{Name: "hash_fallback", Type: TypeString, Default: "none", OneOf: stringsToAny(hashOnValues)},
		{Name: "hash_on_header", Type: TypeString, Check: checkHeaderName},
		{Name: "hash_fallback_header", Type: TypeString, Check: checkHeaderName},
		{Name: "hash_on_cookie", Type: TypeString, Check: checkCookieName},
		withDefault(pathField("hash_on_cookie_path"), "/"),
		{Name: "hash_on_query_arg", Type: TypeString},
		{Name: "hash_fallback_query_arg", Type: TypeString},
		{Name: "hash_on_uri_capture", Type: TypeString},
		{Name: "hash_fallback_uri_capture", Type: TypeString},
		intField("slots", 10000, 10, 65536),
		healthchecksField(),
		tagsField(),
		{Name: "host_header", Type: TypeString, Check: checkHostWithOptionalPort},
		foreignField("client_certificate", "certificates", Restrict, false),
		{Name: "use_srv_name", Type: TypeBoolean, Default: false},
	},
	Checks: []EntityCheck{
		hashRequired("hash_on", "header", "hash_on_header"),
		hashRequired("hash_fallback", "header", "hash_fallback_header"),
		hashRequired("hash_on", "cookie", "hash_on_cookie"),
		hashRequired("hash_fallback", "cookie", "hash_on_cookie"),
		hashFallbackOneOf("none", "none"),
		hashFallbackOneOf("cookie", "none"),
		hashFallbackOneOf("consumer", "none", "ip", "header", "cookie", "path", "query_arg", "uri_capture"),
		hashFallbackOneOf("ip", "none", "consumer", "header", "cookie", "path", "query_arg", "uri_capture"),
		hashFallbackOneOf("path", "none", "consumer", "ip", "header", "cookie", "query_arg", "uri_capture"),
		hashRequired("hash_on", "query_arg", "hash_on_query_arg"),
		hashRequired("hash_fallback", "query_arg", "hash_fallback_query_arg"),
		hashRequired("hash_on", "uri_capture", "hash_on_uri_capture"),
		hashRequired("hash_fallback", "uri_capture", "hash_fallback_uri_capture"),
		distinctCheck("hash_on_header", "hash_fallback_header"),
		distinctCheck("hash_on_query_arg", "hash_fallback_query_arg"),
		distinctCheck("hash_on_uri_capture", "hash_fallback_uri_capture"),
	},
	Shorthands: []func(Object, Operation) map[string]any{upstreamAlgorithmShorthand},
}

func withDefault(f *Field, def any) *Field {
	f.Default = def
	return f
}

func distinctCheck(fields ...string) EntityCheck {
	return EntityCheck{Kind: CheckDistinct, Fields: fields, JSON: map[string]any{CheckDistinct: stringsToAny(fields)}}
}

func hashRequired(ifField, value, thenField string) EntityCheck {
	return conditionalCheck(ifField, valueIn(value), thenField, mustBeSet, "", map[string]any{
		"if_field": ifField, "if_match": map[string]any{"match": "^" + value + "$"},
		"then_field": thenField, "then_match": map[string]any{"required": true},
	})
}

func hashFallbackOneOf(hashOn string, allowed ...string) EntityCheck {
	match := func(v any) string {
		if !valueIn(allowed...)(v) {
			return "expected one of: " + strings.Join(allowed, ", ")
		}
		return ""
	}
	return conditionalCheck("hash_on", valueIn(hashOn), "hash_fallback", match, "", map[string]any{
		"if_field": "hash_on", "if_match": map[string]any{"match": "^" + hashOn + "$"},
		"then_field": "hash_fallback", "then_match": map[string]any{"one_of": stringsToAny(allowed)},
	})
}

// upstreamAlgorithmShorthand keeps algorithm and hash_on consistent:
// least-connections and latency force hash_on "none"; hash_on "none"
// (or null) selects round-robin unless one of those algorithms was asked
// for; any other hash_on selects consistent-hashing.
func upstreamAlgorithmShorthand(in Object, _ Operation) map[string]any {
	algorithm, algorithmGiven := in["algorithm"].(string)
	noHash := algorithmGiven && (algorithm == "least-connections" || algorithm == "latency")
	if noHash {
		in["hash_on"] = "none"
	}
	hashOn, present := in["hash_on"]
	if !present {
		return nil
	}
	switch hashOn {
	case nil, "none":
		in["hash_on"] = "none"
		if !noHash {
			in["algorithm"] = "round-robin"
		}
	default:
		if _, isString := hashOn.(string); isString {
			in["algorithm"] = "consistent-hashing"
		}
	}
	return nil
}

// checkUpstreamName requires a hostname without port.
func checkUpstreamName(v any) string {
	s, _ := v.(string)
	p, msg := parseHost(s)
	switch {
	case msg != "":
		return "Invalid name ('" + s + "'); must be a valid hostname"
	case p.kind != kindName:
		return "Invalid name ('" + s + "'); no ip addresses allowed"
	case p.port >= 0:
		return "Invalid name ('" + s + "'); no port allowed"
	}
	return ""
}

// healthchecksField builds the healthchecks record; every level carries
// its complete default tree.
func healthchecksField() *Field {
	seconds := func(name string, def float64) *Field {
		return &Field{Name: name, Type: TypeNumber, Default: def, Between: between(0, 65535)}
	}
	counter := func(name string, def float64) *Field {
		return &Field{Name: name, Type: TypeInteger, Default: def, Between: between(0, 255)}
	}
	statuses := func(name string, codes ...float64) *Field {
		def := make([]any, len(codes))
		for i, c := range codes {
			def[i] = c
		}
		return &Field{Name: name, Type: TypeArray, Default: def,
			Elements: &Field{Type: TypeInteger, Between: between(100, 999)}}
	}
	checkType := func() *Field {
		return &Field{Name: "type", Type: TypeString, Default: "http", OneOf: []any{"tcp", "http", "https", "grpc", "grpcs"}}
	}
	active := record("active",
		checkType(),
		seconds("timeout", 1),
		&Field{Name: "concurrency", Type: TypeInteger, Default: float64(10), Between: between(1, 2147483648)},
		withDefault(pathField("http_path"), "/"),
		&Field{Name: "https_sni", Type: TypeString, Check: checkSNI},
		&Field{Name: "https_verify_certificate", Type: TypeBoolean, Required: true, Default: true},
		&Field{Name: "headers", Type: TypeMap, Keys: &Field{Type: TypeString, Check: checkHeaderName},
			Values: &Field{Type: TypeArray, Elements: &Field{Type: TypeString}}},
		record("healthy",
			seconds("interval", 0),
			statuses("http_statuses", 200, 302),
			counter("successes", 0)),
		record("unhealthy",
			seconds("interval", 0),
			statuses("http_statuses", 429, 404, 500, 501, 502, 503, 504, 505),
			counter("tcp_failures", 0),
			counter("timeouts", 0),
			counter("http_failures", 0)),
	)
	passive := record("passive",
		checkType(),
		record("healthy",
			statuses("http_statuses", 200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
				300, 301, 302, 303, 304, 305, 306, 307, 308),
			counter("successes", 0)),
		record("unhealthy",
			statuses("http_statuses", 429, 500, 503),
			counter("tcp_failures", 0),
			counter("timeouts", 0),
			counter("http_failures", 0)),
	)
	return record("healthchecks",
		&Field{Name: "threshold", Type: TypeNumber, Default: float64(0), Between: between(0, 100)},
		active, passive)
}

// record builds a record field whose default is the tree of its
// sub-field defaults.
func record(name string, fields ...*Field) *Field {
	f := &Field{Name: name, Type: TypeRecord, Fields: fields}
	def := make(map[string]any, len(fields))
	for _, sub := range fields {
		def[sub.Name] = defaultValue(sub)
	}
	f.Default = def
	return f
}
