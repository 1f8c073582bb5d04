package entity

// Consumers is the schema of consumers: the identities that credentials
// and consumer-scoped plugins attach to.
var Consumers = &Schema{
	Name:        "consumers",
	AdminPath:   "consumers",
	PrimaryKey:  "id",
	EndpointKey: "username",
	Fields: []*Field{
		idField(),
		timestampField("created_at"),
		timestampField("updated_at"),
		{Name: "username", Type: TypeString, Unique: true},
		{Name: "custom_id", Type: TypeString, Unique: true},
		tagsField(),
	},
	Checks: []EntityCheck{{Kind: CheckAtLeastOneOf, Fields: []string{"custom_id", "username"},
		JSON: map[string]any{CheckAtLeastOneOf: []any{"custom_id", "username"}}}},
}
