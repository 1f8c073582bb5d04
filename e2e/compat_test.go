package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestCompatPluginEntityChecks: a plugin schema's entity checks answer as
// top-level "@entity" messages with config.* paths, config validators as
// the config field's message, and /schemas/plugins advertises the checks.
func TestCompatPluginEntityChecks(t *testing.T) {
	n := startNode(t)
	tests := []struct {
		name       string
		body       map[string]any
		message    string
		wantEntity []any
		wantConfig any
	}{
		{"acl neither list", map[string]any{"name": "acl", "config": map[string]any{}},
			"2 schema violations (exactly one of these fields must be non-empty: 'config.allow', 'config.deny'; " +
				"at least one of these fields must be non-empty: 'config.allow', 'config.deny')",
			[]any{"exactly one of these fields must be non-empty: 'config.allow', 'config.deny'",
				"at least one of these fields must be non-empty: 'config.allow', 'config.deny'"}, nil},
		{"acl both lists", map[string]any{"name": "acl", "config": map[string]any{"allow": []string{"a"}, "deny": []string{"b"}}},
			"schema violation (exactly one of these fields must be non-empty: 'config.allow', 'config.deny')",
			[]any{"exactly one of these fields must be non-empty: 'config.allow', 'config.deny'"}, nil},
		{"jwt maximum_expiration", map[string]any{"name": "jwt", "config": map[string]any{"maximum_expiration": 60}},
			"2 schema violations (failed conditional validation given value of field 'config.maximum_expiration'; " +
				"config.claims_to_verify: expected to contain: exp)",
			[]any{"failed conditional validation given value of field 'config.maximum_expiration'"},
			map[string]any{"claims_to_verify": "expected to contain: exp"}},
		{"request-termination combination",
			map[string]any{"name": "request-termination", "config": map[string]any{"message": "m", "body": "b"}},
			"schema violation (config: message cannot be used with content_type or body)",
			nil, "message cannot be used with content_type or body"},
		{"rate-limiting no window", map[string]any{"name": "rate-limiting", "config": map[string]any{}},
			"schema violation (at least one of these fields must be non-empty: 'config.second', 'config.minute', " +
				"'config.hour', 'config.day', 'config.month', 'config.year')",
			[]any{"at least one of these fields must be non-empty: 'config.second', 'config.minute', " +
				"'config.hour', 'config.day', 'config.month', 'config.year'"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := n.admin("POST", "/plugins", tt.body)
			if status != 400 || body["message"] != tt.message || body["name"] != "schema violation" {
				t.Fatalf("status %d body %v\nwant message %q", status, body, tt.message)
			}
			fields, _ := body["fields"].(map[string]any)
			if !jsonSame(fields["@entity"], tt.wantEntity) || !jsonSame(fields["config"], tt.wantConfig) {
				t.Errorf("fields %v", fields)
			}
		})
	}
	schemaChecks := []struct {
		plugin string
		want   int
		first  string
	}{{"acl", 2, "only_one_of"}, {"jwt", 1, "conditional"}, {"rate-limiting", 6, "at_least_one_of"}, {"request-termination", 0, ""}}
	for _, sc := range schemaChecks {
		doc := n.mustAdmin(200, "GET", "/schemas/plugins/"+sc.plugin, nil)
		checks, _ := doc["entity_checks"].([]any)
		if len(checks) != sc.want {
			t.Errorf("%s entity_checks %v", sc.plugin, doc["entity_checks"])
			continue
		}
		if sc.want > 0 {
			if _, ok := checks[0].(map[string]any)[sc.first]; !ok {
				t.Errorf("%s first check %v, want %s", sc.plugin, checks[0], sc.first)
			}
		}
	}
}

