package balancer

import (
	"net/netip"
	"testing"
)

func TestDoneWithCallerBuiltAddress(t *testing.T) {
	m := newManager(t, Options{})
	checks := passiveChecks(0, 0, 1, 0)
	checks["passive"].(map[string]any)["unhealthy"].(map[string]any)["http_statuses"] = []any{float64(418)}
	b := single(t, m, upstreamObj("u1", "up", RoundRobin, map[string]any{"healthchecks": checks, "host_header": "api.example"}),
		targetObj("u1", "10.0.0.1:80", 100))
	if b.HostHeader() != "api.example" || b.ID() != "u1" || b.Algorithm() != RoundRobin {
		t.Errorf("accessors: %q %q %q", b.HostHeader(), b.ID(), b.Algorithm())
	}
	addr := Address{IP: netip.MustParseAddr("10.0.0.1"), Port: 80}
	b.Done(addr, Outcome{Status: 500}) // not in the configured list
	if h := b.Health().Targets[0].Health; h != Healthy {
		t.Fatalf("500 counted although only 418 is configured: %s", h)
	}
	b.Done(addr, Outcome{Status: 418})
	if h := b.Health().Targets[0].Health; h != Unhealthy {
		t.Errorf("health %s after a configured failure status", h)
	}
	b.Done(Address{IP: netip.MustParseAddr("10.9.9.9"), Port: 80}, Outcome{Status: 418}) // unknown: ignored
}

func TestProbeHost(t *testing.T) {
	tests := []struct {
		host, kind string
		port       int
		want       string
	}{
		{"api.test", "http", 80, "api.test"},
		{"api.test", "http", 8080, "api.test:8080"},
		{"api.test", "https", 443, "api.test"},
		{"api.test", "https", 80, "api.test:80"},
		{"::1", "http", 81, "[::1]:81"},
	}
	for _, tt := range tests {
		if got := probeHost(Address{Hostname: tt.host, Port: tt.port}, tt.kind); got != tt.want {
			t.Errorf("probeHost(%s, %s, %d) = %q, want %q", tt.host, tt.kind, tt.port, got, tt.want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"10.0.0.1", "10.0.0.1:8000", true},
		{"10.0.0.1:81", "10.0.0.1:81", true},
		{"[::1]:82", "[::1]:82", true},
		{"[::1]", "[::1]:8000", true},
		{"::1", "[::1]:8000", true},
		{"host:80", "", false},
	}
	for _, tt := range tests {
		ip, port, err := parseAddress(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseAddress(%q) err = %v", tt.in, err)
			continue
		}
		if tt.ok {
			if got := netip.AddrPortFrom(ip, uint16(port)).String(); got != tt.want {
				t.Errorf("parseAddress(%q) = %s, want %s", tt.in, got, tt.want)
			}
		}
	}
}
