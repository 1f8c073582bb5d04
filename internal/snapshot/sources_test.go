package snapshot

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func testSources() Sources {
	return Sources{
		Services: texts(entity.Object{"id": "s1", "name": "svc", "protocol": "http", "host": "h", "port": float64(80), "enabled": true}),
		Routes: texts(
			entity.Object{"id": "r1", "name": "a", "protocols": []any{"http"}, "paths": []any{"/a"}, "service": map[string]any{"id": "s1"}},
			entity.Object{"id": "r2", "name": "b", "protocols": []any{"http"}, "paths": []any{"/b"}, "service": map[string]any{"id": "s1"}},
		),
		Consumers: texts(entity.Object{"id": "c1", "username": "alice"}),
		KeyAuth:   []entity.Object{{"id": "k1", "key": "secret", "consumer": map[string]any{"id": "c1"}}},
	}
}

// texts encodes objects as Sources holds them.
func texts(objs ...entity.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		raw, err := json.Marshal(o)
		if err != nil {
			panic(err)
		}
		out[i] = string(raw)
	}
	return out
}

func testRegistry(t *testing.T) *plugin.Registry {
	t.Helper()
	reg, err := plugin.NewRegistry(
		&plugintest.Plugin{PluginName: "first", PluginPriority: 2000},
		&plugintest.Plugin{PluginName: "second", PluginPriority: 1000},
	)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestCompileSourcesPlugins(t *testing.T) {
	src := testSources()
	src.Plugins = []entity.Object{
		{"id": "p1", "name": "second", "enabled": true, "config": map[string]any{}},
		{"id": "p2", "name": "first", "enabled": true, "route": map[string]any{"id": "r1"}, "config": map[string]any{}},
		{"id": "p3", "name": "first", "enabled": false, "route": map[string]any{"id": "r2"}, "config": map[string]any{}},
	}
	s, err := CompileSources(src, testRegistry(t))
	if err != nil {
		t.Fatal(err)
	}
	if !s.HasPlugins {
		t.Error("HasPlugins is false")
	}
	if got := s.Routes["r1"].Plugins.Names(); !slices.Equal(got, []string{"first", "second"}) {
		t.Errorf("r1 chain %v", got)
	}
	if got := s.Routes["r2"].Plugins.Names(); !slices.Equal(got, []string{"second"}) {
		t.Errorf("r2 chain %v (a disabled instance must not appear)", got)
	}
	if s.Directory.KeyAuth("secret") == nil || s.Directory.Consumer("c1") == nil {
		t.Error("credentials not compiled")
	}
	if info := s.Routes["r1"].Info; info == nil || info.Name != "a" || !strings.Contains(string(info.JSON), `"id":"r1"`) {
		t.Errorf("route info %+v", info)
	}
	if info := s.Services["s1"].Info; info == nil || info.Host != "h" {
		t.Errorf("service info %+v", info)
	}
}

func TestCompileSourcesFailures(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Sources)
		want   string
	}{
		{"unknown plugin", func(s *Sources) {
			s.Plugins = []entity.Object{{"id": "p1", "name": "ghost", "enabled": true}}
		}, "ghost"},
		{"orphan credential", func(s *Sources) {
			s.KeyAuth = append(s.KeyAuth, entity.Object{"id": "k2", "key": "x", "consumer": map[string]any{"id": "gone"}})
		}, "gone"},
	}
	for _, tc := range tests {
		src := testSources()
		tc.modify(&src)
		if _, err := CompileSources(src, testRegistry(t)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}

func TestCompileSourcesWithoutRegistry(t *testing.T) {
	src := testSources()
	src.Plugins = []entity.Object{{"id": "p1", "name": "ghost", "enabled": true}}
	s, err := CompileSources(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.HasPlugins || s.Plugins != nil || s.Routes["r1"].Plugins.Len() != 0 {
		t.Errorf("plugins compiled without a registry")
	}
	if s.Routes["r1"].Plugins == nil || s.Routes["r1"].Plugins != s.Routes["r2"].Plugins {
		t.Errorf("routes without plugins do not share one empty chain")
	}
}
