package responsetransformer

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func newHandler(t testing.TB, config entity.Object) plugin.Handler {
	t.Helper()
	p := Plugin{}
	h, err := p.New(plugin.FillDefaults(p.ConfigSchema(), config))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

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
	two := map[string]any{"json": []any{}, "headers": []any{}}
	typed := map[string]any{"json": []any{}, "json_types": []any{}, "headers": []any{}}
	want := map[string]any{"remove": two, "rename": two, "replace": typed, "add": typed, "append": typed}
	raw, _ := json.Marshal(obj["config"])
	wantRaw, _ := json.Marshal(want)
	if string(raw) != string(wantRaw) {
		t.Errorf("config = %s\nwant %s", raw, wantRaw)
	}
	if p := (Plugin{}); p.Priority() != 800 {
		t.Errorf("priority %d", p.Priority())
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name   string
		config map[string]any
		path   []string
		want   string
	}{
		{"header value with CRLF", map[string]any{"add": map[string]any{"headers": []any{"x-a:1\r\nSet-Cookie: evil"}}},
			[]string{"add", "headers"}, "header 'x-a' has a value with CR or LF characters"},
		{"header value with LF", map[string]any{"append": map[string]any{"headers": []any{"x-a:1\nb"}}},
			[]string{"append", "headers"}, "header 'x-a' has a value with CR or LF characters"},
		{"header value with CR", map[string]any{"replace": map[string]any{"headers": []any{"x-a:1\rb"}}},
			[]string{"replace", "headers"}, "header 'x-a' has a value with CR or LF characters"},
		{"header without value", map[string]any{"add": map[string]any{"headers": []any{"x-a"}}},
			[]string{"add", "headers"}, "invalid value: x-a"},
		{"json without colon", map[string]any{"add": map[string]any{"json": []any{"k"}}},
			[]string{"add", "json"}, "invalid value: k"},
		{"bad json type", map[string]any{"add": map[string]any{"json_types": []any{"int"}}},
			[]string{"add", "json_types"}, "expected one of: boolean, number, string"},
		{"bad rename", map[string]any{"rename": map[string]any{"headers": []any{"x-a:x b"}}},
			[]string{"rename", "headers"}, "'x b' is not a valid header"},
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
	if _, err := NewHandler(Config{Append: Operations{Headers: []string{"x:a\r\nb"}}}); err == nil {
		t.Error("NewHandler accepted a header value with CR LF")
	}
}

func TestHeaders(t *testing.T) {
	h := newHandler(t, entity.Object{
		"remove":  map[string]any{"headers": []any{"x-remove"}},
		"rename":  map[string]any{"headers": []any{"x-old:x-new", "x-missing:x-other"}},
		"replace": map[string]any{"headers": []any{"x-rep:new", "x-absent:no"}},
		"add":     map[string]any{"headers": []any{"x-add:added", "x-keep:ignored"}},
		"append":  map[string]any{"headers": []any{"x-keep:second", "x-app:a1"}},
	})
	if _, ok := h.(plugin.BodyFilterer); ok {
		t.Fatal("a header-only instance takes part in the body filter phase")
	}
	ctx := plugintest.NewContext("/")
	for _, kv := range [][2]string{{"X-Remove", "1"}, {"X-Old", "o1"}, {"X-Old", "o2"}, {"X-Rep", "old"}, {"X-Keep", "first"},
		{"Content-Length", "10"}, {"Content-Type", "application/json"}} {
		ctx.Resp.Headers.Add(kv[0], kv[1])
	}
	h.(plugin.HeaderFilterer).HeaderFilter(ctx)
	want := map[string][]string{
		"X-Remove": nil, "X-Old": nil, "X-New": {"o1", "o2"}, "X-Other": nil, "X-Rep": {"new"}, "X-Absent": nil,
		"X-Add": {"added"}, "X-Keep": {"first", "second"}, "X-App": {"a1"}, "Content-Length": {"10"},
	}
	for name, vv := range want {
		if got := ctx.Resp.Headers.Values(name); !reflect.DeepEqual(got, vv) {
			t.Errorf("%s = %q, want %q", name, got, vv)
		}
	}
}

// run passes body through the header and body filters in chunks.
func run(t *testing.T, h plugin.Handler, contentType string, chunks ...string) (string, *plugintest.Context) {
	t.Helper()
	ctx := plugintest.NewContext("/")
	ctx.Resp.Headers.Add("Content-Type", contentType)
	ctx.Resp.Headers.Add("Content-Length", "99")
	h.(plugin.HeaderFilterer).HeaderFilter(ctx)
	bf := h.(plugin.BodyFilterer)
	var out []byte
	scratch := make([]byte, 0, 64)
	for i, c := range chunks {
		// The engine reuses its buffer between chunks.
		scratch = append(scratch[:0], c...)
		out = append(out, bf.BodyFilter(ctx, scratch, i == len(chunks)-1)...)
		for j := range scratch {
			scratch[j] = 'X'
		}
	}
	return string(out), ctx
}

func TestJSONBody(t *testing.T) {
	config := entity.Object{
		"remove":  map[string]any{"json": []any{"secret"}},
		"rename":  map[string]any{"json": []any{"old:new"}},
		"replace": map[string]any{"json": []any{"rep:7", "off:x", "gone:y"}, "json_types": []any{"number"}},
		"add":     map[string]any{"json": []any{"flag:true", "off:added", "rep:no", "url:http://a/b?c=<d>"}, "json_types": []any{"boolean"}},
		"append":  map[string]any{"json": []any{"list:3", "str:s2", "fresh:f", "bad:abc"}, "json_types": []any{"number", "string", "string", "number"}},
	}
	h := newHandler(t, config)
	body := `{"secret":"s","old":{"a":1},"rep":1,"off":false,"list":[1,2],"str":"s1","big":1234567890123456789012}`
	got, ctx := run(t, h, "application/json; charset=utf-8", body[:20], body[20:50], body[50:])
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(got))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body %q: %v", got, err)
	}
	want := map[string]any{
		"new": map[string]any{"a": json.Number("1")}, "rep": json.Number("7"), "off": "added", "flag": true,
		"url": "http://a/b?c=<d>", "list": []any{json.Number("1"), json.Number("2"), json.Number("3")},
		"str": []any{"s1", "s2"}, "fresh": []any{"f"}, "big": json.Number("1234567890123456789012"),
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("body = %s\nwant %v", got, want)
	}
	if cl := ctx.Resp.Headers.Values("Content-Length"); cl != nil {
		t.Errorf("Content-Length kept: %v", cl)
	}
}

