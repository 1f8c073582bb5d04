package snapshot

import (
	"encoding/json"
	"testing"
)

func TestServiceHostHeader(t *testing.T) {
	cases := []struct {
		host, protocol string
		port           int
		want           string
	}{
		{"example.com", "http", 80, "example.com"},
		{"example.com", "https", 443, "example.com"},
		{"example.com", "http", 8080, "example.com:8080"},
		{"example.com", "https", 80, "example.com:80"},
		{"127.0.0.1", "http", 9000, "127.0.0.1:9000"},
		{"::1", "http", 9000, "[::1]:9000"},
		{"[::1]", "http", 9000, "[::1]:9000"},
		{"::1", "http", 80, "::1"},
	}
	for _, tc := range cases {
		body, _ := json.Marshal(map[string]any{"host": tc.host, "protocol": tc.protocol, "port": tc.port})
		svc, err := compileService(string(body), false)
		if err != nil {
			t.Fatal(err)
		}
		if svc.HostHeader != tc.want {
			t.Errorf("%s %s:%d: Host %q, want %q", tc.protocol, tc.host, tc.port, svc.HostHeader, tc.want)
		}
	}
}
