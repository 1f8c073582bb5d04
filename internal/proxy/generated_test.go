package proxy

import (
	"net/http"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/snapshot"
)

func TestGeneratedErrorBodies(t *testing.T) {
	holder := buildHolder(t,
		testRoute{id: "no-svc", paths: []string{"/nosvc"}},
		testRoute{id: "tls-only", paths: []string{"/secure"}, protocols: []string{"https"},
			service: &snapshot.Service{ID: "s", Protocol: "http", Host: "127.0.0.1", Port: 1}},
		testRoute{id: "redirect", paths: []string{"/moved"}, protocols: []string{"https"}, redirectCode: 308,
			service: &snapshot.Service{ID: "s", Protocol: "http", Host: "127.0.0.1", Port: 1}},
	)
	g := startGateway(t, defaultTestOptions(), holder)
	const id = "{id}"
	tests := []struct {
		desc   string
		path   string
		header http.Header
		status int
		ctype  string
		body   string
	}{
		{"no route, no Accept: JSON", "/nothing", nil, 404, "application/json; charset=utf-8",
			"{\n  \"message\":\"no Route matched with those values\",\n  \"request_id\":\"{id}\"\n}"},
		{"no route, text/plain", "/nothing", http.Header{"Accept": {"text/plain"}}, 404, "text/plain; charset=utf-8",
			"no Route matched with those values\nrequest_id: {id}\n"},
		{"no route, q values", "/nothing", http.Header{"Accept": {"application/json;q=0.5, text/html;q=0.9"}}, 404,
			"text/html; charset=utf-8", "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>no Route matched with those values.</p>\n    <p>request_id: {id}</p>\n  </body>\n</html>\n"},
		{"no route, xml", "/nothing", http.Header{"Accept": {"application/xml"}}, 404, "application/xml; charset=utf-8",
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n  <message>no Route matched with those values</message>\n  <requestid>{id}</requestid>\n</error>\n"},
		{"no route, text/*", "/nothing", http.Header{"Accept": {"text/*"}}, 404, "text/plain; charset=utf-8",
			"no Route matched with those values\nrequest_id: {id}\n"},
		{"no route, */*", "/nothing", http.Header{"Accept": {"*/*"}}, 404, "application/json; charset=utf-8",
			"{\n  \"message\":\"no Route matched with those values\",\n  \"request_id\":\"{id}\"\n}"},
		{"route without service", "/nosvc", nil, 503, "application/json; charset=utf-8",
			"{\n  \"message\":\"no Service found with those values\",\n  \"request_id\":\"{id}\"\n}"},
		{"https-only route over http", "/secure", http.Header{"Accept": {"text/plain"}}, 426, "text/plain; charset=utf-8",
			"Please use HTTPS protocol\nrequest_id: {id}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			resp := g.do(t, "GET", tc.path, tc.header, nil)
			body := readBody(t, resp)
			rid := resp.Header.Get("X-Kong-Request-Id")
			if !requestIDPattern.MatchString(rid) {
				t.Fatalf("request id %q", rid)
			}
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.ctype {
				t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if want := strings.ReplaceAll(tc.body, id, rid); body != want {
				t.Errorf("body = %q, want %q", body, want)
			}
			if resp.Header.Get("Server") != "kong/3.9.1" || resp.Header.Get("X-Kong-Response-Latency") == "" ||
				resp.Header.Get("Via") != "" {
				t.Errorf("headers: %v", resp.Header)
			}
			if tc.status == 426 && (resp.Header.Get("Upgrade") != "TLS/1.2, HTTP/1.1" || resp.Header.Get("Connection") != "Upgrade") {
				t.Errorf("426 headers: %v", resp.Header)
			}
		})
	}

	t.Run("redirect mode", func(t *testing.T) {
		client := *g.server.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		req, _ := http.NewRequest("GET", g.server.URL+"/moved/x?a=1", nil)
		req.Host = "Shop.Example:8000"
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 308 || resp.Header.Get("Location") != "https://shop.example/moved/x?a=1" {
			t.Errorf("status %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("trusted X-Forwarded-Proto https satisfies https-only", func(t *testing.T) {
		up := newEchoUpstream(t)
		svc := newService(t, up.URL)
		opts := defaultTestOptions()
		opts.TrustedIPs = parsePrefixes(t, "127.0.0.1/32")
		g2 := startGateway(t, opts, buildHolder(t, testRoute{paths: []string{"/"}, protocols: []string{"https"}, service: svc}))
		resp := g2.do(t, "GET", "/", http.Header{"X-Forwarded-Proto": {"https"}}, nil)
		if readBody(t, resp); resp.StatusCode != 200 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

func TestNegotiateFormat(t *testing.T) {
	tests := []struct {
		producer           errorProducer
		accept, ctype, def string
		want               bodyFormat
	}{
		{producerRunloop, "", "text/plain", "text/plain", formatJSON},
		{producerServer, "", "", "text/plain", formatPlain},
		{producerServer, "", "application/xml", "text/plain", formatXML},
		{producerServer, "text/html", "application/xml", "text/plain", formatHTML},
		{producerRunloop, "text/plain;q=0, application/xml", "", "", formatXML},
		{producerRunloop, "text/html;q=0.5, text/plain;q=0.5", "", "", formatHTML},
		{producerRunloop, "image/png", "", "", formatJSON},
		{producerRunloop, "text/plain; charset=utf-8; q=0.8, application/xml;q=0.9", "", "", formatXML},
		{producerRunloop, "garbage", "", "", formatJSON},
	}
	for i, tc := range tests {
		if got := negotiateFormat(tc.producer, tc.accept, tc.ctype, tc.def); got != tc.want {
			t.Errorf("case %d (%q): got %v, want %v", i, tc.accept, got, tc.want)
		}
	}
}

func TestRequestLimits(t *testing.T) {
	up := newEchoUpstream(t)
	holder := buildHolder(t, testRoute{paths: []string{"/"}, service: newService(t, up.URL)})
	opts := defaultTestOptions()
	opts.MaxURIBytes = 100
	opts.MaxHeaders = 10
	opts.MaxHeaderBytes = 4096
	g := startGateway(t, opts, holder)
	addr := g.server.Listener.Addr().String()

	manyHeaders := ""
	for i := 0; i < 11; i++ {
		manyHeaders += "X-H" + string(rune('a'+i)) + ": v\r\n"
	}
	tests := []struct {
		desc   string
		raw    string
		status string
		body   string
	}{
		{"URI too long", "GET /" + strings.Repeat("a", 100) + " HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 414", "URI too long"},
		{"URI at the limit", "GET /" + strings.Repeat("a", 99) + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "HTTP/1.1 200", ""},
		{"too many headers", "GET / HTTP/1.1\r\nHost: a\r\n" + manyHeaders + "\r\n", "HTTP/1.1 431", "Request header or cookie too large"},
		{"header bytes over the limit", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("b", 9000) + "\r\n\r\n", "HTTP/1.1 431", ""},
		{"CL and TE: refused, nothing reaches the upstream",
			"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
			"HTTP/1.1 400", "Bad request"},
		{"conflicting Content-Length values",
			"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
			"HTTP/1.1 400", "Bad request"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			resp := rawRequest(t, addr, tc.raw)
			if !strings.HasPrefix(resp, tc.status) {
				t.Fatalf("response %q", firstLine(resp))
			}
			if !strings.Contains(resp, tc.body) {
				t.Errorf("body lacks %q: %q", tc.body, resp)
			}
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}
