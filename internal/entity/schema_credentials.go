package entity

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
)

// KeyAuthCredentials is the schema of key-auth credentials: API keys
// owned by a consumer. A key left out is generated; a ttl (seconds) makes
// the credential expire.
var KeyAuthCredentials = &Schema{
	Name:        "keyauth_credentials",
	AdminPath:   "key-auths",
	NestedName:  "key-auth",
	PrimaryKey:  "id",
	EndpointKey: "key",
	TTL:         true,
	NoUpdatedAt: true,
	Fields: []*Field{
		idField(),
		timestampField("created_at"),
		foreignField("consumer", "consumers", Cascade, true),
		{Name: "key", Type: TypeString, Unique: true, Auto: true},
		tagsField(),
	},
	Shorthands: []func(in Object, op Operation) map[string]any{generateKey},
}

// BasicAuthCredentials is the schema of basic-auth credentials. The
// password is stored, and returned, as the lower-case hex SHA-1 of the
// password followed by the consumer id.
var BasicAuthCredentials = &Schema{
	Name:        "basicauth_credentials",
	AdminPath:   "basic-auths",
	NestedName:  "basic-auth",
	PrimaryKey:  "id",
	EndpointKey: "username",
	NoUpdatedAt: true,
	Fields: []*Field{
		idField(),
		timestampField("created_at"),
		foreignField("consumer", "consumers", Cascade, true),
		{Name: "username", Type: TypeString, Required: true, Unique: true},
		{Name: "password", Type: TypeString, Required: true},
		tagsField(),
	},
	Transform: hashBasicAuthPassword,
}

// keyAlphabet is the alphabet of generated keys.
const keyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// RandomKey returns a random 32-character string of ASCII letters and
// digits, the form of generated credential keys.
func RandomKey() string {
	var b [32]byte
	// 62 symbols: reject bytes >= 248 (4*62) to keep the draw uniform.
	out := make([]byte, 0, len(b))
	for len(out) < len(b) {
		if _, err := rand.Read(b[:]); err != nil {
			panic("entity: reading random bytes: " + err.Error())
		}
		for _, c := range b {
			if c < 248 && len(out) < len(b) {
				out = append(out, keyAlphabet[c%62])
			}
		}
	}
	return string(out)
}

// generateKey fills an absent or null key on insert and upsert.
func generateKey(in Object, op Operation) map[string]any {
	if op == OpUpdate {
		return nil
	}
	if v, ok := in["key"]; !ok || v == nil {
		in["key"] = RandomKey()
	}
	return nil
}

// HashBasicAuthPassword returns the stored form of a basic-auth password:
// the lower-case hex SHA-1 of password followed by consumerID.
func HashBasicAuthPassword(password, consumerID string) string {
	sum := sha1.Sum([]byte(password + consumerID))
	return hex.EncodeToString(sum[:])
}

// hashBasicAuthPassword hashes the password of a write that sets one; a
// write without a password keeps the stored hash.
func hashBasicAuthPassword(input, obj Object, _ Operation) {
	pw, ok := input["password"].(string)
	if !ok {
		return
	}
	ref, _ := obj["consumer"].(map[string]any)
	consumerID, _ := ref["id"].(string)
	obj["password"] = HashBasicAuthPassword(pw, consumerID)
}

// PluginsWith returns a copy of the Plugins schema whose Plugin hook is
// hook, so a node can describe its own plugins without changing the
// shared Plugins value.
func PluginsWith(hook func(name string) (PluginDef, bool)) *Schema {
	s := *Plugins
	s.Plugin = hook
	return &s
}

// HeaderNameField returns a string field checked like Kong's header_name
// typedef, for plugin config schemas.
func HeaderNameField(name string) *Field {
	return &Field{Name: name, Type: TypeString, Check: checkHeaderName}
}
