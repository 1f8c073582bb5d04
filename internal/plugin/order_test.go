package plugin_test

import (
	"slices"
	"testing"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func named(name string, priority int) plugin.Plugin {
	return &plugintest.Plugin{PluginName: name, PluginPriority: priority}
}

func TestSortByOrder(t *testing.T) {
	tests := []struct {
		name string
		in   []plugin.Plugin
		want []string
	}{
		{
			name: "descending priority",
			in:   []plugin.Plugin{named("file-log", 9), named("key-auth", 1250), named("cors", 2000), named("rate-limiting", 910)},
			want: []string{"cors", "key-auth", "rate-limiting", "file-log"},
		},
		{
			name: "equal priority in reverse alphabetical order",
			in:   []plugin.Plugin{named("alpha", 100), named("gamma", 100), named("beta", 100)},
			want: []string{"gamma", "beta", "alpha"},
		},
		{
			name: "negative and zero priorities",
			in:   []plugin.Plugin{named("post-function", -1000), named("zero-b", 0), named("pre-function", 1000000), named("zero-a", 0)},
			want: []string{"pre-function", "zero-b", "zero-a", "post-function"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := slices.Clone(tt.in)
			plugin.SortByOrder(ps)
			got := make([]string, len(ps))
			for i, p := range ps {
				got[i] = p.Name()
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("order %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRunsBefore(t *testing.T) {
	tests := []struct {
		a, b plugin.Plugin
		want bool
	}{
		{named("a", 2), named("b", 1), true},
		{named("a", 1), named("b", 2), false},
		{named("b", 5), named("a", 5), true},
		{named("a", 5), named("b", 5), false},
		{named("a", 5), named("a", 5), false},
	}
	for _, tt := range tests {
		if got := plugin.RunsBefore(tt.a, tt.b); got != tt.want {
			t.Errorf("RunsBefore(%s/%d, %s/%d) = %v, want %v",
				tt.a.Name(), tt.a.Priority(), tt.b.Name(), tt.b.Priority(), got, tt.want)
		}
	}
}

func TestChainOrder(t *testing.T) {
	tr := &trace{}
	reg := mustRegistry(
		recordingPlugin("file-log", 9, tr, nil),
		recordingPlugin("key-auth", 1250, tr, nil),
		recordingPlugin("request-size-b", 951, tr, nil),
		recordingPlugin("request-size-a", 951, tr, nil),
		recordingPlugin("correlation-id", 100001, tr, nil),
	)
	set := mustCompile(reg,
		inst("file-log", "file-log", "", "", ""),
		inst("key-auth", "key-auth", "R1", "", ""),
		inst("request-size-a", "a", "", "S1", ""),
		inst("request-size-b", "b", "R1", "", ""),
		inst("correlation-id", "cid", "", "", ""),
	)
	want := []string{"correlation-id", "key-auth", "request-size-b", "request-size-a", "file-log"}
	if got := set.Names(); !slices.Equal(got, want) {
		t.Errorf("Set.Names = %v, want %v", got, want)
	}
	if got := set.Chain("R1", "S1").Names(); !slices.Equal(got, want) {
		t.Errorf("Chain(R1,S1).Names = %v, want %v", got, want)
	}
	if got, want := set.Chain("R2", "S1").Names(), []string{"correlation-id", "request-size-a", "file-log"}; !slices.Equal(got, want) {
		t.Errorf("Chain(R2,S1).Names = %v, want %v", got, want)
	}
	if got, want := set.Global().Names(), []string{"correlation-id", "file-log"}; !slices.Equal(got, want) {
		t.Errorf("Global().Names = %v, want %v", got, want)
	}
}
