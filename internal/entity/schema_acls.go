package entity

// ACLs is the schema of acl groups: each row puts one consumer in one
// group. A consumer holds a group once; under a consumer a group is
// addressed by its name (/consumers/{c}/acls/{group}).
var ACLs = &Schema{
	Name:           "acls",
	AdminPath:      "acls",
	NestedName:     "acls",
	PrimaryKey:     "id",
	EndpointKey:    "group",
	UniqueTogether: [][]string{{"consumer", "group"}},
	NoUpdatedAt:    true,
	Fields: []*Field{
		idField(),
		timestampField("created_at"),
		foreignField("consumer", "consumers", Cascade, true),
		{Name: "group", Type: TypeString, Required: true},
		tagsField(),
	},
}
