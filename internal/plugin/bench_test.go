package plugin_test

import (
	"fmt"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

type noop struct{}

func (noop) Access(plugin.Context)       {}
func (noop) HeaderFilter(plugin.Context) {}
func (noop) Log(*plugin.LogRecord)       {}

func noopPlugin(i int) *plugintest.Plugin {
	return &plugintest.Plugin{
		PluginName:     fmt.Sprintf("noop-%d", i),
		PluginPriority: 1000 - i,
		Build:          func(entity.Object) (plugin.Handler, error) { return noop{}, nil },
	}
}

// benchChain builds a Set with n no-op plugins; the i-th is scoped to
// global, service, route, route+service in turn, and when consumers is
// set the route's plugins also get a consumer-scoped instance.
func benchChain(b *testing.B, n int, consumers bool) (*plugin.Set, *plugin.Chain) {
	var ps []plugin.Plugin
	var insts []plugin.Instance
	scopes := [][2]string{{"", ""}, {"", "S1"}, {"R1", ""}, {"R1", "S1"}}
	for i := range n {
		p := noopPlugin(i)
		ps = append(ps, p)
		sc := scopes[i%len(scopes)]
		insts = append(insts, inst(p.PluginName, "x", sc[0], sc[1], ""))
		if consumers {
			insts = append(insts, inst(p.PluginName, "c", "", "", "C1"))
		}
	}
	reg, err := plugin.NewRegistry(ps...)
	if err != nil {
		b.Fatal(err)
	}
	set, err := plugin.Compile(reg, insts)
	if err != nil {
		b.Fatal(err)
	}
	return set, set.Chain("R1", "S1")
}

func BenchmarkRun(b *testing.B) {
	for _, tc := range []struct {
		n         int
		consumers bool
	}{{0, false}, {1, false}, {5, false}, {5, true}} {
		name := fmt.Sprintf("plugins=%d", tc.n)
		if tc.consumers {
			name += "/consumer-scoped"
		}
		b.Run(name, func(b *testing.B) {
			set, chain := benchChain(b, tc.n, tc.consumers)
			ctx := plugintest.NewContext("/")
			ctx.Authenticate(&plugin.Consumer{ID: "C1"}, nil)
			global := set.Global()
			var run plugin.Run
			b.ReportAllocs()
			for b.Loop() {
				run.Start(global)
				run.Rewrite(ctx)
				run.Access(ctx, chain)
				run.HeaderFilter(ctx)
				run.Log(ctx)
			}
		})
	}
}

func BenchmarkResolve(b *testing.B) {
	set, _ := benchChain(b, 5, true)
	b.ReportAllocs()
	for b.Loop() {
		set.Resolve("noop-3", "R1", "S1", "C1")
	}
}
