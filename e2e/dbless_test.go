package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dblessConfig is a declarative file routing /echo (key-auth protected)
// and /open to upstream.
func dblessConfig(upstream, openPath string) string {
	return fmt.Sprintf(`_format_version: "3.0"
services:
- name: echo
  url: %s
  routes:
  - name: protected
    paths: [/echo]
    plugins:
    - name: key-auth
  - name: open
    paths: [%s]
consumers:
- username: alice
  keyauth_credentials:
  - key: alice-secret
`, upstream, openPath)
}

// postConfig sends POST /config with a raw YAML body and returns the
// status and the decoded answer (nil when there is none).
func (n *node) postConfig(query, yamlText string) (int, map[string]any) {
	n.t.Helper()
	res, err := http.Post(n.adminURL+"/config"+query, "application/yaml", strings.NewReader(yamlText))
	if err != nil {
		n.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			n.t.Fatalf("POST /config: status %d, body is not JSON: %q", res.StatusCode, raw)
		}
	}
	return res.StatusCode, out
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestDBlessMode runs a node with database = off: the declarative file
// loaded at start, /config replacing it atomically, entity writes refused.
func TestDBlessMode(t *testing.T) {
	up := echoUpstream(t)
	dir := t.TempDir()
	first := dblessConfig(up.URL, "/open")
	file := writeFile(t, dir, "kong.yml", first)
	n := startNode(t, "STRAIT_DATABASE=off", "STRAIT_DECLARATIVE_CONFIG="+file)

	// The file is what the node serves.
	n.waitStatus(200, "/open")
	if status, _, _ := n.proxyStatus("/echo"); status != 401 {
		t.Fatalf("/echo without a key: %d, want 401", status)
	}
	n.waitStatus(200, "/echo", "apikey", "alice-secret")
	status := n.mustAdmin(200, "GET", "/status", nil)
	if status["configuration_hash"] != md5Hex(first) {
		t.Fatalf("configuration_hash %v, want md5 of the file", status["configuration_hash"])
	}
	if _, ok := status["database"]; ok {
		t.Fatalf("DB-less /status reports a database: %v", status)
	}
	info := n.mustAdmin(200, "GET", "/", nil)
	if info["configuration"].(map[string]any)["database"] != "off" {
		t.Fatalf("GET / database: %v", info["configuration"].(map[string]any)["database"])
	}
	routes := n.mustAdmin(200, "GET", "/routes", nil)
	if len(routes["data"].([]any)) != 2 {
		t.Fatalf("routes: %v", routes)
	}
	n.mustAdmin(200, "GET", "/consumers/alice/key-auth", nil)

	// Entity writes answer Kong's 405; reads still work.
	writes := []struct {
		method, path string
		body         any
		message      string
	}{
		{"POST", "/services", map[string]any{"name": "x", "host": "x.test"},
			"cannot create 'services' entities when not using a database"},
		{"PATCH", "/services/echo", map[string]any{"retries": 2},
			"cannot update 'services' entities by 'name' when not using a database"},
		{"PUT", "/routes/open", map[string]any{"paths": []string{"/x"}},
			"cannot create or update 'routes' entities by 'name' when not using a database"},
		{"DELETE", "/consumers/alice", nil,
			"cannot remove 'consumers' entities by 'username' when not using a database"},
	}
	for _, w := range writes {
		out := n.mustAdmin(405, w.method, w.path, w.body)
		if out["code"] != 12.0 || out["name"] != "operation unsupported" || out["message"] != w.message {
			t.Fatalf("%s %s: %v", w.method, w.path, out)
		}
	}
	n.mustAdmin(204, "DELETE", "/services/not-there", nil)

	// check_hash: the same text again changes nothing.
	if code, out := n.postConfig("?check_hash=1", first); code != 304 || out != nil {
		t.Fatalf("check_hash with the current text: %d %v", code, out)
	}

	// A dry run reports the change without making it.
	second := dblessConfig(up.URL, "/moved")
	code, plan := n.postConfig("?dry_run=1", second)
	if code != 200 || plan["summary"].(map[string]any)["update"] != 1.0 {
		t.Fatalf("dry run: %d %v", code, plan)
	}
	if n.mustAdmin(200, "GET", "/status", nil)["configuration_hash"] != md5Hex(first) {
		t.Fatalf("a dry run changed the configuration hash")
	}
	n.waitStatus(200, "/open")

	// A valid configuration replaces the old one.
	code, loaded := n.postConfig("", second)
	if code != 201 {
		t.Fatalf("POST /config: %d %v", code, loaded)
	}
	for id, r := range loaded["routes"].(map[string]any) {
		if r.(map[string]any)["id"] != id {
			t.Fatalf("201 answer not keyed by id: %v", loaded["routes"])
		}
	}
	n.waitStatus(200, "/moved")
	n.waitStatus(404, "/open")

	// An invalid one is refused with Kong's code 14 and changes nothing.
	invalid := strings.Replace(second, "paths: [/moved]", "paths: [/moved]\n    protocols: [ftp]", 1)
	invalid = strings.Replace(invalid, "username: alice", "username: alice\n  custom_id: 5", 1)
	code, refused := n.postConfig("?flatten_errors=1", invalid)
	if code != 400 || refused["code"] != 14.0 || refused["name"] != "invalid declarative configuration" ||
		!strings.HasPrefix(refused["message"].(string), "declarative config is invalid: ") {
		t.Fatalf("invalid config: %d %v", code, refused)
	}
	fields, _ := json.Marshal(refused["fields"])
	if !strings.Contains(string(fields), `"protocols"`) || !strings.Contains(string(fields), `"custom_id":"expected a string"`) {
		t.Fatalf("fields: %s", fields)
	}
	if flat, _ := refused["flattened_errors"].([]any); len(flat) != 2 {
		t.Fatalf("flattened_errors: %v", refused["flattened_errors"])
	}
	if n.mustAdmin(200, "GET", "/status", nil)["configuration_hash"] != md5Hex(second) {
		t.Fatalf("a refused configuration changed the hash")
	}
	for i := 0; i < 20; i++ {
		if status, _, _ := n.proxyStatus("/moved"); status != 200 {
			t.Fatalf("the old configuration stopped serving after a refused load: %d", status)
		}
	}

	// GET /config exports what is loaded; posting it back changes nothing.
	exported := n.mustAdmin(200, "GET", "/config", nil)
	text, _ := exported["config"].(string)
	if !strings.Contains(text, "_format_version: \"3.0\"") || !strings.Contains(text, "/moved") {
		t.Fatalf("GET /config:\n%s", text)
	}
	code, _ = n.postConfig("", text)
	if code != 201 {
		t.Fatalf("posting the export back: %d", code)
	}
	n.waitStatus(200, "/echo", "apikey", "alice-secret")

	// An empty body is not a configuration.
	if code, out := n.postConfig("", ""); code != 400 || out["message"] != "expected a declarative configuration" {
		t.Fatalf("empty POST /config: %d %v", code, out)
	}
}

// TestDBlessRefusesInvalidFile checks that a node does not start from a
// declarative file with errors and says which entity and field are wrong.
func TestDBlessRefusesInvalidFile(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "kong.yml", "_format_version: \"3.0\"\nservices:\n- name: broken\n  host: a.test\n  port: 99999\n")
	cmd := exec.Command(straitBin, "start")
	cmd.Env = append(cmd.Environ(), "STRAIT_PREFIX="+filepath.Join(dir, "prefix"),
		"STRAIT_PROXY_LISTEN="+freeAddr(t), "STRAIT_ADMIN_LISTEN="+freeAddr(t),
		"STRAIT_DATABASE=off", "STRAIT_DECLARATIVE_CONFIG="+file)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("strait started from an invalid file:\n%s", out.String())
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("strait kept running with an invalid declarative file:\n%s", out.String())
	}
	for _, want := range []string{"kong.yml", `services[0] (services "broken")`, "port: value should be between 0 and 65535"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("start error lacks %q:\n%s", want, out.String())
		}
	}
}
