package syslog

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
)

func TestPrioritiesAndFiltering(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log.sock")
	pc, err := net.ListenPacket("unixgram", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	SetSocketPath(sock)
	defer SetSocketPath("")

	p := Plugin{}
	hh, err := p.New(plugin.FillDefaults(p.ConfigSchema(), entity.Object{
		"log_level":              "warning",
		"successful_severity":    "info",    // below warning: not sent
		"client_errors_severity": "warning", // local4*8+4 = 164
		"server_errors_severity": "crit",    // local4*8+2 = 162
		"facility":               "local4",
	}))
	if err != nil {
		t.Fatal(err)
	}
	h := hh.(*Handler)
	for _, s := range []int{200, 404, 503} {
		h.Log(&plugin.LogRecord{Response: plugin.LogResponse{Status: s}})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.sink.Close(ctx); err != nil {
		t.Fatal(err)
	}
	format := regexp.MustCompile(`^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d kong\[` + strconv.Itoa(os.Getpid()) + `\]: \{.*"status":(\d+)`)
	buf := make([]byte, 65536)
	for _, want := range []struct{ pri, status string }{{"164", "404"}, {"162", "503"}} {
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		m := format.FindStringSubmatch(string(buf[:n]))
		if m == nil || m[1] != want.pri || m[2] != want.status {
			t.Errorf("message %q, want priority %s status %s", buf[:n], want.pri, want.status)
		}
	}
	pc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, _, err := pc.ReadFrom(buf); err == nil {
		t.Errorf("unexpected message %q", buf[:n])
	}
}

func TestDefaults(t *testing.T) {
	d := plugin.FillDefaults(Plugin{}.ConfigSchema(), nil)
	for _, k := range []string{"log_level", "successful_severity", "client_errors_severity", "server_errors_severity"} {
		if d[k] != "info" {
			t.Errorf("%s = %v", k, d[k])
		}
	}
	if d["facility"] != "user" || d["custom_fields_by_lua"] != nil {
		t.Errorf("defaults %v", d)
	}
}
