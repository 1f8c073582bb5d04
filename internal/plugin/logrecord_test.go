package plugin_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/plugin"
)

func TestLogRecordJSON(t *testing.T) {
	rec := &plugin.LogRecord{
		Request:             plugin.LogRequest{ID: "abc", Method: "GET", URI: "/x"},
		Response:            plugin.LogResponse{Status: 200},
		Latencies:           plugin.LogLatencies{Proxy: -1},
		AuthenticatedEntity: &plugin.Credential{ID: "K1", ConsumerID: "C1"},
		Route:               &plugin.RouteInfo{ID: "R1", JSON: json.RawMessage(`{"id":"R1","paths":["/x"]}`)},
		Service:             &plugin.ServiceInfo{ID: "S1"},
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	got := string(raw)
	for _, want := range []string{
		`"route":{"id":"R1","paths":["/x"]}`,
		`"service":null`,
		`"authenticated_entity":{"id":"K1","consumer_id":"C1"}`,
		`"latencies":{"kong":0,"proxy":-1,"request":0,"receive":0}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("%s\ndoes not contain %s", got, want)
		}
	}
	if strings.Contains(got, `"consumer"`) {
		t.Errorf("nil consumer serialized: %s", got)
	}
}

func TestLevelString(t *testing.T) {
	if got := plugin.LevelRouteConsumer.String(); got != "route+consumer" {
		t.Errorf("String = %q", got)
	}
	if got := plugin.Level(0).String(); got != "invalid" {
		t.Errorf("String(0) = %q", got)
	}
}
