package requesttransformer

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"reflect"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func newHandler(t testing.TB, config entity.Object) *Handler {
	t.Helper()
	p := Plugin{}
	h, err := p.New(plugin.FillDefaults(p.ConfigSchema(), config))
	if err != nil {
		t.Fatal(err)
	}
	return h.(*Handler)
}

// pluginsSchema validates request-transformer configs as the Admin API
// does.
func pluginsSchema() *entity.Schema {
	return entity.PluginsWith(func(name string) (entity.PluginDef, bool) {
		return entity.PluginDef{Config: Plugin{}.ConfigSchema()}, name == Name
	})
}

func TestDefaults(t *testing.T) {
	obj, perr := pluginsSchema().Process(entity.Object{"name": Name}, entity.OpInsert, nil)
	if perr != nil {
		t.Fatal(perr)
	}
	three := map[string]any{"body": []any{}, "headers": []any{}, "querystring": []any{}}
	withURI := map[string]any{"body": []any{}, "headers": []any{}, "querystring": []any{}, "uri": nil}
	want := map[string]any{"http_method": nil, "remove": three, "rename": three, "replace": withURI, "add": three, "append": three}
	raw, _ := json.Marshal(obj["config"])
	wantRaw, _ := json.Marshal(want)
	if string(raw) != string(wantRaw) {
		t.Errorf("config = %s\nwant %s", raw, wantRaw)
	}
	if p := (Plugin{}); p.Priority() != 801 {
		t.Errorf("priority %d", p.Priority())
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name   string
		config map[string]any
		// path is the error's location inside config; want its message.
		path []string
		want string
	}{
		{"header value with CRLF", map[string]any{"add": map[string]any{"headers": []any{"x-a:b\r\nx-evil: 1"}}},
			[]string{"add", "headers"}, "header 'x-a' has a value with CR or LF characters"},
		{"header value with LF", map[string]any{"replace": map[string]any{"headers": []any{"x-a:b\nc"}}},
			[]string{"replace", "headers"}, "header 'x-a' has a value with CR or LF characters"},
		{"header value with CR", map[string]any{"append": map[string]any{"headers": []any{"x-a:b\rc"}}},
			[]string{"append", "headers"}, "header 'x-a' has a value with CR or LF characters"},
		{"header without colon", map[string]any{"add": map[string]any{"headers": []any{"x-a"}}},
			[]string{"add", "headers"}, "invalid value: x-a"},
		{"bad header name", map[string]any{"add": map[string]any{"headers": []any{"x a:b"}}},
			[]string{"add", "headers"}, "'x a' is not a valid header"},
		{"bad removed header", map[string]any{"remove": map[string]any{"headers": []any{"x\r\ny"}}},
			[]string{"remove", "headers"}, "'x\r\ny' is not a valid header"},
		{"bad rename target", map[string]any{"rename": map[string]any{"headers": []any{"x-a:x b"}}},
			[]string{"rename", "headers"}, "'x b' is not a valid header"},
		{"body without value", map[string]any{"add": map[string]any{"body": []any{"k"}}},
			[]string{"add", "body"}, "key 'k' has no value"},
		{"query with empty value", map[string]any{"replace": map[string]any{"querystring": []any{"k:"}}},
			[]string{"replace", "querystring"}, "key 'k' has no value"},
		{"lower-case method", map[string]any{"http_method": "get"}, []string{"http_method"}, "invalid value: get"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, perr := pluginsSchema().Process(entity.Object{"name": Name, "config": tc.config}, entity.OpInsert, nil)
			if perr == nil {
				t.Fatal("accepted")
			}
			var at any = perr.Fields
			for _, k := range append([]string{"config"}, tc.path...) {
				m, _ := at.(map[string]any)
				at = m[k]
			}
			if list, ok := at.([]any); ok {
				at = list[0]
			}
			if at != tc.want {
				t.Errorf("error %#v, want %q (fields %v)", at, tc.want, perr.Fields)
			}
		})
	}
	ok := map[string]any{
		"http_method": "POST",
		"add":         map[string]any{"headers": []any{"x-a:b:c", "x-e:"}, "body": []any{"k:v"}, "querystring": []any{"q:1"}},
		"rename":      map[string]any{"headers": []any{"x-a:x-b"}},
		"replace":     map[string]any{"uri": "/new"},
		"remove":      map[string]any{"body": []any{"anything at all"}},
	}
	if _, perr := pluginsSchema().Process(entity.Object{"name": Name, "config": ok}, entity.OpInsert, nil); perr != nil {
		t.Errorf("valid config refused: %v", perr.Fields)
	}
	if _, err := NewHandler(Config{Add: Operations{Headers: []string{"x:a\nb"}}}); err == nil {
		t.Error("NewHandler accepted a header value with LF")
	}
}

