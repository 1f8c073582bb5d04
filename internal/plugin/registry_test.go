package plugin_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func TestRegistryRegister(t *testing.T) {
	tests := []struct {
		name    string
		plugin  plugin.Plugin
		wantErr string
	}{
		{"valid", named("cors", 2000), ""},
		{"duplicate", named("key-auth", 1250), "already registered"},
		{"empty name", named("", 1), "empty name"},
		{"schema not a record", &plugintest.Plugin{PluginName: "x", Schema: &entity.Field{Name: "config", Type: entity.TypeString}}, "want record"},
		{"schema misnamed", &plugintest.Plugin{PluginName: "y", Schema: &entity.Field{Name: "conf", Type: entity.TypeRecord}}, `want "config"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := mustRegistry(named("key-auth", 1250))
			err := reg.Register(tt.plugin)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Register: %v", err)
				}
				if p, ok := reg.Lookup(tt.plugin.Name()); !ok || p != tt.plugin {
					t.Errorf("Lookup(%q) = %v, %v", tt.plugin.Name(), p, ok)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Register error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestRegistryAllSortedByName(t *testing.T) {
	reg := mustRegistry(named("rate-limiting", 910), named("acl", 950), named("key-auth", 1250))
	var got []string
	for _, p := range reg.All() {
		got = append(got, p.Name())
	}
	if want := "acl key-auth rate-limiting"; strings.Join(got, " ") != want {
		t.Errorf("All = %v, want %s", got, want)
	}
	if _, ok := reg.Lookup("jwt"); ok {
		t.Error("Lookup found an unregistered plugin")
	}
}

func TestCompileErrors(t *testing.T) {
	failing := &plugintest.Plugin{PluginName: "failing", Build: func(entity.Object) (plugin.Handler, error) {
		return nil, errors.New("config.second: must be greater than 0")
	}}
	reg := mustRegistry(named("cors", 2000), failing)
	tests := []struct {
		name      string
		instances []plugin.Instance
		wantErr   []string
	}{
		{"unknown plugin", []plugin.Instance{inst("nope", "x", "", "", "")}, []string{`plugin "nope" (id nope/x): not enabled`}},
		{"handler error", []plugin.Instance{inst("failing", "x", "", "", "")}, []string{"failing", "must be greater than 0"}},
		{"same scope twice", []plugin.Instance{inst("cors", "a", "R1", "", ""), inst("cors", "b", "R1", "", "")}, []string{"same route, service and consumer"}},
		{"every problem named", []plugin.Instance{inst("nope", "x", "", "", ""), inst("failing", "y", "", "", "")}, []string{"nope", "failing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := plugin.Compile(reg, tt.instances)
			if err == nil || set != nil {
				t.Fatalf("Compile = %v, %v; want an error", set, err)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestCompileSkipsDisabledUnknownPlugins(t *testing.T) {
	set, err := plugin.Compile(mustRegistry(), []plugin.Instance{disabled(inst("nope", "x", "", "", ""))})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if set.Global().Len() != 0 {
		t.Error("disabled instance was loaded")
	}
}

func TestCompileGivesHandlersDefaultedConfig(t *testing.T) {
	minute := 60.0
	schema := &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "minute", Type: entity.TypeNumber},
		{Name: "policy", Type: entity.TypeString, Default: "local"},
		{Name: "limit_by", Type: entity.TypeString, Default: "consumer"},
	}}
	var got entity.Object
	p := &plugintest.Plugin{PluginName: "rate-limiting", Schema: schema, Build: func(cfg entity.Object) (plugin.Handler, error) {
		got = cfg
		return nil, nil
	}}
	i := inst("rate-limiting", "x", "", "", "")
	i.Config = entity.Object{"minute": minute, "policy": "redis"}
	mustCompile(mustRegistry(p), i)
	if got["minute"] != minute || got["policy"] != "redis" || got["limit_by"] != "consumer" {
		t.Errorf("handler config = %v", got)
	}
}
