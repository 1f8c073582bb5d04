package proxy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/router"
	"github.com/straitgw/strait/internal/snapshot"
)

// testRoute describes one route and its service for a test snapshot.
type testRoute struct {
	id, name     string
	paths, hosts []string
	protocols    []string
	strip        bool
	preserveHost bool
	redirectCode int
	service      *snapshot.Service // nil: route without service
}

// newService returns a service pointing at an httptest server URL.
func newService(t testing.TB, rawURL string) *snapshot.Service {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	return &snapshot.Service{
		ID: "svc-1", Name: "echo", Protocol: u.Scheme, Host: u.Hostname(), Port: port,
		Retries: 0, ConnectTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
		ReadTimeout: 2 * time.Second, Enabled: true,
	}
}

func buildHolder(t testing.TB, routes ...testRoute) *snapshot.Holder {
	t.Helper()
	var rrs []router.Route
	snap := &snapshot.Snapshot{Services: map[string]*snapshot.Service{}, Routes: map[string]*snapshot.Route{}}
	for i, tr := range routes {
		if tr.id == "" {
			tr.id = "route-" + strconv.Itoa(i)
		}
		protocols := tr.protocols
		if protocols == nil {
			protocols = []string{"http", "https"}
		}
		sr := &snapshot.Route{
			ID: tr.id, Name: tr.name, Service: tr.service, Protocols: protocols,
			StripPath: tr.strip, PreserveHost: tr.preserveHost, HTTPSRedirectStatusCode: tr.redirectCode,
		}
		if sr.HTTPSRedirectStatusCode == 0 {
			sr.HTTPSRedirectStatusCode = 426
		}
		snap.Routes[sr.ID] = sr
		if tr.service != nil {
			snap.Services[tr.service.ID] = tr.service
		}
		rrs = append(rrs, router.Route{
			ID: tr.id, Name: tr.name, Protocols: protocols, Paths: tr.paths, Hosts: tr.hosts,
			StripPath: tr.strip, PreserveHost: tr.preserveHost, PathHandling: "v0", Data: sr,
		})
	}
	rt, err := router.New(rrs)
	if err != nil {
		t.Fatalf("router.New: %v", err)
	}
	snap.Router = rt
	h := &snapshot.Holder{}
	h.Store(snap)
	return h
}

// echoed is what the echo upstream saw.
type echoed struct {
	Method     string
	RequestURI string
	Host       string
	Header     http.Header
	Body       string
}

// newEchoUpstream answers every request with a JSON description of it.
func newEchoUpstream(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(echoed{r.Method, r.RequestURI, r.Host, r.Header, string(body)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// logBuffer is a goroutine-safe writer for logs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lines decodes JSON lines.
func (l *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("bad JSON line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// gateway is a proxy under test, served on a loopback listener.
type gateway struct {
	proxy     *Proxy
	server    *testServer
	accessLog *logBuffer
	errorLog  *logBuffer
	probeLogs chan *plugin.LogRecord // log records of the probe plugin, if any
}

// testServer is the listener side of a gateway under test.
type testServer struct {
	URL      string
	Listener net.Listener
	client   *http.Client
}

// Client returns an HTTP/1.1 client for the server.
func (s *testServer) Client() *http.Client { return s.client }

// engine selects the client-side engine of a gateway under test.
type engine int

const (
	engineLoop    engine = iota // h1 on event loops (ServeEvents), the default for plain listeners
	engineH1                    // h1 with a goroutine per connection (TLS listeners)
	engineNetHTTP               // net/http (HTTP/2 listeners)
)

// defaultEngine is the engine of startGateway: the event loops, or the
// engine named by STRAIT_TEST_PROXY_ENGINE ("goroutines", "nethttp") so
// that the whole suite can run on each.
var defaultEngine = func() engine {
	switch os.Getenv("STRAIT_TEST_PROXY_ENGINE") {
	case "goroutines":
		return engineH1
	case "nethttp":
		return engineNetHTTP
	}
	return engineLoop
}()

func defaultTestOptions() Options {
	return Options{
		Version: "3.9.1", ServerTokens: true, LatencyTokens: true,
		RequestIDHeader: true, UpstreamRequestID: true,
	}
}

func startGateway(t *testing.T, opts Options, holder *snapshot.Holder) *gateway {
	t.Helper()
	return startGatewayOn(t, defaultEngine, opts, holder)
}

// startGatewayOn serves a gateway with the given client-side engine.
func startGatewayOn(t *testing.T, eng engine, opts Options, holder *snapshot.Holder) *gateway {
	t.Helper()
	return startGatewayWith(t, eng, opts, holder, nil)
}

// startGatewayWith is startGatewayOn with the h1 server's settings
// adjusted by tweak (h1 engines only).
func startGatewayWith(t *testing.T, eng engine, opts Options, holder *snapshot.Holder, tweak func(*h1.Server)) *gateway {
	t.Helper()
	g := &gateway{accessLog: &logBuffer{}, errorLog: &logBuffer{}}
	opts.AccessLog = g.accessLog
	opts.Logger = slog.New(slog.NewJSONHandler(g.errorLog, nil))
	g.proxy = New(opts, holder)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g.server = &testServer{
		URL: "http://" + ln.Addr().String(), Listener: ln,
		client: &http.Client{Transport: &http.Transport{}},
	}
	done := make(chan struct{})
	var stop func()
	switch eng {
	case engineNetHTTP:
		srv := g.proxy.NewServer("")
		go func() { defer close(done); _ = srv.Serve(ln) }()
		stop = func() { _ = srv.Close() }
	case engineH1:
		srv := g.proxy.NewH1Server()
		if tweak != nil {
			tweak(srv)
		}
		go func() { defer close(done); _ = srv.Serve(ln) }()
		stop = func() { _ = srv.Close() }
	default:
		srv := g.proxy.NewH1Server()
		if tweak != nil {
			tweak(srv)
		}
		go func() { defer close(done); _ = srv.ServeEvents(ln) }()
		stop = func() { _ = srv.Close() }
	}
	t.Cleanup(func() {
		stop()
		<-done
		g.server.client.CloseIdleConnections()
		_ = g.proxy.Close()
	})
	return g
}

// do sends a request through the gateway.
func (g *gateway) do(t *testing.T, method, uri string, header http.Header, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, g.server.URL+uri, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vv := range header {
		if k == "Host" {
			req.Host = vv[0]
			continue
		}
		req.Header[k] = vv
	}
	resp, err := g.server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, uri, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

func decodeEcho(t *testing.T, resp *http.Response) echoed {
	t.Helper()
	var e echoed
	body := readBody(t, resp)
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("status %d, body %q: %v", resp.StatusCode, body, err)
	}
	return e
}

// rawRequest writes raw bytes to addr and returns everything read back
// until the server closes or a second passes.
func rawRequest(t *testing.T, addr, raw string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	out, _ := io.ReadAll(conn)
	return string(out)
}

func httptestServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func parsePrefixes(t *testing.T, cidrs ...string) []netip.Prefix {
	t.Helper()
	var out []netip.Prefix
	for _, c := range cidrs {
		out = append(out, netip.MustParsePrefix(c))
	}
	return out
}

// dial opens a raw connection to the gateway's proxy listener, closed
// when the test ends, with a deadline for the whole exchange.
func (g *gateway) dial(t *testing.T) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", g.server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	return conn, bufio.NewReader(conn)
}
