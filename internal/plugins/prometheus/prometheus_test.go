package prometheus

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

func scrape(t *testing.T, e *Exporter) string {
	t.Helper()
	rr := httptest.NewRecorder()
	e.Handler().ServeHTTP(rr, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rr.Body)
	return string(body)
}

func sample() *plugin.LogRecord {
	return &plugin.LogRecord{
		Request:   plugin.LogRequest{Size: 100},
		Response:  plugin.LogResponse{Status: 200, Size: 250},
		Latencies: plugin.LogLatencies{Kong: 3, Proxy: 12, Request: 15},
		Service:   &plugin.ServiceInfo{ID: "s1", Host: "backend.local"},
		Route:     &plugin.RouteInfo{ID: "r1", Name: "orders"},
		Consumer:  &plugin.Consumer{Username: "alice"},
		Source:    "upstream",
	}
}

func TestMetricsFollowFlags(t *testing.T) {
	tests := []struct {
		name   string
		config entity.Object
		want   []string
		absent []string
	}{
		{"defaults record nothing per request", nil, nil,
			[]string{"kong_http_requests_total{", "kong_request_latency_ms_bucket{", "kong_bandwidth_bytes{"}},
		{"status codes", entity.Object{"status_code_metrics": true},
			[]string{`kong_http_requests_total{code="200",consumer="",route="orders",service="backend.local",source="service",workspace="default"} 2`},
			[]string{"kong_request_latency_ms_bucket{"}},
		{"per consumer", entity.Object{"status_code_metrics": true, "per_consumer": true, "bandwidth_metrics": true},
			[]string{`kong_http_requests_total{code="200",consumer="alice",`,
				`kong_bandwidth_bytes{consumer="alice",direction="egress",route="orders",service="backend.local",workspace="default"} 500`,
				`kong_bandwidth_bytes{consumer="alice",direction="ingress",route="orders",service="backend.local",workspace="default"} 200`},
			nil},
		{"latencies", entity.Object{"latency_metrics": true},
			[]string{`kong_request_latency_ms_bucket{route="orders",service="backend.local",workspace="default",le="20"} 2`,
				`kong_request_latency_ms_bucket{route="orders",service="backend.local",workspace="default",le="10"} 0`,
				`kong_upstream_latency_ms_sum{route="orders",service="backend.local",workspace="default"} 24`,
				`kong_kong_latency_ms_count{route="orders",service="backend.local",workspace="default"} 2`,
				`le="60000"`},
			[]string{"kong_http_requests_total{"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewExporter()
			p := Plugin{Exporter: e}
			h, err := p.New(plugin.FillDefaults(p.ConfigSchema(), tt.config))
			if err != nil {
				t.Fatal(err)
			}
			h.(plugin.Logger).Log(sample())
			h.(plugin.Logger).Log(sample())
			out := scrape(t, e)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %s in\n%s", w, out)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(out, a) {
					t.Errorf("unexpected %s", a)
				}
			}
		})
	}
}

func TestLabelsFallBack(t *testing.T) {
	e := NewExporter()
	h := &Handler{cfg: Config{StatusCodeMetrics: true}, exp: e}
	rec := sample()
	rec.Service = &plugin.ServiceInfo{Name: "svc", Host: "ignored"}
	rec.Route = &plugin.RouteInfo{ID: "r-id"}
	rec.Source = "kong"
	rec.Response.Status = 401
	h.Log(rec)
	h.Log(&plugin.LogRecord{Response: plugin.LogResponse{Status: 404}, Source: "kong"})
	out := scrape(t, e)
	for _, w := range []string{
		`kong_http_requests_total{code="401",consumer="",route="r-id",service="svc",source="kong",workspace="default"} 1`,
		`kong_http_requests_total{code="404",consumer="",route="",service="",source="kong",workspace="default"} 1`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %s in\n%s", w, out)
		}
	}
}

func TestNodeMetricsAndConnections(t *testing.T) {
	e := NewExporter()
	e.SetNode("node-1", "3.9.1")
	e.SetDatastoreReachable(true)
	var a, b net.Conn = &net.TCPConn{}, &net.UDPConn{}
	tr := e.Connections
	tr.Track(a, http.StateNew)
	tr.Track(a, http.StateActive)
	tr.Track(a, http.StateIdle)
	tr.Track(a, http.StateActive)
	tr.Track(b, http.StateNew)
	got := tr.Stats()
	want := ConnStats{Accepted: 2, Handled: 2, Active: 2, Reading: 1, Writing: 1, Waiting: 0, Requests: 2}
	if got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
	tr.Track(a, http.StateClosed)
	tr.Track(b, http.StateClosed)
	if s := tr.Stats(); s.Active != 0 || s.Reading != 0 || s.Writing != 0 {
		t.Errorf("after close %+v", s)
	}
	out := scrape(t, e)
	for _, w := range []string{
		`kong_node_info{node_id="node-1",version="3.9.1"} 1`,
		`kong_datastore_reachable 1`,
		`kong_nginx_connections_total{node_id="node-1",state="accepted",subsystem="http"} 2`,
		`kong_nginx_requests_total{node_id="node-1",subsystem="http"} 2`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %s in\n%s", w, out)
		}
	}
}

func TestDefaults(t *testing.T) {
	d := plugin.FillDefaults(Plugin{}.ConfigSchema(), nil)
	for _, k := range flagNames {
		if d[k] != false {
			t.Errorf("%s = %v", k, d[k])
		}
	}
}

// BenchmarkLog measures the request-path cost with every metric on.
func BenchmarkLog(b *testing.B) {
	e := NewExporter()
	h := &Handler{cfg: Config{StatusCodeMetrics: true, LatencyMetrics: true, BandwidthMetrics: true, PerConsumer: true}, exp: e}
	rec := sample()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.Log(rec)
		}
	})
}
