package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	in := `
# a comment
proxy_listen = 127.0.0.1:18000   # trailing comment
admin_listen=127.0.0.1:18001
real_ip_header = X-Real-IP
error_default_type = text/plain
log_level = debug \# not a comment
`
	got, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"proxy_listen":       "127.0.0.1:18000",
		"admin_listen":       "127.0.0.1:18001",
		"real_ip_header":     "X-Real-IP",
		"error_default_type": "text/plain",
		"log_level":          "debug # not a comment",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, err := Parse(strings.NewReader("no equals sign")); err == nil {
		t.Error("expected an error for a line without '='")
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Database != "sqlite" {
		t.Errorf("database = %q", c.Database)
	}
	if len(c.AdminListen) != 1 || c.AdminListen[0].Addr != "127.0.0.1:8001" {
		t.Errorf("admin_listen = %+v, want 127.0.0.1:8001 only", c.AdminListen)
	}
	if len(c.ProxyListen) != 2 || c.ProxyListen[0].Addr != "0.0.0.0:8000" || !c.ProxyListen[1].SSL {
		t.Errorf("proxy_listen = %+v", c.ProxyListen)
	}
	if !c.Headers["server_tokens"] || !c.Headers["latency_tokens"] || !c.Headers["x-kong-request-id"] {
		t.Errorf("headers = %v", c.Headers)
	}
	if c.UpstreamKeepaliveIdleTimeout != 60*time.Second {
		t.Errorf("upstream_keepalive_idle_timeout = %v", c.UpstreamKeepaliveIdleTimeout)
	}
	if !filepath.IsAbs(c.Prefix) || !strings.HasPrefix(c.SQLitePath, c.Prefix) {
		t.Errorf("prefix %q, sqlite path %q", c.Prefix, c.SQLitePath)
	}
}

func TestLoadOverrides(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "strait.conf")
	if err := os.WriteFile(file, []byte("proxy_listen = 127.0.0.1:7000\nallow_debug_header = on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		env       []string
		wantProxy string
	}{
		{"file only", nil, "127.0.0.1:7000"},
		{"kong env", []string{"KONG_PROXY_LISTEN=127.0.0.1:7001"}, "127.0.0.1:7001"},
		{"strait env wins", []string{"STRAIT_PROXY_LISTEN=127.0.0.1:7002", "KONG_PROXY_LISTEN=127.0.0.1:7001"}, "127.0.0.1:7002"},
		{"unknown env ignored", []string{"STRAIT_NOT_A_KEY=1"}, "127.0.0.1:7000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(file, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.ProxyListen[0].Addr; got != tt.wantProxy {
				t.Errorf("proxy listen = %q, want %q", got, tt.wantProxy)
			}
			if !c.AllowDebugHeader {
				t.Error("allow_debug_header from the file was lost")
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		env  string
		want string
	}{
		{"STRAIT_DATABASE=mysql", "database"},
		{"STRAIT_ALLOW_DEBUG_HEADER=maybe", "allow_debug_header"},
		{"STRAIT_TRUSTED_IPS=10.0.0.0/33", "invalid ip or cidr range"},
		{"STRAIT_PROXY_LISTEN=nohostport", "missing port"},
		{"STRAIT_MAX_HEADERS=abc", "max_headers"},
		{"STRAIT_PROXY_LISTEN=127.0.0.1:1 quic", "unknown listener flag"},
	}
	for _, tt := range tests {
		if _, err := Load("", []string{tt.env}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to mention %q", tt.env, err, tt.want)
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.conf")
	os.WriteFile(file, []byte("no_such_key = 1\n"), 0o600)
	if _, err := Load(file, nil); err == nil || !strings.Contains(err.Error(), "unknown property 'no_such_key'") {
		t.Errorf("unknown key error = %v", err)
	}
}

func TestTrustedIPs(t *testing.T) {
	c, err := Load("", []string{"STRAIT_TRUSTED_IPS=10.0.0.0/8, 127.0.0.1, ::1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedIPs) != 3 || c.TrustedIPs[1].Bits() != 32 || c.TrustedIPs[2].Bits() != 128 {
		t.Errorf("trusted ips = %v", c.TrustedIPs)
	}
}
