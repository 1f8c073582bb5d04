package admin

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store/sqlite"
)

const testVersion = "3.10.0"

// testPlugins returns a copy of the plugins schema that knows two plugins:
// "rate-limiting" (config.minute, config.policy) and "key-auth"
// (config.key_names, no consumer scope).
func testPlugins() *entity.Schema {
	p := *entity.Plugins
	p.Plugin = func(name string) (entity.PluginDef, bool) {
		switch name {
		case "rate-limiting":
			return entity.PluginDef{Config: &entity.Field{Type: entity.TypeRecord, Fields: []*entity.Field{
				{Name: "minute", Type: entity.TypeInteger},
				{Name: "policy", Type: entity.TypeString, Default: "local"},
			}}}, true
		case "key-auth":
			return entity.PluginDef{NoConsumer: true, Config: &entity.Field{Type: entity.TypeRecord, Fields: []*entity.Field{
				{Name: "key_names", Type: entity.TypeArray, Default: []any{"apikey"},
					Elements: &entity.Field{Type: entity.TypeString}},
			}}}, true
		}
		return entity.PluginDef{}, false
	}
	return &p
}

// newTestAPI serves the Admin API over a fresh sqlite store.
func newTestAPI(t *testing.T, mutate ...func(*Options)) *API {
	t.Helper()
	reg := entity.Core()
	reg.Add(testPlugins())
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "strait.db"), reg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	opts := Options{
		Version:       testVersion,
		NodeID:        "0b9c4b0e-7a55-4bb7-9e55-0f2b8a4c1e11",
		Hostname:      "test-node",
		Database:      "sqlite",
		Configuration: map[string]any{"admin_listen": []any{"127.0.0.1:8001"}},
		Plugins:       map[string]int{"rate-limiting": 910, "key-auth": 1250},
	}
	for _, m := range mutate {
		m(&opts)
	}
	return New(st, reg, opts)
}

// reply is a recorded response.
type reply struct {
	status int
	header http.Header
	raw    string
}

// json decodes the body as an object (nil when it is not one).
func (r reply) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(r.raw), &m)
	return m
}

// call sends one request; a non-empty ctype sets Content-Type.
func call(t *testing.T, h http.Handler, method, path, ctype, body string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return reply{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
}

const (
	ctJSON = "application/json"
	ctForm = "application/x-www-form-urlencoded"
)

// mustCall sends a request and fails unless the status matches.
func mustCall(t *testing.T, h http.Handler, method, path, ctype, body string, want int) map[string]any {
	t.Helper()
	r := call(t, h, method, path, ctype, body)
	if r.status != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.status, want, r.raw)
	}
	return r.json()
}

// str digs a string out of a decoded object by path.
func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}
