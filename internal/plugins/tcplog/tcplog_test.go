package tcplog

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

func newHandler(t *testing.T, config entity.Object) *Handler {
	t.Helper()
	p := Plugin{}
	h, err := p.New(plugin.FillDefaults(p.ConfigSchema(), config))
	if err != nil {
		t.Fatal(err)
	}
	return h.(*Handler)
}

func flush(t *testing.T, h *Handler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.sink.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// listen accepts connections and sends every line received to lines.
func listen(t *testing.T) (*net.TCPAddr, <-chan string, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	lines := make(chan string, 100)
	accepted := make(chan struct{}, 100)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			go func() {
				defer conn.Close()
				sc := bufio.NewScanner(conn)
				for sc.Scan() {
					lines <- sc.Text()
				}
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr), lines, accepted
}

func TestSendsJSONLinesOnOneConnection(t *testing.T) {
	addr, lines, accepted := listen(t)
	h := newHandler(t, entity.Object{"host": "127.0.0.1", "port": float64(addr.Port)})
	for _, s := range []int{200, 500} {
		h.Log(&plugin.LogRecord{Response: plugin.LogResponse{Status: s}})
		time.Sleep(30 * time.Millisecond) // separate batches
	}
	flush(t, h)
	for _, want := range []float64{200, 500} {
		select {
		case line := <-lines:
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			if got := m["response"].(map[string]any)["status"]; got != want {
				t.Errorf("status %v, want %v", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no line received")
		}
	}
	if n := len(accepted); n != 1 {
		t.Errorf("%d connections, want 1 kept alive", n)
	}
}

func TestReconnectsAfterPeerClose(t *testing.T) {
	addr, lines, _ := listen(t)
	w := &streamWriter{addr: addr.String(), timeout: time.Second}
	defer w.Close()
	if err := w.Deliver(context.Background(), []*plugin.LogRecord{{}}); err != nil {
		t.Fatal(err)
	}
	<-lines
	w.conn.Close() // a broken kept connection
	if err := w.Deliver(context.Background(), []*plugin.LogRecord{{}}); err != nil {
		t.Fatalf("second delivery: %v", err)
	}
	select {
	case <-lines:
	case <-time.After(5 * time.Second):
		t.Fatal("no line after reconnect")
	}
}

func TestDefaults(t *testing.T) {
	d := plugin.FillDefaults(Plugin{}.ConfigSchema(), entity.Object{"host": "h", "port": float64(1)})
	want := entity.Object{"host": "h", "port": 1.0, "timeout": 10000.0, "keepalive": 60000.0, "tls": false,
		"tls_sni": nil, "custom_fields_by_lua": nil}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("%s = %v, want %v", k, d[k], v)
		}
	}
}
