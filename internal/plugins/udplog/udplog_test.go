package udplog

import (
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

func TestSendsOneDatagramPerEntry(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	p := Plugin{}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	hh, err := p.New(plugin.FillDefaults(p.ConfigSchema(), entity.Object{"host": "127.0.0.1", "port": float64(port)}))
	if err != nil {
		t.Fatal(err)
	}
	h := hh.(*Handler)
	h.Log(&plugin.LogRecord{Response: plugin.LogResponse{Status: 201}})
	h.Log(&plugin.LogRecord{Response: plugin.LogResponse{Status: 202}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.sink.Close(ctx); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65536)
	for _, want := range []float64{201, 202} {
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(buf[:n], &m); err != nil {
			t.Fatalf("datagram %q: %v", buf[:n], err)
		}
		if got := m["response"].(map[string]any)["status"]; got != want {
			t.Errorf("status %v, want %v", got, want)
		}
	}
	d := plugin.FillDefaults(p.ConfigSchema(), entity.Object{"host": "h", "port": 1.0})
	if d["timeout"] != 10000.0 || d["custom_fields_by_lua"] != nil {
		t.Errorf("defaults %v", d)
	}
}
