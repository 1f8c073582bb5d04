package entity

// HMACAuthCredentials is the schema of hmac-auth credentials: a username
// and the shared secret requests are signed with. The secret is generated
// when left out.
var HMACAuthCredentials = &Schema{
	Name:        "hmacauth_credentials",
	AdminPath:   "hmac-auths",
	NestedName:  "hmac-auth",
	PrimaryKey:  "id",
	EndpointKey: "username",
	NoUpdatedAt: true,
	Fields: []*Field{
		idField(),
		timestampField("created_at"),
		foreignField("consumer", "consumers", Cascade, true),
		{Name: "username", Type: TypeString, Required: true, Unique: true},
		{Name: "secret", Type: TypeString, Auto: true},
		tagsField(),
	},
	Shorthands: []func(in Object, op Operation) map[string]any{generateHMACSecret},
}

// generateHMACSecret fills an absent or null secret on insert and upsert.
func generateHMACSecret(in Object, op Operation) map[string]any {
	if op == OpUpdate {
		return nil
	}
	if v, ok := in["secret"]; !ok || v == nil {
		in["secret"] = RandomKey()
	}
	return nil
}
