// Package entity defines Strait's configuration entities (services, routes,
// consumers, plugins, upstreams, targets, certificates, SNIs, CA certificates
// and the credential entities of plugins) as data: one Schema per entity
// drives input coercion, defaults, validation with Kong's exact messages,
// the JSON returned by GET /schemas/{entity}, and the metadata the store
// needs for unique and foreign-key constraints.
//
// An entity value is an Object: a JSON-decoded map whose numbers are
// float64. After Schema.Process an Object carries every schema field, with
// nil (JSON null) for unset ones, so it can be stored and returned as is.
package entity

// Object is one entity as decoded JSON: strings, float64 numbers, bools,
// nil, []any and map[string]any.
type Object = map[string]any

// Type is the type of a schema field, named as Kong names it.
type Type string

// Field types.
const (
	TypeString  Type = "string"
	TypeInteger Type = "integer"
	TypeNumber  Type = "number"
	TypeBoolean Type = "boolean"
	TypeArray   Type = "array"
	TypeSet     Type = "set"
	TypeMap     Type = "map"
	TypeRecord  Type = "record"
	TypeForeign Type = "foreign"
)

// OnDelete says what happens to a child row when the entity its foreign
// key references is deleted.
type OnDelete string

// Delete rules for foreign keys.
const (
	// Restrict refuses to delete a referenced parent (Kong's default).
	Restrict OnDelete = ""
	// Cascade deletes the children with the parent.
	Cascade OnDelete = "cascade"
)

// Validator checks one non-nil value and returns a Kong-style message, or
// "" when the value is valid.
type Validator func(v any) string

// Field describes one field of a schema (or of a record, or the elements,
// keys and values of a collection field).
type Field struct {
	Name     string
	Type     Type
	Required bool
	// Default is used when the field is absent on insert or upsert. A nil
	// Default means "null". Use HasDefault for an explicit null default that
	// must still be advertised in /schemas.
	Default    any
	HasDefault bool
	Unique     bool
	// Auto marks fields the server fills (id, created_at, updated_at).
	Auto bool
	// UUID marks string fields holding a UUID.
	UUID bool
	// Timestamp marks created_at/updated_at style fields.
	Timestamp  bool
	Immutable  bool
	Deprecated bool

	// Reference names the schema a foreign field points at; OnDelete is
	// the rule applied when that parent goes away.
	Reference string
	OnDelete  OnDelete

	// Elements describes array and set elements; Keys and Values describe
	// map keys and values; Fields describes record sub-fields.
	Elements *Field
	Keys     *Field
	Values   *Field
	Fields   []*Field

	// Declarative validators, rendered in /schemas and checked by Validate.
	OneOf      []any
	Between    *[2]float64
	Gt         *float64
	LenMin     int // 0 means the default of 1 for strings
	LenMax     int
	StartsWith string
	// Check is a custom validator for the field's value.
	Check Validator
	// Extra attributes to advertise in /schemas (e.g. "match", "description").
	Extra map[string]any
	// Checks are record-level checks (record fields and record elements),
	// evaluated like a schema's entity checks on the record value.
	Checks []EntityCheck
	// Abstract marks a record whose shape is supplied elsewhere (the
	// plugin config record of the base plugins schema).
	Abstract bool
}

// Check kinds for entity-level checks.
const (
	CheckAtLeastOneOf  = "at_least_one_of"
	CheckExactlyOneOf  = "only_one_of"
	CheckMutuallyExcl  = "mutually_exclusive"
	CheckDistinct      = "distinct"
	CheckAllOrNone     = "mutually_required"
	CheckConditional   = "conditional"
	CheckCustom        = "custom_entity_check"
	CheckAtLeastOneOfC = "conditional_at_least_one_of"
)

