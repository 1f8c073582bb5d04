package authn_test

import (
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
	"github.com/straitgw/strait/internal/plugins/authn"
)

func directory(t *testing.T) *authn.Directory {
	t.Helper()
	d, err := authn.NewDirectory(authn.Sources{
		Consumers: []entity.Object{
			{"id": "c1", "username": "alice", "custom_id": "A"},
			{"id": "c2", "username": nil, "custom_id": "B"},
		},
		KeyAuthCredentials: []entity.Object{
			{"id": "k1", "key": "alice-key", "consumer": map[string]any{"id": "c1"}, "created_at": float64(1000), "ttl": nil},
			{"id": "k2", "key": "short-lived", "consumer": map[string]any{"id": "c2"}, "created_at": float64(1000), "ttl": float64(60)},
		},
		BasicAuthCredentials: []entity.Object{
			{"id": "b1", "username": "alice-b", "password": entity.HashBasicAuthPassword("pw", "c1"), "consumer": map[string]any{"id": "c1"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDirectoryLookups(t *testing.T) {
	d := directory(t)
	tests := []struct {
		key        string
		wantCred   string
		expiredAt  int64
		wantExpire bool
	}{
		{"alice-key", "k1", 1 << 40, false},
		{"short-lived", "k2", 1059, false},
		{"short-lived", "k2", 1060, true},
		{"alice-ke", "", 0, false},
		{"", "", 0, false},
	}
	for _, tc := range tests {
		kc := d.KeyAuth(tc.key)
		if tc.wantCred == "" {
			if kc != nil {
				t.Errorf("KeyAuth(%q) = %v, want nil", tc.key, kc.Credential)
			}
			continue
		}
		if kc == nil || kc.Credential.ID != tc.wantCred || kc.Expired(tc.expiredAt) != tc.wantExpire {
			t.Errorf("KeyAuth(%q) at %d = %+v", tc.key, tc.expiredAt, kc)
		}
	}
	if c := d.ConsumerByIDOrUsername("alice"); c == nil || c.ID != "c1" {
		t.Errorf("by username: %v", c)
	}
	if c := d.ConsumerByIDOrUsername("c2"); c == nil || c.CustomID != "B" {
		t.Errorf("by id: %v", c)
	}
	b := d.BasicAuth("alice-b")
	if b == nil || !b.PasswordMatches("pw") || b.PasswordMatches("pw2") || b.PasswordMatches("") {
		t.Errorf("basic-auth lookup or password check wrong: %+v", b)
	}
	var nilDir *authn.Directory
	if nilDir.KeyAuth("x") != nil || nilDir.BasicAuth("x") != nil || nilDir.ConsumerByIDOrUsername("x") != nil {
		t.Error("nil directory found something")
	}
}

func TestDirectoryRejectsOrphanCredential(t *testing.T) {
	_, err := authn.NewDirectory(authn.Sources{KeyAuthCredentials: []entity.Object{
		{"id": "k1", "key": "k", "consumer": map[string]any{"id": "gone"}},
	}})
	if err == nil || !strings.Contains(err.Error(), "gone") {
		t.Errorf("err = %v", err)
	}
}

// dirCtx is a test context that provides a directory.
type dirCtx struct {
	*plugintest.Context
	dir *authn.Directory
}

func (c dirCtx) Directory() *authn.Directory { return c.dir }

func TestSetConsumerAndAnonymous(t *testing.T) {
	d := directory(t)
	ctx := dirCtx{plugintest.NewContext("/"), d}
	ctx.Req.Headers.Add("X-Consumer-Username", "forged")
	ctx.Req.Headers.Add("X-Anonymous-Consumer", "true")
	c2 := d.Consumer("c2")
	authn.SetConsumer(ctx, c2, &plugin.Credential{ID: "k2", ConsumerID: "c2"}, "k2")
	h := &ctx.Req.Headers
	if h.Get("X-Consumer-ID") != "c2" || h.Get("X-Consumer-Custom-ID") != "B" || h.Get("X-Consumer-Username") != "" ||
		h.Get("X-Credential-Identifier") != "k2" || h.Get("X-Anonymous-Consumer") != "" {
		t.Errorf("headers after SetConsumer: %+v", h)
	}
	if !authn.AlreadyAuthenticated(ctx) {
		t.Error("credential not recorded")
	}

	anon := dirCtx{plugintest.NewContext("/"), d}
	authn.UseAnonymous(anon, "alice")
	if anon.Consumer() == nil || anon.Consumer().ID != "c1" || anon.Credential() != nil ||
		anon.Req.Headers.Get("X-Anonymous-Consumer") != "true" {
		t.Errorf("anonymous: consumer %v headers %+v", anon.Consumer(), anon.Req.Headers)
	}
	missing := dirCtx{plugintest.NewContext("/"), d}
	authn.UseAnonymous(missing, "nobody")
	if !missing.Exited() || missing.Resp.Code != 500 ||
		missing.ErrorMessage != "anonymous consumer nobody is configured but doesn't exist" {
		t.Errorf("missing anonymous: %d %q", missing.Resp.Code, missing.ErrorMessage)
	}
}
