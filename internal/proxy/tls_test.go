package proxy

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// newTLSUpstream starts an https upstream with a self-signed certificate.
func newTLSUpstream(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("tls ok " + r.TLS.ServerName))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPSUpstreamWithoutVerification(t *testing.T) {
	up := newTLSUpstream(t)
	svc := newService(t, up.URL)
	g := startGateway(t, defaultTestOptions(), buildHolder(t, testRoute{paths: []string{"/"}, service: svc}))
	resp := g.do(t, "GET", "/", nil, nil)
	if body := readBody(t, resp); resp.StatusCode != 200 || body != "tls ok " {
		// An IP literal host sends no SNI.
		t.Fatalf("status %d body %q", resp.StatusCode, body)
	}
}