func TestSplitPair(t *testing.T) {
	for in, want := range map[string]pair{
		"a:b":    {"a", "b"},
		"a::b":   {"a", "b"},
		"a:b:c":  {"a", "b:c"},
		"a":      {"a", ""},
		"a:":     {"a", ""},
		"a:http": {"a", "http"},
	} {
		if got := splitPair(in); got != want {
			t.Errorf("splitPair(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestHeaders(t *testing.T) {
	h := newHandler(t, entity.Object{
		"remove":  map[string]any{"headers": []any{"x-remove", "host"}},
		"rename":  map[string]any{"headers": []any{"x-old:x-new", "x-missing:x-other"}},
		"replace": map[string]any{"headers": []any{"x-rep:new", "x-absent:no"}},
		"add":     map[string]any{"headers": []any{"x-add:added", "x-keep:ignored", "x-empty:"}},
		"append":  map[string]any{"headers": []any{"x-keep:second", "x-app:a1", "x-app:a2"}},
	})
	ctx := plugintest.NewContext("/")
	r := ctx.Req
	for _, kv := range [][2]string{{"X-Remove", "1"}, {"Host", "h"}, {"X-Old", "o1"}, {"X-Old", "o2"}, {"X-New", "stale"},
		{"X-Rep", "old"}, {"X-Keep", "first"}} {
		r.Headers.Add(kv[0], kv[1])
	}
	h.Access(ctx)
	want := map[string][]string{
		"X-Remove": nil, "Host": {"h"}, "X-Old": nil, "X-New": {"o1", "o2"}, "X-Other": nil,
		"X-Rep": {"new"}, "X-Absent": nil, "X-Add": {"added"}, "X-Keep": {"first", "second"},
		"X-App": {"a1", "a2"}, "X-Empty": nil,
	}
	for name, vv := range want {
		if got := r.Headers.Values(name); !reflect.DeepEqual(got, vv) {
			t.Errorf("%s = %q, want %q", name, got, vv)
		}
	}
}

func TestHostReplace(t *testing.T) {
	h := newHandler(t, entity.Object{"replace": map[string]any{"headers": []any{"host:upstream.test"}},
		"add": map[string]any{"headers": []any{"host:never"}}})
	ctx := plugintest.NewContext("/")
	h.Access(ctx)
	if got := ctx.Req.Headers.Values("Host"); !reflect.DeepEqual(got, []string{"upstream.test"}) {
		t.Errorf("Host = %q", got)
	}
}

func TestQuery(t *testing.T) {
	h := newHandler(t, entity.Object{
		"remove":  map[string]any{"querystring": []any{"drop"}},
		"rename":  map[string]any{"querystring": []any{"old:new"}},
		"replace": map[string]any{"querystring": []any{"rep:r", "nope:x"}},
		"add":     map[string]any{"querystring": []any{"added:a b", "rep:ignored"}},
		"append":  map[string]any{"querystring": []any{"multi:3", "fresh:f"}},
	})
	ctx := plugintest.NewContext("/")
	ctx.Req.SetRawQuery("drop=1&old=o&rep=1&multi=1&multi=2")
	h.Access(ctx)
	want := map[string][]string{"new": {"o"}, "rep": {"r"}, "added": {"a b"}, "multi": {"1", "2", "3"}, "fresh": {"f"}}
	if !reflect.DeepEqual(map[string][]string(ctx.Req.Args), want) {
		t.Errorf("query = %v, want %v", ctx.Req.Args, want)
	}
}

func TestArgsEncode(t *testing.T) {
	a := parseArgs("b=2&flag&a=1&b=3&sp=x+y&pct=%2F")
	a.set("c", "x&y=z")
	if got, want := a.encode(), "b=2&b=3&flag&a=1&sp=x%20y&pct=%2F&c=x%26y%3Dz"; got != want {
		t.Errorf("encode = %q, want %q", got, want)
	}
	a.appendValue("flag", "v")
	if i := a.index("flag"); a[i].flag || !reflect.DeepEqual(a[i].values, []string{"v"}) {
		t.Errorf("append to flag: %+v", a[i])
	}
}

func TestURIAndMethod(t *testing.T) {
	h := newHandler(t, entity.Object{"http_method": "GET", "replace": map[string]any{"uri": "/new/path"}})
	ctx := plugintest.NewContext("/old")
	req := &methodRequest{Request: ctx.Req}
	ctx.Req.MethodName = "POST"
	ctx.Req.Headers.Add("Content-Type", "application/x-www-form-urlencoded")
	ctx.Req.BodyBytes = []byte("a=1&b=2")
	ctx.Req.SetRawQuery("a=0")
	h.Access(&methodCtx{Context: ctx, req: req})
	if ctx.Req.PathValue != "/new/path" || req.method != "GET" {
		t.Errorf("path %q method %q", ctx.Req.PathValue, req.method)
	}
	if want := map[string][]string{"a": {"0", "1"}, "b": {"2"}}; !reflect.DeepEqual(map[string][]string(ctx.Req.Args), want) {
		t.Errorf("form moved to query: %v, want %v", ctx.Req.Args, want)
	}

	// Without engine support the method stays and nothing moves.
	ctx = plugintest.NewContext("/old")
	ctx.Req.MethodName = "POST"
	ctx.Req.Headers.Add("Content-Type", "application/x-www-form-urlencoded")
	ctx.Req.BodyBytes = []byte("a=1")
	h.Access(ctx)
	if ctx.Req.MethodName != "POST" || len(ctx.Req.Args) != 0 {
		t.Errorf("method %q query %v", ctx.Req.MethodName, ctx.Req.Args)
	}
}

type methodRequest struct {
	*plugintest.Request
	method string
}

func (r *methodRequest) SetMethod(m string) { r.method = m }

type methodCtx struct {
	*plugintest.Context
	req *methodRequest
}

func (c *methodCtx) Request() plugin.Request { return c.req }

func TestBody(t *testing.T) {
	ops := entity.Object{
		"remove":  map[string]any{"body": []any{"drop"}},
		"rename":  map[string]any{"body": []any{"old:new"}},
		"replace": map[string]any{"body": []any{"rep:r", "off:on"}},
		"add":     map[string]any{"body": []any{"added:a", "off:ignored-by-replace", "rep:kept"}},
		"append":  map[string]any{"body": []any{"list:3", "str:s2", "fresh:f"}},
	}
	tests := []struct {
		name        string
		config      entity.Object
		contentType string
		body        string
		want        string // "" means unchanged
		wantJSON    map[string]any
	}{
		{name: "json", config: ops, contentType: "application/json; charset=utf-8",
			body: `{"drop":1,"old":{"x":1},"rep":2,"off":false,"list":[1,2],"str":"s1","big":12345678901234567890}`,
			wantJSON: map[string]any{"new": map[string]any{"x": json.Number("1")}, "rep": "r", "off": "ignored-by-replace",
				"list": []any{json.Number("1"), json.Number("2"), "3"}, "str": []any{"s1", "s2"}, "fresh": []any{"f"},
				"added": "a", "big": json.Number("12345678901234567890")}},
		{name: "empty json gets additions only", config: ops, contentType: "application/json",
			wantJSON: map[string]any{"added": "a", "off": "ignored-by-replace", "rep": "kept", "list": []any{"3"},
				"str": []any{"s2"}, "fresh": []any{"f"}}},
		{name: "invalid json unchanged", config: ops, contentType: "application/json", body: `{"a":`},
		{name: "json array unchanged", config: ops, contentType: "application/json", body: `[1]`},
		{name: "form", config: ops, contentType: "application/x-www-form-urlencoded",
			body: "drop=1&old=o&rep=1&list=1&list=2&str=s1&keep=k",
			want: "rep=r&list=1&list=2&list=3&str=s1&str=s2&keep=k&new=o&added=a&off=ignored-by-replace&fresh=f"},
		{name: "other content type untouched", config: ops, contentType: "text/plain", body: "drop=1"},
		{name: "no content type untouched", config: ops, body: "drop=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, tc.config)
			ctx := plugintest.NewContext("/")
			ctx.Req.MethodName = "POST"
			if tc.contentType != "" {
				ctx.Req.Headers.Add("Content-Type", tc.contentType)
			}
			ctx.Req.BodyBytes = []byte(tc.body)
			h.Access(ctx)
			got := string(ctx.Req.BodyBytes)
			switch {
			case tc.wantJSON != nil:
				var m map[string]any
				dec := json.NewDecoder(strings.NewReader(got))
				dec.UseNumber()
				if err := dec.Decode(&m); err != nil || !reflect.DeepEqual(m, tc.wantJSON) {
					t.Errorf("body %s\nwant %v", got, tc.wantJSON)
				}
			case tc.want != "":
				if got != tc.want {
					t.Errorf("body %q\nwant %q", got, tc.want)
				}
			default:
				if got != tc.body {
					t.Errorf("body changed to %q", got)
				}
			}
		})
	}
}

func TestMultipartBody(t *testing.T) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, kv := range [][2]string{{"drop", "1"}, {"old", "o"}, {"rep", "1"}, {"keep", "k"}} {
		_ = mw.WriteField(kv[0], kv[1])
	}
	fw, _ := mw.CreateFormFile("file", "a.txt")
	_, _ = fw.Write([]byte("file-data"))
	mw.Close()
	h := newHandler(t, entity.Object{
		"remove":  map[string]any{"body": []any{"drop"}},
		"rename":  map[string]any{"body": []any{"old:new"}},
		"replace": map[string]any{"body": []any{"rep:r"}},
		"add":     map[string]any{"body": []any{"added:a", "keep:ignored"}},
	})
	ctx := plugintest.NewContext("/")
	ctx.Req.MethodName = "POST"
	ctx.Req.Headers.Add("Content-Type", mw.FormDataContentType())
	ctx.Req.BodyBytes = buf.Bytes()
	h.Access(ctx)
	form, err := multipart.NewReader(bytes.NewReader(ctx.Req.BodyBytes), mw.Boundary()).ReadForm(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"new": {"o"}, "rep": {"r"}, "keep": {"k"}, "added": {"a"}}
	if !reflect.DeepEqual(form.Value, want) {
		t.Errorf("fields %v, want %v", form.Value, want)
	}
	if files := form.File["file"]; len(files) != 1 || files[0].Filename != "a.txt" {
		t.Errorf("file part lost: %v", form.File)
	}
}

func TestBodyTooLargeUntouched(t *testing.T) {
	h := newHandler(t, entity.Object{"add": map[string]any{"body": []any{"a:1"}}})
	ctx := plugintest.NewContext("/")
	ctx.Req.Headers.Add("Content-Type", "application/json")
	ctx.Req.BodyBytes, ctx.Req.MaxBody = []byte(`{"big":"xxxxxxxx"}`), 4
	h.Access(ctx)
	if string(ctx.Req.BodyBytes) != `{"big":"xxxxxxxx"}` {
		t.Errorf("body replaced: %s", ctx.Req.BodyBytes)
	}
}
