package proxy

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/h1"
	"github.com/straitgw/strait/internal/plugin"
)

func TestRedactRawQuery(t *testing.T) {
	secrets := credentialArgs{query: []string{"apikey", "jwt"}}
	tests := []struct{ in, want string }{
		{"", ""},
		{"a=1&b=2", "a=1&b=2"},
		{"apikey=s3cret&a=1", "apikey=REDACTED&a=1"},
		{"a=1&apikey=x&apikey=y", "a=1&apikey=REDACTED&apikey=REDACTED"},
		{"api%6Bey=x", "api%6Bey=REDACTED"},
		{"apikey&jwt=t", "apikey&jwt=REDACTED"},
	}
	for _, tt := range tests {
		if got := redactRawQuery(tt.in, secrets); got != tt.want {
			t.Errorf("redactRawQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := redactRawQuery("apikey=x", credentialArgs{}); got != "apikey=x" {
		t.Errorf("without credential names: %q", got)
	}
}

func TestLogQueryAndHeaders(t *testing.T) {
	secrets := credentialArgs{query: []string{"apikey"}, header: []string{"x-api-key"}}
	q := logQuery("apikey=s&a=1&a=2&flag", secrets)
	want := map[string]any{"apikey": "REDACTED", "a": []any{"1", "2"}, "flag": true}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("querystring %v, want %v", q, want)
	}
	h := logHeaders(fields("Authorization", "Bearer x", "X-Api-Key", "k", "Accept", "a", "accept", "b"), &secrets)
	wantH := map[string]any{"authorization": "REDACTED", "x-api-key": "REDACTED", "accept": []any{"a", "b"}}
	if !reflect.DeepEqual(h, wantH) {
		t.Errorf("headers %v, want %v", h, wantH)
	}
	if h := logHeaders(fields("Authorization", "x"), nil); h["authorization"] != "x" {
		t.Errorf("response headers redacted: %v", h)
	}
}

// TestLogRecordRedactsKeyAuthCredentials sends the key-auth key in the
// query and in the header, and checks that neither reaches the record.
func TestLogRecordRedactsKeyAuthCredentials(t *testing.T) {
	forEachProbe(t, testLogRecordRedactsKeyAuthCredentials)
}

func testLogRecordRedactsKeyAuthCredentials(t *testing.T, g *gateway) {
	logs := g.probeLogs
	resp := g.do(t, "GET", "/secure/x?apikey=alice-key&keep=1", http.Header{"Apikey": {"alice-key"}}, nil)
	readBody(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var rec *plugin.LogRecord
	select {
	case rec = <-logs:
	case <-time.After(5 * time.Second):
		t.Fatal("no log record")
	}
	raw, _ := json.Marshal(rec)
	if strings.Contains(string(raw), "alice-key") {
		t.Errorf("credential in the record: %s", raw)
	}
	if rec.Request.URI != "/secure/x?apikey=REDACTED&keep=1" || rec.Request.QueryString["keep"] != "1" ||
		!strings.HasSuffix(rec.Request.URL, rec.Request.URI) {
		t.Errorf("uri %q url %q query %v", rec.Request.URI, rec.Request.URL, rec.Request.QueryString)
	}
	if rec.UpstreamURI != "/x?apikey=REDACTED&keep=1" {
		t.Errorf("upstream_uri %q", rec.UpstreamURI)
	}
	if rec.Upstream == nil || rec.Upstream.Hostname == "" || rec.Upstream.IP == "" || len(rec.Tries) != 1 ||
		rec.Tries[0].Hostname != rec.Upstream.Hostname || rec.Tries[0].IP != rec.Upstream.IP {
		t.Errorf("upstream %+v tries %+v", rec.Upstream, rec.Tries)
	}
}

// fields builds an h1 header from name, value pairs.
func fields(pairs ...string) *h1.Header {
	h := &h1.Header{}
	for i := 0; i+1 < len(pairs); i += 2 {
		_ = h.Add(pairs[i], pairs[i+1])
	}
	return h
}
