package admin

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store/sqlite"
)

// newDBlessAPI returns a DB-less Admin API over a store holding one
// service "seeded" (returned), plus the same store served with writes.
func newDBlessAPI(t *testing.T) (*API, map[string]any) {
	t.Helper()
	reg := entity.Core()
	reg.Add(testPlugins())
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "strait.db"), reg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	writable := New(st, reg, Options{Version: testVersion, Database: "sqlite"})
	seeded := mustCall(t, writable, "POST", "/services", ctJSON, `{"name":"seeded","host":"seeded.test"}`, 201)
	config := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	api := New(st, reg, Options{Version: testVersion, Database: "off",
		ConfigurationHash: func() string { return "0123456789abcdef0123456789abcdef" },
		DeclarativeConfig: config})
	return api, seeded
}

func TestDBlessWritesAreUnsupported(t *testing.T) {
	api, seeded := newDBlessAPI(t)
	id := seeded["id"].(string)
	unsupported := func(verb, entityName, by string) string {
		msg := "cannot " + verb + " '" + entityName + "' entities"
		if by != "" {
			msg += " by '" + by + "'"
		}
		return msg + " when not using a database"
	}
	cases := []struct {
		method, path, body string
		status             int
		message            string
	}{
		{"POST", "/services", `{"name":"x","host":"x.test"}`, 405, unsupported("create", "services", "")},
		{"PATCH", "/services/seeded", `{"port":81}`, 405, unsupported("update", "services", "name")},
		{"PATCH", "/services/" + id, `{"port":81}`, 405, unsupported("update", "services", "")},
		{"PUT", "/services/other", `{"host":"o.test"}`, 405, unsupported("create or update", "services", "name")},
		{"PUT", "/services/" + id, `{"host":"o.test"}`, 405, unsupported("create or update", "services", "")},
		{"DELETE", "/services/seeded", "", 405, unsupported("remove", "services", "name")},
		{"POST", "/services/seeded/routes", `{"paths":["/a"]}`, 405, unsupported("create", "routes", "")},
		{"POST", "/consumers", `{"username":"bob"}`, 405, unsupported("create", "consumers", "")},
		// Validation and lookups still come first.
		{"POST", "/services", `{}`, 400, "schema violation (host: required field missing)"},
		{"PATCH", "/services/missing", `{"port":81}`, 404, `could not find the entity with '{name="missing"}'`},
	}
	for _, c := range cases {
		ct := ctJSON
		if c.body == "" {
			ct = ""
		}
		r := call(t, api, c.method, c.path, ct, c.body)
		body := r.json()
		if r.status != c.status || body["message"] != c.message {
			t.Fatalf("%s %s: %d %s\nwant %d %q", c.method, c.path, r.status, r.raw, c.status, c.message)
		}
		if c.status == 405 && (body["code"] != 12.0 || body["name"] != "operation unsupported") {
			t.Fatalf("%s %s: %s", c.method, c.path, r.raw)
		}
	}
	// Deleting a missing entity never reaches a write.
	mustCall(t, api, "DELETE", "/services/missing", "", "", 204)
	// Reads work; nothing was written.
	list := mustCall(t, api, "GET", "/services", "", "", 200)
	if data := list["data"].([]any); len(data) != 1 {
		t.Fatalf("services after refused writes: %v", list)
	}
	mustCall(t, api, "GET", "/services/seeded", "", "", 200)
}

func TestDBlessStatusAndConfig(t *testing.T) {
	api, _ := newDBlessAPI(t)
	status := mustCall(t, api, "GET", "/status", "", "", 200)
	if status["configuration_hash"] != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("configuration_hash: %v", status)
	}
	if _, ok := status["database"]; ok {
		t.Fatalf("DB-less /status reports a database: %v", status)
	}
	for _, method := range []string{"GET", "POST"} {
		if r := call(t, api, method, "/config", "", ""); r.status != http.StatusTeapot {
			t.Fatalf("%s /config not handed to the declarative handler: %d", method, r.status)
		}
	}
	db := newTestAPI(t)
	r := call(t, db, "GET", "/config", "", "")
	if r.status != 400 || r.json()["message"] != "this endpoint is only available when Kong is configured to not use a database" {
		t.Fatalf("GET /config with a database: %d %s", r.status, r.raw)
	}
}
