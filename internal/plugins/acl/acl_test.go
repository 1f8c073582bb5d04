package acl

import (
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
	"github.com/straitgw/strait/internal/plugins/authn"
)

type testCtx struct {
	*plugintest.Context
	dir *authn.Directory
}

func (c testCtx) Directory() *authn.Directory { return c.dir }

func testDirectory(t *testing.T) *authn.Directory {
	t.Helper()
	ref := func(id string) map[string]any { return map[string]any{"id": id} }
	d, err := authn.NewDirectory(authn.Sources{
		Consumers: []entity.Object{{"id": "admin"}, {"id": "user"}, {"id": "nogroups"}},
		ACLs: []entity.Object{
			{"id": "a1", "consumer": ref("admin"), "group": "admins"},
			{"id": "a2", "consumer": ref("admin"), "group": "users"},
			{"id": "a3", "consumer": ref("user"), "group": "users"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAccess(t *testing.T) {
	d := testDirectory(t)
	tests := []struct {
		name       string
		config     entity.Object
		consumer   string
		credential bool
		authGroups []string
		forged     bool
		wantStatus int
		wantMsg    string
		wantHeader string // X-Consumer-Groups (or X-Authenticated-Groups with authGroups)
	}{
		{name: "allowed", config: entity.Object{"allow": []any{"admins"}}, consumer: "admin", credential: true, wantHeader: "admins, users"},
		{name: "not in allow list", config: entity.Object{"allow": []any{"admins"}}, consumer: "user", credential: true,
			wantStatus: 403, wantMsg: msgBlocked},
		{name: "no groups with credential", config: entity.Object{"allow": []any{"admins"}}, consumer: "nogroups", credential: true,
			wantStatus: 403, wantMsg: msgBlocked},
		{name: "no groups anonymous", config: entity.Object{"allow": []any{"admins"}}, consumer: "nogroups",
			wantStatus: 401, wantMsg: ""},
		{name: "no consumer", config: entity.Object{"allow": []any{"admins"}}, wantStatus: 401},
		{name: "denied", config: entity.Object{"deny": []any{"admins"}}, consumer: "admin", credential: true,
			wantStatus: 403, wantMsg: msgBlocked},
		{name: "not denied", config: entity.Object{"deny": []any{"admins"}}, consumer: "user", credential: true, wantHeader: "users"},
		{name: "deny list and no groups", config: entity.Object{"deny": []any{"admins"}}, consumer: "nogroups", credential: true},
		{name: "hidden header drops forged copy", config: entity.Object{"allow": []any{"users"}, "hide_groups_header": true},
			consumer: "user", credential: true, forged: true},
		{name: "authenticated groups without consumer", config: entity.Object{"allow": []any{"ldap"}},
			authGroups: []string{"ldap", "x"}, wantHeader: "ldap, x"},
		{name: "authenticated groups blocked", config: entity.Object{"deny": []any{"x"}}, authGroups: []string{"x"},
			wantStatus: 403, wantMsg: msgBlocked},
		{name: "consumer groups win over authenticated groups with a credential", config: entity.Object{"allow": []any{"users"}},
			consumer: "user", credential: true, authGroups: []string{"other"}, wantHeader: "users"},
		{name: "always_use_authenticated_groups", config: entity.Object{"allow": []any{"users"}, "always_use_authenticated_groups": true},
			consumer: "user", credential: true, authGroups: []string{"other"}, wantStatus: 403, wantMsg: msgBlocked},
	}
	p := Plugin{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hh, err := p.New(plugin.FillDefaults(p.ConfigSchema(), tc.config))
			if err != nil {
				t.Fatal(err)
			}
			ctx := testCtx{plugintest.NewContext("/"), d}
			if tc.forged {
				ctx.Req.Headers.Set(HeaderConsumerGroups, "admins")
			}
			if tc.consumer != "" {
				var cred *plugin.Credential
				if tc.credential {
					cred = &plugin.Credential{ID: "cred", ConsumerID: tc.consumer}
				}
				ctx.Authenticate(d.Consumer(tc.consumer), cred)
			}
			if tc.authGroups != nil {
				ctx.Set(AuthenticatedGroupsKey, tc.authGroups)
			}
			hh.(*Handler).Access(ctx)
			if tc.wantStatus != 0 {
				if !ctx.Exited() || ctx.Resp.Code != tc.wantStatus || ctx.ErrorMessage != tc.wantMsg {
					t.Fatalf("got exited=%v %d %q", ctx.Exited(), ctx.Resp.Code, ctx.ErrorMessage)
				}
				return
			}
			if ctx.Exited() {
				t.Fatalf("blocked: %d %q", ctx.Resp.Code, ctx.ErrorMessage)
			}
			header := HeaderConsumerGroups
			if tc.authGroups != nil && tc.wantHeader != "users" {
				header = HeaderAuthenticatedGroups
			}
			if got := ctx.Req.Headers.Get(header); got != tc.wantHeader {
				t.Errorf("%s = %q, want %q", header, got, tc.wantHeader)
			}
		})
	}
}

func TestConfigChecks(t *testing.T) {
	s := entity.PluginsWith(func(string) (entity.PluginDef, bool) {
		return entity.PluginDef{Config: Plugin{}.ConfigSchema(), NoConsumer: true}, true
	})
	tests := []struct {
		config   map[string]any
		wantMsgs []string
	}{
		{map[string]any{"allow": []any{"a"}}, nil},
		{map[string]any{"deny": []any{"a"}}, nil},
		{map[string]any{}, []string{
			"exactly one of these fields must be non-empty: 'config.allow', 'config.deny'",
			"at least one of these fields must be non-empty: 'config.allow', 'config.deny'"}},
		{map[string]any{"allow": []any{"a"}, "deny": []any{"b"}}, []string{
			"exactly one of these fields must be non-empty: 'config.allow', 'config.deny'"}},
	}
	for _, tc := range tests {
		obj, perr := s.Process(entity.Object{"name": "acl", "config": tc.config}, entity.OpInsert, nil)
		if tc.wantMsgs == nil {
			if perr != nil {
				t.Errorf("%v: %v", tc.config, perr)
				continue
			}
			cfg := obj["config"].(map[string]any)
			if cfg["hide_groups_header"] != false || cfg["always_use_authenticated_groups"] != false || len(cfg) != 4 {
				t.Errorf("defaults: %v", cfg)
			}
			continue
		}
		if perr == nil {
			t.Errorf("%v accepted", tc.config)
			continue
		}
		for _, m := range tc.wantMsgs {
			if !contains(perr.Message, m) {
				t.Errorf("%v: message %q lacks %q", tc.config, perr.Message, m)
			}
		}
		// Plugin-schema entity checks: top-level "@entity", in order.
		fields, _ := perr.Fields.(map[string]any)
		got, _ := fields["@entity"].([]any)
		if len(fields) != 1 || len(got) != len(tc.wantMsgs) {
			t.Errorf("%v: fields %v", tc.config, perr.Fields)
			continue
		}
		for i, m := range tc.wantMsgs {
			if got[i] != m {
				t.Errorf("%v: @entity[%d] = %v, want %q", tc.config, i, got[i], m)
			}
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
