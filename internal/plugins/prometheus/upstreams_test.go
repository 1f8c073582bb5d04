package prometheus

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/balancer"
	"github.com/straitgw/strait/internal/entity"
)

func TestUpstreamTargetHealthMetric(t *testing.T) {
	exp := NewExporter()
	exp.SetUpstreamHealth(func() []balancer.UpstreamHealth {
		return []balancer.UpstreamHealth{{Name: "backend", Targets: []balancer.TargetHealth{
			{Target: "10.0.0.1:80", Health: balancer.HealthStatus("HEALTHY"), Data: balancer.TargetData{
				Addresses: []balancer.AddressHealth{{IP: "10.0.0.1", Port: 80, Health: balancer.HealthStatus("UNHEALTHY")}}}},
			{Target: "gone.test:80", Health: balancer.HealthStatus("DNS_ERROR")},
		}}}
	})
	scrape := func() string {
		rec := httptest.NewRecorder()
		exp.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		body, _ := io.ReadAll(rec.Body)
		return string(body)
	}
	if strings.Contains(scrape(), "kong_upstream_target_health") {
		t.Fatal("upstream health reported before any instance enabled upstream_health_metrics")
	}
	if _, err := (Plugin{Exporter: exp}).New(entity.Object{"upstream_health_metrics": true}); err != nil {
		t.Fatal(err)
	}
	out := scrape()
	for _, want := range []string{
		`kong_upstream_target_health{address="10.0.0.1:80",state="unhealthy",subsystem="http",target="10.0.0.1:80",upstream="backend"} 1`,
		`kong_upstream_target_health{address="10.0.0.1:80",state="healthy",subsystem="http",target="10.0.0.1:80",upstream="backend"} 0`,
		`kong_upstream_target_health{address="",state="dns_error",subsystem="http",target="gone.test:80",upstream="backend"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s\n%s", want, out)
		}
	}
}
