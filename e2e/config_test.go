package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runStrait runs the binary and returns its output and exit code.
func runStrait(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(straitBin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("strait %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// mustStrait runs the binary and fails unless it exits with want.
func mustStrait(t *testing.T, want int, args ...string) string {
	t.Helper()
	stdout, stderr, code := runStrait(t, args...)
	if code != want {
		t.Fatalf("strait %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, stdout, stderr)
	}
	return stdout
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigInitAndValidate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kong.yml")
	mustStrait(t, 0, "config", "init", path)
	if out := mustStrait(t, 0, "config", "validate", path); !strings.Contains(out, "is valid") {
		t.Errorf("validate output %q", out)
	}
	if _, stderr, code := runStrait(t, "config", "init", path); code != 1 || !strings.Contains(stderr, "exists") {
		t.Errorf("init over an existing file: exit %d, %s", code, stderr)
	}

	bad := writeFile(t, dir, "bad.yml", `_format_version: "3.0"
services:
- name: svc
  host: a.test
  port: 70000
routes:
- name: r1
  paths: [/a]
  service: missing
`)
	_, stderr, code := runStrait(t, "config", "validate", bad)
	if code != 1 {
		t.Fatalf("invalid file: exit %d", code)
	}
	for _, want := range []string{
		`line 5: services[0] (services "svc"): port: value should be between 0 and 65535`,
		`line 9: routes[0] (routes "r1"): service: invalid reference 'service: missing' (no such entry in 'services')`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("validate output lacks %q:\n%s", want, stderr)
		}
	}
}

func TestConfigSyncDiffDump(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	dir := t.TempDir()
	target := []string{"--admin-url", n.adminURL}

	// An invalid file changes nothing.
	bad := writeFile(t, dir, "bad.yml", "_format_version: \"3.0\"\nservices:\n- name: svc\n")
	if _, stderr, code := runStrait(t, append([]string{"config", "sync", bad}, target...)...); code != 1 ||
		!strings.Contains(stderr, `services[0] (services "svc"): host: required field missing`) {
		t.Fatalf("sync of an invalid file: exit %d\n%s", code, stderr)
	}
	if data := n.mustAdmin(200, "GET", "/services", nil)["data"].([]any); len(data) != 0 {
		t.Fatalf("invalid sync wrote %v", data)
	}

	file := writeFile(t, dir, "kong.yml", `_format_version: "3.0"
services:
- name: echo
  url: `+up.URL+`
  routes:
  - name: echo-route
    paths: [/echo]
consumers:
- username: alice
- username: bob
  custom_id: b-1
`)
	out := mustStrait(t, 0, append([]string{"config", "sync", file}, target...)...)
	if !strings.Contains(out, "Summary: created 4, updated 0, deleted 0") {
		t.Errorf("first sync:\n%s", out)
	}
	waitFor(t, 3*time.Second, "the synced route to serve", func() bool {
		res := n.get("/echo/x")
		res.Body.Close()
		return res.StatusCode == 200
	})
	if out := mustStrait(t, 0, append([]string{"config", "diff", file}, target...)...); !strings.Contains(out, "Summary: 0 to create, 0 to update, 0 to delete") {
		t.Errorf("diff after sync:\n%s", out)
	}

	// Change the file: diff reports the drift, sync fixes it, once.
	writeFile(t, dir, "kong.yml", `_format_version: "3.0"
services:
- name: echo
  url: `+up.URL+`
  routes:
  - name: echo-route
    paths: [/echo2]
consumers:
- username: alice
`)
	out = mustStrait(t, 2, append([]string{"config", "diff", file}, target...)...)
	for _, want := range []string{"update routes echo-route", `paths: ["/echo"] -> ["/echo2"]`, "delete consumers", "Summary: 0 to create, 1 to update, 1 to delete"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}
	if out := mustStrait(t, 0, append([]string{"config", "sync", file, "--dry-run"}, target...)...); !strings.Contains(out, "dry run") {
		t.Errorf("dry run output:\n%s", out)
	}
	mustStrait(t, 2, append([]string{"config", "diff", file}, target...)...)
	mustStrait(t, 0, append([]string{"config", "sync", file}, target...)...)
	mustStrait(t, 0, append([]string{"config", "diff", file}, target...)...)
	if out := mustStrait(t, 0, append([]string{"config", "sync", file}, target...)...); !strings.Contains(out, "Summary: created 0, updated 0, deleted 0") {
		t.Errorf("second sync changed something:\n%s", out)
	}
	n.mustAdmin(404, "GET", "/consumers/bob", nil)
	waitFor(t, 3*time.Second, "the moved route to serve", func() bool {
		res := n.get("/echo2/x")
		res.Body.Close()
		return res.StatusCode == 200
	})

	// A dump parses back to the same configuration.
	dumped := filepath.Join(dir, "dump.yml")
	mustStrait(t, 0, append([]string{"config", "dump", "-o", dumped}, target...)...)
	mustStrait(t, 0, "config", "validate", dumped)
	mustStrait(t, 0, append([]string{"config", "diff", dumped}, target...)...)
	raw, err := os.ReadFile(dumped)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "name: echo-route") || !strings.Contains(string(raw), "username: alice") {
		t.Errorf("dump:\n%s", raw)
	}

	// The local store of a stopped node can be dumped too.
	n.stop()
	local := mustStrait(t, 0, "config", "dump", "--local", "-p", n.prefix)
	if !strings.Contains(local, "name: echo-route") {
		t.Errorf("local dump:\n%s", local)
	}
}

func TestConfigSelectTags(t *testing.T) {
	n := startNode(t)
	dir := t.TempDir()
	target := []string{"--admin-url", n.adminURL, "--select-tag", "team-a"}
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "manual", "host": "manual.test"})

	file := writeFile(t, dir, "team.yml", `_format_version: "3.0"
services:
- name: team-svc
  host: team.test
  routes:
  - name: team-route
    paths: [/team]
`)
	mustStrait(t, 0, append([]string{"config", "sync", file}, target...)...)
	mustStrait(t, 0, append([]string{"config", "diff", file}, target...)...)
	svc := n.mustAdmin(200, "GET", "/services/team-svc", nil)
	if tags, _ := svc["tags"].([]any); len(tags) != 1 || tags[0] != "team-a" {
		t.Errorf("select tag not stamped: %v", svc["tags"])
	}
	// Without the tag, the untagged service is drift; with it, it is not.
	mustStrait(t, 2, "config", "diff", file, "--admin-url", n.adminURL)

	empty := writeFile(t, dir, "empty.yml", "_format_version: \"3.0\"\n")
	out := mustStrait(t, 0, append([]string{"config", "sync", empty}, target...)...)
	if !strings.Contains(out, "Summary: created 0, updated 0, deleted 2") {
		t.Errorf("sync of the empty file:\n%s", out)
	}
	n.mustAdmin(200, "GET", "/services/manual", nil)
	n.mustAdmin(404, "GET", "/services/team-svc", nil)
}

