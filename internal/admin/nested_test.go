package admin

import (
	"net/url"
	"testing"
	"time"
)

func TestNestedRoutes(t *testing.T) {
	api := newTestAPI(t)
	s1 := mustCall(t, api, "POST", "/services", ctJSON, `{"name":"s1","host":"a.test"}`, 201)
	s2 := mustCall(t, api, "POST", "/services", ctJSON, `{"name":"s2","host":"b.test"}`, 201)
	// POST forces the parent whatever the body says.
	r1 := mustCall(t, api, "POST", "/services/s1/routes", ctJSON, `{"name":"r1","paths":["/a"],"service":{"id":"`+str(s2, "id")+`"}}`, 201)
	if str(r1, "service", "id") != str(s1, "id") {
		t.Fatalf("nested POST service = %v", r1["service"])
	}
	mustCall(t, api, "POST", "/services/s1/routes", ctForm, "name=r2&paths=/b", 201)
	mustCall(t, api, "POST", "/services/s2/routes", ctJSON, `{"name":"r3","paths":["/c"]}`, 201)
	mustCall(t, api, "POST", "/services/missing/routes", ctJSON, `{"paths":["/d"]}`, 404)

	list := mustCall(t, api, "GET", "/services/s1/routes?tags=ignored", "", "", 200)
	if n := len(list["data"].([]any)); n != 2 {
		t.Fatalf("s1 has %d routes", n)
	}
	page := mustCall(t, api, "GET", "/services/s1/routes?size=1", "", "", 200)
	off := page["offset"].(string)
	if page["next"] != "/services/s1/routes?offset="+escapeComponent(off) {
		t.Errorf("nested next = %v", page["next"])
	}
	last := mustCall(t, api, "GET", "/services/s1/routes?size=1&offset="+url.QueryEscape(off), "", "", 200)
	if last["next"] != nil || len(last["data"].([]any)) != 1 {
		t.Errorf("second page: %v", last)
	}

	tests := []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/services/s1/routes/r1", "", 200},
		{"GET", "/services/s1/routes/" + str(r1, "id"), "", 200},
		{"GET", "/services/s2/routes/r1", "", 404},
		{"GET", "/services/nope/routes/r1", "", 404},
		{"PATCH", "/services/s2/routes/r1", `{"paths":["/x"]}`, 404},
		{"PUT", "/services/s2/routes/r1", `{"paths":["/x"]}`, 404},
		{"DELETE", "/services/s2/routes/r1", "", 404},
		{"DELETE", "/services/s1/routes/nope", "", 404},
		{"PATCH", "/services/s1/routes/r1", `{"paths":["/patched"]}`, 200},
		{"PUT", "/services/s1/routes/r9", `{"paths":["/new"]}`, 200},
		{"GET", "/services/s1/routes/r9", "", 200},
		{"DELETE", "/services/s1/routes/r9", "", 204},
		{"GET", "/routes/r9", "", 404},
	}
	for _, tc := range tests {
		r := call(t, api, tc.method, tc.path, ctJSON, tc.body)
		if r.status != tc.status {
			t.Errorf("%s %s: %d, want %d (%s)", tc.method, tc.path, r.status, tc.status, r.raw)
		}
	}

	// PATCH keeps the parent unless the body moves the route.
	moved := mustCall(t, api, "PATCH", "/services/s1/routes/r1", ctJSON, `{"service":{"name":"s2"}}`, 200)
	if str(moved, "service", "id") != str(s2, "id") {
		t.Errorf("moved route service = %v", moved["service"])
	}
}

func TestParentEndpoint(t *testing.T) {
	api := newTestAPI(t)
	svc := mustCall(t, api, "POST", "/services", ctJSON, `{"name":"svc","host":"a.test"}`, 201)
	route := mustCall(t, api, "POST", "/routes", ctJSON, `{"name":"r","paths":["/a"],"service":{"id":"`+str(svc, "id")+`"}}`, 201)
	mustCall(t, api, "POST", "/routes", ctJSON, `{"name":"orphan","paths":["/b"]}`, 201)

	got := mustCall(t, api, "GET", "/routes/r/service", "", "", 200)
	if got["id"] != svc["id"] {
		t.Errorf("GET /routes/r/service = %v", got)
	}
	mustCall(t, api, "GET", "/routes/orphan/service", "", "", 404)
	mustCall(t, api, "GET", "/routes/missing/service", "", "", 404)

	patched := mustCall(t, api, "PATCH", "/routes/"+str(route, "id")+"/service", ctJSON, `{"port":8443}`, 200)
	if patched["port"] != 8443.0 || patched["host"] != "a.test" {
		t.Errorf("PATCH parent: %v", patched)
	}
	if r := call(t, api, "DELETE", "/routes/r/service", "", ""); r.status != 405 || r.raw != `{"message":"Method not allowed"}` {
		t.Errorf("DELETE parent: %d %s", r.status, r.raw)
	}
	mustCall(t, api, "DELETE", "/routes/orphan/service", "", "", 404)

	created := mustCall(t, api, "PUT", "/routes/orphan/service", ctJSON, `{"host":"new.test"}`, 200)
	orphan := mustCall(t, api, "GET", "/routes/orphan", "", "", 200)
	if str(orphan, "service", "id") != str(created, "id") || created["host"] != "new.test" {
		t.Errorf("PUT parent did not re-point: route %v, service %v", orphan["service"], created)
	}
	replaced := mustCall(t, api, "PUT", "/routes/r/service", ctJSON, `{"host":"b.test"}`, 200)
	if replaced["id"] != svc["id"] || replaced["name"] != nil || replaced["port"] != 80.0 {
		t.Errorf("PUT parent replace: %v", replaced)
	}
}

