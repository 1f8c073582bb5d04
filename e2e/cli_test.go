package e2e

import (
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCLICheckAndVersion(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.conf")
	bad := filepath.Join(dir, "bad.conf")
	os.WriteFile(good, []byte("proxy_listen = 127.0.0.1:18000\nadmin_listen = 127.0.0.1:18001 # comment\n"), 0o644)
	os.WriteFile(bad, []byte("proxy_listen = nowhere\nallow_debug_header = perhaps\nnot_a_key = 1\n"), 0o644)
	tests := []struct {
		args     []string
		wantCode int
		wantOut  []string
	}{
		{[]string{"version"}, 0, []string{"Strait", "3.9.1"}},
		{[]string{"check", good}, 0, []string{"is valid"}},
		{[]string{"check", bad}, 1, []string{"unknown property 'not_a_key'"}},
		{[]string{"check"}, 2, []string{"configuration file is required"}},
		{[]string{"frobnicate"}, 2, []string{"unknown command"}},
	}
	for _, tt := range tests {
		out, err := exec.Command(straitBin, tt.args...).CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.wantCode {
			t.Errorf("strait %v: exit %d, want %d\n%s", tt.args, code, tt.wantCode, out)
		}
		for _, w := range tt.wantOut {
			if !strings.Contains(string(out), w) {
				t.Errorf("strait %v: output lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
	// Every problem of a bad file is reported, not just the first.
	os.WriteFile(bad, []byte("proxy_listen = nowhere\nallow_debug_header = perhaps\n"), 0o644)
	out, _ := exec.Command(straitBin, "check", "-c", bad).CombinedOutput()
	if !strings.Contains(string(out), "proxy_listen") || !strings.Contains(string(out), "allow_debug_header") {
		t.Errorf("check does not list every problem:\n%s", out)
	}
}

// TestTLSListenerAndHTTPSOnlyRoute serves an ssl proxy listener with the
// self-signed default certificate and checks Kong's answer to an
// https-only route reached over plain http.
func TestTLSListenerAndHTTPSOnlyRoute(t *testing.T) {
	up := echoUpstream(t)
	plain, secure := freeAddr(t), freeAddr(t)
	n := startNode(t, "STRAIT_PROXY_LISTEN="+plain+", "+secure+" ssl")
	n.proxyAddr = plain
	n.proxyURL = "http://" + plain
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "s", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/s/routes", map[string]any{"paths": []string{"/secure"}, "protocols": []string{"https"}})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	waitFor(t, 2*time.Second, "https route", func() bool {
		res, err := client.Get("https://" + secure + "/secure/x")
		if err != nil {
			t.Fatalf("https request: %v", err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode == 200
	})
	res := n.get("/secure/x", "Accept", "application/json")
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 426 || !strings.Contains(string(body), "Please use HTTPS protocol") {
		t.Errorf("http on an https-only route: %d %s", res.StatusCode, body)
	}
	if _, err := os.Stat(filepath.Join(n.prefix, "ssl", "strait-default.crt")); err != nil {
		t.Errorf("default certificate not kept under the prefix: %v", err)
	}
}
