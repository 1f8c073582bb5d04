package declarative

import (
	"fmt"
	"testing"

	"github.com/straitgw/strait/internal/entity"
)

func transformRegistry() *entity.Registry {
	reg := entity.Core()
	reg.Add(entity.KeyAuthCredentials)
	reg.Add(entity.BasicAuthCredentials)
	return reg
}

// TestTransformFlag checks that _transform decides whether basic-auth
// passwords are hashed on load, and that a hashed load keeps the input
// a remote Admin API must receive.
func TestTransformFlag(t *testing.T) {
	const file = `_format_version: "3.0"
%s
consumers:
- username: alice
  basicauth_credentials:
  - username: alice
    password: s3cret
`
	tests := []struct {
		name       string
		flag       string
		wantHashed bool
	}{
		{"default transforms", "", true},
		{"explicit true", "_transform: true", true},
		{"export", "_transform: false", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(fmt.Sprintf(file, tt.flag)), transformRegistry())
			if err != nil {
				t.Fatal(err)
			}
			cred := cfg.Entities["basicauth_credentials"][0]
			consumer := cfg.Entities["consumers"][0]
			hashed := entity.HashBasicAuthPassword("s3cret", consumer["id"].(string))
			if got := cred["password"]; (got == hashed) != tt.wantHashed || (!tt.wantHashed && got != "s3cret") {
				t.Fatalf("password %v, hashed form %s, want hashed=%v", got, hashed, tt.wantHashed)
			}
			input := cfg.Inputs[InputKey("basicauth_credentials", cred["id"].(string))]
			if tt.wantHashed != (input != nil) {
				t.Fatalf("input kept = %v, want %v", input != nil, tt.wantHashed)
			}
			if input == nil {
				return
			}
			c := Change{Op: OpCreate, New: cred, Input: input}
			wire := c.wire()
			if wire["password"] != "s3cret" || wire["username"] != "alice" || wire["id"] != cred["id"] {
				t.Errorf("wire form %v: the Admin API must get the clear password to hash it once", wire)
			}
			if cred["password"] != hashed {
				t.Error("wire() changed the stored form")
			}
		})
	}
}
