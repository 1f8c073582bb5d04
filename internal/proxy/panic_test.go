package proxy

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

// faultyPlugin panics in the phase named by the request's X-Panic field.
type faultyPlugin struct{}

func (faultyPlugin) NonBlocking() bool { return true }

func (faultyPlugin) Access(ctx plugin.Context) {
	if ctx.Request().Header("X-Panic") == "access" {
		panic("access phase bug")
	}
}

func (faultyPlugin) BodyFilter(ctx plugin.Context, chunk []byte, eof bool) []byte {
	if ctx.Request().Header("X-Panic") == "body" && len(chunk) > 0 {
		panic("body filter bug")
	}
	return chunk
}

func (faultyPlugin) Log(rec *plugin.LogRecord) {
	if strings.HasPrefix(rec.Request.URI, "/log-panic") {
		panic("log phase bug")
	}
}

// TestPluginPanics checks that a plugin's panic ends only its own request,
// in every phase and on every engine: answered with a 500 when nothing
// was sent, cut when the response had started, and completed normally
// when the log phase panics. The connection (or, after a cut, a new one)
// goes on serving and no exchange is recycled twice.
func TestPluginPanics(t *testing.T) {
	up := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/late":
			// The head first, the body after a pause: the filter runs
			// when the upstream's next bytes arrive.
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			time.Sleep(50 * time.Millisecond)
			_, _ = w.Write([]byte(strings.Repeat("l", 100)))
		case "/streamed":
			_, _ = w.Write([]byte(strings.Repeat("s", 100)))
			w.(http.Flusher).Flush()
			_, _ = w.Write([]byte("tail"))
		default:
			_, _ = w.Write([]byte("fine"))
		}
	})
	cases := []struct {
		name, uri, panicAt string
		status             int    // 0: the response is cut after its head
		body               string // expected when not cut
	}{
		{"access phase", "/x", "access", 500, "{\n  \"message\":\"An unexpected error occurred\""},
		{"log phase", "/log-panic", "", 200, "fine"},
		{"body filter on the first chunk", "/streamed", "body", 0, ""},
		{"body filter on a later chunk", "/late", "body", 0, ""},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			holder := buildHolder(t, testRoute{id: "r1", name: "r1", paths: []string{"/"}, service: newService(t, up.URL)})
			reg, err := plugin.NewRegistry(&plugintest.Plugin{PluginName: "faulty", PluginPriority: 10,
				Build: func(entity.Object) (plugin.Handler, error) { return faultyPlugin{}, nil }})
			if err != nil {
				t.Fatal(err)
			}
			attachPlugins(t, holder, reg, []plugin.Instance{{ID: "p1", Name: "faulty", Enabled: true}})
			g := startGatewayOn(t, e.eng, defaultTestOptions(), holder)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					conn, br := g.dial(t)
					req := "GET " + tc.uri + " HTTP/1.1\r\nHost: a\r\n"
					if tc.panicAt != "" {
						req += "X-Panic: " + tc.panicAt + "\r\n"
					}
					_, _ = io.WriteString(conn, req+"\r\n")
					start := time.Now()
					resp, err := http.ReadResponse(br, nil)
					if tc.status == 0 {
						// Cut: no response at all (the head was still
						// buffered) or a truncated body.
						if err == nil {
							var body []byte
							body, err = io.ReadAll(resp.Body)
							if err == nil {
								t.Fatalf("response completed (%d, %q) although its body filter failed", resp.StatusCode, body)
							}
						}
						if ne, ok := err.(net.Error); ok && ne.Timeout() {
							t.Fatalf("client left waiting: %v", err)
						}
						if d := time.Since(start); d > 2*time.Second {
							t.Fatalf("cut only after %v", d)
						}
					} else {
						if err != nil {
							t.Fatalf("no response: %v", err)
						}
						body, readErr := io.ReadAll(resp.Body)
						if readErr != nil || resp.StatusCode != tc.status || !strings.HasPrefix(string(body), tc.body) {
							t.Fatalf("got %d %q (%v), want %d %q", resp.StatusCode, body, readErr, tc.status, tc.body)
						}
						// The connection goes on.
						_, _ = io.WriteString(conn, "GET /again HTTP/1.1\r\nHost: a\r\n\r\n")
						resp, err = http.ReadResponse(br, nil)
						if err != nil {
							t.Fatalf("connection unusable after the panic: %v", err)
						}
						if b := readBody(t, resp); resp.StatusCode != 200 || b != "fine" {
							t.Fatalf("next request: %d %q", resp.StatusCode, b)
						}
					}
					if !strings.Contains(g.errorLog.String(), "request failed with a panic") {
						t.Errorf("panic not logged: %s", g.errorLog.String())
					}
					// A fresh connection is served as usual.
					if resp := g.do(t, "GET", "/ok", nil, nil); readBody(t, resp) != "fine" {
						t.Fatalf("gateway unusable after the panic: %d", resp.StatusCode)
					}
				})
			}
			seen := map[*exchange]bool{}
			for range 64 {
				ex := g.proxy.exchanges.Get().(*exchange)
				if seen[ex] {
					t.Fatal("an exchange was returned to the pool twice")
				}
				seen[ex] = true
			}
		})
	}
}
