package authn

import (
	"cmp"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

// JWTCredential is a compiled jwt credential (a jwt_secrets row).
type JWTCredential struct {
	Credential plugin.Credential
	Consumer   *plugin.Consumer
	// Key is the value the token's key claim must hold.
	Key string
	// Algorithm is the only signing algorithm tokens may use.
	Algorithm string
	// Secret is the HMAC secret as stored; SecretBase64 is its
	// base64-decoded form (nil when it does not decode), used when the
	// plugin's secret_is_base64 is set.
	Secret       []byte
	SecretBase64 []byte
	// PublicKey is the parsed rsa_public_key (nil when absent or
	// unparseable); PublicKeyBase64 is the key read from the base64 DER
	// form of the same field, for secret_is_base64.
	PublicKey       crypto.PublicKey
	PublicKeyBase64 crypto.PublicKey
}

// HMACCredential is a compiled hmac-auth credential.
type HMACCredential struct {
	Credential plugin.Credential
	Consumer   *plugin.Consumer
	Username   string
	Secret     []byte
}

// Groups are the acl groups of one consumer.
type Groups struct {
	// List holds the group names in stored order.
	List []string
	// Header is List joined by ", ", the X-Consumer-Groups value.
	Header string
	set    map[string]struct{}
}

// Has reports whether group is one of the groups.
func (g *Groups) Has(group string) bool {
	if g == nil {
		return false
	}
	_, ok := g.set[group]
	return ok
}

func (d *Directory) addJWTSecrets(rows []entity.Object) error {
	d.jwt = make(map[string]*JWTCredential, len(rows))
	for _, o := range rows {
		consumer, err := d.owner(o, "jwt")
		if err != nil {
			return err
		}
		c := &JWTCredential{
			Credential: plugin.Credential{ID: str(o["id"]), ConsumerID: consumer.ID},
			Consumer:   consumer,
			Key:        str(o["key"]),
			Algorithm:  str(o["algorithm"]),
			Secret:     []byte(str(o["secret"])),
		}
		if c.Algorithm == "" {
			c.Algorithm = "HS256"
		}
		if b, ok := DecodeBase64Lenient(str(o["secret"])); ok {
			c.SecretBase64 = b
		}
		if pemKey := str(o["rsa_public_key"]); pemKey != "" {
			c.PublicKey, _ = entity.ParsePublicKeyPEM(pemKey)
			if der, ok := DecodeBase64Lenient(pemKey); ok {
				c.PublicKeyBase64, _ = x509.ParsePKIXPublicKey(der)
			}
		}
		d.jwt[c.Key] = c
	}
	return nil
}

func (d *Directory) addHMACCredentials(rows []entity.Object) error {
	d.hmac = make(map[string]*HMACCredential, len(rows))
	for _, o := range rows {
		consumer, err := d.owner(o, "hmac-auth")
		if err != nil {
			return err
		}
		c := &HMACCredential{
			Credential: plugin.Credential{ID: str(o["id"]), ConsumerID: consumer.ID},
			Consumer:   consumer,
			Username:   str(o["username"]),
			Secret:     []byte(str(o["secret"])),
		}
		d.hmac[c.Username] = c
	}
	return nil
}

// addACLs indexes the acl groups by consumer. Groups are listed oldest
// first, by name within the same second (the store keeps no insertion
// order), so X-Consumer-Groups is stable across rebuilds.
func (d *Directory) addACLs(rows []entity.Object) error {
	d.groups = make(map[string]*Groups)
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b entity.Object) int {
		ca, _ := a["created_at"].(float64)
		cb, _ := b["created_at"].(float64)
		if c := cmp.Compare(ca, cb); c != 0 {
			return c
		}
		return strings.Compare(str(a["group"]), str(b["group"]))
	})
	for _, o := range rows {
		consumer, err := d.owner(o, "acl")
		if err != nil {
			return err
		}
		g := d.groups[consumer.ID]
		if g == nil {
			g = &Groups{set: make(map[string]struct{})}
			d.groups[consumer.ID] = g
		}
		name := str(o["group"])
		if _, dup := g.set[name]; dup {
			continue
		}
		g.set[name] = struct{}{}
		g.List = append(g.List, name)
	}
	for _, g := range d.groups {
		g.Header = strings.Join(g.List, ", ")
	}
	return nil
}

// JWT returns the jwt credential whose key is key, or nil.
func (d *Directory) JWT(key string) *JWTCredential {
	if d == nil {
		return nil
	}
	return d.jwt[key]
}

// HMAC returns the hmac-auth credential of username, or nil.
func (d *Directory) HMAC(username string) *HMACCredential {
	if d == nil {
		return nil
	}
	return d.hmac[username]
}

// GroupsOf returns the acl groups of the consumer with the given id, or
// nil when it belongs to none.
func (d *Directory) GroupsOf(consumerID string) *Groups {
	if d == nil {
		return nil
	}
	return d.groups[consumerID]
}

// CredentialCounts returns the number of jwt and hmac-auth credentials
// and of consumers with acl groups.
func (d *Directory) CredentialCounts() (jwt, hmac, aclConsumers int) {
	if d == nil {
		return 0, 0, 0
	}
	return len(d.jwt), len(d.hmac), len(d.groups)
}

// DecodeBase64Lenient decodes s the way Kong's JWT helpers do: the
// standard or URL-safe alphabet, with or without padding.
func DecodeBase64Lenient(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, true
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}
