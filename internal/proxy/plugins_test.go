package proxy

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
	"github.com/straitgw/strait/internal/plugins/authn"
	"github.com/straitgw/strait/internal/plugins/keyauth"
	"github.com/straitgw/strait/internal/snapshot"
)

// probe is a plugin whose behaviour is driven by request headers, so one
// instance covers every phase. A blocking probe sends its requests off
// the event loops; a non-blocking one keeps them there.
type probe struct {
	logs     chan *plugin.LogRecord
	blocking bool
}

func (p probe) NonBlocking() bool { return !p.blocking }

func (probe) Rewrite(ctx plugin.Context) { ctx.Request().SetHeader("X-Rewritten", "1") }

func (probe) Access(ctx plugin.Context) {
	req := ctx.Request()
	if rt := ctx.Route(); rt != nil {
		req.SetHeader("X-Tag", rt.Name)
	}
	switch {
	case req.Header("X-Stop") != "":
		ctx.Exit(418, []byte("short"), plugin.Header{Name: "X-Why", Value: "stopped"})
	case req.Header("X-Deny") != "":
		ctx.Error(403, "")
	}
	if v := req.Header("X-Set-Body"); v != "" {
		req.SetBody([]byte(v))
	}
	if v := req.Header("X-Set-Path"); v != "" {
		req.SetPath(v)
	}
}

func (probe) HeaderFilter(ctx plugin.Context) {
	ctx.Response().SetHeader("X-Filtered", strconv.Itoa(ctx.Response().Status())+"/"+ctx.Response().Source())
}

func (probe) BodyFilter(ctx plugin.Context, chunk []byte, eof bool) []byte {
	if eof && ctx.Request().Header("X-Suffix") != "" {
		return append(chunk, '!')
	}
	return chunk
}

func (p probe) Log(rec *plugin.LogRecord) {
	select {
	case p.logs <- rec:
	default:
	}
}