// EntityCheck is a check over several fields. Kind selects the semantics;
// Fields are the fields involved; Message overrides the default message.
// Custom receives the whole object and returns field errors (a map shaped
// like Error.Fields, "@entity" for entity messages) or nil.
type EntityCheck struct {
	Kind    string
	Fields  []string
	Message string
	Custom  func(obj Object, op Operation) map[string]any
	// JSON is how the check is advertised under entity_checks in /schemas.
	JSON map[string]any
	// RunWithMissing runs the check even when all of Fields are null
	// (at_least_one_of style checks always do).
	RunWithMissing bool
}

// Operation is the kind of write being validated.
type Operation int

// Write operations.
const (
	OpInsert Operation = iota // POST: defaults filled, id generated when absent
	OpUpsert                  // PUT: full replacement, defaults filled
	OpUpdate                  // PATCH: merged onto the stored entity
)

// Schema describes one entity type.
type Schema struct {
	// Name is the DAO name used in /schemas and declarative files
	// ("services", "keyauth_credentials").
	Name string
	// AdminPath is the top-level Admin API collection ("services",
	// "key-auths"); empty when the entity has no top-level collection.
	AdminPath string
	// NestedName is the name under a parent ("key-auth" in
	// /consumers/{c}/key-auth); defaults to AdminPath.
	NestedName string
	// PrimaryKey is always "id" for Kong 3.x entities.
	PrimaryKey string
	// EndpointKey is the unique field used for non-UUID URL keys ("name",
	// "username", "instance_name"); empty when only ids address the entity.
	EndpointKey string
	// UniqueTogether lists field combinations that must be unique as a
	// whole (plugins: name, route, service, consumer).
	UniqueTogether [][]string
	// Fields in declaration order; Kong's responses carry all of them.
	Fields []*Field
	// Checks are entity-level checks, run after field validation.
	Checks []EntityCheck
	// Shorthands rewrite input before defaults and validation (service
	// url, upstream algorithm/hash_on). They may add field errors.
	Shorthands []func(in Object, op Operation) map[string]any
	// TTL marks entities that accept a ttl (credentials).
	TTL bool
	// NoUpdatedAt marks entities without updated_at (credentials).
	NoUpdatedAt bool
	// Normalize rewrites a successfully validated object into its stored
	// form (targets get a port, certificates sorted SNIs, CA certificates
	// their digest).
	Normalize func(obj Object)
	// Transform rewrites a validated object using the write's input (after
	// shorthands): it sees which fields the request actually set, so it
	// can derive stored values only when their source changed (basic-auth
	// hashes a password only when one is given). It runs after Normalize.
	Transform func(input, obj Object, op Operation)
	// Plugin, when set on the plugins schema, describes the plugin with
	// the given name (its config record and scoping rules); ok is false
	// for a plugin that is not enabled. When nil, any name is accepted and
	// config may be any JSON object.
	Plugin func(name string) (def PluginDef, ok bool)
}

// PluginDef is what the plugins schema needs to know about one plugin.
type PluginDef struct {
	// Config is the plugin's config record (Type TypeRecord).
	Config *Field
	// Protocols overrides the default of the protocols field; nil keeps
	// ["grpc","grpcs","http","https"].
	Protocols []any
	// NoConsumer, NoRoute and NoService forbid scoping the plugin to a
	// consumer, route or service (`value must be null`).
	NoConsumer, NoRoute, NoService bool
}

// Field returns the top-level field called name, or nil.
func (s *Schema) Field(name string) *Field {
	for _, f := range s.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// ForeignFields returns the schema's foreign-key fields in declaration order.
func (s *Schema) ForeignFields() []*Field {
	var out []*Field
	for _, f := range s.Fields {
		if f.Type == TypeForeign {
			out = append(out, f)
		}
	}
	return out
}

// UniqueFields returns the names of the single-field unique constraints
// (excluding the primary key).
func (s *Schema) UniqueFields() []string {
	var out []string
	for _, f := range s.Fields {
		if f.Unique && f.Name != s.PrimaryKey {
			out = append(out, f.Name)
		}
	}
	return out
}

// Nested returns the name used for this entity under a parent's URL.
func (s *Schema) Nested() string {
	if s.NestedName != "" {
		return s.NestedName
	}
	return s.AdminPath
}
