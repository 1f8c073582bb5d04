package filelog

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

func newHandler(t *testing.T, config entity.Object) *Handler {
	t.Helper()
	p := Plugin{}
	h, err := p.New(plugin.FillDefaults(p.ConfigSchema(), config))
	if err != nil {
		t.Fatal(err)
	}
	return h.(*Handler)
}

// flush delivers what the handler's sink holds and closes it.
func flush(t *testing.T, h *Handler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.sink.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func rec(status int) *plugin.LogRecord {
	return &plugin.LogRecord{Response: plugin.LogResponse{Status: status}, Request: plugin.LogRequest{Method: "GET"}}
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestWritesOneLinePerEntry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	h := newHandler(t, entity.Object{"path": path})
	for _, s := range []int{200, 404, 502} {
		h.Log(rec(s))
	}
	flush(t, h)
	lines := readLines(t, path)
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, want := range []float64{200, 404, 502} {
		if got := lines[i]["response"].(map[string]any)["status"]; got != want {
			t.Errorf("line %d status %v", i, got)
		}
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
}

func TestReopenFollowsRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.log")
	w := &fileWriter{path: path, reopen: true}
	if err := w.Deliver(context.Background(), []*plugin.LogRecord{rec(200)}); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := w.Deliver(context.Background(), []*plugin.LogRecord{rec(201)}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if n := len(readLines(t, path)); n != 1 {
		t.Errorf("new file has %d lines, want 1", n)
	}
	if n := len(readLines(t, path+".1")); n != 1 {
		t.Errorf("rotated file has %d lines, want 1", n)
	}
}

func TestUnwritablePathFailsEntriesNotConfig(t *testing.T) {
	w := &fileWriter{path: filepath.Join(t.TempDir(), "missing-dir", "x.log")}
	if err := w.Deliver(context.Background(), []*plugin.LogRecord{rec(200)}); err == nil {
		t.Error("write to a missing directory succeeded")
	}
}

func TestConfigValidation(t *testing.T) {
	schema := Plugin{}.ConfigSchema()
	var pathField *entity.Field
	for _, f := range schema.Fields {
		if f.Name == "path" {
			pathField = f
		}
	}
	tests := []struct {
		path string
		want string
	}{
		{"/tmp/ok.log", ""},
		{"/tmp/a*b", msgInvalidFilename},
		{"/tmp/a&b", msgInvalidFilename},
		{"/tmp/a%b", msgInvalidFilename},
		{"/tmp/a`b", msgInvalidFilename},
		{" /tmp/x", msgInvalidFilename},
		{"/tmp/x ", msgInvalidFilename},
	}
	for _, tt := range tests {
		if got := pathField.Check(tt.path); got != tt.want {
			t.Errorf("path %q: %q, want %q", tt.path, got, tt.want)
		}
	}
	if _, err := (Plugin{}).New(entity.Object{"path": "/tmp/x.log", "custom_fields_by_lua": map[string]any{"a": "return 1"}}); err == nil {
		t.Error("custom_fields_by_lua accepted")
	}
	defaults := plugin.FillDefaults(schema, entity.Object{"path": "/tmp/x"})
	if defaults["reopen"] != false || defaults["custom_fields_by_lua"] != nil {
		t.Errorf("defaults %v", defaults)
	}
}
