package cors

import (
	"reflect"
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

func TestDefaults(t *testing.T) {
	p := Plugin{}
	got := plugin.FillDefaults(p.ConfigSchema(), nil)
	want := entity.Object{
		"origins": nil, "headers": nil, "exposed_headers": nil, "methods": allMethods, "max_age": nil,
		"credentials": false, "private_network": false, "preflight_continue": false, "allow_origin_absent": true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults = %v\nwant %v", got, want)
	}
	if p.Priority() != 2000 || p.Name() != "cors" || !p.Scope().Has(plugin.NoConsumer) {
		t.Errorf("identity: %s %d %v", p.Name(), p.Priority(), p.Scope())
	}
}

func TestCheckOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"*":                   "",
		"https://example.com": "",
		`.*\.example\.org`:    "",
		"(":                   "'(' is not a valid regex",
	} {
		if got := checkOrigin(in); got != want {
			t.Errorf("checkOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}

// request describes the client request of a case.
type request struct {
	method  string
	headers []string
}

func (r request) context() *plugintest.Context {
	ctx := plugintest.NewContext("/")
	if r.method != "" {
		ctx.Req.MethodName = r.method
	}
	for i := 0; i+1 < len(r.headers); i += 2 {
		ctx.Req.Headers.Add(r.headers[i], r.headers[i+1])
	}
	return ctx
}

func preflight(origin string, extra ...string) request {
	return request{method: "OPTIONS", headers: append([]string{"Origin", origin, "Access-Control-Request-Method", "POST"}, extra...)}
}

func TestPreflight(t *testing.T) {
	tests := []struct {
		name   string
		config entity.Object
		req    request
		// want lists the exit headers; nil with wantExit false means the
		// request goes on.
		want     map[string]string
		wantExit bool
	}{
		{name: "defaults echo request headers", req: preflight("http://a.test", "Access-Control-Request-Headers", "X-A, X-B"),
			wantExit: true, want: map[string]string{
				"Access-Control-Allow-Origin":  "*",
				"Access-Control-Allow-Headers": "X-A, X-B",
				"Access-Control-Allow-Methods": "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT",
			}},
		{name: "configured headers methods max age", config: entity.Object{
			"headers": []any{"X-A", "X-B"}, "methods": []any{"GET", "POST"}, "max_age": 3600.0,
		}, req: preflight("http://a.test", "Access-Control-Request-Headers", "X-C"), wantExit: true, want: map[string]string{
			"Access-Control-Allow-Origin":  "*",
			"Access-Control-Allow-Headers": "X-A,X-B",
			"Access-Control-Allow-Methods": "GET,POST",
			"Access-Control-Max-Age":       "3600",
		}},
		{name: "credentials with wildcard echo the origin", config: entity.Object{"credentials": true},
			req: preflight("http://a.test"), wantExit: true, want: map[string]string{
				"Access-Control-Allow-Origin":      "http://a.test",
				"Access-Control-Allow-Credentials": "true",
				"Vary":                             "Origin",
				"Access-Control-Allow-Methods":     "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT",
			}},
		{name: "listed origin refused", config: entity.Object{"origins": []any{"http://a.test", "http://b.test"}, "credentials": true},
			req: preflight("http://c.test"), wantExit: true, want: map[string]string{
				"Vary":                             "Origin",
				"Access-Control-Allow-Credentials": "true",
				"Access-Control-Allow-Methods":     "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT",
			}},
		{name: "private network requested", config: entity.Object{"private_network": true},
			req: preflight("http://a.test", "Access-Control-Request-Private-Network", "true"), wantExit: true, want: map[string]string{
				"Access-Control-Allow-Origin":          "*",
				"Access-Control-Allow-Methods":         "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT",
				"Access-Control-Allow-Private-Network": "true",
			}},
		{name: "preflight_continue", config: entity.Object{"preflight_continue": true}, req: preflight("http://a.test")},
		{name: "options without request method", req: request{method: "OPTIONS", headers: []string{"Origin", "http://a.test"}}},
		{name: "options without origin", req: request{method: "OPTIONS", headers: []string{"Access-Control-Request-Method", "GET"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, tc.config)
			ctx := tc.req.context()
			h.Access(ctx)
			if ctx.Exited() != tc.wantExit {
				t.Fatalf("exited = %v, want %v", ctx.Exited(), tc.wantExit)
			}
			if !tc.wantExit {
				return
			}
			if ctx.Resp.Code != 200 || len(ctx.Resp.Body) != 0 {
				t.Errorf("exit %d %q, want 200 with an empty body", ctx.Resp.Code, ctx.Resp.Body)
			}
			got := map[string]string{}
			ctx.Resp.Headers.Range(func(name, value string) bool { got[name] = value; return true })
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("headers = %v\nwant %v", got, tc.want)
			}
			// The header filter leaves an answered preflight alone.
			before := ctx.Resp.Headers.Len()
			h.HeaderFilter(ctx)
			if ctx.Resp.Headers.Len() != before {
				t.Errorf("header filter changed the preflight answer")
			}
		})
	}
}

func TestResponseHeaders(t *testing.T) {
	const absent = "<absent>"
	tests := []struct {
		name     string
		config   entity.Object
		req      request
		upstream []string
		want     map[string]string // absent: header must not be there
		wantVary []string
	}{
		{name: "wildcard", req: request{headers: []string{"Origin", "http://a.test"}},
			want: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": absent}},
		{name: "no origin allowed by default", want: map[string]string{"Access-Control-Allow-Origin": "*"}},
		{name: "no origin with allow_origin_absent false", config: entity.Object{"allow_origin_absent": false, "exposed_headers": []any{"X-A"}},
			want: map[string]string{"Access-Control-Allow-Origin": absent, "Access-Control-Expose-Headers": absent}},
		{name: "single plain origin is always sent", config: entity.Object{"origins": []any{"http://a.test"}},
			req:  request{headers: []string{"Origin", "http://other.test"}},
			want: map[string]string{"Access-Control-Allow-Origin": "http://a.test"}, wantVary: []string{"Origin"}},
		{name: "listed origin normalized", config: entity.Object{"origins": []any{"https://a.test", "http://b.test:8080"}},
			req:  request{headers: []string{"Origin", "https://a.test:443"}},
			want: map[string]string{"Access-Control-Allow-Origin": "https://a.test"}, wantVary: []string{"Origin"}},
		{name: "listed origin with port", config: entity.Object{"origins": []any{"https://a.test", "http://b.test:8080"}},
			req:  request{headers: []string{"Origin", "http://b.test:8080"}},
			want: map[string]string{"Access-Control-Allow-Origin": "http://b.test:8080"}, wantVary: []string{"Origin"}},
		{name: "refused origin removes the upstream header", config: entity.Object{"origins": []any{"https://a.test", "https://b.test"}},
			req: request{headers: []string{"Origin", "https://evil.test"}}, upstream: []string{"Access-Control-Allow-Origin", "*", "Vary", "Accept"},
			want: map[string]string{"Access-Control-Allow-Origin": absent}, wantVary: []string{"Accept", "Origin"}},
		{name: "regex on host", config: entity.Object{"origins": []any{`.*\.example\.org`, "http://x.test"}},
			req:  request{headers: []string{"Origin", "https://api.example.org"}},
			want: map[string]string{"Access-Control-Allow-Origin": "https://api.example.org"}, wantVary: []string{"Origin"}},
		{name: "regex on host is anchored", config: entity.Object{"origins": []any{`.*\.example\.org`, "http://x.test"}},
			req:  request{headers: []string{"Origin", "https://api.example.org.evil.test"}},
			want: map[string]string{"Access-Control-Allow-Origin": absent}, wantVary: []string{"Origin"}},
		{name: "single regex with scheme matches the full origin", config: entity.Object{"origins": []any{`^https?://good\.test(:\d+)?$`}},
			req:  request{headers: []string{"Origin", "http://good.test:81"}},
			want: map[string]string{"Access-Control-Allow-Origin": "http://good.test:81"}, wantVary: []string{"Origin"}},
		{name: "wildcard in a list", config: entity.Object{"origins": []any{"http://a.test", "*"}, "credentials": true},
			req:      request{headers: []string{"Origin", "http://z.test"}},
			want:     map[string]string{"Access-Control-Allow-Origin": "http://z.test", "Access-Control-Allow-Credentials": "true"},
			wantVary: []string{"Origin"}},
		{name: "credentials with listed origin", config: entity.Object{"origins": []any{"http://a.test", "http://b.test"}, "credentials": true,
			"exposed_headers": []any{"X-A", "X-B"}},
			req: request{headers: []string{"Origin", "http://b.test"}},
			want: map[string]string{"Access-Control-Allow-Origin": "http://b.test", "Access-Control-Allow-Credentials": "true",
				"Access-Control-Expose-Headers": "X-A,X-B"}, wantVary: []string{"Origin"}},
		{name: "credentials with wildcard and no origin", config: entity.Object{"credentials": true},
			want: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": absent}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, tc.config)
			ctx := tc.req.context()
			h.Access(ctx)
			if ctx.Exited() {
				t.Fatal("simple request ended in access")
			}
			for i := 0; i+1 < len(tc.upstream); i += 2 {
				ctx.Resp.Headers.Add(tc.upstream[i], tc.upstream[i+1])
			}
			h.HeaderFilter(ctx)
			for name, want := range tc.want {
				vv := ctx.Resp.Headers.Values(name)
				switch {
				case want == absent && len(vv) > 0:
					t.Errorf("%s = %v, want absent", name, vv)
				case want != absent && (len(vv) != 1 || vv[0] != want):
					t.Errorf("%s = %v, want %q", name, vv, want)
				}
			}
			if got := ctx.Resp.Headers.Values("Vary"); !reflect.DeepEqual(got, tc.wantVary) {
				t.Errorf("Vary = %v, want %v", got, tc.wantVary)
			}
		})
	}
}

func TestNormalizeOrigin(t *testing.T) {
	tests := []struct{ in, domain, host string }{
		{"http://a.test:80", "http://a.test", "a.test"},
		{"https://a.test:443/path", "https://a.test", "a.test"},
		{"https://a.test:80", "https://a.test:80", "a.test"},
		{"a.test", "a.test", "a.test"},
		{"null", "null", "null"},
		{"http://u@a.test:8080/x", "http://a.test:8080", "a.test"},
		{"http://[::1]:80", "http://[::1]", "[::1]"},
		{"http://[::1]:81", "http://[::1]:81", "[::1]"},
		{"https://", "https://", "https://"},
	}
	for _, tc := range tests {
		d, h := normalizeOrigin(tc.in)
		if d != tc.domain || h != tc.host {
			t.Errorf("normalizeOrigin(%q) = %q, %q; want %q, %q", tc.in, d, h, tc.domain, tc.host)
		}
	}
}

func BenchmarkHeaderFilterListed(b *testing.B) {
	h := newHandler(b, entity.Object{"origins": []any{`.*\.example\.org`, "https://a.test"}, "credentials": true})
	ctx := request{headers: []string{"Origin", "https://api.example.org"}}.context()
	b.ReportAllocs()
	for b.Loop() {
		ctx.Resp.Headers = plugintest.Headers{}
		h.HeaderFilter(ctx)
	}
}
