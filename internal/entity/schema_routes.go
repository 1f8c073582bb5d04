package entity

// Routes is the schema of routes: which requests go to which service.
var Routes = &Schema{
	Name:        "routes",
	AdminPath:   "routes",
	PrimaryKey:  "id",
	EndpointKey: "name",
	Fields: []*Field{
		idField(),
		timestampField("created_at"),
		timestampField("updated_at"),
		utf8NameField("name"),
		{Name: "protocols", Type: TypeSet, Required: true, LenMin: 1, Default: []any{"http", "https"},
			Elements: protocolElement(), Check: checkProtocolSubsets,
			Extra: map[string]any{"mutually_exclusive_subsets": routeProtocolSubsetsJSON()}},
		stringSet("methods", &Field{Type: TypeString, Check: checkHTTPMethod}),
		{Name: "hosts", Type: TypeArray, Elements: &Field{Type: TypeString, Check: checkRouteHost}},
		{Name: "paths", Type: TypeArray, Elements: &Field{Type: TypeString, Check: checkRouterPath}},
		{Name: "headers", Type: TypeMap,
			Keys:   &Field{Type: TypeString, Check: checkRouteHeaderName},
			Values: &Field{Type: TypeArray, Elements: &Field{Type: TypeString}}},
		{Name: "https_redirect_status_code", Type: TypeInteger, Required: true, Default: float64(426),
			OneOf: []any{float64(426), float64(301), float64(302), float64(307), float64(308)}},
		{Name: "regex_priority", Type: TypeInteger, Default: float64(0)},
		{Name: "strip_path", Type: TypeBoolean, Required: true, Default: true},
		{Name: "path_handling", Type: TypeString, Default: "v0", OneOf: []any{"v0", "v1"}},
		{Name: "preserve_host", Type: TypeBoolean, Required: true, Default: false},
		{Name: "request_buffering", Type: TypeBoolean, Required: true, Default: true},
		{Name: "response_buffering", Type: TypeBoolean, Required: true, Default: true},
		stringSet("snis", &Field{Type: TypeString, Check: checkWildcardHost}),
		endpointsField("sources"),
		endpointsField("destinations"),
		tagsField(),
		foreignField("service", "services", Restrict, false),
	},
	Checks: []EntityCheck{
		routeSNIsCheck(),
		{Kind: CheckCustom, Custom: routeSubschemaCheck, RunWithMissing: true,
			JSON: map[string]any{CheckCustom: map[string]any{"field_sources": []any{"protocols"}}}},
	},
	Shorthands: []func(Object, Operation) map[string]any{grpcStripPathDefault},
}

// endpointsField is a set of {ip, port} records (route sources and
// destinations); each needs at least one of the two.
func endpointsField(name string) *Field {
	return &Field{Name: name, Type: TypeSet, Elements: &Field{Type: TypeRecord,
		Fields: []*Field{
			{Name: "ip", Type: TypeString, Check: checkIPOrCIDR},
			{Name: "port", Type: TypeInteger, Between: between(0, 65535)},
		},
		Checks: []EntityCheck{{Kind: CheckAtLeastOneOf, Fields: []string{"ip", "port"},
			JSON: map[string]any{CheckAtLeastOneOf: []any{"ip", "port"}}}},
	}}
}

var routeProtocolSubsets = [][]string{{"http", "https"}, {"tcp", "tls", "udp"}, {"tls_passthrough"}, {"grpc", "grpcs"}}

func routeProtocolSubsetsJSON() []any {
	out := make([]any, len(routeProtocolSubsets))
	for i, s := range routeProtocolSubsets {
		out[i] = stringsToAny(s)
	}
	return out
}

// checkProtocolSubsets refuses protocols from more than one family.
func checkProtocolSubsets(v any) string {
	list, _ := v.([]any)
	var touched [][]string
	seen := make([]bool, len(routeProtocolSubsets))
	for _, p := range list {
		for i, subset := range routeProtocolSubsets {
			if !seen[i] && inList(stringsToAny(subset), p) {
				seen[i] = true
				touched = append(touched, subset)
			}
		}
	}
	if len(touched) <= 1 {
		return ""
	}
	msg := "these sets are mutually exclusive: "
	for i, t := range touched {
		if i > 0 {
			msg += ", "
		}
		msg += "(" + quoteList(t) + ")"
	}
	return msg
}

