package plugin_test

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func TestAccessExitStopsLaterPlugins(t *testing.T) {
	tr := &trace{}
	deny := func(ctx plugin.Context) { ctx.Error(http.StatusUnauthorized, "No API key found in request") }
	reg := mustRegistry(
		recordingPlugin("first", 3000, tr, nil),
		recordingPlugin("denier", 2000, tr, deny),
		recordingPlugin("last", 1000, tr, nil),
	)
	set := mustCompile(reg,
		inst("first", "first", "", "", ""),
		inst("denier", "denier", "R1", "", ""),
		inst("last", "last", "", "", ""),
	)
	ctx := plugintest.NewContext("/")
	var run plugin.Run
	run.Start(set.Global())
	if run.Rewrite(ctx) {
		t.Fatal("Rewrite reported an exit")
	}
	if !run.Access(ctx, set.Chain("R1", "S1")) {
		t.Fatal("Access did not report the exit")
	}
	run.HeaderFilter(ctx)
	run.BodyFilter(ctx, []byte("x"), true)
	run.Log(ctx)

	want := []string{
		"rewrite:first", "rewrite:last", // rewrite: global instances only
		"access:first", "access:denier",
		"header:first", "header:denier",
		"body:first", "body:denier",
		"log:first", "log:denier",
	}
	if !slices.Equal(tr.calls, want) {
		t.Errorf("calls\n got %v\nwant %v", tr.calls, want)
	}
	if ctx.Resp.Code != http.StatusUnauthorized || ctx.Resp.Source() != plugin.SourceExit {
		t.Errorf("response %d from %q, want 401 from exit", ctx.Resp.Code, ctx.Resp.Source())
	}
	if got := run.Collected(); len(got) != 2 {
		t.Errorf("collected %d instances, want 2", len(got))
	}
}

func TestRewriteExitSkipsAccess(t *testing.T) {
	tr := &trace{}
	reg := mustRegistry(
		&plugintest.Plugin{PluginName: "terminator", PluginPriority: 5000, Build: func(entity.Object) (plugin.Handler, error) {
			return rewriteExit{}, nil
		}},
		recordingPlugin("after", 1000, tr, nil),
	)
	set := mustCompile(reg, inst("terminator", "t", "", "", ""), inst("after", "after", "", "", ""))
	ctx := plugintest.NewContext("/")
	var run plugin.Run
	run.Start(set.Global())
	if !run.Rewrite(ctx) {
		t.Fatal("Rewrite did not report the exit")
	}
	if !run.Access(ctx, set.Chain("R1", "")) {
		t.Fatal("Access ran after an exit")
	}
	if len(tr.calls) != 0 {
		t.Errorf("later plugins ran: %v", tr.calls)
	}
}

type rewriteExit struct{}

func (rewriteExit) Rewrite(ctx plugin.Context) { ctx.Exit(http.StatusTeapot, nil) }

func TestNoRouteRunsGlobalResponsePhases(t *testing.T) {
	tr := &trace{}
	reg := mustRegistry(recordingPlugin("global", 100, tr, nil), recordingPlugin("routed", 200, tr, nil))
	set := mustCompile(reg, inst("global", "global", "", "", ""), inst("routed", "routed", "R1", "", ""))
	ctx := plugintest.NewContext("/nowhere")
	var run plugin.Run
	run.Start(set.Global())
	run.Rewrite(ctx)
	run.HeaderFilter(ctx)
	run.Log(ctx)
	want := []string{"rewrite:global", "header:global", "log:global"}
	if !slices.Equal(tr.calls, want) {
		t.Errorf("calls %v, want %v", tr.calls, want)
	}
}

func TestRunIsReusable(t *testing.T) {
	tr := &trace{}
	reg := mustRegistry(recordingPlugin("p", 100, tr, nil))
	set := mustCompile(reg, inst("p", "r1", "R1", "", ""), inst("p", "global", "", "", ""))
	var run plugin.Run
	for _, route := range []string{"R1", "R2", ""} {
		run.Start(set.Global())
		ctx := plugintest.NewContext("/")
		if route != "" {
			run.Access(ctx, set.Chain(route, ""))
		}
		run.HeaderFilter(ctx)
	}
	want := []string{"access:r1", "header:r1", "access:global", "header:global", "header:global"}
	if !slices.Equal(tr.calls, want) {
		t.Errorf("calls %v, want %v", tr.calls, want)
	}
}

