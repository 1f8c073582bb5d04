package proxy

import (
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestUpstreamRequestHeaders(t *testing.T) {
	up := newEchoUpstream(t)
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	clientForwarded := http.Header{
		"X-Forwarded-For":    {"203.0.113.9"},
		"X-Forwarded-Proto":  {"https"},
		"X-Forwarded-Host":   {"public.example"},
		"X-Forwarded-Port":   {"8443"},
		"X-Forwarded-Path":   {"/outer/api/users"},
		"X-Forwarded-Prefix": {"/outer"},
		"X-Real-Ip":          {"203.0.113.9"},
	}
	tests := []struct {
		desc    string
		trusted []netip.Prefix
		realIP  string
		strip   bool
		header  http.Header
		want    map[string]string // "" means absent
	}{
		{
			desc: "untrusted peer, no client headers",
			want: map[string]string{
				"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "api.test",
				"X-Forwarded-Path": "/api/users", "X-Forwarded-Prefix": "", "X-Real-Ip": "127.0.0.1",
				"Via": "1.1 kong/3.9.1",
			},
		},
		{
			desc:   "untrusted peer: XFF appended, other forwarded headers replaced",
			header: clientForwarded,
			want: map[string]string{
				"X-Forwarded-For": "203.0.113.9, 127.0.0.1", "X-Forwarded-Proto": "http",
				"X-Forwarded-Host": "api.test", "X-Forwarded-Path": "/api/users",
				"X-Forwarded-Prefix": "", "X-Real-Ip": "127.0.0.1",
			},
		},
		{
			desc: "trusted peer: client values kept", trusted: loopback, header: clientForwarded,
			want: map[string]string{
				"X-Forwarded-For": "203.0.113.9, 127.0.0.1", "X-Forwarded-Proto": "https",
				"X-Forwarded-Host": "public.example", "X-Forwarded-Port": "8443",
				"X-Forwarded-Path": "/outer/api/users", "X-Forwarded-Prefix": "/outer",
				"X-Real-Ip": "127.0.0.1",
			},
		},
		{
			desc: "trusted peer with real_ip_header", trusted: loopback, realIP: "X-Real-IP", header: clientForwarded,
			want: map[string]string{"X-Real-Ip": "203.0.113.9", "X-Forwarded-For": "203.0.113.9, 127.0.0.1"},
		},
		{
			desc: "real_ip_header ignored from untrusted peer", realIP: "X-Real-IP", header: clientForwarded,
			want: map[string]string{"X-Real-Ip": "127.0.0.1"},
		},
		{
			desc: "prefix sent only when stripped", strip: true,
			want: map[string]string{"X-Forwarded-Prefix": "/api", "X-Forwarded-Path": "/api/users"},
		},
		{
			desc: "multiple XFF lines and Via appended", header: http.Header{
				"X-Forwarded-For": {"10.0.0.1", "10.0.0.2"}, "Via": {"1.0 fred"},
			},
			want: map[string]string{"X-Forwarded-For": "10.0.0.1, 10.0.0.2, 127.0.0.1", "Via": "1.0 fred, 1.1 kong/3.9.1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			svc := newService(t, up.URL)
			holder := buildHolder(t, testRoute{paths: []string{"/api"}, strip: tc.strip, service: svc})
			opts := defaultTestOptions()
			opts.TrustedIPs, opts.RealIPHeader = tc.trusted, tc.realIP
			g := startGateway(t, opts, holder)
			h := http.Header{"Host": {"API.test:9999"}}
			for k, v := range tc.header {
				h[k] = v
			}
			resp := g.do(t, "GET", "/api/users", h, nil)
			e := decodeEcho(t, resp)
			for name, want := range tc.want {
				if got := strings.Join(e.Header[name], ", "); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			port := g.server.Listener.Addr().(interface{ String() string }).String()
			if _, p, _ := strings.Cut(port, ":"); tc.trusted == nil && e.Header.Get("X-Forwarded-Port") != p {
				t.Errorf("X-Forwarded-Port = %q, want listener port %q", e.Header.Get("X-Forwarded-Port"), p)
			}
			if id := e.Header.Get("X-Kong-Request-Id"); id != resp.Header.Get("X-Kong-Request-Id") || len(id) != 32 {
				t.Errorf("upstream request id %q, response %q", id, resp.Header.Get("X-Kong-Request-Id"))
			}
			if ua := e.Header.Get("User-Agent"); ua != "Go-http-client/1.1" {
				t.Errorf("client User-Agent not relayed: %q", ua)
			}
		})
	}
}

func TestHopByHopHeaders(t *testing.T) {
	up := newEchoUpstream(t)
	holder := buildHolder(t, testRoute{paths: []string{"/"}, service: newService(t, up.URL)})
	g := startGateway(t, defaultTestOptions(), holder)

	tests := []struct {
		desc    string
		header  http.Header
		present map[string]string
		absent  []string
	}{
		{
			desc: "Connection cannot strip gateway headers",
			header: http.Header{
				"Connection":        {"X-Real-IP, X-Forwarded-For, X-Kong-Request-Id, Via, X-Secret"},
				"X-Secret":          {"s3cr3t"},
				"X-Kong-Request-Id": {"forged"},
			},
			present: map[string]string{"X-Real-Ip": "127.0.0.1", "X-Forwarded-For": "127.0.0.1", "Via": "1.1 kong/3.9.1"},
			absent:  []string{"X-Secret", "Connection"},
		},
		{
			desc:   "empty first Connection line then a listing line",
			header: http.Header{"Connection": {"", "X-Api-Key"}, "X-Api-Key": {"k1"}},
			absent: []string{"X-Api-Key"},
		},
		{
			desc: "fixed hop-by-hop set",
			header: http.Header{
				"Keep-Alive": {"timeout=5"}, "Proxy-Connection": {"keep-alive"}, "Proxy": {"http://evil"},
				"Te": {"gzip"}, "Upgrade": {"h2c"},
			},
			absent: []string{"Keep-Alive", "Proxy-Connection", "Proxy", "Te", "Upgrade"},
		},
		{
			desc:    "TE trailers survives",
			header:  http.Header{"Te": {"trailers, gzip"}},
			present: map[string]string{"Te": "trailers"},
		},
		{
			desc:    "end-to-end headers relayed",
			header:  http.Header{"Authorization": {"Bearer x"}, "X-Custom": {"a", "b"}},
			present: map[string]string{"Authorization": "Bearer x", "X-Custom": "a, b"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			resp := g.do(t, "GET", "/x", tc.header, nil)
			e := decodeEcho(t, resp)
			for name, want := range tc.present {
				if got := strings.Join(e.Header[name], ", "); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			for _, name := range tc.absent {
				if v, ok := e.Header[name]; ok {
					t.Errorf("%s reached the upstream: %q", name, v)
				}
			}
			if got := e.Header.Get("X-Kong-Request-Id"); got == "forged" || len(got) != 32 {
				t.Errorf("X-Kong-Request-Id upstream = %q", got)
			}
		})
	}
}

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestResponseHeaders(t *testing.T) {
	up := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.URL.Query().Get("server") != "" {
			h.Set("Server", "upstream/1.0")
		} else {
			h["Server"] = nil
		}
		if r.URL.Query().Get("via") != "" {
			h.Set("Via", "1.1 inner")
		}
		h.Set("Connection", "X-Hop")
		h.Set("X-Hop", "drop me")
		h.Set("Keep-Alive", "timeout=3")
		status := http.StatusOK
		if r.URL.Query().Get("fail") != "" {
			status = http.StatusServiceUnavailable
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte("upstream body"))
	})
	svc := newService(t, up.URL)
	holder := buildHolder(t, testRoute{paths: []string{"/"}, service: svc, name: "r1"})

	tests := []struct {
		desc   string
		opts   func(*Options)
		query  string
		status int
		want   map[string]string // value "*" means present with any value, "" absent
	}{
		{desc: "defaults", want: map[string]string{
			"Server": "kong/3.9.1", "Via": "1.1 kong/3.9.1", "X-Kong-Upstream-Latency": "*",
			"X-Kong-Proxy-Latency": "*", "X-Hop": "", "Keep-Alive": "", "X-Kong-Response-Latency": "",
		}},
		{desc: "upstream Server kept, Via appended", query: "?server=1&via=1", want: map[string]string{
			"Server": "upstream/1.0", "Via": "1.1 inner, 1.1 kong/3.9.1",
		}},
		{desc: "upstream 5xx passed through", query: "?fail=1", status: 503, want: map[string]string{"Server": "kong/3.9.1"}},
		{desc: "tokens off", opts: func(o *Options) { o.ServerTokens, o.LatencyTokens, o.RequestIDHeader = false, false, false },
			want: map[string]string{"Server": "", "Via": "", "X-Kong-Upstream-Latency": "", "X-Kong-Request-Id": ""}},
		{desc: "debug header", opts: func(o *Options) { o.AllowDebugHeader = true }, want: map[string]string{
			"Kong-Route-Name": "r1", "Kong-Service-Id": "svc-1", "Kong-Service-Name": "echo",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			opts := defaultTestOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			g := startGateway(t, opts, holder)
			resp := g.do(t, "GET", "/p"+tc.query, http.Header{"Kong-Debug": {"1"}}, nil)
			body := readBody(t, resp)
			want := tc.status
			if want == 0 {
				want = 200
			}
			if resp.StatusCode != want || body != "upstream body" {
				t.Fatalf("status %d body %q", resp.StatusCode, body)
			}
			for name, w := range tc.want {
				got, ok := resp.Header[name]
				switch {
				case w == "" && ok:
					t.Errorf("%s present: %q", name, got)
				case w == "*" && !ok:
					t.Errorf("%s missing", name)
				case w != "" && w != "*" && strings.Join(got, ", ") != w:
					t.Errorf("%s = %q, want %q", name, got, w)
				}
			}
			if opts.RequestIDHeader && !requestIDPattern.MatchString(resp.Header.Get("X-Kong-Request-Id")) {
				t.Errorf("bad request id %q", resp.Header.Get("X-Kong-Request-Id"))
			}
		})
	}
}

func TestPathBuilding(t *testing.T) {
	up := newEchoUpstream(t)
	tests := []struct {
		desc        string
		servicePath string
		routePath   string
		strip       bool
		request     string
		want        string
	}{
		{"strip, no service path", "", "/foo", true, "/foo/bar", "/bar"},
		{"strip to root", "", "/foo", true, "/foo", "/"},
		{"strip partial segment", "", "/foo", true, "/foobar", "/bar"},
		{"no strip", "", "/foo", false, "/foo/bar", "/foo/bar"},
		{"service path", "/svc", "/foo", true, "/foo/bar", "/svc/bar"},
		{"service path exact", "/svc", "/foo", true, "/foo", "/svc"},
		{"service path no strip", "/svc", "/foo", false, "/foo/bar", "/svc/foo/bar"},
		{"service path with slash", "/svc/", "/foo", true, "/foo/bar", "/svc/bar"},
		{"query kept verbatim", "/svc", "/foo", true, "/foo/bar?a=1&b=%20x&a=2", "/svc/bar?a=1&b=%20x&a=2"},
		{"bare question mark kept", "", "/foo", false, "/foo/x?", "/foo/x?"},
		{"encoded reserved kept", "", "/foo", false, "/foo/a%2Fb", "/foo/a%2Fb"},
		{"unreserved decoded", "", "/foo", false, "/foo/%7Euser", "/foo/~user"},
		{"dot segments removed", "", "/foo", false, "/foo/a/../b", "/foo/b"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			svc := newService(t, up.URL)
			svc.Path = tc.servicePath
			holder := buildHolder(t, testRoute{paths: []string{tc.routePath}, strip: tc.strip, service: svc})
			g := startGateway(t, defaultTestOptions(), holder)
			got := rawEchoURI(t, g, tc.request)
			if got != tc.want {
				t.Errorf("upstream URI = %q, want %q", got, tc.want)
			}
		})
	}
}