func TestBodyPassThrough(t *testing.T) {
	h := newHandler(t, entity.Object{"add": map[string]any{"json": []any{"a:1"}}})
	tests := []struct {
		name, contentType string
		chunks            []string
		want              string
		wantLength        bool
	}{
		{"not json streams", "text/plain", []string{"abc", "def"}, "abcdef", true},
		{"invalid json unchanged", "application/json", []string{`{"a":`, `tru`}, `{"a":tru`, false},
		{"json array unchanged", "application/json", []string{`[1,`, `2]`}, `[1,2]`, false},
		{"empty json body unchanged", "application/json", []string{""}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ctx := run(t, h, tc.contentType, tc.chunks...)
			if got != tc.want {
				t.Errorf("body %q, want %q", got, tc.want)
			}
			if has := ctx.Resp.Headers.Get("Content-Length") != ""; has != tc.wantLength {
				t.Errorf("Content-Length present = %v", has)
			}
		})
	}
}

func TestTyped(t *testing.T) {
	tests := []struct {
		p    jsonPair
		want any
		ok   bool
	}{
		{jsonPair{value: "12", typ: "number"}, json.Number("12"), true},
		{jsonPair{value: "1.5e3", typ: "number"}, json.Number("1.5e3"), true},
		{jsonPair{value: "+5", typ: "number"}, 5.0, true},
		{jsonPair{value: "abc", typ: "number"}, nil, false},
		{jsonPair{value: "true", typ: "boolean"}, true, true},
		{jsonPair{value: "yes", typ: "boolean"}, false, true},
		{jsonPair{value: "12"}, "12", true},
		{jsonPair{value: ""}, nil, false},
	}
	for _, tc := range tests {
		got, ok := tc.p.typed()
		if got != tc.want || ok != tc.ok {
			t.Errorf("typed(%+v) = %#v, %v; want %#v, %v", tc.p, got, ok, tc.want, tc.ok)
		}
	}
}