type upper struct{}

func (upper) BodyFilter(_ plugin.Context, chunk []byte, _ bool) []byte { return bytes.ToUpper(chunk) }

type suffix struct{}

func (suffix) BodyFilter(_ plugin.Context, chunk []byte, eof bool) []byte {
	if eof {
		return append(chunk, "!"...)
	}
	return chunk
}

func TestBodyFilterChainsInOrder(t *testing.T) {
	handler := func(h plugin.Handler) func(entity.Object) (plugin.Handler, error) {
		return func(entity.Object) (plugin.Handler, error) { return h, nil }
	}
	reg := mustRegistry(
		&plugintest.Plugin{PluginName: "suffix", PluginPriority: 10, Build: handler(suffix{})},
		&plugintest.Plugin{PluginName: "upper", PluginPriority: 20, Build: handler(upper{})},
	)
	set := mustCompile(reg, inst("suffix", "s", "", "", ""), inst("upper", "u", "", "", ""))
	ctx := plugintest.NewContext("/")
	var run plugin.Run
	run.Start(set.Global())
	run.Access(ctx, set.Chain("R1", "S1"))
	if got := string(run.BodyFilter(ctx, []byte("ab"), false)); got != "AB" {
		t.Errorf("chunk = %q, want AB", got)
	}
	if got := string(run.BodyFilter(ctx, []byte("c"), true)); got != "C!" {
		t.Errorf("last chunk = %q, want C!", got)
	}
}

func TestLogRecordBuiltOnlyForLoggers(t *testing.T) {
	tests := []struct {
		name      string
		loggers   int
		wantCalls int
	}{
		{"no logger", 0, 0},
		{"one logger", 1, 1},
		{"two loggers share one record", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &trace{}
			var ps []plugin.Plugin
			var insts []plugin.Instance
			ps = append(ps, &plugintest.Plugin{PluginName: "silent", PluginPriority: 1000})
			insts = append(insts, inst("silent", "silent", "", "", ""))
			for i := range tt.loggers {
				n := string(rune('a' + i))
				ps = append(ps, recordingPlugin(n, i, tr, nil))
				insts = append(insts, inst(n, n, "", "", ""))
			}
			set := mustCompile(mustRegistry(ps...), insts...)
			ctx := plugintest.NewContext("/")
			var run plugin.Run
			run.Start(set.Global())
			run.Access(ctx, set.Chain("R1", "S1"))
			run.Log(ctx)
			if ctx.RecordCalls != tt.wantCalls {
				t.Errorf("LogRecord called %d times, want %d", ctx.RecordCalls, tt.wantCalls)
			}
		})
	}
}

func TestCertificateRunsGlobalInstances(t *testing.T) {
	tr := &trace{}
	reg := mustRegistry(recordingPlugin("global", 1, tr, nil), recordingPlugin("routed", 2, tr, nil))
	set := mustCompile(reg, inst("global", "global", "", "", ""), inst("routed", "routed", "R1", "", ""))
	set.Global().Certificate(&plugintest.CertificateContext{SNI: "example.com"})
	if want := []string{"certificate:global"}; !slices.Equal(tr.calls, want) {
		t.Errorf("calls %v, want %v", tr.calls, want)
	}
}

func TestEmptyAndNilChains(t *testing.T) {
	var set *plugin.Set
	ctx := plugintest.NewContext("/")
	var run plugin.Run
	run.Start(set.Global())
	if run.Rewrite(ctx) || run.Access(ctx, set.Chain("R1", "S1")) || run.Access(ctx, nil) {
		t.Fatal("empty chains reported an exit")
	}
	run.HeaderFilter(ctx)
	if got := string(run.BodyFilter(ctx, []byte("x"), true)); got != "x" {
		t.Errorf("chunk = %q, want x", got)
	}
	run.Log(ctx)
	if ctx.RecordCalls != 0 {
		t.Errorf("LogRecord built without loggers")
	}
}
