package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestAnsiblePlaybookIsIdempotent runs the Ansible example twice against a
// node: the first run creates a service, a route and a key-auth plugin,
// the second finds them (409) and fails nothing; exactly one of each
// exists afterwards. ansible-playbook must be installed (scripts/test.sh
// installs ansible-core).
func TestAnsiblePlaybookIsIdempotent(t *testing.T) {
	bin, err := exec.LookPath("ansible-playbook")
	if err != nil {
		t.Fatalf("ansible-playbook is required (apt-get install ansible-core): %v", err)
	}
	playbook, err := filepath.Abs("../examples/ansible/playbook.yml")
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t)
	home := t.TempDir()
	recap := regexp.MustCompile(`localhost\s*:\s*ok=(\d+)\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)`)
	for run := 1; run <= 2; run++ {
		cmd := exec.Command(bin, "-i", "localhost,", playbook, "-e", "admin_url="+n.adminURL)
		cmd.Env = append(os.Environ(),
			"HOME="+home,
			"ANSIBLE_LOCAL_TEMP="+filepath.Join(home, "tmp"),
			"ANSIBLE_REMOTE_TEMP="+filepath.Join(home, "remote-tmp"),
			"ANSIBLE_NOCOLOR=1",
			"ANSIBLE_RETRY_FILES_ENABLED=0",
			"ANSIBLE_PYTHON_INTERPRETER=auto_silent",
		)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("run %d: ansible-playbook failed: %v\n%s", run, err, out)
		}
		m := recap.FindSubmatch(out)
		if m == nil || string(m[1]) != "3" || string(m[2]) != "0" || string(m[3]) != "0" {
			t.Fatalf("run %d: want ok=3 unreachable=0 failed=0 in the recap:\n%s", run, out)
		}
	}
	for _, path := range []string{"/services", "/routes", "/plugins"} {
		data := n.mustAdmin(200, "GET", path, nil)["data"].([]any)
		if len(data) != 1 {
			t.Fatalf("%s: %d entities after two runs, want 1: %v", path, len(data), data)
		}
	}
	route := n.mustAdmin(200, "GET", "/routes/orders-route", nil)
	service := n.mustAdmin(200, "GET", "/services/orders", nil)
	if route["service"].(map[string]any)["id"] != service["id"] {
		t.Fatalf("route not attached to the service: %v", route["service"])
	}
	plugin := n.mustAdmin(200, "GET", "/plugins", nil)["data"].([]any)[0].(map[string]any)
	if plugin["name"] != "key-auth" || plugin["service"].(map[string]any)["id"] != service["id"] {
		t.Fatalf("plugin: %v", plugin)
	}
}