func TestPluginsNested(t *testing.T) {
	api := newTestAPI(t)
	mustCall(t, api, "POST", "/consumers", ctJSON, `{"username":"bob"}`, 201)
	mustCall(t, api, "POST", "/consumers/bob/plugins", ctJSON, `{"name":"rate-limiting","config":{"minute":5}}`, 201)
	r := call(t, api, "POST", "/consumers/bob/plugins", ctJSON, `{"name":"rate-limiting"}`)
	if r.status != 409 {
		t.Errorf("duplicate plugin: %d %s", r.status, r.raw)
	}
	info := mustCall(t, api, "GET", "/", "", "", 200)
	inCluster := info["plugins"].(map[string]any)["enabled_in_cluster"].([]any)
	if len(inCluster) != 1 || inCluster[0] != "rate-limiting" {
		t.Errorf("enabled_in_cluster = %v", inCluster)
	}
}

func TestTargets(t *testing.T) {
	api := newTestAPI(t)
	mustCall(t, api, "POST", "/upstreams", ctJSON, `{"name":"up"}`, 201)
	mustCall(t, api, "POST", "/upstreams", ctJSON, `{"name":"other"}`, 201)
	first := mustCall(t, api, "POST", "/upstreams/up/targets", ctForm, "target=10.0.0.1", 201)
	if first["target"] != "10.0.0.1:8000" {
		t.Fatalf("target = %v", first["target"])
	}
	time.Sleep(5 * time.Millisecond) // targets are stamped with millisecond precision
	second := mustCall(t, api, "POST", "/upstreams/up/targets", ctJSON, `{"target":"10.0.0.2:80","weight":5}`, 201)
	mustCall(t, api, "POST", "/upstreams/up/targets", ctJSON, `{"target":"10.0.0.2:80"}`, 409)
	mustCall(t, api, "POST", "/upstreams/missing/targets", ctJSON, `{"target":"10.0.0.3"}`, 404)

	list := mustCall(t, api, "GET", "/upstreams/up/targets", "", "", 200)
	data := list["data"].([]any)
	if len(data) != 2 || list["next"] != nil {
		t.Fatalf("targets list %v", list)
	}
	if data[0].(map[string]any)["id"] != second["id"] {
		t.Errorf("targets are not listed newest first: %v", data)
	}
	page := mustCall(t, api, "GET", "/upstreams/up/targets?size=1", "", "", 200)
	if page["offset"] != "1" || page["next"] != "/upstreams/up/targets?offset=1" {
		t.Errorf("targets page: %v", page)
	}

	tests := []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/upstreams/up/targets/10.0.0.1:8000", "", 200},
		{"GET", "/upstreams/up/targets/10.0.0.1", "", 404},
		{"GET", "/upstreams/other/targets/10.0.0.1:8000", "", 404},
		{"PUT", "/upstreams/up/targets/6f1b4c1e-3a43-4c57-9d24-1f4f64e8b9a1", `{"target":"10.0.0.9"}`, 404},
		{"PATCH", "/upstreams/up/targets/10.9.9.9:8000", `{"weight":1}`, 404},
		{"DELETE", "/upstreams/up/targets/10.9.9.9:8000", "", 404},
		{"PUT", "/upstreams/up/targets/" + str(second, "id"), `{"weight":7}`, 200},
		{"DELETE", "/upstreams/up/targets/10.0.0.1:8000", "", 204},
	}
	for _, tc := range tests {
		r := call(t, api, tc.method, tc.path, ctJSON, tc.body)
		if r.status != tc.status {
			t.Errorf("%s %s: %d, want %d (%s)", tc.method, tc.path, r.status, tc.status, r.raw)
		}
	}
	got := mustCall(t, api, "GET", "/upstreams/up/targets/"+str(second, "id"), "", "", 200)
	if got["weight"] != 7.0 || got["target"] != "10.0.0.2:80" {
		t.Errorf("PUT is a partial update: %v", got)
	}
}
