package entity

// defaultTargetPort is appended to targets given without a port.
const defaultTargetPort = 8000

// Targets is the schema of upstream targets. They only exist under an
// upstream (/upstreams/{u}/targets); timestamps keep milliseconds.
var Targets = &Schema{
	Name:           "targets",
	NestedName:     "targets",
	PrimaryKey:     "id",
	EndpointKey:    "target",
	UniqueTogether: [][]string{{"upstream", "target"}},
	Fields: []*Field{
		idField(),
		{Name: "created_at", Type: TypeNumber, Timestamp: true, Auto: true},
		{Name: "updated_at", Type: TypeNumber, Timestamp: true, Auto: true},
		foreignField("upstream", "upstreams", Cascade, true),
		{Name: "target", Type: TypeString, Required: true, Check: checkTarget},
		intField("weight", 100, 0, 65535),
		tagsField(),
	},
	Normalize: func(obj Object) {
		if s, ok := obj["target"].(string); ok {
			obj["target"] = NormalizeTarget(s)
		}
	},
}

// checkTarget requires a hostname or IP with optional port.
func checkTarget(v any) string {
	s, _ := v.(string)
	if _, msg := parseHost(s); msg != "" {
		return "Invalid target ('" + s + "'); not a valid hostname or ip address"
	}
	return ""
}

// NormalizeTarget returns the stored form of a target: host:port with the
// default port 8000 when none is given and IPv6 addresses in brackets.
// Invalid targets are returned unchanged.
func NormalizeTarget(target string) string {
	p, msg := parseHost(target)
	if msg != "" {
		return target
	}
	port := p.port
	if port < 0 {
		port = defaultTargetPort
	}
	return formatHost(p, port)
}
