package proxy

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
	"github.com/straitgw/strait/internal/snapshot"
)

// sniRecorder is a plugin handler that records the certificate phase.
type sniRecorder struct {
	mu    sync.Mutex
	names []string
	ips   []string
}

func (r *sniRecorder) Certificate(ctx plugin.CertificateContext) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names = append(r.names, ctx.ServerName())
	r.ips = append(r.ips, ctx.ClientIP().String())
}

func TestCertificatePhaseRunsGlobalPlugins(t *testing.T) {
	rec := &sniRecorder{}
	reg, err := plugin.NewRegistry(&plugintest.Plugin{PluginName: "sni-probe", PluginPriority: 10,
		Build: func(entity.Object) (plugin.Handler, error) { return rec, nil }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		instances []plugin.Instance
		want      int
	}{
		{"global instance runs", []plugin.Instance{{ID: "p1", Name: "sni-probe", Enabled: true, Config: entity.Object{}}}, 1},
		{"route instance does not", []plugin.Instance{{ID: "p2", Name: "sni-probe", RouteID: "r1", Enabled: true, Config: entity.Object{}}}, 0},
		{"disabled global does not", []plugin.Instance{{ID: "p3", Name: "sni-probe", Enabled: false, Config: entity.Object{}}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := plugin.Compile(reg, tt.instances)
			if err != nil {
				t.Fatal(err)
			}
			holder := &snapshot.Holder{}
			holder.Store(&snapshot.Snapshot{Plugins: set, HasPlugins: true})
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			srv.TLS = &tls.Config{GetConfigForClient: CertificatePhase(holder)}
			srv.StartTLS()
			defer srv.Close()
			rec.mu.Lock()
			rec.names, rec.ips = nil, nil
			rec.mu.Unlock()
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
				InsecureSkipVerify: true, ServerName: "api.example.test"}}}
			res, err := client.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.names) != tt.want {
				t.Fatalf("certificate phase ran %d times, want %d", len(rec.names), tt.want)
			}
			if tt.want > 0 && (rec.names[0] != "api.example.test" || rec.ips[0] != "127.0.0.1") {
				t.Errorf("certificate context: sni %q ip %q", rec.names[0], rec.ips[0])
			}
		})
	}
}
