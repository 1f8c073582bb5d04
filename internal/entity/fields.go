package entity

// Field constructors shared by the core schemas (Kong's typedefs).

// protocolNames is the protocol enum, as printed in messages.
var protocolNames = []string{"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp"}

func idField() *Field {
	return &Field{Name: "id", Type: TypeString, UUID: true, Auto: true}
}

func timestampField(name string) *Field {
	return &Field{Name: name, Type: TypeInteger, Timestamp: true, Auto: true}
}

func tagsField() *Field {
	return &Field{Name: "tags", Type: TypeSet, Elements: &Field{Type: TypeString, Required: true, Check: checkTag}}
}

func utf8NameField(name string) *Field {
	return &Field{Name: name, Type: TypeString, Unique: true, Check: checkUTF8Name}
}

func foreignField(name, reference string, onDelete OnDelete, required bool) *Field {
	return &Field{Name: name, Type: TypeForeign, Reference: reference, OnDelete: onDelete, Required: required}
}

func protocolElement() *Field {
	return &Field{Type: TypeString, OneOf: stringsToAny(protocolNames)}
}

func between(lo, hi float64) *[2]float64 { return &[2]float64{lo, hi} }

func intField(name string, def float64, lo, hi float64) *Field {
	return &Field{Name: name, Type: TypeInteger, Default: def, Between: between(lo, hi)}
}

func pathField(name string) *Field {
	return &Field{Name: name, Type: TypeString, StartsWith: "/", Check: checkPath,
		Extra: map[string]any{"match_none": []any{map[string]any{"pattern": "//", "err": "must not have empty segments"}}}}
}

func stringSet(name string, elements *Field) *Field {
	return &Field{Name: name, Type: TypeSet, Elements: elements}
}
