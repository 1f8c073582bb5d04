package plugin_test

import (
	"slices"
	"testing"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

const name = "limiter"

// allLevels has one instance of name per level for route R1, service S1
// and consumer C1, labelled by level.
func allLevels() []plugin.Instance {
	return []plugin.Instance{
		inst(name, "rsc", "R1", "S1", "C1"),
		inst(name, "rc", "R1", "", "C1"),
		inst(name, "sc", "", "S1", "C1"),
		inst(name, "rs", "R1", "S1", ""),
		inst(name, "c", "", "", "C1"),
		inst(name, "r", "R1", "", ""),
		inst(name, "s", "", "S1", ""),
		inst(name, "g", "", "", ""),
	}
}

func TestPrecedence(t *testing.T) {
	tests := []struct {
		name      string
		instances []plugin.Instance
		scope     plugin.Scope
		route     string
		service   string
		consumer  string
		want      string // label of the winner, "" for none
		wantLevel plugin.Level
	}{
		{"route+service+consumer", allLevels(), 0, "R1", "S1", "C1", "rsc", plugin.LevelRouteServiceConsumer},
		{"route+consumer", allLevels()[1:], 0, "R1", "S1", "C1", "rc", plugin.LevelRouteConsumer},
		{"service+consumer", allLevels()[2:], 0, "R1", "S1", "C1", "sc", plugin.LevelServiceConsumer},
		{"route+service beats consumer", allLevels()[3:], 0, "R1", "S1", "C1", "rs", plugin.LevelRouteService},
		{"consumer", allLevels()[4:], 0, "R1", "S1", "C1", "c", plugin.LevelConsumer},
		{"route", allLevels()[5:], 0, "R1", "S1", "C1", "r", plugin.LevelRoute},
		{"service", allLevels()[6:], 0, "R1", "S1", "C1", "s", plugin.LevelService},
		{"global", allLevels()[7:], 0, "R1", "S1", "C1", "g", plugin.LevelGlobal},
		{"nothing configured", nil, 0, "R1", "S1", "C1", "", 0},
		{"no consumer yet: consumer levels skipped", allLevels(), 0, "R1", "S1", "", "rs", plugin.LevelRouteService},
		{"consumer level without consumer", []plugin.Instance{inst(name, "c", "", "", "C1")}, 0, "R1", "S1", "", "", 0},
		{"other route, service and consumer", allLevels(), 0, "R2", "S2", "C2", "g", plugin.LevelGlobal},
		{"route without service", allLevels()[1:], 0, "R1", "", "C1", "rc", plugin.LevelRouteConsumer},
		{"route without service skips service levels", []plugin.Instance{
			inst(name, "sc", "", "S1", "C1"), inst(name, "s", "", "S1", ""), inst(name, "g", "", "", ""),
		}, 0, "R1", "", "C1", "g", plugin.LevelGlobal},
		{"route+service needs both to match", []plugin.Instance{
			inst(name, "rs", "R1", "S2", ""), inst(name, "g", "", "", ""),
		}, 0, "R1", "S1", "", "g", plugin.LevelGlobal},
		{"disabled route instance does not mask global", []plugin.Instance{
			disabled(inst(name, "r", "R1", "", "")), inst(name, "g", "", "", ""),
		}, 0, "R1", "S1", "", "g", plugin.LevelGlobal},
		{"disabled consumer instance does not mask route", []plugin.Instance{
			disabled(inst(name, "rc", "R1", "", "C1")), inst(name, "r", "R1", "", ""),
		}, 0, "R1", "S1", "C1", "r", plugin.LevelRoute},
		{"stream-only instance is not loaded", []plugin.Instance{
			func() plugin.Instance { i := inst(name, "r", "R1", "", ""); i.Protocols = []string{"tcp"}; return i }(),
			inst(name, "g", "", "", ""),
		}, 0, "R1", "S1", "", "g", plugin.LevelGlobal},
		{"no_consumer ignores consumer dimension", allLevels()[3:], plugin.NoConsumer, "R1", "S1", "C1", "rs", plugin.LevelRouteService},
		{"no_route ignores route dimension", allLevels()[5:], plugin.NoRoute, "R1", "S1", "", "s", plugin.LevelService},
		{"no_service ignores service dimension", allLevels()[6:], plugin.NoService, "R1", "S1", "", "g", plugin.LevelGlobal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &trace{}
			p := recordingPlugin(name, 910, tr, nil)
			p.Scoping = tt.scope
			set := mustCompile(mustRegistry(p), tt.instances...)

			got := set.Resolve(name, tt.route, tt.service, tt.consumer)
			if label := labelOf(got); label != tt.want {
				t.Fatalf("Resolve = %q, want %q", label, tt.want)
			}
			if got != nil && got.Level() != tt.wantLevel {
				t.Errorf("Level = %v, want %v", got.Level(), tt.wantLevel)
			}

			// The precomputed route chain must agree with Resolve.
			ctx := plugintest.NewContext("/")
			if tt.consumer != "" {
				ctx.Authenticate(&plugin.Consumer{ID: tt.consumer}, nil)
			}
			var run plugin.Run
			run.Start(set.Global())
			run.Access(ctx, set.Chain(tt.route, tt.service))
			var want []string
			if tt.want != "" {
				want = []string{"access:" + tt.want}
			}
			if !slices.Equal(tr.calls, want) {
				t.Errorf("chain ran %v, want %v", tr.calls, want)
			}
		})
	}
}

