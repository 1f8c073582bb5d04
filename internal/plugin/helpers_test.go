package plugin_test

import (
	"fmt"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

// trace records phase calls as "phase:label".
type trace struct{ calls []string }

func (t *trace) add(phase, label string) { t.calls = append(t.calls, phase+":"+label) }

// recorder is a handler taking part in every phase; label comes from the
// instance's config and identifies which instance ran.
type recorder struct {
	label  string
	trace  *trace
	access func(ctx plugin.Context)
}

func (h *recorder) Certificate(plugin.CertificateContext) { h.trace.add("certificate", h.label) }
func (h *recorder) Rewrite(plugin.Context)                { h.trace.add("rewrite", h.label) }
func (h *recorder) Access(ctx plugin.Context) {
	h.trace.add("access", h.label)
	if h.access != nil {
		h.access(ctx)
	}
}
func (h *recorder) HeaderFilter(plugin.Context) { h.trace.add("header", h.label) }
func (h *recorder) BodyFilter(_ plugin.Context, chunk []byte, _ bool) []byte {
	h.trace.add("body", h.label)
	return chunk
}
func (h *recorder) Log(*plugin.LogRecord) { h.trace.add("log", h.label) }

// recordingPlugin returns a plugin whose handlers record into t. access,
// when set, runs inside every Access call of its instances.
func recordingPlugin(name string, priority int, t *trace, access func(ctx plugin.Context)) *plugintest.Plugin {
	return &plugintest.Plugin{
		PluginName:     name,
		PluginPriority: priority,
		Build: func(cfg entity.Object) (plugin.Handler, error) {
			label, _ := cfg["label"].(string)
			return &recorder{label: label, trace: t, access: access}, nil
		},
	}
}

// inst returns an enabled instance of name labelled label.
func inst(name, label, route, service, consumer string) plugin.Instance {
	return plugin.Instance{
		ID: name + "/" + label, Name: name, RouteID: route, ServiceID: service, ConsumerID: consumer,
		Enabled: true, Config: entity.Object{"label": label},
	}
}

func disabled(i plugin.Instance) plugin.Instance { i.Enabled = false; return i }

func mustRegistry(ps ...plugin.Plugin) *plugin.Registry {
	r, err := plugin.NewRegistry(ps...)
	if err != nil {
		panic(fmt.Sprintf("registry: %v", err))
	}
	return r
}

func mustCompile(reg *plugin.Registry, instances ...plugin.Instance) *plugin.Set {
	s, err := plugin.Compile(reg, instances)
	if err != nil {
		panic(fmt.Sprintf("compile: %v", err))
	}
	return s
}
