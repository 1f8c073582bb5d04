package authn

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

// KeyCredential is a compiled key-auth credential.
type KeyCredential struct {
	// Credential is what the context records for the request.
	Credential plugin.Credential
	Consumer   *plugin.Consumer
	// ExpiresAt is the Unix time (seconds) after which the key no longer
	// authenticates; 0 means never.
	ExpiresAt int64
	key       string
}

// Expired reports whether the credential's ttl has run out at unix time
// now (seconds).
func (c *KeyCredential) Expired(now int64) bool { return c.ExpiresAt != 0 && now >= c.ExpiresAt }

// BasicCredential is a compiled basic-auth credential.
type BasicCredential struct {
	Credential plugin.Credential
	Consumer   *plugin.Consumer
	Username   string
	// hash is the stored lower-case hex SHA-1 of password..consumer_id.
	hash string
}

// PasswordMatches reports, in constant time, whether password is the
// credential's password.
func (c *BasicCredential) PasswordMatches(password string) bool {
	got := entity.HashBasicAuthPassword(password, c.Consumer.ID)
	return subtle.ConstantTimeCompare([]byte(got), []byte(c.hash)) == 1
}

// Directory is the immutable set of consumers and credentials of one
// configuration, indexed for lookups that take one map access.
type Directory struct {
	consumers map[string]*plugin.Consumer
	usernames map[string]*plugin.Consumer
	// keys indexes key-auth credentials by a keyed hash of the key and
	// compares the key in constant time.
	keys  keyIndex
	basic map[string]*BasicCredential
	// jwt is indexed by the credential key (the token's iss claim by
	// default), hmac by username, groups by consumer id.
	jwt    map[string]*JWTCredential
	hmac   map[string]*HMACCredential
	groups map[string]*Groups
}

// Sources are the stored entities a Directory is compiled from.
type Sources struct {
	Consumers []entity.Object
	// CompiledConsumers are consumers the caller compiled itself (with
	// their JSON), indexed like those of Consumers.
	CompiledConsumers    []*plugin.Consumer
	KeyAuthCredentials   []entity.Object
	BasicAuthCredentials []entity.Object
	JWTSecrets           []entity.Object
	HMACAuthCredentials  []entity.Object
	ACLs                 []entity.Object
}

// NewDirectory compiles a Directory. Credentials whose consumer is
// missing are an error: the store's foreign keys make that impossible in
// a consistent configuration.
func NewDirectory(src Sources) (*Directory, error) {
	n := len(src.Consumers) + len(src.CompiledConsumers)
	d := &Directory{
		consumers: make(map[string]*plugin.Consumer, n),
		usernames: make(map[string]*plugin.Consumer, n),
		keys:      newKeyIndex(len(src.KeyAuthCredentials)),
		basic:     make(map[string]*BasicCredential, len(src.BasicAuthCredentials)),
	}
	for _, o := range src.Consumers {
		raw, err := json.Marshal(o)
		if err != nil {
			return nil, fmt.Errorf("encode consumer %v: %w", o["id"], err)
		}
		d.addConsumer(&plugin.Consumer{ID: str(o["id"]), Username: str(o["username"]), CustomID: str(o["custom_id"]),
			Tags: strs(o["tags"]), JSON: raw})
	}
	for _, c := range src.CompiledConsumers {
		d.addConsumer(c)
	}
	for _, o := range src.KeyAuthCredentials {
		consumer, err := d.owner(o, "key-auth")
		if err != nil {
			return nil, err
		}
		key := str(o["key"])
		kc := &KeyCredential{
			Credential: plugin.Credential{ID: str(o["id"]), ConsumerID: consumer.ID},
			Consumer:   consumer,
			key:        key,
		}
		if ttl, ok := o["ttl"].(float64); ok && ttl > 0 {
			created, _ := o["created_at"].(float64)
			kc.ExpiresAt = int64(created) + int64(ttl)
		}
		d.keys.add(kc)
	}
	for _, o := range src.BasicAuthCredentials {
		consumer, err := d.owner(o, "basic-auth")
		if err != nil {
			return nil, err
		}
		bc := &BasicCredential{
			Credential: plugin.Credential{ID: str(o["id"]), ConsumerID: consumer.ID},
			Consumer:   consumer,
			Username:   str(o["username"]),
			hash:       str(o["password"]),
		}
		d.basic[bc.Username] = bc
	}
	if err := d.addJWTSecrets(src.JWTSecrets); err != nil {
		return nil, err
	}
	if err := d.addHMACCredentials(src.HMACAuthCredentials); err != nil {
		return nil, err
	}
	if err := d.addACLs(src.ACLs); err != nil {
		return nil, err
	}
	return d, nil
}

// addConsumer indexes c by id and by username.
func (d *Directory) addConsumer(c *plugin.Consumer) {
	d.consumers[c.ID] = c
	if c.Username != "" {
		d.usernames[c.Username] = c
	}
}

// owner returns the consumer a credential object points at.
func (d *Directory) owner(o entity.Object, kind string) (*plugin.Consumer, error) {
	ref, _ := o["consumer"].(map[string]any)
	c := d.consumers[str(ref["id"])]
	if c == nil {
		return nil, fmt.Errorf("%s credential %s: consumer %v does not exist", kind, str(o["id"]), ref["id"])
	}
	return c, nil
}

// Consumer returns the consumer with the given id, or nil.
func (d *Directory) Consumer(id string) *plugin.Consumer {
	if d == nil {
		return nil
	}
	return d.consumers[id]
}

// ConsumerByIDOrUsername returns the consumer whose id, or else whose
// username, is s (how Kong resolves an anonymous consumer).
func (d *Directory) ConsumerByIDOrUsername(s string) *plugin.Consumer {
	if d == nil {
		return nil
	}
	if c := d.consumers[s]; c != nil {
		return c
	}
	return d.usernames[s]
}

// KeyAuth returns the key-auth credential whose key is key, or nil. The
// key is compared in constant time.
func (d *Directory) KeyAuth(key string) *KeyCredential {
	if d == nil {
		return nil
	}
	return d.keys.lookup(key)
}

// BasicAuth returns the basic-auth credential of username, or nil.
func (d *Directory) BasicAuth(username string) *BasicCredential {
	if d == nil {
		return nil
	}
	return d.basic[username]
}

// Len returns the number of consumers, key-auth and basic-auth
// credentials held (see CredentialCounts for the other kinds).
func (d *Directory) Len() (consumers, keys, basic int) {
	if d == nil {
		return 0, 0, 0
	}
	return len(d.consumers), d.keys.n, len(d.basic)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
