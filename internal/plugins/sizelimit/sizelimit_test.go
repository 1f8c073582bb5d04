package sizelimit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func TestDefaults(t *testing.T) {
	got := plugin.FillDefaults(Plugin{}.ConfigSchema(), nil)
	want := entity.Object{"allowed_payload_size": 128.0, "size_unit": "megabytes", "require_content_length": false}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults %v", got)
	}
}

func TestAccess(t *testing.T) {
	tests := []struct {
		name    string
		cfg     entity.Object
		headers map[string]string
		body    string
		maxBody int
		status  int
		message string
	}{
		{"length within", entity.Object{"allowed_payload_size": 10.0, "size_unit": "bytes"}, map[string]string{"Content-Length": "10"}, "", 0, 200, ""},
		{"length over", entity.Object{"allowed_payload_size": 10.0, "size_unit": "bytes"}, map[string]string{"Content-Length": "11"}, "", 0, 413, msgTooLarge},
		{"kilobytes", entity.Object{"allowed_payload_size": 1.0, "size_unit": "kilobytes"}, map[string]string{"Content-Length": "1025"}, "", 0, 413, msgTooLarge},
		{"megabytes default", nil, map[string]string{"Content-Length": "134217728"}, "", 0, 200, ""},
		{"megabytes over", nil, map[string]string{"Content-Length": "134217729"}, "", 0, 413, msgTooLarge},
		{"expect continue", entity.Object{"allowed_payload_size": 1.0, "size_unit": "bytes"}, map[string]string{"Content-Length": "5", "Expect": "100-Continue"}, "", 0, 417, msgTooLarge},
		{"chunked within", entity.Object{"allowed_payload_size": 5.0, "size_unit": "bytes"}, nil, "12345", 0, 200, ""},
		{"chunked over", entity.Object{"allowed_payload_size": 5.0, "size_unit": "bytes"}, nil, "123456", 0, 413, msgTooLarge},
		{"too large to buffer", entity.Object{"allowed_payload_size": 5.0}, nil, strings.Repeat("a", 20), 10, 413, msgTooLarge},
		{"length required", entity.Object{"require_content_length": true}, nil, "", 0, 411, msgLengthRequired},
		{"length required, chunked", entity.Object{"require_content_length": true}, map[string]string{"Transfer-Encoding": "chunked"}, "abc", 0, 200, ""},
		{"length required, given", entity.Object{"require_content_length": true}, map[string]string{"Content-Length": "0"}, "", 0, 200, ""},
	}
	for _, tc := range tests {
		h, err := Plugin{}.New(plugin.FillDefaults(Plugin{}.ConfigSchema(), tc.cfg))
		if err != nil {
			t.Fatal(err)
		}
		ctx := plugintest.NewContext("/")
		for k, v := range tc.headers {
			ctx.Req.Headers.Set(k, v)
		}
		ctx.Req.BodyBytes = []byte(tc.body)
		ctx.Req.MaxBody = tc.maxBody
		h.(*Handler).Access(ctx)
		if ctx.Resp.Code != tc.status || ctx.ErrorMessage != tc.message {
			t.Errorf("%s: %d %q, want %d %q", tc.name, ctx.Resp.Code, ctx.ErrorMessage, tc.status, tc.message)
		}
	}
}

func TestSchema(t *testing.T) {
	s := entity.PluginsWith(func(name string) (entity.PluginDef, bool) {
		return entity.PluginDef{Config: Plugin{}.ConfigSchema()}, name == Name
	})
	_, err := s.Process(entity.Object{"name": Name, "config": map[string]any{"size_unit": "gigabytes"}}, entity.OpInsert, nil)
	if err == nil || !strings.Contains(err.Message, "expected one of: megabytes, kilobytes, bytes") {
		t.Errorf("bad unit: %v", err)
	}
}