// rawEchoURI sends a request line verbatim and returns the URI the echo
// upstream received.
func rawEchoURI(t *testing.T, g *gateway, uri string) string {
	t.Helper()
	resp := rawRequest(t, g.server.Listener.Addr().String(),
		"GET "+uri+" HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n")
	_, body, ok := strings.Cut(resp, "\r\n\r\n")
	if !ok || !strings.HasPrefix(resp, "HTTP/1.1 200") {
		t.Fatalf("response %q", resp)
	}
	i := strings.Index(body, `"RequestURI":"`)
	if i < 0 {
		t.Fatalf("no RequestURI in %q", body)
	}
	rest := body[i+len(`"RequestURI":"`):]
	raw := rest[:strings.IndexByte(rest, '"')]
	return strings.ReplaceAll(raw, `\u0026`, "&")
}

func TestHostHeaderUpstream(t *testing.T) {
	up := newEchoUpstream(t)
	u, _ := url.Parse(up.URL)
	tests := []struct {
		desc     string
		preserve bool
		port     int
		want     string
	}{
		{"service host and port", false, 0, u.Host},
		{"preserve_host keeps client Host", true, 0, "Client.Example:1234"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			svc := newService(t, up.URL)
			holder := buildHolder(t, testRoute{paths: []string{"/"}, preserveHost: tc.preserve, service: svc})
			g := startGateway(t, defaultTestOptions(), holder)
			e := decodeEcho(t, g.do(t, "GET", "/", http.Header{"Host": {"Client.Example:1234"}}, nil))
			if e.Host != tc.want {
				t.Errorf("Host = %q, want %q", e.Host, tc.want)
			}
		})
	}
	hostTests := []struct {
		host, scheme string
		port         int
		want         string
	}{
		{"svc.test", "http", 80, "svc.test"},
		{"svc.test", "https", 443, "svc.test"},
		{"svc.test", "http", 443, "svc.test:443"},
		{"::1", "http", 8080, "[::1]:8080"},
	}
	for _, ht := range hostTests {
		if got := string(appendServiceHost(nil, ht.host, ht.port, ht.scheme)); got != ht.want {
			t.Errorf("appendServiceHost(%s, %d, %s) = %q, want %q", ht.host, ht.port, ht.scheme, got, ht.want)
		}
	}
}