// TestCompatRateLimitingInstanceScope: a service-scoped instance counts a
// client across every route of the service, as Kong keys its counters by
// the instance's scope.
func TestCompatRateLimitingInstanceScope(t *testing.T) {
	n := startNode(t)
	up := echoUpstream(t)
	svc := n.mustAdmin(201, "POST", "/services", map[string]any{"name": "scoped", "url": up.URL})
	prefix := "/scope-" + uuid.NewString()[:8]
	for _, r := range []string{"a", "b"} {
		n.mustAdmin(201, "POST", "/services/scoped/routes", map[string]any{"name": "scoped-" + r, "paths": []string{prefix + "-" + r}})
	}
	avoidMinuteEdge()
	n.mustAdmin(201, "POST", "/services/"+svc["id"].(string)+"/plugins",
		map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": 3, "limit_by": "ip"}})
	// The first request seen by the instance counts as the first of three.
	waitFor(t, 5*time.Second, "rate-limiting to be live", func() bool {
		_, _, h := n.proxyStatus(prefix + "-a")
		return h.Get("X-RateLimit-Limit-Minute") == "3"
	})
	steps := []struct {
		route         string
		wantStatus    int
		wantRemaining string
	}{{"-b", 200, "1"}, {"-a", 200, "0"}, {"-b", 429, "0"}, {"-a", 429, "0"}}
	for i, s := range steps {
		status, body, h := n.proxyStatus(prefix + s.route)
		if status != s.wantStatus || h.Get("X-RateLimit-Remaining-Minute") != s.wantRemaining {
			t.Errorf("request %d on %s: status %d remaining %q, want %d %s (%s)", i+2, s.route, status,
				h.Get("X-RateLimit-Remaining-Minute"), s.wantStatus, s.wantRemaining, body)
		}
	}
}

// TestCompatAdminKeys covers URL keys Kong resolves specially: acls have
// no endpoint key at top level, certificates are addressed by SNI name,
// and a consumer's acls by group name.
func TestCompatAdminKeys(t *testing.T) {
	n := startNode(t)
	n.mustAdmin(201, "POST", "/consumers", map[string]any{"username": "carol"})
	acl := n.mustAdmin(201, "POST", "/consumers/carol/acls", map[string]any{"group": "ops"})

	for _, method := range []string{"GET", "PATCH", "DELETE"} {
		status, body := n.admin(method, "/acls/ops", nil)
		if status != 400 || body["name"] != "invalid primary key" ||
			body["message"] != `invalid primary key: '{id="expected a valid UUID"}'` {
			t.Errorf("%s /acls/ops: %d %v", method, status, body)
		}
	}
	n.mustAdmin(200, "GET", "/acls/"+acl["id"].(string), nil)

	// ACLs by group name under their consumer.
	if got := n.mustAdmin(200, "GET", "/consumers/carol/acls/ops", nil); got["id"] != acl["id"] {
		t.Errorf("GET by group: %v", got)
	}
	put := n.mustAdmin(200, "PUT", "/consumers/carol/acls/devs", map[string]any{"tags": []string{"t"}})
	if put["group"] != "devs" {
		t.Errorf("PUT by group: %v", put)
	}
	n.mustAdmin(204, "DELETE", "/consumers/carol/acls/ops", nil)
	if status, _ := n.admin("GET", "/consumers/carol/acls/ops", nil); status != 404 {
		t.Errorf("deleted group still found: %d", status)
	}

	// Certificates by SNI name.
	cert, key := selfSigned(t, "sni.example.test", false)
	created := n.mustAdmin(201, "POST", "/certificates", map[string]any{"cert": cert, "key": key, "snis": []string{"sni.example.test"}})
	if got := n.mustAdmin(200, "GET", "/certificates/sni.example.test", nil); got["id"] != created["id"] {
		t.Errorf("GET by SNI: %v", got)
	}
	if got := n.mustAdmin(200, "PATCH", "/certificates/sni.example.test", map[string]any{"tags": []string{"x"}}); got["id"] != created["id"] {
		t.Errorf("PATCH by SNI: %v", got)
	}
	for _, method := range []string{"GET", "PATCH", "DELETE"} {
		status, body := n.admin(method, "/certificates/missing.example.test", map[string]any{})
		if status != 404 || body["message"] != "SNI not found" {
			t.Errorf("%s unknown SNI: %d %v", method, status, body)
		}
	}
	other, otherKey := selfSigned(t, "new.example.test", false)
	put = n.mustAdmin(200, "PUT", "/certificates/new.example.test", map[string]any{"cert": other, "key": otherKey})
	if snis, _ := put["snis"].([]any); len(snis) != 1 || snis[0] != "new.example.test" || put["id"] == created["id"] {
		t.Errorf("PUT by unknown SNI: %v", put)
	}
	n.mustAdmin(204, "DELETE", "/certificates/sni.example.test", nil)
	if status, _ := n.admin("GET", "/certificates/"+created["id"].(string), nil); status != 404 {
		t.Errorf("certificate deleted by SNI still there: %d", status)
	}
}

// TestCompatKeyAuthTTL: credentials show the seconds they have left, an
// update of ttl restarts it, and an expired key neither authenticates nor
// shows.
func TestCompatKeyAuthTTL(t *testing.T) {
	n := startNode(t)
	up := echoUpstream(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "ttl", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/ttl/routes", map[string]any{"paths": []string{"/ttl"}})
	n.mustAdmin(201, "POST", "/services/ttl/plugins", map[string]any{"name": "key-auth"})
	n.mustAdmin(201, "POST", "/consumers", map[string]any{"username": "dave"})

	near := func(v any, want float64) bool {
		f, ok := v.(float64)
		return ok && f <= want && f >= want-2
	}
	long := n.mustAdmin(201, "POST", "/consumers/dave/key-auth", map[string]any{"key": "long-key", "ttl": 100})
	plain := n.mustAdmin(201, "POST", "/consumers/dave/key-auth", map[string]any{"key": "plain-key"})
	if !near(long["ttl"], 100) || plain["ttl"] != nil {
		t.Errorf("created ttl %v / %v", long["ttl"], plain["ttl"])
	}
	id := long["id"].(string)
	if got := n.mustAdmin(200, "PATCH", "/key-auths/"+id, map[string]any{"tags": []string{"a"}}); !near(got["ttl"], 100) {
		t.Errorf("PATCH without ttl: ttl %v", got["ttl"])
	}
	if got := n.mustAdmin(200, "PATCH", "/consumers/dave/key-auth/"+id, "ttl=40"); !near(got["ttl"], 40) {
		t.Errorf("PATCH ttl=40: ttl %v", got["ttl"])
	}
	if got := n.mustAdmin(200, "GET", "/key-auths/long-key", nil); !near(got["ttl"], 40) {
		t.Errorf("GET after PATCH: ttl %v", got["ttl"])
	}

	n.mustAdmin(201, "POST", "/consumers/dave/key-auth", map[string]any{"key": "short-key", "ttl": 2})
	n.waitStatus(200, "/ttl", "apikey", "short-key")
	time.Sleep(3 * time.Second)
	n.waitStatus(401, "/ttl", "apikey", "short-key")
	if status, _ := n.admin("GET", "/key-auths/short-key", nil); status != 404 {
		t.Errorf("expired credential still shown: %d", status)
	}
	list := n.mustAdmin(200, "GET", "/consumers/dave/key-auth", nil)
	data, _ := list["data"].([]any)
	for _, c := range data {
		if strings.Contains(c.(map[string]any)["key"].(string), "short") {
			t.Errorf("expired credential listed: %v", c)
		}
	}
	if len(data) != 2 {
		t.Errorf("listed %d credentials, want 2", len(data))
	}
	n.waitStatus(200, "/ttl", "apikey", "long-key")
}

// jsonSame compares two decoded JSON values; a nil want matches only an
// absent value.
func jsonSame(got, want any) bool {
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	return string(a) == string(b)
}