// pluginGateway serves routes /open (global probe only) and /secure
// (probe plus key-auth), with consumer alice holding key "alice-key".
func pluginGateway(t *testing.T, logs chan *plugin.LogRecord, blocking bool) *gateway {
	t.Helper()
	up := newEchoUpstream(t)
	svc := newService(t, up.URL)
	holder := buildHolder(t,
		testRoute{id: "r-open", name: "open", paths: []string{"/open"}, strip: true, service: svc},
		testRoute{id: "r-secure", name: "secure", paths: []string{"/secure"}, strip: true, service: svc},
	)
	reg, err := plugin.NewRegistry(keyauth.Plugin{}, &plugintest.Plugin{PluginName: "probe", PluginPriority: 5000,
		Build: func(entity.Object) (plugin.Handler, error) { return probe{logs, blocking}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	attachPlugins(t, holder, reg, []plugin.Instance{
		{ID: "p1", Name: "probe", Enabled: true},
		{ID: "p2", Name: "key-auth", RouteID: "r-secure", Enabled: true},
	})
	g := startGateway(t, defaultTestOptions(), holder)
	g.probeLogs = logs
	return g
}

// attachPlugins compiles instances into the holder's snapshot, with a
// directory holding consumer alice and her key.
func attachPlugins(t testing.TB, holder *snapshot.Holder, reg *plugin.Registry, instances []plugin.Instance) {
	t.Helper()
	snap := holder.Load()
	set, err := plugin.Compile(reg, instances)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := authn.NewDirectory(authn.Sources{
		Consumers:          []entity.Object{{"id": "c-alice", "username": "alice"}},
		KeyAuthCredentials: []entity.Object{{"id": "k-alice", "key": "alice-key", "consumer": map[string]any{"id": "c-alice"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	snap.Plugins, snap.HasPlugins, snap.Directory = set, len(instances) > 0, dir
	for _, rt := range snap.Routes {
		rt.Info = &plugin.RouteInfo{ID: rt.ID, Name: rt.Name}
		serviceID := ""
		if rt.Service != nil {
			serviceID = rt.Service.ID
		}
		rt.Plugins = set.Chain(rt.ID, serviceID)
	}
}

// forEachProbe runs fn with a non-blocking probe (served on the event
// loops) and a blocking one (served off them), and checks which way the
// requests went.
func forEachProbe(t *testing.T, fn func(t *testing.T, g *gateway)) {
	for _, blocking := range []bool{false, true} {
		t.Run("blocking="+strconv.FormatBool(blocking), func(t *testing.T) {
			g := pluginGateway(t, make(chan *plugin.LogRecord, 16), blocking)
			fn(t, g)
			if defaultEngine != engineLoop {
				return
			}
			if off := g.proxy.OffLoop()[OffLoopPlugin]; (off > 0) != blocking {
				t.Errorf("%d requests went off the loop for a plugin, blocking=%v", off, blocking)
			}
		})
	}
}

func TestPluginPhases(t *testing.T) { forEachProbe(t, testPluginPhases) }

func testPluginPhases(t *testing.T, g *gateway) {

	resp := g.do(t, "GET", "/open/x", http.Header{"X-Suffix": {"1"}}, nil)
	body := readBody(t, resp)
	if resp.StatusCode != 200 || !strings.HasSuffix(body, "!") || resp.Header.Get("X-Filtered") != "200/service" {
		t.Fatalf("proxied: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	e := decodeEchoString(t, strings.TrimSuffix(body, "!"))
	if e.Header.Get("X-Rewritten") != "1" || e.Header.Get("X-Tag") != "open" {
		t.Errorf("upstream headers %v", e.Header)
	}

	resp = g.do(t, "GET", "/open/x", http.Header{"X-Stop": {"1"}, "X-Suffix": {"1"}}, nil)
	body = readBody(t, resp)
	if resp.StatusCode != 418 || body != "short!" || resp.Header.Get("X-Why") != "stopped" ||
		resp.Header.Get("X-Filtered") != "418/exit" || resp.Header.Get("X-Kong-Request-Id") == "" ||
		resp.Header.Get("Server") != "kong/3.9.1" || resp.Header.Get("X-Kong-Response-Latency") == "" {
		t.Errorf("exit: %d %q %v", resp.StatusCode, body, resp.Header)
	}

	resp = g.do(t, "GET", "/open/x", http.Header{"X-Deny": {"1"}, "Accept": {"text/plain"}}, nil)
	body = readBody(t, resp)
	if resp.StatusCode != 403 || !strings.HasPrefix(body, "Forbidden\nrequest_id: ") ||
		resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("error exit: %d %q %v", resp.StatusCode, body, resp.Header)
	}

	resp = g.do(t, "POST", "/open/x", http.Header{"X-Set-Body": {"replaced"}, "X-Set-Path": {"/elsewhere"}},
		strings.NewReader("original body"))
	e = decodeEcho(t, resp)
	if e.Body != "replaced" || e.RequestURI != "/elsewhere" {
		t.Errorf("rewritten request: body %q uri %q", e.Body, e.RequestURI)
	}

	resp = g.do(t, "GET", "/nowhere", nil, nil)
	readBody(t, resp)
	if resp.StatusCode != 404 || resp.Header.Get("X-Filtered") != "404/error" {
		t.Errorf("no route: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestPluginKeyAuthThroughProxy(t *testing.T) { forEachProbe(t, testPluginKeyAuthThroughProxy) }

func testPluginKeyAuthThroughProxy(t *testing.T, g *gateway) {
	logs := g.probeLogs

	resp := g.do(t, "GET", "/secure/x", nil, nil)
	body := readBody(t, resp)
	if resp.StatusCode != 401 || !strings.Contains(body, `"message":"No API key found in request"`) ||
		resp.Header.Get("WWW-Authenticate") != "Key" {
		t.Errorf("no key: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp = g.do(t, "GET", "/secure/x", http.Header{"Apikey": {"alice-key"}, "X-Consumer-Id": {"forged"},
		"Authorization": {"Bearer t"}}, nil)
	e := decodeEcho(t, resp)
	if got := e.Header.Values("X-Consumer-Id"); len(got) != 1 || got[0] != "c-alice" {
		t.Errorf("X-Consumer-ID upstream %v", got)
	}
	if e.Header.Get("X-Credential-Identifier") != "k-alice" || e.Header.Get("X-Consumer-Username") != "alice" {
		t.Errorf("upstream headers %v", e.Header)
	}

	var rec *plugin.LogRecord
	deadline := time.After(2 * time.Second)
	for rec == nil || rec.Consumer == nil {
		select {
		case rec = <-logs:
		case <-deadline:
			t.Fatal("no log record with a consumer")
		}
	}
	if rec.Consumer.ID != "c-alice" || rec.AuthenticatedEntity.ID != "k-alice" || rec.Response.Status != 200 ||
		rec.Request.Headers["authorization"] != "REDACTED" || rec.Route == nil || rec.Route.Name != "secure" ||
		rec.Source != "upstream" {
		t.Errorf("log record %+v", rec)
	}
	if err := g.proxy.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := g.accessLog.lines(t)
	last := lines[len(lines)-1]
	if c, _ := last["consumer"].(map[string]any); c["id"] != "c-alice" {
		t.Errorf("access log consumer %v", last["consumer"])
	}
	if lines[0]["consumer"] != nil {
		t.Errorf("unauthenticated access log consumer %v", lines[0]["consumer"])
	}
}

func decodeEchoString(t *testing.T, body string) echoed {
	t.Helper()
	resp := &http.Response{StatusCode: 200, Body: io.NopCloser(bytes.NewReader([]byte(body)))}
	return decodeEcho(t, resp)
}

// benchmarkPlugins measures one proxied request with the given instances.
func benchmarkPlugins(b *testing.B, instances []plugin.Instance, header http.Header) {
	up := httptestServerB(b)
	svc := newService(b, up)
	holder := buildHolder(b, testRoute{id: "r1", name: "r", paths: []string{"/api"}, strip: true, service: svc})
	reg, err := plugin.NewRegistry(keyauth.Plugin{})
	if err != nil {
		b.Fatal(err)
	}
	attachPlugins(b, holder, reg, instances)
	p := New(Options{Version: "3.9.1", ServerTokens: true, LatencyTokens: true, RequestIDHeader: true, UpstreamRequestID: true}, holder)
	defer p.Close()
	req, _ := http.NewRequest("GET", "http://bench.test/api/users?x=1", nil)
	req.RemoteAddr = "192.0.2.1:5555"
	req.RequestURI = "/api/users?x=1"
	b.ReportAllocs()
	for b.Loop() {
		r := req.Clone(req.Context())
		for k, v := range header {
			r.Header[k] = v
		}
		rec := recorder{header: make(http.Header, 8)}
		p.ServeHTTP(&rec, r)
		if rec.status != 200 {
			b.Fatalf("status %d", rec.status)
		}
	}
}

func httptestServerB(b *testing.B) string {
	b.Helper()
	up := httptestServerTB(b, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "hello") })
	return up
}

func BenchmarkServeHTTPPlugins(b *testing.B) {
	b.Run("plugins=0", func(b *testing.B) { benchmarkPlugins(b, nil, nil) })
	b.Run("plugins=1/key-auth", func(b *testing.B) {
		benchmarkPlugins(b, []plugin.Instance{{ID: "p", Name: "key-auth", Enabled: true}}, http.Header{"Apikey": {"alice-key"}})
	})
}

// httptestServerTB starts an upstream for benchmarks and returns its URL.
func httptestServerTB(tb testing.TB, h http.HandlerFunc) string {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}
