package keyauth

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
	"github.com/straitgw/strait/internal/plugins/authn"
)

// testCtx is a plugin context that provides a directory.
type testCtx struct {
	*plugintest.Context
	dir *authn.Directory
}

func (c testCtx) Directory() *authn.Directory { return c.dir }

func testDirectory(t testing.TB) *authn.Directory {
	t.Helper()
	d, err := authn.NewDirectory(authn.Sources{
		Consumers: []entity.Object{
			{"id": "c1", "username": "alice", "custom_id": nil},
			{"id": "c-anon", "username": "guest"},
		},
		KeyAuthCredentials: []entity.Object{
			{"id": "k1", "key": "good", "consumer": map[string]any{"id": "c1"}},
			{"id": "k2", "key": "old", "consumer": map[string]any{"id": "c1"},
				"created_at": float64(time.Date(2025, 1, 2, 3, 0, 0, 0, time.UTC).Unix()), "ttl": float64(60)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// newHandler builds a handler from a config object with defaults filled,
// as the chain does.
func newHandler(t testing.TB, config entity.Object) *Handler {
	t.Helper()
	p := Plugin{}
	h, err := p.New(plugin.FillDefaults(p.ConfigSchema(), config))
	if err != nil {
		t.Fatal(err)
	}
	return h.(*Handler)
}

func multipartBody(t *testing.T, fields map[string]string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func TestAccess(t *testing.T) {
	mpBody, mpType := multipartBody(t, map[string]string{"apikey": "good", "other": "x"})
	tests := []struct {
		name    string
		config  entity.Object
		prepare func(r *plugintest.Request)
		// wantStatus 0 means the request goes on.
		wantStatus   int
		wantMessage  string
		wantChalenge string
		wantConsumer string
		check        func(t *testing.T, r *plugintest.Request)
	}{
		{name: "no key", wantStatus: 401, wantMessage: msgNoKey, wantChalenge: "Key"},
		{name: "no key with realm", config: entity.Object{"realm": "api"}, wantStatus: 401, wantMessage: msgNoKey,
			wantChalenge: `Key realm="api"`},
		{name: "empty key", prepare: func(r *plugintest.Request) { r.Headers.Add("apikey", "") },
			wantStatus: 401, wantMessage: msgNoKey, wantChalenge: "Key"},
		{name: "wrong key", prepare: func(r *plugintest.Request) { r.Headers.Add("apikey", "bad") },
			wantStatus: 401, wantMessage: msgInvalidKey, wantChalenge: "Key"},
		{name: "expired key", prepare: func(r *plugintest.Request) { r.Headers.Add("apikey", "old") },
			wantStatus: 401, wantMessage: msgInvalidKey},
		{name: "duplicate header", prepare: func(r *plugintest.Request) {
			r.Headers.Add("apikey", "good")
			r.Headers.Add("apikey", "good")
		}, wantStatus: 401, wantMessage: msgDuplicateKey},
		{name: "key in header", prepare: func(r *plugintest.Request) {
			r.Headers.Add("apikey", "good")
			r.Headers.Add("X-Consumer-Custom-ID", "forged")
		}, wantConsumer: "c1", check: func(t *testing.T, r *plugintest.Request) {
			if r.Headers.Get("X-Consumer-ID") != "c1" || r.Headers.Get("X-Consumer-Username") != "alice" ||
				r.Headers.Get("X-Credential-Identifier") != "k1" || r.Headers.Get("X-Consumer-Custom-ID") != "" ||
				r.Headers.Get("apikey") != "good" {
				t.Errorf("upstream headers %+v", r.Headers)
			}
		}},
		{name: "key in query, hidden", config: entity.Object{"hide_credentials": true},
			prepare: func(r *plugintest.Request) { r.SetRawQuery("apikey=good&a=1") }, wantConsumer: "c1",
			check: func(t *testing.T, r *plugintest.Request) {
				if r.RawQuery() != "a=1" {
					t.Errorf("query after hide %q", r.RawQuery())
				}
			}},
		{name: "query ignored when disabled", config: entity.Object{"key_in_query": false},
			prepare: func(r *plugintest.Request) { r.SetRawQuery("apikey=good") }, wantStatus: 401, wantMessage: msgNoKey},
		{name: "header ignored when disabled", config: entity.Object{"key_in_header": false},
			prepare: func(r *plugintest.Request) { r.Headers.Add("apikey", "good") }, wantStatus: 401, wantMessage: msgNoKey},
		{name: "second key name", config: entity.Object{"key_names": []any{"x-key", "api_key"}},
			prepare: func(r *plugintest.Request) { r.Headers.Add("Api-Key", "good") }, wantConsumer: "c1"},
		{name: "form body, hidden", config: entity.Object{"key_in_body": true, "hide_credentials": true},
			prepare: func(r *plugintest.Request) {
				r.Headers.Add("Content-Type", "application/x-www-form-urlencoded")
				r.BodyBytes = []byte("a=1&apikey=good&b=%2F")
			}, wantConsumer: "c1", check: func(t *testing.T, r *plugintest.Request) {
				if string(r.BodyBytes) != "a=1&b=%2F" {
					t.Errorf("form body after hide %q", r.BodyBytes)
				}
			}},
		{name: "json body, hidden", config: entity.Object{"key_in_body": true, "hide_credentials": true},
			prepare: func(r *plugintest.Request) {
				r.Headers.Add("Content-Type", "application/json")
				r.BodyBytes = []byte(`{"apikey":"good","n":1}`)
			}, wantConsumer: "c1", check: func(t *testing.T, r *plugintest.Request) {
				var m map[string]any
				if err := json.Unmarshal(r.BodyBytes, &m); err != nil || len(m) != 1 || m["n"] != float64(1) {
					t.Errorf("json body after hide %q", r.BodyBytes)
				}
			}},
		{name: "json body array", config: entity.Object{"key_in_body": true},
			prepare: func(r *plugintest.Request) {
				r.Headers.Add("Content-Type", "application/json")
				r.BodyBytes = []byte(`{"apikey":["good","good"]}`)
			}, wantStatus: 401, wantMessage: msgDuplicateKey},
		{name: "multipart body, hidden", config: entity.Object{"key_in_body": true, "hide_credentials": true},
			prepare: func(r *plugintest.Request) {
				r.Headers.Add("Content-Type", mpType)
				r.BodyBytes = mpBody
			}, wantConsumer: "c1", check: func(t *testing.T, r *plugintest.Request) {
				if bytes.Contains(r.BodyBytes, []byte("good")) || !bytes.Contains(r.BodyBytes, []byte(`name="other"`)) {
					t.Errorf("multipart body after hide %q", r.BodyBytes)
				}
			}},
		{name: "body without content type", config: entity.Object{"key_in_body": true},
			prepare: func(r *plugintest.Request) { r.Headers.Add("apikey", "good") }, wantStatus: 400, wantMessage: msgInvalidBody},
		{name: "body too large", config: entity.Object{"key_in_body": true},
			prepare: func(r *plugintest.Request) {
				r.Headers.Add("Content-Type", "application/json")
				r.BodyBytes, r.MaxBody = []byte(`{"apikey":"good"}`), 4
			}, wantStatus: 400, wantMessage: msgInvalidBody},
		{name: "anonymous by username", config: entity.Object{"anonymous": "guest"}, wantConsumer: "c-anon",
			check: func(t *testing.T, r *plugintest.Request) {
				if r.Headers.Get("X-Anonymous-Consumer") != "true" {
					t.Errorf("X-Anonymous-Consumer missing: %+v", r.Headers)
				}
			}},
		{name: "anonymous missing", config: entity.Object{"anonymous": "nobody"}, wantStatus: 500,
			wantMessage: "anonymous consumer nobody is configured but doesn't exist"},
		{name: "preflight skipped", config: entity.Object{"run_on_preflight": false},
			prepare: func(r *plugintest.Request) { r.MethodName = "OPTIONS" }},
		{name: "preflight checked by default", prepare: func(r *plugintest.Request) { r.MethodName = "OPTIONS" },
			wantStatus: 401, wantMessage: msgNoKey},
	}
	dir := testDirectory(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, tc.config)
			ctx := testCtx{plugintest.NewContext("/"), dir}
			if tc.prepare != nil {
				tc.prepare(ctx.Req)
			}
			h.Access(ctx)
			if tc.wantStatus == 0 {
				if ctx.Exited() {
					t.Fatalf("exited %d %s", ctx.Resp.Code, ctx.Resp.Body)
				}
			} else {
				if !ctx.Exited() || ctx.Resp.Code != tc.wantStatus || ctx.ErrorMessage != tc.wantMessage {
					t.Fatalf("exit = %v %d %q, want %d %q", ctx.Exited(), ctx.Resp.Code, ctx.ErrorMessage, tc.wantStatus, tc.wantMessage)
				}
				if tc.wantChalenge != "" && ctx.Resp.Headers.Get("WWW-Authenticate") != tc.wantChalenge {
					t.Errorf("WWW-Authenticate = %q, want %q", ctx.Resp.Headers.Get("WWW-Authenticate"), tc.wantChalenge)
				}
			}
			gotConsumer := ""
			if c := ctx.Consumer(); c != nil {
				gotConsumer = c.ID
			}
			if gotConsumer != tc.wantConsumer {
				t.Errorf("consumer = %q, want %q", gotConsumer, tc.wantConsumer)
			}
			if tc.check != nil {
				tc.check(t, ctx.Req)
			}
		})
	}
}

func TestAnonymousStepsAsideAfterEarlierAuth(t *testing.T) {
	h := newHandler(t, entity.Object{"anonymous": "guest"})
	ctx := testCtx{plugintest.NewContext("/"), testDirectory(t)}
	earlier := &plugin.Consumer{ID: "other"}
	ctx.Authenticate(earlier, &plugin.Credential{ID: "x", ConsumerID: "other"})
	h.Access(ctx)
	if ctx.Exited() || ctx.Consumer() != earlier {
		t.Errorf("key-auth overrode an earlier authentication: %v", ctx.Consumer())
	}
}

func TestQueryValue(t *testing.T) {
	tests := []struct {
		raw, name, want string
		n               int
	}{
		{"apikey=a", "apikey", "a", 1},
		{"x=1&apikey=a%20b&apikey=c", "apikey", "a b", 2},
		{"apikey", "apikey", "", 0},
		{"api%6Bey=z", "apikey", "z", 1},
		{"", "apikey", "", 0},
	}
	for _, tc := range tests {
		got, n := queryValue(tc.raw, tc.name)
		if got != tc.want || n != tc.n {
			t.Errorf("queryValue(%q) = %q, %d; want %q, %d", tc.raw, got, n, tc.want, tc.n)
		}
	}
	if s, changed := stripQuery("a=1&apikey=x&b=2&apikey", "apikey"); !changed || s != "a=1&b=2" {
		t.Errorf("stripQuery = %q %v", s, changed)
	}
}

func TestConfigSchemaDefaults(t *testing.T) {
	p := Plugin{}
	got := plugin.FillDefaults(p.ConfigSchema(), nil)
	want := map[string]any{"key_names": []any{"apikey"}, "hide_credentials": false, "anonymous": nil,
		"key_in_header": true, "key_in_query": true, "key_in_body": false, "run_on_preflight": true, "realm": nil}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("defaults %s, want %s", gotJSON, wantJSON)
	}
}

// BenchmarkVerifyKey measures one successful key-auth access phase.
func BenchmarkVerifyKey(b *testing.B) {
	h := newHandler(b, nil)
	dir := testDirectory(b)
	ctx := testCtx{plugintest.NewContext("/"), dir}
	ctx.Req.Headers.Add("apikey", "good")
	b.ReportAllocs()
	for b.Loop() {
		ctx.Authenticate(nil, nil)
		h.Access(ctx)
		if ctx.Consumer() == nil {
			b.Fatal("not authenticated")
		}
	}
}

// BenchmarkDirectoryKeyAuth measures the credential lookup alone.
func BenchmarkDirectoryKeyAuth(b *testing.B) {
	dir := testDirectory(b)
	b.ReportAllocs()
	for b.Loop() {
		if dir.KeyAuth("good") == nil {
			b.Fatal("not found")
		}
	}
}
