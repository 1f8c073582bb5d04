package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

var engines = []struct {
	name string
	eng  engine
}{{"h1 event loops", engineLoop}, {"h1 goroutines", engineH1}, {"net/http", engineNetHTTP}}

// TestEnginesAgree runs the same requests through both client-side
// engines: the request flow is shared, so the answers must match.
func TestEnginesAgree(t *testing.T) {
	up := newEchoUpstream(t)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			svc := newService(t, up.URL)
			holder := buildHolder(t,
				testRoute{id: "r-api", name: "api", paths: []string{"/api"}, strip: true, service: svc},
				testRoute{id: "r-tls", paths: []string{"/secure"}, protocols: []string{"https"}, service: svc},
			)
			g := startGatewayOn(t, e.eng, defaultTestOptions(), holder)

			resp := g.do(t, "POST", "/api/users?x=1&y", http.Header{"X-Custom": {"a"}}, strings.NewReader("payload"))
			echo := decodeEcho(t, resp)
			if echo.Method != "POST" || echo.RequestURI != "/users?x=1&y" || echo.Body != "payload" ||
				echo.Header.Get("X-Custom") != "a" || echo.Header.Get("Via") != "1.1 kong/3.9.1" {
				t.Errorf("upstream saw %+v", echo)
			}
			if resp.Header.Get("Via") != "1.1 kong/3.9.1" || len(resp.Header.Get("X-Kong-Request-Id")) != 32 ||
				resp.Header.Get("X-Kong-Upstream-Latency") == "" || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("response headers %v", resp.Header)
			}

			resp = g.do(t, "GET", "/nothing", http.Header{"Accept": {"text/plain"}}, nil)
			body := readBody(t, resp)
			if resp.StatusCode != 404 || body != "no Route matched with those values\nrequest_id: "+resp.Header.Get("X-Kong-Request-Id")+"\n" ||
				resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
				t.Errorf("no route: %d %q %v", resp.StatusCode, body, resp.Header)
			}

			resp = g.do(t, "GET", "/secure/x", nil, nil)
			readBody(t, resp)
			if resp.StatusCode != 426 || resp.Header.Get("Connection") != "Upgrade" || resp.Header.Get("Upgrade") != "TLS/1.2, HTTP/1.1" {
				t.Errorf("https-only route: %d %v", resp.StatusCode, resp.Header)
			}

			resp = g.do(t, "HEAD", "/api/users", nil, nil)
			if body := readBody(t, resp); resp.StatusCode != 200 || body != "" {
				t.Errorf("HEAD: %d %q", resp.StatusCode, body)
			}

			// A chunked request body is streamed upstream chunked.
			pr, pw := io.Pipe()
			go func() { _, _ = io.WriteString(pw, "streamed"); pw.Close() }()
			echo = decodeEcho(t, g.do(t, "PUT", "/api/stream", nil, pr))
			if echo.Body != "streamed" || echo.Method != "PUT" {
				t.Errorf("chunked body: %+v", echo)
			}
		})
	}
}

// upgradeUpstream accepts one upgrade request per connection, answers
// 101 followed by "hello ", then echoes what it reads upper-cased.
func upgradeUpstream(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil || req.Header.Get("Upgrade") != "websocket" {
					_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
					return
				}
				_, _ = io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nhello ")
				buf := make([]byte, 512)
				for {
					n, err := br.Read(buf)
					if n > 0 {
						_, _ = c.Write([]byte(strings.ToUpper(string(buf[:n]))))
					}
					if err != nil {
						return
					}
				}
			}(c)
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestUpgradeTunnel: a websocket upgrade is relayed and the connection
// becomes a tunnel in both engines, bytes sent early included.
func TestUpgradeTunnel(t *testing.T) {
	upURL := upgradeUpstream(t)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			g := startGatewayOn(t, e.eng, defaultTestOptions(), buildHolder(t, testRoute{paths: []string{"/ws"}, service: newService(t, upURL)}))
			conn, err := net.Dial("tcp", g.server.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			_, _ = io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "websocket" || resp.Header.Get("Connection") != "Upgrade" ||
				resp.Header.Get("X-Kong-Request-Id") == "" {
				t.Fatalf("101 answer: %d %v", resp.StatusCode, resp.Header)
			}
			_, _ = io.WriteString(conn, "ping")
			want := "hello PING"
			got := make([]byte, len(want))
			if _, err := io.ReadFull(br, got); err != nil || string(got) != want {
				t.Fatalf("tunnel: %q (%v), want %q", got, err, want)
			}
			conn.Close()
			time.Sleep(50 * time.Millisecond)
			_ = g.proxy.Flush()
			if !strings.Contains(g.accessLog.String(), `"status":101`) {
				t.Errorf("access log: %s", g.accessLog.String())
			}
		})
	}
}

// pdkProbe exercises the optional request methods the engine offers
// beyond plugin.Request.
type pdkProbe struct{ logs chan *plugin.LogRecord }

func (pdkProbe) Access(ctx plugin.Context) {
	req := ctx.Request()
	if v := req.Header("X-New-Method"); v != "" {
		req.(interface{ SetMethod(string) }).SetMethod(v)
	}
	if v := req.Header("X-New-Host"); v != "" {
		req.SetHeader("host", v)
	}
	rl := req.(interface {
		RequestURI() string
		ProtoVersion() string
	})
	req.SetHeader("X-Request-Line", req.Method()+" "+rl.RequestURI()+" HTTP/"+rl.ProtoVersion())
	ctx.Set(correlationIDKey, "corr-1")
}

// BodyFilter passes the body through unchanged.
func (pdkProbe) BodyFilter(_ plugin.Context, chunk []byte, _ bool) []byte { return chunk }

func (p pdkProbe) Log(rec *plugin.LogRecord) {
	select {
	case p.logs <- rec:
	default:
	}
}

func TestPDKAdditions(t *testing.T) {
	up := newEchoUpstream(t)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			logs := make(chan *plugin.LogRecord, 4)
			holder := buildHolder(t, testRoute{id: "r1", paths: []string{"/p"}, service: newService(t, up.URL)})
			reg, err := plugin.NewRegistry(&plugintest.Plugin{PluginName: "pdk", PluginPriority: 10,
				Build: func(entity.Object) (plugin.Handler, error) { return pdkProbe{logs}, nil }})
			if err != nil {
				t.Fatal(err)
			}
			attachPlugins(t, holder, reg, []plugin.Instance{{ID: "p1", Name: "pdk", Enabled: true}})
			g := startGatewayOn(t, e.eng, defaultTestOptions(), holder)

			resp := g.do(t, "GET", "/p/x?a=%20b", http.Header{"X-New-Method": {"DELETE"}, "X-New-Host": {"other.example"}}, nil)
			body := readBody(t, resp)
			echo := decodeEchoString(t, body)
			if echo.Method != "DELETE" || echo.Host != "other.example" {
				t.Errorf("upstream method %q host %q", echo.Method, echo.Host)
			}
			if got := echo.Header.Get("X-Request-Line"); got != "DELETE /p/x?a=%20b HTTP/1.1" {
				t.Errorf("request line %q", got)
			}
			if resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length %q lost by an unchanging body filter (body %d bytes)", resp.Header.Get("Content-Length"), len(body))
			}
			select {
			case rec := <-logs:
				if rec.CorrelationID != "corr-1" {
					t.Errorf("log record correlation id %q", rec.CorrelationID)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("no log record")
			}
		})
	}
}
