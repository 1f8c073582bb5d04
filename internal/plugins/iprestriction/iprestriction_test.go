package iprestriction

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func TestAccess(t *testing.T) {
	tests := []struct {
		name    string
		cfg     entity.Object
		client  string
		status  int
		message string
	}{
		{"allowed by ip", entity.Object{"allow": []any{"10.0.0.1"}}, "10.0.0.1", 200, ""},
		{"not on allow list", entity.Object{"allow": []any{"10.0.0.1"}}, "10.0.0.2", 403, "IP address not allowed: 10.0.0.2"},
		{"allowed by cidr", entity.Object{"allow": []any{"10.0.0.0/8"}}, "10.200.3.4", 200, ""},
		{"denied by cidr", entity.Object{"deny": []any{"192.168.0.0/16"}}, "192.168.7.7", 403, "IP address not allowed: 192.168.7.7"},
		{"deny only lets others pass", entity.Object{"deny": []any{"192.168.0.0/16"}}, "10.0.0.1", 200, ""},
		{"deny first", entity.Object{"allow": []any{"10.0.0.0/8"}, "deny": []any{"10.1.0.0/16"}}, "10.1.2.3", 403, "IP address not allowed: 10.1.2.3"},
		{"ipv6 cidr", entity.Object{"allow": []any{"2001:db8::/32"}}, "2001:db8:1::5", 200, ""},
		{"ipv6 denied", entity.Object{"allow": []any{"2001:db8::/32"}}, "2001:db9::1", 403, "IP address not allowed: 2001:db9::1"},
		{"v4 rule, v6 client", entity.Object{"allow": []any{"0.0.0.0/0"}}, "::1", 403, "IP address not allowed: ::1"},
		{"mapped v4 client", entity.Object{"allow": []any{"10.0.0.0/8"}}, "::ffff:10.0.0.1", 200, ""},
		{"custom status and message", entity.Object{"deny": []any{"10.0.0.1"}, "status": 401.0, "message": "go away"}, "10.0.0.1", 401, "go away"},
		{"unix socket", entity.Object{"deny": []any{"10.0.0.1"}}, "", 403, msgUnixSocket},
	}
	for _, tc := range tests {
		h, err := Plugin{}.New(plugin.FillDefaults(Plugin{}.ConfigSchema(), tc.cfg))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		ctx := plugintest.NewContext("/")
		ctx.Req.Client = netip.Addr{}
		if tc.client != "" {
			ctx.Req.Client = netip.MustParseAddr(tc.client)
		}
		h.(*Handler).Access(ctx)
		if ctx.Resp.Code != tc.status || ctx.ErrorMessage != tc.message {
			t.Errorf("%s: %d %q, want %d %q", tc.name, ctx.Resp.Code, ctx.ErrorMessage, tc.status, tc.message)
		}
	}
}

func TestSchema(t *testing.T) {
	s := entity.PluginsWith(func(name string) (entity.PluginDef, bool) {
		return entity.PluginDef{Config: Plugin{}.ConfigSchema(), Protocols: []any{"http", "https", "tcp", "tls", "grpc", "grpcs"}}, name == Name
	})
	tests := []struct {
		name   string
		config map[string]any
		want   map[string]any
	}{
		{"neither list", map[string]any{}, map[string]any{"@entity": []any{msgAtLeastOne}}},
		{"empty lists", map[string]any{"allow": []any{}, "deny": []any{}}, map[string]any{"@entity": []any{msgAtLeastOne}}},
		{"bad entry", map[string]any{"allow": []any{"10.0.0.0/33", "1.2.3.4"}},
			map[string]any{"config": map[string]any{"allow": []any{"invalid ip or cidr range: '10.0.0.0/33'", nil}}}},
	}
	for _, tc := range tests {
		_, err := s.Process(entity.Object{"name": Name, "config": tc.config}, entity.OpInsert, nil)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		fields := err.Fields.(map[string]any)
		for k, v := range tc.want {
			if !reflect.DeepEqual(fields[k], v) {
				t.Errorf("%s: %s = %#v, want %#v", tc.name, k, fields[k], v)
			}
		}
	}
	obj, err := s.Process(entity.Object{"name": Name, "config": map[string]any{"allow": []any{"::1", "10.0.0.0/8"}}}, entity.OpInsert, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"allow": []any{"::1", "10.0.0.0/8"}, "deny": nil, "status": nil, "message": nil}
	if !reflect.DeepEqual(obj["config"], want) {
		t.Errorf("config %v", obj["config"])
	}
}

func TestPrefixSetMinimize(t *testing.T) {
	s, err := newPrefixSet([]string{"10.1.2.3", "10.0.0.0/8", "10.1.0.0/16", "2001:db8::1", "2001:db8::/32", "::ffff:192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.v4) != 2 || len(s.v6) != 1 {
		t.Errorf("set %v %v", s.v4, s.v6)
	}
	if !s.contains(netip.MustParseAddr("192.0.2.1")) {
		t.Error("mapped entry not matched as IPv4")
	}
}

func BenchmarkAccess(b *testing.B) {
	h, err := NewHandler(Config{Allow: []string{"10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"}, Deny: []string{"10.9.0.0/16"}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := plugintest.NewContext("/")
	ctx.Req.Client = netip.MustParseAddr("192.168.1.1")
	b.ReportAllocs()
	for b.Loop() {
		h.Access(ctx)
	}
}