// routeSNIsCheck allows snis only with a TLS-terminating protocol.
func routeSNIsCheck() EntityCheck {
	tlsish := []string{"grpcs", "https", "tls", "tls_passthrough"}
	noneTLS := func(v any) bool {
		list, _ := v.([]any)
		for _, p := range list {
			if valueIn(tlsish...)(p) {
				return false
			}
		}
		return true
	}
	lenZero := func(v any) string {
		if l, ok := v.([]any); ok && len(l) > 0 {
			return "length must be 0"
		}
		return ""
	}
	return conditionalCheck("protocols", noneTLS, "snis", lenZero,
		"'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'",
		map[string]any{
			"if_field":   "protocols",
			"if_match":   map[string]any{"elements": map[string]any{"type": "string", "not_one_of": stringsToAny(tlsish)}},
			"then_field": "snis",
			"then_match": map[string]any{"len_eq": 0},
			"then_err":   "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'",
		})
}

// routeFamily names the protocol family of a route: the first protocol
// that belongs to one decides.
func routeFamily(obj Object) string {
	list, _ := obj["protocols"].([]any)
	for _, p := range list {
		switch p {
		case "http", "https":
			return "http"
		case "tcp", "tls", "udp":
			return "stream"
		case "tls_passthrough":
			return "tls_passthrough"
		case "grpc", "grpcs":
			return "grpc"
		}
	}
	return ""
}

// grpcStripPathDefault gives gRPC routes the strip_path default false.
func grpcStripPathDefault(in Object, op Operation) map[string]any {
	if op == OpUpdate {
		return nil
	}
	if _, given := in["strip_path"]; given {
		return nil
	}
	if routeFamily(Object{"protocols": in["protocols"]}) == "grpc" {
		in["strip_path"] = false
	}
	return nil
}

func containsProtocol(obj Object, name string) bool {
	list, _ := obj["protocols"].([]any)
	return inList(list, name)
}

// routeSubschemaCheck applies the per-family rules: forbidden fields and
// the "must set one of" requirement.
func routeSubschemaCheck(obj Object, _ Operation) map[string]any {
	errs := map[string]any{}
	forbid := func(msgFormat string, fields ...string) {
		for _, f := range fields {
			if obj[f] != nil {
				errs[f] = "cannot set '" + f + "' when 'protocols' is " + msgFormat
			}
		}
	}
	need := func(suffix string, fields ...string) {
		for _, f := range fields {
			if !isEmpty(obj[f]) {
				return
			}
		}
		addEntityError(errs, "must set one of "+quoteList(fields)+" when 'protocols' is "+suffix)
	}
	switch routeFamily(obj) {
	case "http":
		forbid("'http' or 'https'", "sources", "destinations")
		if containsProtocol(obj, "https") {
			need("'https'", "methods", "hosts", "headers", "paths", "snis")
		} else {
			need("'http'", "methods", "hosts", "headers", "paths")
		}
	case "stream":
		forbid("'tcp', 'tls', 'tls_passthrough' or 'udp'", "methods", "hosts", "paths", "headers")
		need("'tcp', 'tls' or 'udp'", "sources", "destinations", "snis")
	case "tls_passthrough":
		forbid("'tcp', 'tls', 'tls_passthrough' or 'udp'", "methods", "hosts", "paths", "headers")
		if isEmpty(obj["snis"]) {
			addEntityError(errs, "must set snis when 'protocols' is 'tls_passthrough'")
		}
	case "grpc":
		if obj["strip_path"] == true {
			errs["strip_path"] = "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'"
		}
		forbid("'grpc' or 'grpcs'", "methods", "sources", "destinations")
		if containsProtocol(obj, "grpcs") {
			need("'grpcs'", "hosts", "headers", "paths", "snis")
		} else {
			need("'grpc'", "hosts", "headers", "paths")
		}
	}
	return errs
}