func labelOf(c *plugin.Configured) string {
	if c == nil {
		return ""
	}
	return c.Config["label"].(string)
}

func TestConsumerScopedInstanceWaitsForAuthentication(t *testing.T) {
	tr := &trace{}
	authenticate := func(ctx plugin.Context) {
		ctx.Authenticate(&plugin.Consumer{ID: "C1", Username: "alice"}, &plugin.Credential{ID: "K1", ConsumerID: "C1"})
	}
	auth := recordingPlugin("key-auth", 1250, tr, authenticate)
	auth.Scoping = plugin.NoConsumer
	early := recordingPlugin("cors", 2000, tr, nil)
	late := recordingPlugin("rate-limiting", 910, tr, nil)
	reg := mustRegistry(auth, early, late)

	base := []plugin.Instance{
		inst("cors", "cors-global", "", "", ""),
		inst("cors", "cors-consumer", "", "", "C1"),
		inst("rate-limiting", "rl-global", "", "", ""),
		inst("rate-limiting", "rl-consumer", "", "", "C1"),
	}
	tests := []struct {
		name      string
		instances []plugin.Instance
		want      []string
	}{
		{
			name:      "authenticated by a higher-priority plugin",
			instances: append(slices.Clone(base), inst("key-auth", "auth", "R1", "", "")),
			want:      []string{"access:cors-global", "access:auth", "access:rl-consumer"},
		},
		{
			name:      "never authenticated",
			instances: base,
			want:      []string{"access:cors-global", "access:rl-global"},
		},
		{
			name: "consumer-only instance runs once authenticated",
			instances: []plugin.Instance{
				inst("key-auth", "auth", "R1", "", ""),
				inst("rate-limiting", "rl-consumer", "", "", "C1"),
			},
			want: []string{"access:auth", "access:rl-consumer"},
		},
		{
			name: "other consumer's instance does not apply",
			instances: []plugin.Instance{
				inst("key-auth", "auth", "R1", "", ""),
				inst("rate-limiting", "rl-other", "", "", "C2"),
			},
			want: []string{"access:auth"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr.calls = nil
			set := mustCompile(reg, tt.instances...)
			var run plugin.Run
			run.Start(set.Global())
			run.Access(plugintest.NewContext("/"), set.Chain("R1", "S1"))
			if !slices.Equal(tr.calls, tt.want) {
				t.Errorf("ran %v, want %v", tr.calls, tt.want)
			}
		})
	}
}

func TestResolveDoesNotAllocate(t *testing.T) {
	set := mustCompile(mustRegistry(recordingPlugin(name, 910, &trace{}, nil)), allLevels()[4:]...)
	allocs := testing.AllocsPerRun(100, func() {
		if set.Resolve(name, "R1", "S1", "C1") == nil {
			t.Fatal("no instance resolved")
		}
	})
	if allocs != 0 {
		t.Errorf("Resolve allocates %v times per call", allocs)
	}
}