// TestConfigPluginsAndCredentials syncs a key-auth setup: a plugin under a
// route and a credential under its consumer, then proves it through the
// proxy.
func TestConfigPluginsAndCredentials(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	dir := t.TempDir()
	target := []string{"--admin-url", n.adminURL}
	file := writeFile(t, dir, "auth.yml", `_format_version: "3.0"
services:
- name: echo
  url: `+up.URL+`
  routes:
  - name: private
    paths: [/private]
    plugins:
    - name: key-auth
consumers:
- username: alice
  keyauth_credentials:
  - key: alice-secret
`)
	mustStrait(t, 0, "config", "validate", file)
	out := mustStrait(t, 0, append([]string{"config", "sync", file}, target...)...)
	if !strings.Contains(out, "Summary: created 5, updated 0, deleted 0") {
		t.Errorf("sync:\n%s", out)
	}
	mustStrait(t, 0, append([]string{"config", "diff", file}, target...)...)
	waitFor(t, 3*time.Second, "key-auth to guard the route", func() bool {
		res := n.get("/private/x")
		res.Body.Close()
		return res.StatusCode == 401
	})
	res := n.get("/private/x", "apikey", "alice-secret")
	readEcho(t, res)

	dumped := filepath.Join(dir, "dump.yml")
	mustStrait(t, 0, append([]string{"config", "dump", "-o", dumped}, target...)...)
	raw, _ := os.ReadFile(dumped)
	if !strings.Contains(string(raw), "keyauth_credentials:") || !strings.Contains(string(raw), "key: alice-secret") {
		t.Errorf("credential not nested under its consumer:\n%s", raw)
	}
	mustStrait(t, 0, append([]string{"config", "diff", dumped}, target...)...)
}
