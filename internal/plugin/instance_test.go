package plugin_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

// scopedPlugin implements InstanceFactory: its handlers remember the
// Build they were made from.
type scopedPlugin struct{ plugintest.Plugin }

type builtHandler struct{ build plugin.Build }

func (p *scopedPlugin) NewInstance(b plugin.Build) (plugin.Handler, error) {
	return &builtHandler{build: b}, nil
}

func TestCompileInstanceFactory(t *testing.T) {
	schema := &entity.Field{Name: "config", Type: entity.TypeRecord, Required: true, Fields: []*entity.Field{
		{Name: "label", Type: entity.TypeString, Default: "defaulted"},
	}}
	var nodeLog bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&nodeLog, nil))
	tests := []struct {
		name     string
		inst     plugin.Instance
		logger   *slog.Logger
		wantLog  *slog.Logger
		wantConf string
	}{
		{"global, default logger", plugin.Instance{ID: "g", Name: "scoped", Enabled: true}, nil, slog.Default(), "defaulted"},
		{"service scoped, node logger",
			plugin.Instance{ID: "s", Name: "scoped", ServiceID: "svc", Enabled: true, Config: entity.Object{"label": "x"}},
			logger, logger, "x"},
		{"route and consumer scoped",
			plugin.Instance{ID: "r", Name: "scoped", RouteID: "rt", ConsumerID: "c", Enabled: true},
			logger, logger, "defaulted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &scopedPlugin{plugintest.Plugin{PluginName: "scoped", PluginPriority: 1, Schema: schema}}
			reg := mustRegistry(p)
			reg.SetLogger(tt.logger)
			set := mustCompile(reg, tt.inst)
			c := set.Resolve("scoped", tt.inst.RouteID, tt.inst.ServiceID, tt.inst.ConsumerID)
			if c == nil {
				t.Fatal("instance not resolved")
			}
			h, ok := c.Handler.(*builtHandler)
			if !ok {
				t.Fatalf("handler %T not built by NewInstance", c.Handler)
			}
			b := h.build
			if b.Instance.ID != tt.inst.ID || b.Instance.RouteID != tt.inst.RouteID ||
				b.Instance.ServiceID != tt.inst.ServiceID || b.Instance.ConsumerID != tt.inst.ConsumerID {
				t.Errorf("instance %+v, want %+v", b.Instance, tt.inst)
			}
			if b.Config["label"] != tt.wantConf {
				t.Errorf("config label %v, want %s", b.Config["label"], tt.wantConf)
			}
			if b.Logger != tt.wantLog {
				t.Errorf("logger %p, want %p", b.Logger, tt.wantLog)
			}
		})
	}
}

func TestCompileWithoutInstanceFactoryUsesNew(t *testing.T) {
	var got entity.Object
	p := &plugintest.Plugin{PluginName: "plain", PluginPriority: 1, Build: func(cfg entity.Object) (plugin.Handler, error) {
		got = cfg
		return struct{}{}, nil
	}}
	mustCompile(mustRegistry(p), plugin.Instance{ID: "p", Name: "plain", ServiceID: "svc", Enabled: true,
		Config: entity.Object{"k": "v"}})
	if got["k"] != "v" {
		t.Errorf("New received %v", got)
	}
}
