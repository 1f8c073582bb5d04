package termination

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func TestAccess(t *testing.T) {
	tests := []struct {
		name        string
		config      entity.Object
		prepare     func(r *plugintest.Request)
		wantExit    bool
		wantStatus  int
		wantBody    string
		wantCT      string
		wantContain string
	}{
		{name: "defaults", wantExit: true, wantStatus: 503, wantBody: `{"message":"Service unavailable"}`, wantCT: plugin.ContentTypeJSON},
		{name: "default message per status", config: entity.Object{"status_code": float64(404)}, wantExit: true, wantStatus: 404,
			wantBody: `{"message":"Not found"}`},
		{name: "status without default message", config: entity.Object{"status_code": float64(418)}, wantExit: true, wantStatus: 418, wantBody: `{}`},
		{name: "custom message", config: entity.Object{"status_code": float64(403), "message": "go away"}, wantExit: true, wantStatus: 403,
			wantBody: `{"message":"go away"}`},
		{name: "raw body", config: entity.Object{"status_code": float64(200), "body": "<h1>hi</h1>", "content_type": "text/html"},
			wantExit: true, wantStatus: 200, wantBody: "<h1>hi</h1>", wantCT: "text/html"},
		{name: "trigger absent", config: entity.Object{"trigger": "X-Stop"}},
		{name: "trigger header", config: entity.Object{"trigger": "X-Stop"}, prepare: func(r *plugintest.Request) { r.Headers.Set("X-Stop", "1") },
			wantExit: true, wantStatus: 503},
		{name: "trigger query", config: entity.Object{"trigger": "X-Stop"}, prepare: func(r *plugintest.Request) { r.Args.Set("X-Stop", "") },
			wantExit: true, wantStatus: 503},
		{name: "echo", config: entity.Object{"echo": true, "status_code": float64(404)}, prepare: func(r *plugintest.Request) {
			r.Headers.Set("X-Hello", "world")
			r.Args.Set("a", "1")
		}, wantExit: true, wantStatus: 404, wantContain: `"x-hello":"world"`},
	}
	p := Plugin{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := p.New(plugin.FillDefaults(p.ConfigSchema(), tc.config))
			if err != nil {
				t.Fatal(err)
			}
			ctx := plugintest.NewContext("/x")
			if tc.prepare != nil {
				tc.prepare(ctx.Req)
			}
			h.(*Handler).Access(ctx)
			if ctx.Exited() != tc.wantExit {
				t.Fatalf("exited = %v", ctx.Exited())
			}
			if !tc.wantExit {
				return
			}
			if ctx.Resp.Code != tc.wantStatus || (tc.wantBody != "" && string(ctx.Resp.Body) != tc.wantBody) {
				t.Errorf("got %d %s", ctx.Resp.Code, ctx.Resp.Body)
			}
			if tc.wantCT != "" && ctx.Resp.Headers.Get("Content-Type") != tc.wantCT {
				t.Errorf("Content-Type %q", ctx.Resp.Headers.Get("Content-Type"))
			}
			if tc.wantContain != "" {
				var m map[string]any
				if err := json.Unmarshal(ctx.Resp.Body, &m); err != nil || m["message"] != "Not found" ||
					!strings.Contains(string(ctx.Resp.Body), tc.wantContain) {
					t.Errorf("echo body %s", ctx.Resp.Body)
				}
			}
		})
	}
}

func TestConfigChecks(t *testing.T) {
	s := entity.PluginsWith(func(string) (entity.PluginDef, bool) {
		return entity.PluginDef{Config: Plugin{}.ConfigSchema()}, true
	})
	tests := []struct {
		config map[string]any
		want   string // the exact message; the error sits on the config field
	}{
		{map[string]any{}, ""},
		{map[string]any{"message": "m", "body": "b"}, "message cannot be used with content_type or body"},
		{map[string]any{"message": "m", "content_type": "text/plain", "body": "b"}, "message cannot be used with content_type or body"},
		{map[string]any{"content_type": "text/plain"}, "content_type requires a body"},
		{map[string]any{"echo": true, "body": "b"}, "echo cannot be used with content_type and body"},
		{map[string]any{"content_type": "text/plain", "body": "b"}, ""},
	}
	for _, tc := range tests {
		obj, perr := s.Process(entity.Object{"name": Name, "config": tc.config}, entity.OpInsert, nil)
		if tc.want == "" {
			cfg, _ := obj["config"].(map[string]any)
			if perr != nil || cfg["status_code"] != float64(503) || cfg["echo"] != false || len(cfg) != 6 {
				t.Errorf("defaults: %v %v", cfg, perr)
			}
			continue
		}
		if perr == nil {
			t.Errorf("%v accepted", tc.config)
			continue
		}
		// Kong's custom_validator on the config record: the record's own
		// message, not an entity check.
		if want := "schema violation (config: " + tc.want + ")"; perr.Message != want {
			t.Errorf("%v: message %q, want %q", tc.config, perr.Message, want)
		}
		if fields, _ := perr.Fields.(map[string]any); fields["config"] != tc.want || len(fields) != 1 {
			t.Errorf("%v: fields %v", tc.config, perr.Fields)
		}
	}
	_, perr := s.Process(entity.Object{"name": Name, "config": map[string]any{"status_code": float64(600)}}, entity.OpInsert, nil)
	if perr == nil || perr.Message != "schema violation (config.status_code: value should be between 100 and 599)" {
		t.Errorf("status_code 600: %v", perr)
	}
}
